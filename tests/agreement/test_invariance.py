"""Invariance tests over the registry of two-coder metrics, and over per-code statistics.

Every metric in TWO_CODER_METRICS must be symmetric in the coders, invariant to the
order of units, and 1.0 on perfect agreement wherever it is defined.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.agreement import TWO_CODER_METRICS, per_code_agreement

NOMINAL = ["percent_agreement", "cohens_kappa", "scotts_pi", "fleiss_kappa", "brennan_prediger",
           "gwet_ac1", "krippendorff_alpha_nominal"]
SCALE = [0, 1, 2, 3, 4]


@st.composite
def rated_units(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Two coders' labels (0-4) on the same units, agreeing on most."""
    a = draw(st.lists(st.integers(0, 4), min_size=2, max_size=40))
    changes = draw(st.lists(st.tuples(st.integers(0, len(a) - 1), st.integers(0, 4)), max_size=len(a)))
    b = list(a)
    for position, label in changes:
        b[position] = label
    return a, b


def same(left, right) -> bool:
    if left.value is None or right.value is None:
        return left.value is right.value and left.reason == right.reason
    return abs(left.value - right.value) <= 1e-9


@pytest.mark.parametrize("name", sorted(TWO_CODER_METRICS))
@settings(max_examples=60, deadline=None)
@given(units=rated_units())
def test_symmetric_in_coders(name: str, units) -> None:
    a, b = units
    metric = TWO_CODER_METRICS[name]
    assert same(metric(a, b, SCALE), metric(b, a, SCALE))


@pytest.mark.parametrize("name", sorted(TWO_CODER_METRICS))
@settings(max_examples=60, deadline=None)
@given(units=rated_units(), seed=st.integers(0, 2**32 - 1))
def test_invariant_to_unit_order(name: str, units, seed: int) -> None:
    a, b = units
    order = np.random.default_rng(seed).permutation(len(a))
    metric = TWO_CODER_METRICS[name]
    assert same(metric(a, b, SCALE), metric([a[i] for i in order], [b[i] for i in order], SCALE))


@pytest.mark.parametrize("name", sorted(TWO_CODER_METRICS))
@settings(max_examples=60, deadline=None)
@given(a=st.lists(st.integers(0, 4), min_size=1, max_size=40))
def test_perfect_agreement_is_one_where_defined(name: str, a) -> None:
    result = TWO_CODER_METRICS[name](a, list(a), SCALE)
    if len(set(a)) > 1:
        assert result.defined
    if result.defined:
        assert result.value == pytest.approx(1.0, abs=1e-12)
    else:
        assert result.reason


@pytest.mark.parametrize("name", sorted(TWO_CODER_METRICS))
@settings(max_examples=40, deadline=None)
@given(units=rated_units())
def test_never_above_one(name: str, units) -> None:
    result = TWO_CODER_METRICS[name](*units, SCALE)
    assert result.value is None or result.value <= 1.0 + 1e-12


@pytest.mark.parametrize("name", NOMINAL)
@settings(max_examples=40, deadline=None)
@given(units=rated_units(), seed=st.integers(0, 2**32 - 1))
def test_nominal_metrics_ignore_label_names(name: str, units, seed: int) -> None:
    a, b = units
    rename = dict(zip(SCALE, np.random.default_rng(seed).permutation(SCALE).tolist(), strict=True))
    metric = TWO_CODER_METRICS[name]
    renamed = metric([rename[x] for x in a], [rename[x] for x in b], SCALE)
    assert same(metric(a, b, SCALE), renamed)


def test_registry_covers_the_two_coder_statistics() -> None:
    assert {"cohens_kappa", "weighted_kappa_linear", "weighted_kappa_quadratic", "scotts_pi", "gwet_ac1",
            "brennan_prediger", "percent_agreement", "krippendorff_alpha_nominal"} <= set(TWO_CODER_METRICS)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_per_code_statistics_follow_codes_units_and_coders(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.random((50, 6)) < rng.uniform(0, 0.5, size=6)
    b = a ^ (rng.random((50, 6)) < 0.1)
    base = per_code_agreement(a, b)
    units = rng.permutation(50)
    codes = rng.permutation(6)
    shuffled = per_code_agreement(a[units][:, codes], b[units][:, codes])
    swapped = per_code_agreement(b, a)
    for field in ("kappa", "kappa_se", "alpha", "ac1", "pabak", "prevalence_index", "percent_agreement"):
        original = getattr(base, field)
        assert np.allclose(getattr(shuffled, field), original[codes], equal_nan=True, atol=1e-12)
        assert np.allclose(getattr(swapped, field), original, equal_nan=True, atol=1e-12)
    assert np.allclose(swapped.bias_index, -base.bias_index, equal_nan=True)
    assert swapped.kappa_reason.tolist() == base.kappa_reason.tolist()
