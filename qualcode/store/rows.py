"""The stored transcript as the store returns it: a transcript with its segments.

These types sit in the store (below ``qualcode.transcripts``) because the store builds
them from its rows; ``qualcode.transcripts.model`` re-exports them with the import
pipeline's own types (turns, normalisation, layout).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

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


def text_digest(text: str) -> str:
    """SHA-256 of the text in UTF-8, a megabyte at a time (no second copy of a long transcript):
    the stored transcripts.text_sha256 and the search index's digest are both this."""
    digest = hashlib.sha256()
    for start in range(0, len(text), 2**20):
        digest.update(text[start : start + 2**20].encode("utf-8"))
    return digest.hexdigest()
