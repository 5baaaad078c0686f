"""crosstab and rating_counts: table building and input validation."""

from __future__ import annotations

import pytest

from qualcode.agreement import crosstab, rating_counts
from qualcode.errors import AgreementError


def test_crosstab_rows_are_coder_a_and_scale_is_kept() -> None:
    table, scale = crosstab(["x", "y", "y"], ["y", "y", "z"], categories=["z", "y", "x", "w"])
    assert scale == ["z", "y", "x", "w"]
    assert table.tolist() == [[0, 0, 0, 0], [1, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 0]]


def test_crosstab_of_booleans_puts_false_first() -> None:
    table, scale = crosstab([True, True, False], [True, False, False])
    assert scale == [False, True] and table.tolist() == [[1, 0], [1, 1]]


@pytest.mark.parametrize(
    ("a", "b", "categories", "message"),
    [([1, 2], [1], None, "2 labels for coder A and 1 for coder B"),
     ([1, None], [1, 2], None, "coder A has a missing label at unit 1"),
     ([1, 2], [1, float("nan")], None, "coder B has a missing label at unit 1"),
     ([1, 5], [1, 2], [1, 2, 3], r"label 5 is not among the categories; allowed: \[1, 2, 3\]"),
     ([1, "a"], [1, 2], None, "cannot be ordered"),
     ("ab", "ab", None, "single string"),
     ([[1, 2]], [[1, 2]], None, "1-dimensional"),
     ([1, 2], [1, 2], [1, 1, 2], "categories must be distinct"),
     ([], [], None, "at least one unit")],
)
def test_crosstab_validation(a, b, categories, message) -> None:
    with pytest.raises(AgreementError, match=message):
        crosstab(a, b, categories)


def test_crosstab_of_no_units_on_a_given_scale_is_an_empty_table() -> None:
    table, _ = crosstab([], [], categories=["yes", "no"])
    assert table.sum() == 0 and table.shape == (2, 2)


def test_rating_counts_skip_missing_and_keep_scale() -> None:
    counts, scale = rating_counts([[1, 1, None], [2, float("nan"), 3]], categories=[1, 2, 3, 4])
    assert scale == [1, 2, 3, 4]
    assert counts.tolist() == [[2, 0, 0, 0], [0, 1, 1, 0]]


def test_rating_counts_rejects_one_dimensional_input() -> None:
    with pytest.raises(AgreementError, match="units x raters"):
        rating_counts([1, 2, 3])
