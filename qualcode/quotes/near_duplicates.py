"""Collapsing near-duplicate quotes without scoring every pair.

A quote is a near-duplicate of an accepted one when rapidfuzz's ``token_set_ratio``
(``default_process``: case and punctuation ignored) is at or above the threshold; it
collapses into the best-scoring accepted quote (the earliest on a tie), exactly as
``process.extractOne`` over all accepted quotes says. Scoring every accepted quote made
an unlimited quote set call the scorer n²/2 times (about 16 µs each for 100-word quotes),
so only quotes whose *upper bound* reaches the threshold are scored.

The bound is exact arithmetic on counts. With A, B the processed token sets, I = A ∩ B,
``W(X)`` = the sum of ``len(t) + 1`` over X (also the number of bigrams of its tokens
padded with a space), ``s = W(I) - 1``, ``a = W(A - B) - 1``, ``b = W(B - A) - 1``,
token_set_ratio is 100 when one set holds the other, else the largest of
``2s / (2s + 1 + a)``, ``2s / (2s + 1 + b)`` (both known exactly from W(I)) and
``1 - D / (2s + 2 + a + b)``, D the indel distance of the sorted leftovers. D is at
least ``|a - b|``, and, since an alignment keeps all padded-token bigrams but two per
deletion and one per insertion, at least ``(a/2 + b/2 + 1 - O) / 1.5`` with O the bag
overlap of the leftovers' bigrams, which is the overlap of A's and B's bigram bags less
W(I). W(I) and the bag overlap come from inverted indexes (numpy ``bincount`` over the
postings of the new quote's tokens and bigrams): a few nanoseconds per posting instead
of a score per accepted quote. That pass still grows with the accepted quotes sharing a
bigram, so the whole check is between linear and quadratic (see bench_quotes.py
--dedupe); the scores, the costly part, grow with the near-duplicates found.
"""

from __future__ import annotations

from array import array
from collections import Counter

_SLACK = 1e-6  # rapidfuzz scores are floats: keep the bound a hair looser, never tighter


def tokens_and_bigrams(processed: str) -> tuple[set[str], list[tuple[str, int]]]:
    """An already processed text's distinct tokens and its padded-token bigrams as a bag
    of (bigram, nth occurrence) pairs, so that set overlap is bag overlap."""
    tokens = set(processed.split())
    seen: Counter[str] = Counter()
    bag = []
    for token in tokens:
        padded = f" {token} "
        for i in range(len(padded) - 1):
            gram = padded[i:i + 2]
            seen[gram] += 1
            bag.append((gram, seen[gram]))
    return tokens, bag


class NearDuplicates:
    """Accepts texts one by one, refusing any that is a near-duplicate of one accepted.

    Near-duplicate: rapidfuzz ``token_set_ratio`` (case and punctuation ignored) at or
    above ``threshold``. A text whose words are a subset of an accepted text's words
    scores 100, so a sub-span coded inside a turn collapses into the turn.
    ``comparisons`` counts the pairs scored.

    >>> seen = NearDuplicates(90)
    >>> seen.duplicate_of("There's always a need for housing."), seen.add("There's always a need for housing.")
    (None, 0)
    >>> seen.duplicate_of("there's ALWAYS a need for housing")
    0
    >>> seen.duplicate_of("The jury did not understand trafficking."), seen.comparisons  # bound < 90: not scored
    (None, 1)
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.accepted: list[str] = []
        self.comparisons = 0
        self._sizes = array("i")  # W of each accepted text
        self._by_token: dict[str, array] = {}  # token -> accepted texts holding it
        self._by_bigram: dict[tuple[str, int], array] = {}  # bigram occurrence -> accepted texts
        self._last: tuple[str, tuple[set[str], list[tuple[str, int]]]] | None = None

    def duplicate_of(self, text: str) -> int | None:
        """Index of the accepted text this one duplicates (best score, earliest on a tie), or None."""
        if not self.accepted:
            return None
        from rapidfuzz import fuzz, process, utils

        indexes = self._candidates(*self._parts(text))
        if not indexes:
            return None
        self.comparisons += len(indexes)
        found = process.extractOne(  # in accepted order, so ties go to the earliest as before
            text, [self.accepted[i] for i in indexes], scorer=fuzz.token_set_ratio,
            processor=utils.default_process, score_cutoff=self.threshold,
        )
        return None if found is None else indexes[found[2]]

    def add(self, text: str) -> int:
        index = len(self.accepted)
        self.accepted.append(text)
        tokens, bag = self._parts(text)
        self._sizes.append(len(bag))
        for token in tokens:
            self._by_token.setdefault(token, array("i")).append(index)
        for element in bag:
            self._by_bigram.setdefault(element, array("i")).append(index)
        return index

    def _candidates(self, tokens: set[str], bag: list[tuple[str, int]]) -> list[int]:
        """Accepted texts whose upper bound on the score reaches the threshold, in order."""
        import numpy as np

        if not bag:
            return []  # no words: token_set_ratio is 0
        n = len(self.accepted)
        held = [(self._by_token[t], len(t) + 1) for t in tokens if t in self._by_token]
        shared = _counts(np, [p for p, _ in held], n, [w for _, w in held])  # W(I)
        overlap = _counts(np, [self._by_bigram[e] for e in bag if e in self._by_bigram], n)
        sizes = np.frombuffer(self._sizes, dtype=np.int32).astype(np.float64)
        upper = _upper_bound(np, shared, sizes, float(len(bag)), overlap)
        return np.flatnonzero(upper >= self.threshold - _SLACK).tolist()

    def _parts(self, text: str) -> tuple[set[str], list[tuple[str, int]]]:
        if self._last is None or self._last[0] != text:
            from rapidfuzz import utils

            self._last = (text, tokens_and_bigrams(utils.default_process(text)))
        return self._last[1]


def _counts(np, postings: list[array], n: int, weights: list[int] | None = None):
    """Per accepted text, how many (or what weight) of the postings name it."""
    if not postings:
        return np.zeros(n)
    ids = np.concatenate([np.frombuffer(p, dtype=np.int32) for p in postings])
    if weights is None:
        return np.bincount(ids, minlength=n).astype(np.float64)
    return np.bincount(ids, weights=np.repeat(np.asarray(weights, dtype=np.float64), [len(p) for p in postings]),
                       minlength=n)


def _upper_bound(np, shared, sizes, size: float, overlap):
    """token_set_ratio's upper bound for the new text (W = size) against each accepted one.

    Written in W(I) (``shared``) and the bag overlap so that each branch only grows with
    them: ``2s / (2s + 1 + a)`` is ``2 (W(I) - 1) / (W(I) + W(A) - 2)``, and the leftovers'
    branch no longer needs W(I) at all (its length is ``W(A) + W(B) - 2``).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        sect_a = np.where(shared > 0, 200.0 * (shared - 1.0) / (shared + size - 2.0), 0.0)
        sect_b = np.where(shared > 0, 200.0 * (shared - 1.0) / (shared + sizes - 2.0), 0.0)
        fewest = np.maximum(np.abs(size - sizes), ((size + sizes) / 2.0 - overlap) / 1.5)
        leftovers = 100.0 * (1.0 - np.maximum(fewest, 0.0) / (size + sizes - 2.0))
    bound = np.maximum(np.maximum(sect_a, sect_b), leftovers)
    inside = (shared > 0) & (shared >= np.minimum(size, sizes))  # one token set holds the other
    return np.where(inside, 100.0, bound)
