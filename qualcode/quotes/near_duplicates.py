"""Collapsing near-duplicate quotes without bounding every accepted quote.

A quote is a near-duplicate of an accepted one when rapidfuzz's ``token_set_ratio``
(``default_process``: case and punctuation ignored) is at or above the threshold t; it
collapses into the best-scoring accepted quote (the earliest on a tie), exactly as
``process.extractOne`` over all accepted quotes says. Only quotes whose upper bound on the
score reaches t are scored, and the bounds are exact (never below the score), so the
verdicts are those of the all-pairs check (tests/quotes/test_near_duplicates.py holds it
as the model).

The score. With A, B the processed token sets, I = A ∩ B, ``W(X)`` the sum of
``len(t) + 1`` over X (also the number of bigrams of its tokens padded with a space),
token_set_ratio is 100 when I is not empty and holds A or B (branch 0), else the largest
of ``2 (W(I) - 1) / (W(I) + W(A) - 2)`` (branch 1), the same with W(B) (branch 2), and
``1 - D / (W(A) + W(B) - 2)`` (branch 3), D the indel distance of the sorted leftovers
(A - I and B - I, each sorted and joined by spaces).

What a word index can and cannot serve. Branch 0 needs B to hold A's rarest word or A to
hold B's; branches 1 and 2 need ``W(I) >= need(W) = (200 + t (W - 2)) / (200 - t)`` with
W = W(A), resp. W(B) (0.82 W at t = 90), so B must share a word with any part P of A whose
rest weighs less: P = A's rarest words (fewest accepted quotes hold them) until
``W(A - P) < need``, and W(I) <= W(I ∩ P) + W(A - P), counted over P's postings only
(prefix filtering: stopwords, with the longest postings, come last and are not read; P is
taken until the rest weighs half the need, ``_SHARE``, for a tighter count).
Branch 2 is the same from B's side, B's rarest words being indexed when it is accepted.
Branch 3 has no such bound: "housing shelter referral" against "housin shelte referal"
shares no word and scores 93.3 (D = 3): one letter dropped from every word of 5 letters or
more shares no word and keeps D under 10 % of W(A) + W(B), so no count of shared words
bounds branch 3 at t = 90. So a pair
sharing no word must still be considered, by characters: D is at least ``|W(A) - W(B)|``
(the band: at t = 90, 0.82 W(A) <= W(B) <= 1.22 W(A)); at least ``(W(A)/2 + W(B)/2 - O) /
1.5`` with O the overlap of A's and B's bags of padded-token bigrams (an alignment keeps
all bigrams but two per deletion and one per insertion), O bounded from above by A's
rarest bag elements found in B plus the number of the others; and at least the L1
distance of the two texts' character counts (the shared tokens' letters cancel; one
insertion or deletion changes one count by one), 32 counts a quote.

Stages. The cheap bound combines the postings' bounds per accepted quote (numpy arrays
over the accepted quotes, filled from the postings read); the quotes it leaves get the
letter counts' bound, and those still left get W(I) exactly
(one pass over their token numbers, which also marks each side's leftovers), and those
still left get D itself: rapidfuzz's ``Indel.distance`` of the sorted leftovers, built as
token_set_ratio builds them, in one ``process.cpdist`` call per batch with a cutoff past
which it returns ``cutoff + 1`` (never above D). The bound is then the score, so the
scorer runs only on pairs that reach t. Batches are bounded (``_CELLS`` flags), so memory
follows the accepted quotes, not their pairs.

What stays quadratic (docs/performance.md, "the near-duplicate check's candidates"):
branch 3 makes this a character-level similarity join over a pair-dependent string (the
leftovers), and every character statistic here (letters, bigrams: a saturating
vocabulary) leaves a fixed share of the pairs: on ordinary English (the benchmark's
"chain" turns) 28 % of the pairs are in the band and 19 % pass the letter counts too, yet
score about 60; only their alignment tells. So the pairs given D grow as n², with a small
constant; on the zipf corpus the bounds leave about 0.3 % of the pairs, and the per-quote
cost is mostly the dense arrays and the bigram postings, also linear in n.
"""

