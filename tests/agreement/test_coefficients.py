"""Percent agreement, Scott's pi, Brennan-Prediger, AC1, PABAK, prevalence and bias indices."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement import (
    bias_index,
    brennan_prediger,
    cohens_kappa,
    crosstab,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac1_raters,
    krippendorff_alpha,
    pabak,
    percent_agreement,
    prevalence_index,
    rating_counts,
    scotts_pi,
)
from qualcode.agreement.kappa import NO_UNITS
from qualcode.errors import AgreementError

# Gwet's irrCAC README, dataset cont3x3abstractors (two abstractors, 100 units).
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]


def expand(table) -> tuple[list[int], list[int]]:
    table = np.asarray(table)
    rows, cols = np.nonzero(table)
    return list(np.repeat(rows, table[rows, cols])), list(np.repeat(cols, table[rows, cols]))


@pytest.mark.parametrize(
    ("statistic", "published"),
    [(percent_agreement, 0.89), (scotts_pi, 0.7962397), (gwet_ac1, 0.8493305), (brennan_prediger, 0.835)],
)
def test_irrcac_readme_two_rater_values(statistic, published) -> None:
    assert statistic(ABSTRACTORS).value == pytest.approx(published, abs=5e-8)


def test_irrcac_readme_two_rater_alpha() -> None:
    a, b = expand(ABSTRACTORS)
    assert krippendorff_alpha([a, b]).value == pytest.approx(0.7972585, abs=5e-8)


def random_table(seed: int, size: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 15, size=(size, size)) + np.diag(rng.integers(0, 25, size=size))


@pytest.mark.parametrize("seed", range(10))
def test_scotts_pi_equals_fleiss_kappa_for_two_raters(seed: int) -> None:
    table = random_table(seed, 3)
    counts, _ = rating_counts(list(zip(*expand(table), strict=True)), categories=[0, 1, 2])
    assert scotts_pi(table).value == pytest.approx(fleiss_kappa(counts).value, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_two_rater_ac1_equals_multi_rater_ac1(seed: int) -> None:
    table = random_table(seed, 4)
    counts, _ = rating_counts(list(zip(*expand(table), strict=True)), categories=[0, 1, 2, 3])
    assert gwet_ac1(table).value == pytest.approx(gwet_ac1_raters(counts).value, abs=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_byrt_identity_links_kappa_pabak_prevalence_and_bias(seed: int) -> None:
    """Byrt, Bishop & Carlin (1993): kappa = (PABAK - PI^2 + BI^2) / (1 - PI^2 + BI^2)."""
    table = random_table(seed, 2) + 1
    k, p = cohens_kappa(table).value, pabak(table).value
    pi, bi = prevalence_index(table, positive=0).value, bias_index(table, positive=0).value
    assert k == pytest.approx((p - pi**2 + bi**2) / (1 - pi**2 + bi**2), abs=1e-12)


def test_pabak_is_brennan_prediger_on_two_categories() -> None:
    table = [[7, 3], [2, 30]]
    assert pabak(table).value == pytest.approx(2 * 37 / 42 - 1)
    assert brennan_prediger(table).value == pabak(table).value


def test_positive_index_orients_prevalence_and_bias() -> None:
    a = [True] * 20 + [True] * 5 + [False] * 10 + [False] * 15
    b = [True] * 20 + [False] * 5 + [True] * 10 + [False] * 15
    table, _ = crosstab(a, b)  # False first
    assert prevalence_index(table, positive=1).value == pytest.approx(0.1)
    assert bias_index(table, positive=1).value == pytest.approx(-0.1)
    assert prevalence_index(table, positive=0).value == pytest.approx(-0.1)


def test_bias_index_flips_sign_when_coders_swap() -> None:
    table = np.array([[12, 7], [2, 9]])
    assert bias_index(table.T, positive=0).value == -bias_index(table, positive=0).value
    assert prevalence_index(table.T, positive=0).value == prevalence_index(table, positive=0).value


def test_full_scale_matters_for_chance_models_that_count_categories() -> None:
    small = [[20, 5], [10, 15]]
    wide = [[20, 5, 0], [10, 15, 0], [0, 0, 0]]
    assert brennan_prediger(wide).value > brennan_prediger(small).value
    assert gwet_ac1(wide).value != pytest.approx(gwet_ac1(small).value)
    assert scotts_pi(wide).value == pytest.approx(scotts_pi(small).value)


def test_high_prevalence_paradox() -> None:
    table = [[118, 5], [2, 0]]
    assert cohens_kappa(table).value < 0 < 0.9 < gwet_ac1(table).value


@pytest.mark.parametrize("statistic", [percent_agreement, scotts_pi, brennan_prediger, gwet_ac1, pabak])
def test_no_units_is_undefined(statistic) -> None:
    assert statistic([[0, 0], [0, 0]]).reason == NO_UNITS


@pytest.mark.parametrize("statistic", [brennan_prediger, gwet_ac1])
def test_single_category_is_undefined(statistic) -> None:
    result = statistic([[5]])
    assert not result.defined and "single category" in result.reason


def test_scotts_pi_undefined_when_every_rating_is_one_category() -> None:
    assert "same category" in scotts_pi([[0, 0], [0, 8]]).reason
    assert gwet_ac1([[0, 0], [0, 8]]).value == 1.0  # AC1's chance agreement stays below 1


def test_two_by_two_statistics_reject_bigger_tables() -> None:
    with pytest.raises(AgreementError, match="must be 2x2"):
        pabak(ABSTRACTORS)
    with pytest.raises(AgreementError, match=r"positive must be the index \(0 or 1\)"):
        prevalence_index([[1, 2], [3, 4]], positive=2)
    assert prevalence_index([[0, 0], [0, 0]], positive=0).reason == NO_UNITS
