"""What the rule matcher returns (hits, a code's match) and the tokenized unit it reads.

spaCy is imported when a unit is built, never at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from spacy.tokens import Doc


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


class TokenUnit:
    """One tokenized unit: its doc, source text and per-token word-form hashes."""

    def __init__(self, doc: Doc, text: str) -> None:
        from spacy.attrs import LOWER

        self.doc = doc
        self.text = text
        self.lowers = doc.to_array(LOWER).tolist() if len(doc) else []
        self.word_tokens: list[int] = []  # token index of each word position (set by the matcher)
        self._lowered: str | None = None
        self._contains: dict[str, bool] = {}

    def contains(self, string: str) -> bool:
        """Whether the lowercased text contains ``string`` (remembered: patterns share strings)."""
        found = self._contains.get(string)
        if found is None:
            if self._lowered is None:
                self._lowered = self.text.lower()
            found = self._contains[string] = string in self._lowered
        return found

    @property
    def word_starts(self) -> list[int]:
        return [self.doc[i].idx for i in self.word_tokens]

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets of tokens ``first``..``last`` (looked up only for hits)."""
        token = self.doc[last]
        return self.doc[first].idx, token.idx + len(token)
