"""Search of the codebook pane: typing narrows the codes by id, name and definition.

Ranking, best first:

1. every word of the query is a whole word of the code's id or name ("labor" ->
   ``challenge.labor_trafficking``; "staff training" -> ``training.staff``, words in
   any order);
2. every word is a whole word or the beginning of one ("case len" ->
   ``challenge.case_length``);
3. fuzzy matches (rapidfuzz, 0-100, typos tolerated: "hotlne"), where the definition
   counts a little less than the id and name, so a code whose *name* matches ranks
   above one that merely mentions the word in its definition.

A fuzzy substring hit ("labor" inside "Collaboration") is tier 3, so it never
outranks a code that has the word itself. Ties keep codebook order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.codebook.model import Code

DEFINITION_WEIGHT = 0.85
MIN_SCORE = 70.0
NEAR_BEST = 15.0  # also drop fuzzy matches this far below the best one (short queries match noise)
WHOLE_WORD = 300.0  # tier scores sit above any fuzzy score (0-100)
PREFIX = 200.0
_WORDS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=4096)
def _words_of(code_id: str, name: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The whole words of an id (split on ``.`` and ``_``) and name, casefolded."""
    words = frozenset(_WORDS.findall(code_id.casefold())) | frozenset(_WORDS.findall(name.casefold()))
    return words, tuple(sorted(words))


def _fuzzy(wanted: str, code: Code) -> float:
    from rapidfuzz import fuzz

    id_score = fuzz.partial_ratio(wanted, code.id.casefold().replace("_", " "))
    name_score = fuzz.partial_ratio(wanted, code.name.casefold())
    definition_score = fuzz.partial_ratio(wanted, code.definition.casefold()) if code.definition else 0.0
    return max(id_score, name_score, DEFINITION_WEIGHT * definition_score)


def _word_score(word: str, code: Code) -> float:
    words, ordered = _words_of(code.id, code.name)
    if word in words:
        return WHOLE_WORD
    if any(w.startswith(word) for w in ordered):
        return PREFIX
    return _fuzzy(word, code)


def code_score(query: str, code: Code) -> float:
    """How well ``query`` matches a code: 300 whole words, 200 prefixes, else fuzzy 0-100.

    A multi-word query scores by its weakest word (every word must match, in any
    order), or as one fuzzy phrase when that scores higher (a typo across words).
    """
    wanted = query.strip().casefold()
    if not wanted:
        return 100.0
    words = _WORDS.findall(wanted)
    by_word = min((_word_score(w, code) for w in words), default=0.0)
    return max(by_word, _fuzzy(wanted, code))


def filter_codes(codes: Sequence[Code], query: str, *, min_score: float = MIN_SCORE) -> list[tuple[Code, float]]:
    """The codes matching ``query``, best first, with their scores.

    A code matches when it scores at least ``min_score`` and within ``NEAR_BEST``
    points of the best fuzzy score (whole-word and prefix matches always match). An
    empty query returns every code (score 100) in the order given.
    """
    if not query.strip():
        return [(code, 100.0) for code in codes]
    scored = [(code, code_score(query, code)) for code in codes]
    if not scored:
        return []
    best = min(100.0, max(score for _, score in scored))
    cutoff = max(min_score, best - NEAR_BEST)
    return sorted(((code, score) for code, score in scored if score >= cutoff), key=lambda pair: -pair[1])
