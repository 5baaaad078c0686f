"""Ordering candidates (near-duplicates collapse in ``near_duplicates``).

Orders (every one breaks ties by transcript id, start offset, end offset, code, so a
quote set is reproducible):

- ``representative``: by cosine similarity to the group's TF-IDF centroid (all its
  coded spans), most typical first — the first quotes are the common case, not outliers;
- ``length``: shortest cleaned quote first;
- ``transcript``: reading order, transcript by transcript;
- ``random``: a shuffle seeded by ``--seed``.
"""

from __future__ import annotations

import math
import random
import string
from collections import Counter
from collections.abc import Callable, Iterable
from typing import TypeVar

from qualcode.quotes.common_words import STOP_WORDS

T = TypeVar("T")
_SEPARATORS = str.maketrans(dict.fromkeys(string.punctuation.replace("_", "") + "‘’“”—–…•·«»¿¡", " "))


def representative_scores(texts: list[str] | Callable[[], Iterable[str]]) -> list[float]:
    """Cosine similarity of each text to the centroid of all of them (TF-IDF).

    The weighting is scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (smoothed
    idf, l2-normalised rows, tokens of two or more word characters) with qualcode's stop words;
    tests check the scores against scikit-learn. It is written out in plain Python
    because importing scikit-learn alone takes one to two seconds, most of the
    two-second budget of a quote set, while this takes about 0.1 s per 1,000 quotes.

    ``texts`` may be a function returning them afresh on each call: they are then read
    three times (document frequencies, the centroid, the scores) and never held, so a
    quote set's memory does not grow with its candidates' text. Same scores either way.

    >>> scores = representative_scores(["housing is short", "housing is short here", "dogs bark"])
    >>> scores.index(min(scores))
    2
    """
    read = texts if callable(texts) else (lambda: iter(texts))
    frequency: Counter[str] = Counter()
    total = 0
    for text in read():
        frequency.update(_term_counts(text).keys())
        total += 1
    idf = {term: math.log((1 + total) / (1 + df)) + 1.0 for term, df in frequency.items()}
    centroid: dict[str, float] = dict.fromkeys(idf, 0.0)
    for text in read():
        for term, weight in _unit_vector(_term_counts(text), idf).items():
            centroid[term] += weight
    norm = math.sqrt(sum(w * w for w in centroid.values()))
    if norm == 0.0:
        return [0.0] * total
    return [round(sum(w * centroid[t] for t, w in _unit_vector(_term_counts(text), idf).items()) / norm, 9)
            for text in read()]


def _term_counts(text: str) -> Counter[str]:
    # Same tokens as scikit-learn's r"(?u)\b\w\w+\b" for text whose punctuation is in
    # _SEPARATORS (all of ASCII's and the usual typographic marks), about 35% faster.
    counts = Counter(w for w in text.lower().translate(_SEPARATORS).split() if len(w) > 1)
    for word in STOP_WORDS.intersection(counts):
        del counts[word]
    return counts


def _unit_vector(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    vector = {term: (1.0 + math.log(n)) * idf[term] for term, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {term: w / norm for term, w in vector.items()}


def order_items(items: list[T], order: str, *, key: Callable[[T], tuple], text: Callable[[T], str] | None = None,
                texts: Callable[[list[T]], Iterable[str]] | None = None, words: Callable[[str], int] | None = None,
                seed: int = 0) -> list[tuple[T, float | None]]:
    """``items`` in the requested order, each with its representativeness (or None).

    Each item's text is ``text(item)``, or the n-th of ``texts(sorted items)``: a stream
    read afresh on each call, so the texts are never all held at once. ``words(text)``
    counts a text's words for the ``length`` order.
    """
    items = sorted(items, key=key)

    def read() -> Iterable[str]:
        if texts is not None:
            return texts(items)
        if text is None:
            raise TypeError("order_items needs text or texts")
        return (text(i) for i in items)

    if order == "representative":
        scores = representative_scores(read)
        ranked = sorted(zip(items, scores, strict=True), key=lambda pair: (-pair[1], key(pair[0])))
        return [(item, score) for item, score in ranked]
    if order == "length":
        count = words or (lambda t: len(t.split()))
        lengths = [count(t) for t in read()]
        ranked = sorted(zip(items, lengths, strict=True), key=lambda pair: (pair[1], key(pair[0])))
        return [(item, None) for item, _ in ranked]
    if order == "random":
        random.Random(seed).shuffle(items)
    return [(i, None) for i in items]
