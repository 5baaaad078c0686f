"""Ordering candidates and collapsing near-duplicates.

Orders (every one breaks ties by transcript id, start offset, end offset, code, so a
quote set is reproducible):

- ``representative``: by cosine similarity to the group's TF-IDF centroid (all its
  coded spans), most typical first — the first quotes are the common case, not outliers;
- ``length``: shortest cleaned quote first;
- ``transcript``: reading order, transcript by transcript;
- ``random``: a shuffle seeded by ``--seed``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def representative_scores(texts: list[str]) -> list[float]:
    """Cosine similarity of each text to the centroid of all of them (TF-IDF).

    >>> scores = representative_scores(["housing is short", "housing is short here", "dogs bark"])
    >>> scores.index(min(scores))
    2
    """
    if not texts:
        return []
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    except ValueError:  # only stop words: nothing to compare
        return [0.0] * len(texts)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid))
    if norm == 0.0:
        return [0.0] * len(texts)
    return [round(float(s), 9) for s in matrix @ (centroid / norm)]


def order_items(items: list[T], order: str, *, key: Callable[[T], tuple], text: Callable[[T], str],
                words: Callable[[T], int] | None = None, seed: int = 0) -> list[tuple[T, float | None]]:
    """``items`` in the requested order, each with its representativeness (or None)."""
    items = sorted(items, key=key)
    if order == "representative":
        scores = representative_scores([text(i) for i in items])
        ranked = sorted(zip(items, scores), key=lambda pair: (-pair[1], key(pair[0])))
        return [(item, score) for item, score in ranked]
    if order == "length":
        count = words or (lambda i: len(text(i).split()))
        return [(i, None) for i in sorted(items, key=lambda i: (count(i), key(i)))]
    if order == "random":
        random.Random(seed).shuffle(items)
    return [(i, None) for i in items]


class NearDuplicates:
    """Accepts texts one by one, refusing any that is a near-duplicate of one accepted.

    Near-duplicate: rapidfuzz ``token_set_ratio`` (case and punctuation ignored) at or
    above ``threshold``. A text whose words are a subset of an accepted text's words
    scores 100, so a sub-span coded inside a turn collapses into the turn.

    >>> seen = NearDuplicates(90)
    >>> seen.duplicate_of("There's always a need for housing."), seen.add("There's always a need for housing.")
    (None, 0)
    >>> seen.duplicate_of("there's ALWAYS a need for housing")
    0
    """

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.accepted: list[str] = []

    def duplicate_of(self, text: str) -> int | None:
        """Index of the accepted text this one duplicates, or None."""
        if not self.accepted:
            return None
        from rapidfuzz import fuzz, process, utils

        found = process.extractOne(
            text, self.accepted, scorer=fuzz.token_set_ratio, processor=utils.default_process,
            score_cutoff=self.threshold,
        )
        return None if found is None else found[2]

    def add(self, text: str) -> int:
        self.accepted.append(text)
        return len(self.accepted) - 1


def take(ordered: Iterable[T], limit: int | None) -> list[T]:
    """The first ``limit`` items (all when None)."""
    result = []
    for item in ordered:
        if limit is not None and len(result) >= limit:
            break
        result.append(item)
    return result
