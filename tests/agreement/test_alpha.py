"""Krippendorff's alpha: published values, the krippendorff package as oracle, edge cases."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement import coincidence_matrix, krippendorff_alpha
from qualcode.agreement.alpha import LEVELS, NO_PAIRABLE, NO_VARIATION
from qualcode.errors import AgreementError

NAN = float("nan")
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders x 12 units.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


@pytest.mark.parametrize("level", LEVELS)
def test_krippendorff_2011_published_values(level: str) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level=level).value, 3) == PUBLISHED[level]


def test_krippendorff_2011_coincidence_matrix() -> None:
    """Krippendorff (2011) tabulates n_c = 9, 13, 10, 5, 3 (40 pairable values)."""
    grid = np.array(KRIPPENDORFF_2011, dtype=float)
    counts = np.stack([(grid == value).sum(axis=0) for value in range(1, 6)], axis=1)
    matrix = coincidence_matrix(counts)
    assert matrix.sum(axis=1).tolist() == pytest.approx([9, 13, 10, 5, 3])
    assert np.allclose(matrix, matrix.T)
    assert matrix[0, 0] == pytest.approx(7.0) and matrix[0, 1] == pytest.approx(4 / 3)


def random_reliability_data(seed: int, coders: int, units: int, values: int, missing: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(1, values + 1, size=units)
    data = np.where(rng.random((coders, units)) < 0.7, truth, rng.integers(1, values + 1, size=(coders, units)))
    data = data.astype(float)
    data[rng.random((coders, units)) < missing] = np.nan
    return data


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", range(6))
def test_matches_krippendorff_package(level: str, seed: int) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    data = random_reliability_data(seed, coders=2 + seed % 4, units=60, values=5, missing=0.2)
    expected = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert krippendorff_alpha(data, level=level).value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_value_counts_input_matches_reliability_data(level: str) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    data = random_reliability_data(7, coders=4, units=30, values=4, missing=0.3)
    counts = np.stack([(data == value).sum(axis=0) for value in range(1, 5)], axis=1)
    ours = krippendorff_alpha(value_counts=counts, level=level, value_domain=[1, 2, 3, 4])
    theirs = krippendorff.alpha(value_counts=counts, value_domain=[1, 2, 3, 4], level_of_measurement=level)
    assert ours.value == pytest.approx(theirs, abs=1e-9)
    assert ours.value == pytest.approx(krippendorff_alpha(data, level=level).value, abs=1e-12)


def test_labels_and_order() -> None:
    words = [["low", "mid", "high", None], ["low", "high", "high", "mid"], ["mid", "mid", "high", "mid"]]
    order = ["low", "mid", "high"]
    numbers = [[None if w is None else order.index(w) for w in row] for row in words]
    nominal_words = krippendorff_alpha(words).value
    assert nominal_words == pytest.approx(krippendorff_alpha(numbers).value)
    ordinal_words = krippendorff_alpha(words, level="ordinal", value_domain=order).value
    assert ordinal_words == pytest.approx(krippendorff_alpha(numbers, level="ordinal").value)


def test_unused_values_in_domain_do_not_change_alpha() -> None:
    data = random_reliability_data(3, coders=3, units=20, values=3, missing=0.1)
    for level in LEVELS:
        plain = krippendorff_alpha(data, level=level).value
        wider = krippendorff_alpha(data, level=level, value_domain=[1, 2, 3, 4, 5]).value
        assert wider == pytest.approx(plain, abs=1e-12)


def test_perfect_agreement_is_one() -> None:
    assert krippendorff_alpha([[1, 2, 3, NAN], [1, 2, 3, 3]], level="interval").value == pytest.approx(1.0)


def test_undefined_cases() -> None:
    assert krippendorff_alpha([[1, NAN], [NAN, 2]]).reason == NO_PAIRABLE
    assert krippendorff_alpha([[4, 4, 4], [4, 4, NAN]]).reason == NO_VARIATION


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"reliability_data": [[1, 2]], "level": "cardinal"}, "level must be one of nominal, ordinal"),
     ({}, "exactly one of"),
     ({"reliability_data": [1, 2, 3]}, "coders x units"),
     ({"reliability_data": [[NAN, NAN]]}, "no values"),
     ({"reliability_data": [["a", "b"], ["a", "a"]], "level": "interval"}, "numeric values"),
     ({"reliability_data": [[1, -2], [1, 1]], "level": "ratio"}, "values >= 0"),
     ({"reliability_data": [[1, 2], [1, 3]], "value_domain": [1, 2]}, "value 3 is not among"),
     ({"value_counts": [[1, 1], [2, 0]], "value_domain": [1, 2, 3]}, "one value per value_counts column")],
)
def test_validation(kwargs, message) -> None:
    with pytest.raises(AgreementError, match=message):
        krippendorff_alpha(**kwargs)


def test_large_input_agrees_with_the_reference() -> None:
    """5 coders x 200,000 units (vectorised; its speed is benchmarks/bench_kappa.py's, never asserted)."""
    krippendorff = pytest.importorskip("krippendorff")
    data = random_reliability_data(1, coders=5, units=200_000, values=5, missing=0.2)
    ours = krippendorff_alpha(data, level="ordinal").value
    assert ours == pytest.approx(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"), abs=1e-9)
