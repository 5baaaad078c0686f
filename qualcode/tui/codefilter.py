"""Fuzzy search of the codebook pane: typing narrows the codes by id, name and definition.

Scores come from rapidfuzz (0-100). The id and name count fully; the definition counts
a little less, so a code whose *name* matches ranks above one that merely mentions the
word in its definition. Ties keep codebook order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.codebook.model import Code

DEFINITION_WEIGHT = 0.85
MIN_SCORE = 70.0
NEAR_BEST = 15.0  # also drop matches this far below the best one (short queries match noise)


def code_score(query: str, code: Code) -> float:
    """How well ``query`` matches a code (0-100); case-insensitive, typo-tolerant."""
    from rapidfuzz import fuzz

    wanted = query.strip().casefold()
    if not wanted:
        return 100.0
    id_score = fuzz.partial_ratio(wanted, code.id.casefold().replace("_", " "))
    name_score = fuzz.partial_ratio(wanted, code.name.casefold())
    definition_score = fuzz.partial_ratio(wanted, code.definition.casefold()) if code.definition else 0.0
    return max(id_score, name_score, DEFINITION_WEIGHT * definition_score)


def filter_codes(codes: Sequence[Code], query: str, *, min_score: float = MIN_SCORE) -> list[tuple[Code, float]]:
    """The codes matching ``query``, best first, with their scores.

    A code matches when it scores at least ``min_score`` and within ``NEAR_BEST``
    points of the best match. An empty query returns every code (score 100) in the
    order given.
    """
    if not query.strip():
        return [(code, 100.0) for code in codes]
    scored = [(code, code_score(query, code)) for code in codes]
    if not scored:
        return []
    cutoff = max(min_score, max(score for _, score in scored) - NEAR_BEST)
    return sorted(((code, score) for code, score in scored if score >= cutoff), key=lambda pair: -pair[1])