from __future__ import annotations

from array import array
from itertools import compress
from typing import Any

_SLACK = 1e-6  # rapidfuzz scores are floats: keep every bound a hair looser, never tighter
_SHARE = 0.5  # the part of the needed W(I) asked of A's rarest words (more: more postings, fewer candidates)
_BAG_SHARE = 0.25  # the same for the bag overlap and A's rarest bag elements
_CELLS = 1 << 22  # flags per batch of the exact stage (pairs x the new text's tokens): bounded memory
_LETTERS = 32  # character counts kept per accepted text: a-z and the space apart, the rest folded in


def tokens_and_bigrams(processed: str) -> tuple[set[str], list[tuple[str, int]]]:
    """An already processed text's distinct tokens and its padded-token bigrams as a bag
    of (bigram, nth occurrence) pairs, so that set overlap is bag overlap."""
    tokens = set(processed.split())
    seen: dict[str, int] = {}
    bag = []
    for token in tokens:
        padded = f" {token} "
        for i in range(len(padded) - 1):
            gram = padded[i:i + 2]
            nth = seen[gram] = seen.get(gram, 0) + 1
            bag.append((gram, nth))
    return tokens, bag


class _Need:
    """What a score of at least the threshold requires, from the threshold ``t`` (0-100]."""

    def __init__(self, threshold: float) -> None:
        self.t = threshold - _SLACK
        self.c = max(1.0 - self.t / 100.0, 0.0)  # D <= c (W(A) + W(B) - 2)

    def shared(self, size: float) -> float:
        """W(I) for ``2 (W(I) - 1) / (W(I) + size - 2)`` to reach the threshold."""
        return (200.0 + self.t * (size - 2.0)) / (200.0 - self.t)

    def band(self, size: float) -> tuple[float, float]:
        """The sizes W(B) with ``|size - W(B)| <= c (size + W(B) - 2)``."""
        low = (size * (1.0 - self.c) + 2.0 * self.c) / (1.0 + self.c)
        high = (size * (1.0 + self.c) - 2.0 * self.c) / (1.0 - self.c) if self.c < 1.0 else float("inf")
        return low - _SLACK, high + _SLACK

    def overlap(self, sizes, size: float):
        """The bag overlap O the leftovers' branch needs against texts of these sizes: the
        bound ``1 - max(|a - b|, (W(A)/2 + W(B)/2 - O) / 1.5) / (W(A) + W(B) - 2)`` reaching
        the threshold, solved for O (it grows with W(B) above a threshold of 2/3)."""
        return (size + sizes) / 2.0 - 1.5 * self.c * (size + sizes - 2.0) - _SLACK


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
    >>> seen.duplicate_of("The jury did not understand trafficking."), seen.comparisons  # not a candidate
    (None, 1)
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.accepted: list[str] = []
        self.comparisons = 0
        self.bounded = 0  # pairs given the exact bound (those left by the postings' bound and the letter counts)
        self._need = _Need(threshold)
        self._sizes = array("d")  # W of each accepted text
        self._rests = array("d")  # W of each accepted text's words outside its rarest
        self._by_token: dict[str, array] = {}  # token -> accepted texts holding it
        self._by_rare_token: dict[str, array] = {}  # token -> accepted texts it is among the rarest of
        self._by_bigram: dict[tuple[str, int], array] = {}  # bag element -> accepted texts holding it
        self._ids: dict = {}  # token or bag element -> a number, for the candidates' exact bound
        self._words: list = []  # per accepted text: its tokens' numbers (numpy), in the order of _sorted
        self._weight = array("d")  # per number: len(token) + 1 for a token, 0 for a bag element
        self._sorted: list[tuple[str, ...]] = []  # per accepted text: its tokens, sorted (shared strings)
        self._canonical: dict[str, str] = {}  # one string object per token, for _sorted
        self._letters: Any = None  # per accepted text: its _letter_counts (numpy rows, grown by doubling)
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
        import numpy as np

        index = len(self.accepted)
        self.accepted.append(text)
        tokens, bag = self._parts(text)
        size = float(len(bag))
        self._sizes.append(size)
        rarest = self._rarest(tokens, self._need.shared(size))  # before this text counts
        for token in rarest:
            self._by_rare_token.setdefault(token, array("i")).append(index)
        self._rests.append(size - sum(len(t) + 1.0 for t in rarest))
        for token in tokens:
            self._by_token.setdefault(token, array("i")).append(index)
        for element in bag:
            self._by_bigram.setdefault(element, array("i")).append(index)
        ordered = tuple(sorted(self._canonical.setdefault(t, t) for t in tokens))
        self._sorted.append(ordered)
        self._words.append(np.array([self._id(t, len(t) + 1.0) for t in ordered], dtype=np.int64))
        if self._letters is None or len(self._letters) <= index:
            grown = np.zeros((max(64, 2 * index), _LETTERS), dtype=np.int32)
            if self._letters is not None:
                grown[:index] = self._letters[:index]
            self._letters = grown
        self._letters[index] = _letter_counts(np, tokens)
        return index

    def _id(self, key, weight: float) -> int:
        number = self._ids.get(key)
        if number is None:
            number = self._ids[key] = len(self._weight)
            self._weight.append(weight)
        return number

    def _rarest(self, tokens: set[str], need: float) -> list[str]:
        """The fewest of the tokens, rarest first, whose rest weighs less than ``need``."""
        rest = float(sum(len(t) + 1 for t in tokens))
        taken = []
        for token in sorted(tokens, key=lambda t: (len(self._by_token.get(t, ())), t)):
            if rest < need:
                break
            taken.append(token)
            rest -= len(token) + 1
        return taken

    def _candidates(self, tokens: set[str], bag: list[tuple[str, int]]) -> list[int]:
        """Accepted texts whose upper bound on the score reaches the threshold, in order."""
        import numpy as np

        if not bag:
            return []  # no words: token_set_ratio is 0
        n, size = len(self.accepted), float(len(bag))
        sizes = np.frombuffer(self._sizes, dtype=np.float64)
        # W(I) at most: the weight shared with A's rarest words plus the rest of A; and the
        # weight of B's rarest words found in A plus the rest of B.
        rarest = self._rarest(tokens, self._need.shared(size) * (1.0 - _SHARE))
        held = [t for t in rarest if t in self._by_token]
        by_a = _counts(np, [self._by_token[t] for t in held], n, [len(t) + 1.0 for t in held])
        by_a += size - sum(len(t) + 1.0 for t in rarest)
        held = [t for t in tokens if t in self._by_rare_token]
        by_b = _counts(np, [self._by_rare_token[t] for t in held], n, [len(t) + 1.0 for t in held])
        by_b += np.frombuffer(self._rests, dtype=np.float64)
        shared = np.minimum(np.minimum(by_a, by_b), np.minimum(sizes, size))
        overlap = self._overlap_at_most(np, bag, n)
        chosen = np.flatnonzero(_upper_bound(np, shared, sizes, size, overlap) >= self.threshold - _SLACK)
        # the letter counts only where the postings left a chance: 32 counts against every
        # accepted text would cost more than they save on short quotes
        letters = np.zeros(n, dtype=np.int64)
        letters[chosen] = np.abs(self._letters[chosen] - _letter_counts(np, tokens)).sum(axis=1)
        upper = _upper_bound(np, shared[chosen], sizes[chosen], size, overlap[chosen], letters[chosen])
        chosen = chosen[upper >= self.threshold - _SLACK]
        self.bounded += len(chosen)
        if not len(chosen):
            return []
        mine = sorted(tokens)
        step = max(1, _CELLS // max(1, len(mine)))  # bounds _intersections' table of flags
        found = [self._exact(np, chosen[i:i + step], mine, size, sizes, overlap, letters)
                 for i in range(0, len(chosen), step)]
        return np.concatenate(found).tolist()

    def _exact(self, np, chosen, mine: list[str], size: float, sizes, overlap, letters):
        """The chosen accepted texts whose bound with W(I) exact, then with the leftovers'
        indel distance too (which makes it the score), reaches the threshold."""
        overlap, letters, sizes = overlap[chosen], letters[chosen], sizes[chosen]
        shared, keep_ours, keep_theirs = self._intersections(np, chosen, mine)
        kept = _upper_bound(np, shared, sizes, size, overlap, letters) >= self.threshold - _SLACK
        chosen, shared, letters, sizes, overlap = chosen[kept], shared[kept], letters[kept], sizes[kept], overlap[kept]
        if not len(chosen):
            return chosen
        distance = self._leftover_distances(np, chosen, mine, keep_ours[kept], keep_theirs, size, sizes)
        upper = _upper_bound(np, shared, sizes, size, overlap, np.maximum(letters, distance))
        return chosen[upper >= self.threshold - _SLACK]

    def _intersections(self, np, chosen, mine: list[str]):
        """Per chosen accepted text B: W(I) exactly, which of the new text's sorted tokens
        B lacks (a row of 0/1 per B) and which of B's sorted tokens the new text lacks
        (0/1 per token of B, in B's order, keyed by B's index): one pass over the chosen
        texts' words, with no Python work per token."""
        ids = np.array([self._ids.get(t, -1) for t in mine], dtype=np.int64)
        arrays = [self._words[i] for i in chosen.tolist()]
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        values = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
        position = np.full(len(self._weight), -1, dtype=np.int64)
        position[ids[ids >= 0]] = np.flatnonzero(ids >= 0)
        found = position[values]  # where each of B's tokens is among the new text's, or -1
        held = found >= 0
        owner = np.repeat(np.arange(len(arrays)), lengths)
        weight = np.frombuffer(self._weight, dtype=np.float64)
        shared = np.bincount(owner[held], weights=weight[values[held]], minlength=len(arrays))
        keep_ours = np.ones((len(arrays), len(mine)), dtype=np.uint8)
        keep_ours[owner[held], found[held]] = 0
        ends = np.cumsum(lengths).tolist()
        flags = (~held).view(np.uint8).tobytes()
        keep_theirs = {i: flags[end - len(a):end] for i, a, end in zip(chosen.tolist(), arrays, ends, strict=True)}
        return shared, keep_ours, keep_theirs

    def _leftover_distances(self, np, chosen, mine: list[str], keep_ours, keep_theirs: dict, size: float, sizes):
        """The indel distance of the sorted leftovers, exactly as token_set_ratio computes
        it (the tokens of one text not in the other, sorted, joined by spaces), or a lower
        bound once it is past what the threshold allows: with W(I) exact, the bound is then
        the score itself, and rapidfuzz scores only the pairs that reach it. Cheaper than
        the scorer, which splits and sorts both texts again for every pair; the distances
        are taken in one rapidfuzz call, with the largest cutoff of the batch (a pair past
        its own cutoff is past the threshold either way)."""
        from rapidfuzz import process
        from rapidfuzz.distance import Indel

        ours = [" ".join(compress(mine, row)) for row in keep_ours.tolist()]
        theirs = [" ".join(compress(self._sorted[i], keep_theirs[i])) for i in chosen.tolist()]
        cutoff = int(self._need.c * (size + float(sizes.max()) - 2.0)) + 1
        distances = process.cpdist(ours, theirs, scorer=Indel.distance, score_cutoff=cutoff, dtype=np.int32)
        # one set holds the other (an empty side): the score is 100, no lower bound here
        empty = np.fromiter((not a or not b for a, b in zip(ours, theirs, strict=True)), dtype=bool, count=len(ours))
        return np.where(empty, 0, distances)

    def _overlap_at_most(self, np, bag: list[tuple[str, int]], n: int):
        """The bag overlap O at most: that of A's rarest elements, plus the count of the rest."""
        size = float(len(bag))
        low, high = self._need.band(size)
        least = min(self._need.overlap(max(low, 0.0), size), self._need.overlap(high, size))  # over the band
        if least <= 0:  # thresholds below 2/3: the leftovers' bound prunes nothing
            return np.full(n, size)
        known = [self._by_bigram[e] for e in bag if e in self._by_bigram]
        frequency = np.fromiter((len(p) for p in known), dtype=np.int64, count=len(known))
        rare = np.argsort(frequency, kind="stable")[: max(0, len(bag) - int(least) + 1 + int(least * _BAG_SHARE))]
        return _counts(np, [known[i] for i in rare], n) + float(len(bag) - len(rare))

    def _parts(self, text: str) -> tuple[set[str], list[tuple[str, int]]]:
        if self._last is None or self._last[0] != text:
            from rapidfuzz import utils

            self._last = (text, tokens_and_bigrams(utils.default_process(text)))
        return self._last[1]


def _per_owner(np, arrays: list, mine, weight):
    """Per array: how many (or what weight) of its numbers are in ``mine``."""
    lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    if not lengths.sum() or not len(mine):
        return np.zeros(len(arrays))
    values = np.concatenate(arrays)
    mask = np.zeros(int(max(values.max(), mine.max())) + 1, dtype=bool)
    mask[mine] = True
    hit = mask[values]
    owner = np.repeat(np.arange(len(arrays)), lengths)
    return np.bincount(owner[hit], weights=None if weight is None else weight[values[hit]], minlength=len(arrays))


def _counts(np, postings: list, n: int, weights: list[float] | None = None):
    """Per accepted text, how many (or what weight) of the postings name it."""
    if not postings:
        return np.zeros(n)
    ids = np.frombuffer(b"".join(postings), dtype=np.int32)
    if weights is None:
        return np.bincount(ids, minlength=n).astype(np.float64)
    return np.bincount(ids, weights=np.repeat(np.asarray(weights, dtype=np.float64), [len(p) for p in postings]),
                       minlength=n)


def _letter_counts(np, tokens: set[str]):
    """How often each character occurs in the tokens (code point mod ``_LETTERS``), the
    space counted once per token: the indel distance of the sorted leftovers is at least
    the L1 distance of two texts' counts (the shared tokens' letters cancel out, and an
    insertion or deletion changes one count by one; folding code points together only
    lowers the sum)."""
    joined = " ".join(tokens) + " "
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32) % _LETTERS
    return np.bincount(codes, minlength=_LETTERS).astype(np.int32)


