"""Finding a pattern's occurrences in one transcript's postings (pure, no SQL).

Positions come from the index (see qualcode/search/index.py): five ints per word.
Token numbers are consecutive within a turn and jump between turns, so "next word"
never crosses a turn.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from qualcode.search.index import STRIDE
from qualcode.search.patterns import Pattern, Term


class Occurrence(NamedTuple):
    """One match: the turn, its ``[start, end)`` offsets and first/last token numbers.

    A named tuple rather than a dataclass: a common word has thousands in a corpus, made,
    hashed and sorted on every search; a tuple does all three in C (ordered by its
    fields, in this order).
    """

    start: int
    end: int
    ordinal: int
    first: int
    last: int


def occurrences(pattern: Pattern, positions: dict[str, list[int]]) -> list[Occurrence]:
    """Every occurrence of a (non-regex) pattern, given key -> flat positions."""
    found = term_occurrences(pattern.terms[0], positions)
    for distance, term in zip(pattern.distances, pattern.terms[1:], strict=True):
        found = near(found, term_occurrences(term, positions), distance)
    return sorted(set(found))


def term_occurrences(term: Term, positions: dict[str, list[int]]) -> list[Occurrence]:
    tokens = [_tokens(keys, positions) for keys in term.keys]
    found = []
    for number, (ordinal, start, end, _joined) in tokens[0].items():
        last = number
        for step, following in enumerate(tokens[1:], start=1):
            token = following.get(number + step)
            if token is None or not token[3]:
                break
            end, last = token[2], number + step
        else:
            found.append(Occurrence(start, end, ordinal, number, last))
    return found


def _tokens(keys, positions: dict[str, list[int]]) -> dict[int, tuple[int, int, int, int]]:
    """token number -> (ordinal, start, end, joined) for words with any of ``keys``."""
    out = {}
    for key in keys:
        flat = positions.get(key, ())
        for i in range(0, len(flat), STRIDE):
            out[flat[i]] = (flat[i + 1], flat[i + 2], flat[i + 3], flat[i + 4])
    return out


def near(left: list[Occurrence], right: list[Occurrence], distance: int) -> list[Occurrence]:
    """Spans covering a left and a right occurrence in one turn, at most ``distance``
    words apart (either order, not overlapping)."""
    by_turn = defaultdict(list)
    for occurrence in right:
        by_turn[occurrence.ordinal].append(occurrence)
    found = []
    for a in left:
        for b in by_turn.get(a.ordinal, ()):
            gap = b.first - a.last - 1 if b.first > a.last else a.first - b.last - 1
            if 0 <= gap <= distance:
                found.append(Occurrence(min(a.start, b.start), max(a.end, b.end), a.ordinal,
                                        min(a.first, b.first), max(a.last, b.last)))
    return found


def is_exact_phrase(pattern: Pattern, text: str, occurrence: Occurrence) -> bool:
    """Phrase mode: the occurrence's terms are the typed words, case aside, spaces only.

    NEAR spans hold other words between the terms, so each term must appear exactly
    somewhere in the span.
    """
    span = " ".join(text[occurrence.start : occurrence.end].split()).casefold()
    exact = [" ".join(t.words).casefold() for t in pattern.terms]
    if len(exact) == 1:
        return span == exact[0]
    return all(phrase in span for phrase in exact)
