"""What the rule matcher returns: hits, and a code's match."""

from __future__ import annotations

from typing import NamedTuple


class Hit(NamedTuple):
    """One rule that fired: where (character offsets in the unit), how strongly, why."""

    code_id: str
    kind: str  # phrase | regex | fuzzy | near
    rule: str  # readable, e.g. "phrase 'referral'"
    start: int
    end: int
    position: int  # word position used for exclusion distances
    score: float

    def evidence(self, text: str) -> dict:
        return {
            "rule": self.rule,
            "matched": text[self.start : self.end],
            "score": round(self.score, 3),
        }


class CodeMatch(NamedTuple):
    """A code the rules assign to a unit: its best surviving hits (at most ``KEPT_HITS``,
    best first) and how many hits survived in all. A tuple: cheap to send between processes."""

    code_id: str
    hits: tuple[Hit, ...]
    hit_count: int

    @property
    def score(self) -> float:
        return self.hits[0].score

    @property
    def best(self) -> Hit:
        return self.hits[0]