def _upper_bound(np, shared, sizes, size: float, overlap, letters=None):
    """token_set_ratio's upper bound for the new text (W = size) against each accepted one.

    Written in W(I) (``shared``) and the bag overlap so that each branch only grows with
    them: ``2s / (2s + 1 + a)`` is ``2 (W(I) - 1) / (W(I) + W(A) - 2)``, and the leftovers'
    branch no longer needs W(I) at all (its length is ``W(A) + W(B) - 2``).
    """
    shared = np.asarray(shared, dtype=np.float64)
    overlap = np.asarray(overlap, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        sect_a = np.where(shared > 0, 200.0 * (shared - 1.0) / (shared + size - 2.0), 0.0)
        sect_b = np.where(shared > 0, 200.0 * (shared - 1.0) / (shared + sizes - 2.0), 0.0)
        fewest = np.maximum(np.abs(size - sizes), ((size + sizes) / 2.0 - overlap) / 1.5)
        if letters is not None:
            fewest = np.maximum(fewest, letters)
        leftovers = 100.0 * (1.0 - np.maximum(fewest, 0.0) / (size + sizes - 2.0))
    bound = np.maximum(np.maximum(sect_a, sect_b), leftovers)
    inside = (shared > 0) & (shared >= np.minimum(size, sizes))  # one token set holds the other
    return np.where(inside, 100.0, bound)
