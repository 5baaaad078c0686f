"""Orders are reproducible with deterministic ties; representativeness matches
scikit-learn's TF-IDF; near-duplicates collapse."""

from __future__ import annotations

import pytest

from qualcode.quotes.common_words import STOP_WORDS
from qualcode.quotes.near_duplicates import NearDuplicates
from qualcode.quotes.ordering import order_items, representative_scores

TEXTS = [
    "There is always a need for housing and shelter beds.",
    "Housing is the biggest gap; shelter beds are always full.",
    "We need more housing, more shelter, more beds for survivors.",
    "The jury did not understand what trafficking looks like.",
    "Housing and shelter, that's the need.",
    "Shelter beds and housing vouchers run out every year.",
    "The [place] shelter—um—it's “full” (again)… beds/vouchers: 2 left, maybe 3!",
]


def test_scores_equal_scikit_learn():
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(stop_words=sorted(STOP_WORDS), sublinear_tf=True).fit_transform(TEXTS)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    expected = matrix @ (centroid / np.linalg.norm(centroid))
    assert representative_scores(TEXTS) == pytest.approx(list(expected), abs=1e-8)


def test_outlier_comes_last_in_representative_order():
    ordered = order_items(TEXTS[:6], "representative", key=lambda t: (t,), text=lambda t: t)
    assert ordered[-1][0].startswith("The jury")
    assert ordered[0][1] >= ordered[1][1] >= ordered[-1][1]


def test_ties_break_by_key():
    items = [("b", "same words here"), ("a", "same words here"), ("c", "same words here")]
    ordered = order_items(items, "representative", key=lambda i: (i[0],), text=lambda i: i[1])
    assert [i[0] for i, _ in ordered] == ["a", "b", "c"]


@pytest.mark.parametrize("order", ["representative", "length", "transcript", "random"])
def test_orders_are_reproducible_whatever_the_input_order(order):
    items = list(enumerate(TEXTS))
    forward = order_items(items, order, key=lambda i: (i[0],), text=lambda i: i[1], seed=3)
    backward = order_items(items[::-1], order, key=lambda i: (i[0],), text=lambda i: i[1], seed=3)
    assert forward == backward


def test_random_order_depends_on_seed_and_length_order_on_words():
    items = list(enumerate(TEXTS))
    by_seed = {tuple(i for (i, _), _ in order_items(items, "random", key=lambda i: (i[0],), text=lambda i: i[1], seed=s))
               for s in range(5)}
    assert len(by_seed) > 1
    lengths = [len(t.split()) for (_, t), _ in order_items(items, "length", key=lambda i: (i[0],), text=lambda i: i[1])]
    assert lengths == sorted(lengths)


def test_degenerate_inputs():
    assert representative_scores([]) == []
    assert representative_scores(["the and of", "it is"]) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("first", "second", "duplicate"),
    [
        ("There's always a need for housing.", "there's always a need for housing", True),
        ("There's always a need for housing. The shelters are full.",
         "There's always a need for housing. Shelters are full and I worry about it.", True),
        ("It takes three years to trial.", "Police bring clients. It takes three years to trial.", True),  # subset
        ("There's always a need for housing.", "The jury did not understand trafficking.", False),
    ],
)
def test_near_duplicates(first, second, duplicate):
    seen = NearDuplicates(90)
    seen.add(first)
    assert (seen.duplicate_of(second) == 0) is duplicate
