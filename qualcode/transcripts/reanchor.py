"""Moving codings onto a corrected transcript's text.

When a transcript is re-imported with ``--replace``, the old and new texts are aligned
word by word (words are whitespace-separated tokens compared ignoring case and
punctuation): the common beginning and end are matched first, then the middle with
``difflib.SequenceMatcher``. A coding then follows its words only when they are found
again essentially whole (:data:`MIN_COVERAGE`, :data:`MIN_SIMILARITY`):

1. at least 90 % of the coding's words are aligned to words of the new text (so every
   word of a coding shorter than ten words);
2. the new span, from the first to the last aligned word, lies inside one turn; and
3. its words are similar to the old ones: ``2 * aligned / (old words + new words)``
   is at least 0.85 (difflib's ratio), which bounds the words inserted inside it.

Anything else is kept as an *orphan* (``orphaned`` with its old text, listed by
``qualcode codings orphans``) — never moved onto whatever fragment of other text
happens to share a few words with it, and never silently dropped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.store import codings as store
from qualcode.store.transcripts import segment_ids
from qualcode.transcripts.model import Segment, Transcript

if TYPE_CHECKING:
    from sqlalchemy import Connection

WORD = re.compile(r"\S+")
PUNCTUATION = re.compile(r"[^\w]+")
MIN_COVERAGE = 0.9
MIN_SIMILARITY = 0.85


def word_key(word: str) -> str:
    # A corrected transcript often changes only case or punctuation around a word.
    return PUNCTUATION.sub("", word.casefold()) or word



@dataclass(frozen=True)
class Anchoring:
    """Where one old span goes: ``span`` in the new text, or None (orphaned), and why."""

    span: tuple[int, int] | None
    status: str  # unchanged | moved | shortened | orphaned
    reason: str = ""


@dataclass(frozen=True)
class ReanchorReport:
    """What a replace did to the transcript's codings (the ``reanchor`` of an import)."""

    unchanged: int = 0
    moved: int = 0
    shortened: int = 0
    orphaned: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        return {
            "unchanged": self.unchanged, "moved": self.moved, "shortened": self.shortened,
            "orphaned": len(self.orphaned), "orphaned_ids": list(self.orphaned),
        }

    def summary(self) -> str:
        hint = "; see 'qualcode codings orphans'" if self.orphaned else ""
        return (
            f"codings: {self.moved} moved, {self.shortened} shortened, {len(self.orphaned)} orphaned, "
            f"{self.unchanged} unchanged{hint}"
        )


class SpanMapper:
    """Carries ``[start, end)`` spans from an old text to a new one, word by word."""

    def __init__(self, old_text: str, new_text: str) -> None:
        self.old_spans = [(m.start(), m.end()) for m in WORD.finditer(old_text)]
        self.new_spans = [(m.start(), m.end()) for m in WORD.finditer(new_text)]
        self._old_ends = [b for _, b in self.old_spans]
        old_words = [word_key(old_text[a:b]) for a, b in self.old_spans]
        new_words = [word_key(new_text[a:b]) for a, b in self.new_spans]
        self.mapping: dict[int, int] = align_words(old_words, new_words)

    def words_in(self, start: int, end: int) -> list[int]:
        """Indexes of the old words overlapping ``[start, end)``."""
        first = bisect.bisect_right(self._old_ends, start)  # first word ending after start
        found = []
        for i in range(first, len(self.old_spans)):
            if self.old_spans[i][0] >= end:
                break
            found.append(i)
        return found

    def map(self, start: int, end: int) -> tuple[int, int] | None:
        """The new span over the surviving words of ``[start, end)``, or None if none survive."""
        survivors = [i for i in self.words_in(start, end) if i in self.mapping]
        if not survivors:
            return None
        head, tail = survivors[0], survivors[-1]
        # Keep a span that starts or ends inside a word just as far inside it.
        head_new, tail_new = self.new_spans[self.mapping[head]], self.new_spans[self.mapping[tail]]
        lead = min(max(start - self.old_spans[head][0], 0), head_new[1] - head_new[0] - 1)
        trim = min(max(self.old_spans[tail][1] - end, 0), tail_new[1] - tail_new[0] - 1)
        new_start = head_new[0] + lead
        new_end = tail_new[1] - trim
        return new_start, max(new_end, new_start + 1)

    def anchor(self, start: int, end: int, segments: list[Segment]) -> Anchoring:
        """Apply the re-anchoring rule (module docstring) to one old span."""
        words = self.words_in(start, end)
        survivors = [i for i in words if i in self.mapping]
        if not words or len(survivors) < MIN_COVERAGE * len(words):
            return Anchoring(None, "orphaned", f"{len(survivors)} of its {len(words)} words found")
        span = self.map(start, end)
        assert span is not None, "enough of its words survived to map"
        if not any(s.start <= span[0] and span[1] <= s.end for s in segments):
            return Anchoring(None, "orphaned", "its words are found only across turns")
        new_words = self.mapping[survivors[-1]] - self.mapping[survivors[0]] + 1
        if 2 * len(survivors) < MIN_SIMILARITY * (len(words) + new_words):
            return Anchoring(None, "orphaned", f"{new_words - len(survivors)} words inserted inside it")
        if len(survivors) < len(words):
            return Anchoring(span, "shortened")
        return Anchoring(span, "unchanged" if span == (start, end) else "moved")


def align_words(old: list[str], new: list[str]) -> dict[int, int]:
    """old word index -> new word index, matched in order.

    The common beginning and end are matched first (as diff tools do), so that a turn
    deleted between two similar ones cannot pull the surviving turn's words away
    from it; difflib aligns what is left in the middle.
    """
    from difflib import SequenceMatcher

    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    mapping = {i: i for i in range(head)}
    mapping.update({len(old) - 1 - k: len(new) - 1 - k for k in range(tail)})
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    matcher = SequenceMatcher(None, middle_old, middle_new, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapping[head + block.a + k] = head + block.b + k
    return mapping


def reanchor_codings(conn: Connection, transcript_id: str, old_text: str, new: Transcript) -> ReanchorReport:
    """Re-point every non-orphaned coding of the transcript at the new text and segments."""
    rows = store.live_codings_of(conn, transcript_id)
    if not rows:
        return ReanchorReport()
    mapper = SpanMapper(old_text, new.text)
    ids = segment_ids(conn, transcript_id)
    counts = {"unchanged": 0, "moved": 0, "shortened": 0}
    orphaned: list[int] = []
    for row in rows:
        result = mapper.anchor(row.start_offset, row.end_offset, new.segments)
        if result.span is None:
            store.orphan_coding(conn, row.id, old_text[row.start_offset : row.end_offset])
            orphaned.append(row.id)
            continue
        segment = next(s for s in new.segments if s.start <= result.span[0] < s.end)
        store.move_coding(conn, row.id, result.span, ids[segment.ordinal])
        counts[result.status] += 1
    return ReanchorReport(**counts, orphaned=tuple(orphaned))
