"""Word-level selection inside a turn: word spans and moving a selection's end.

Plain functions over offsets (no Textual), used by :class:`~qualcode.tui.state.CodingState`.
A *word* is a run of non-space characters without the punctuation around it
("hotline." -> "hotline", "(laughs)" -> "laughs", "don't" and "T-visa" stay whole), so
a selection of words codes exactly those words. A selection is ``(first, last)``
word indices of one turn, both included; its span is ``[words[first].start,
words[last].end)`` in transcript offsets, stored as is by the coding core.
"""

from __future__ import annotations

import bisect
import re

_TOKEN = re.compile(r"\S+")


def word_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` of each word of ``text``, shifted by ``offset``.

    >>> text = "Mostly the hotline. (Laughs) Don't—"
    >>> [text[s:e] for s, e in word_spans(text)]
    ['Mostly', 'the', 'hotline', 'Laughs', "Don't"]
    """
    spans = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        while start < end and not text[start].isalnum():
            start += 1
        while end > start and not text[end - 1].isalnum():
            end -= 1
        if start < end:
            spans.append((offset + start, offset + end))
    return spans


def snap(words: list[tuple[int, int]], start: int, end: int) -> tuple[int, int] | None:
    """The words touched by ``[start, end)`` as ``(first, last)``; None when it touches none.

    An empty span (a click) selects the word it falls in or just before.
    """
    if not words:
        return None
    end = max(end, start + 1)
    first = bisect.bisect_right([e for _, e in words], start)  # first word ending after start
    last = bisect.bisect_left([s for s, _ in words], end) - 1  # last word starting before end
    if first > last:
        return None
    return first, last


def sentence_end(words: list[tuple[int, int]], sentences: list[tuple[int, int]], last: int, delta: int) -> int:
    """Where ``last`` goes when a selection grows (+1) or shrinks (-1) by a sentence.

    Growing moves it to the last word of its sentence, or of the next sentence when it
    already is there; shrinking moves it to the last word before its sentence. The
    caller clamps the result to the selection's first word.
    """
    if not words or not sentences:
        return last
    where = words[last][0]
    index = max(0, bisect.bisect_right([s for s, _ in sentences], where) - 1)
    if delta > 0:
        end = sentences[index][1]
        ends_here = _last_word_before(words, end)
        if ends_here > last:
            return ends_here
        if index + 1 < len(sentences):
            return _last_word_before(words, sentences[index + 1][1])
        return last
    return _last_word_before(words, sentences[index][0])


def _last_word_before(words: list[tuple[int, int]], offset: int) -> int:
    """Index of the last word ending at or before ``offset`` (-1 if none)."""
    return bisect.bisect_right([e for _, e in words], offset) - 1


_MATCHED = re.compile(r'-> "(.+)"$', re.DOTALL)


def evidence_spans(text: str, start: int, end: int, evidence: str) -> list[tuple[int, int]]:
    """Where a suggestion's evidence lies in ``text[start:end]`` (its span), as transcript offsets.

    Rule suggestions end their evidence with ``-> "matched words"`` (the exact text the
    rule matched); those words are found in the span. Anything else (a model's score)
    names no words: the span itself is returned.

    >>> text = "We work with the SANE nurses. Call the SANE team."
    >>> evidence_spans(text, 0, len(text), 'phrase \\'sane\\' -> "SANE"')
    [(17, 21), (39, 43)]
    >>> evidence_spans(text, 0, 29, "model p=0.61")
    [(0, 29)]
    """
    found = _MATCHED.search(evidence.strip())
    if found is None:
        return [(start, end)]
    words = found.group(1)
    spans, at = [], text.find(words, start, end)
    while at >= 0:
        spans.append((at, at + len(words)))
        at = text.find(words, at + len(words), end)
    return spans or [(start, end)]
