"""Rows as the store returns them: a transcript with its segments, and a coding's columns.

These types sit in the store (below ``qualcode.transcripts`` and ``qualcode.coding``)
because the store builds them from its rows; ``qualcode.transcripts.model`` re-exports
the transcript types with the import pipeline's own types (turns, normalisation,
layout). :class:`CodingColumns` is shared by the coding an action returns
(``coding.actions.StoredCoding``) and the codings listing's row
(``store.coded_text.ListedCoding``), so the fifteen columns are written once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from qualcode.errors import NotFoundError

LABEL_SEPARATOR = ": "  # between a speaker's label and their speech in the stored text


@dataclass(frozen=True, slots=True)
class Segment:
    """A speaker turn in a stored transcript; ``ordinal`` counts from 1."""

    ordinal: int
    speaker: str
    is_interviewer: bool
    start: int
    end: int
    start_time: float | None = None
    end_time: float | None = None


@dataclass
class Transcript:
    """A stored transcript with its metadata and segments."""

    id: str
    title: str
    role: str
    site: str
    text: str
    segments: list[Segment]
    attributes: dict[str, str] = field(default_factory=dict)
    format: str = ""
    source_path: str = ""
    sha256: str = ""

    def segment_text(self, segment: Segment) -> str:
        return self.text[segment.start : segment.end]

    def segment(self, ordinal: int) -> Segment:
        if 1 <= ordinal <= len(self.segments):
            return self.segments[ordinal - 1]
        raise NotFoundError(
            f"Transcript '{self.id}' has no segment {ordinal}; segments are 1..{len(self.segments)}"
        )

    @property
    def preamble(self) -> str:
        """Text stored before the first turn's label (see :func:`render`), if any."""
        if not self.segments:
            return self.text.strip()
        first = self.segments[0]
        label = first.speaker + LABEL_SEPARATOR
        end = first.start - len(label) if self.text[: first.start].endswith(label) else first.start
        return self.text[: max(end, 0)].strip()

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(s.speaker for s in self.segments))

    @property
    def respondent_segments(self) -> list[Segment]:
        return [s for s in self.segments if not s.is_interviewer]

    @property
    def word_count(self) -> int:
        return sum(len(self.segment_text(s).split()) for s in self.segments)


@dataclass(frozen=True, slots=True)
class CodingColumns:
    """A coding's stored columns, in ``store.payloads.CODING_FIELDS`` order."""

    id: int
    transcript_id: str
    segment_id: int | None
    coder: str
    code_id: str
    start_offset: int
    end_offset: int
    origin: str
    confidence: float | None
    memo: str | None
    codebook_version_id: int | None
    orphaned: bool
    orphan_text: str | None
    created_at: datetime | None
    updated_at: datetime | None


def text_digest(text: str) -> str:
    """SHA-256 of the text in UTF-8, a megabyte at a time (no second copy of a long transcript):
    the stored transcripts.text_sha256 and the search index's digest are both this."""
    digest = hashlib.sha256()
    for start in range(0, len(text), 2**20):
        digest.update(text[start : start + 2**20].encode("utf-8"))
    return digest.hexdigest()
