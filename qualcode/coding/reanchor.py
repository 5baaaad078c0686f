"""Moving codings onto a corrected transcript's text.

When a transcript is re-imported with ``--replace``, each coding's span is carried to
the same words in the new text by aligning the two texts word by word
(``difflib.SequenceMatcher`` over word tokens). A coding whose words no longer exist
is kept, marked ``orphaned`` with its old text, and listed by ``qualcode codings
orphans`` — never silently dropped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from sqlalchemy import Connection, select, update

from qualcode.store.schema import codings
from qualcode.transcripts.model import Transcript

WORD = re.compile(r"\S+")
PUNCTUATION = re.compile(r"[^\w]+")


def _word_key(word: str) -> str:
    # A corrected transcript often changes only case or punctuation around a word.
    return PUNCTUATION.sub("", word.casefold()) or word


@dataclass
class ReanchorReport:
    moved: int = 0
    unchanged: int = 0
    orphaned: list[int] = field(default_factory=list)


class SpanMapper:
    """Carries ``[start, end)`` spans from an old text to a new one, word by word."""

    def __init__(self, old_text: str, new_text: str) -> None:
        from difflib import SequenceMatcher

        self.old_spans = [(m.start(), m.end()) for m in WORD.finditer(old_text)]
        self.new_spans = [(m.start(), m.end()) for m in WORD.finditer(new_text)]
        self._old_ends = [b for _, b in self.old_spans]
        old_words = [_word_key(old_text[a:b]) for a, b in self.old_spans]
        new_words = [_word_key(new_text[a:b]) for a, b in self.new_spans]
        matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
        self.mapping: dict[int, int] = {}
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                self.mapping[block.a + k] = block.b + k

    def map(self, start: int, end: int) -> tuple[int, int] | None:
        """The new span over the surviving words of ``[start, end)``, or None if none survive."""
        first = bisect.bisect_right(self._old_ends, start)  # first word ending after start
        overlapping = []
        for i in range(first, len(self.old_spans)):
            if self.old_spans[i][0] >= end:
                break
            overlapping.append(i)
        survivors = [i for i in overlapping if i in self.mapping]
        if not survivors:
            return None
        head, tail = survivors[0], survivors[-1]
        # Keep a span that starts or ends inside a word just as far inside it.
        lead = max(start - self.old_spans[head][0], 0)
        trim = max(self.old_spans[tail][1] - end, 0)
        new_start = self.new_spans[self.mapping[head]][0] + lead
        new_end = self.new_spans[self.mapping[tail]][1] - trim
        return new_start, max(new_end, new_start + 1)


def reanchor_codings(conn: Connection, transcript_id: str, old_text: str, new: Transcript) -> ReanchorReport:
    """Re-point every non-orphaned coding of the transcript at the new text and segments."""
    from qualcode.store.transcripts import segment_ids

    report = ReanchorReport()
    rows = conn.execute(
        select(codings).where(codings.c.transcript_id == transcript_id, codings.c.orphaned.is_(False))
    ).all()
    if not rows:
        return report
    mapper = SpanMapper(old_text, new.text)
    ids = segment_ids(conn, transcript_id)
    for row in rows:
        span = mapper.map(row.start_offset, row.end_offset)
        segment = _segment_containing(new, span) if span else None
        if segment is None:
            _orphan(conn, row, old_text)
            report.orphaned.append(row.id)
            continue
        start, end = max(span[0], segment.start), min(span[1], segment.end)
        changed = (start, end) != (row.start_offset, row.end_offset)
        conn.execute(
            update(codings)
            .where(codings.c.id == row.id)
            .values(start_offset=start, end_offset=end, segment_id=ids[segment.ordinal])
        )
        if changed:
            report.moved += 1
        else:
            report.unchanged += 1
    return report


def _segment_containing(transcript: Transcript, span: tuple[int, int]):
    for segment in transcript.segments:
        if segment.start <= span[0] < segment.end:
            return segment
    return None


def _orphan(conn: Connection, row, old_text: str) -> None:
    conn.execute(
        update(codings)
        .where(codings.c.id == row.id)
        .values(orphaned=True, segment_id=None, orphan_text=old_text[row.start_offset : row.end_offset])
    )
