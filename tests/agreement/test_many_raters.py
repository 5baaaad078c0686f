"""Fleiss' kappa and multi-rater AC1 / Brennan-Prediger."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement import brennan_prediger_raters, fleiss_kappa, gwet_ac1_raters, rating_counts
from qualcode.errors import AgreementError

# Fleiss (1971): 30 patients, 6 psychiatrists each, 5 diagnoses (depression, personality
# disorder, schizophrenia, neurosis, other); counts of psychiatrists per diagnosis.
FLEISS_1971 = [
    [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
]
# Wikipedia "Fleiss' kappa" worked example: 10 subjects, 14 raters, kappa 0.210.
WIKIPEDIA = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
# Krippendorff's / Gwet's 4 raters x 12 units with missing ratings (irrCAC cac.raw4raters).
RAW_4_RATERS = [[1, 1, None, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4],
                [4, 4, 4, 4], [1, 1, 2, 1], [2, 2, 2, 2], [None, 5, 5, 5], [None, None, 1, 1],
                [None, None, 3, None]]


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    result = fleiss_kappa(FLEISS_1971)
    assert round(result.value, 3) == 0.430
    assert result.n == 30 and result.se is None and result.ci_low is None


def test_fleiss_matches_raw_ratings_from_statsmodels_test_data() -> None:
    tests = pytest.importorskip("statsmodels.stats.tests.test_inter_rater")
    counts, _ = rating_counts(tests.diagnoses.tolist())
    assert counts.tolist() == FLEISS_1971


def test_wikipedia_fleiss_example() -> None:
    assert round(fleiss_kappa(WIKIPEDIA).value, 3) == 0.210


def test_irrcac_readme_first_fifteen_fleiss_subjects() -> None:
    """irrCAC's distrib.6raters is Fleiss' first 15 patients: kappa 0.4139265, AC1 0.4448007,
    Brennan-Prediger 0.4388889."""
    fifteen = FLEISS_1971[:15]
    assert fleiss_kappa(fifteen).value == pytest.approx(0.4139265, abs=5e-8)
    assert gwet_ac1_raters(fifteen).value == pytest.approx(0.4448007, abs=5e-8)
    assert brennan_prediger_raters(fifteen).value == pytest.approx(0.4388889, abs=5e-8)


def test_irrcac_readme_raw_ratings_with_missing() -> None:
    counts, scale = rating_counts(RAW_4_RATERS)
    assert scale == [1, 2, 3, 4, 5]
    assert gwet_ac1_raters(counts).value == pytest.approx(0.77544, abs=5e-6)
    assert brennan_prediger_raters(counts).value == pytest.approx(0.77273, abs=5e-6)


@pytest.mark.parametrize("seed", range(8))
def test_fleiss_matches_statsmodels(seed: int) -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    rng = np.random.default_rng(seed)
    ratings = rng.integers(0, 4, size=(40, 5))
    ratings[rng.random(40) < 0.5] = rng.integers(0, 4)  # some unanimous units
    counts, _ = rating_counts(ratings.tolist(), categories=range(4))
    assert fleiss_kappa(counts).value == pytest.approx(inter_rater.fleiss_kappa(counts), abs=1e-9)


def test_fleiss_null_standard_error_matches_simulated_spread() -> None:
    """Under random rating, kappa's spread should match se0 (Fleiss, Nee & Landis 1979)."""
    rng = np.random.default_rng(2024)
    shares = np.array([0.1, 0.2, 0.3, 0.4])
    kappas, se0s = [], []
    for _ in range(1500):
        counts = rng.multinomial(6, shares, size=30)
        result = fleiss_kappa(counts)
        kappas.append(result.value)
        se0s.append(result.se0)
    assert np.std(kappas) == pytest.approx(np.mean(se0s), rel=0.08)
    assert abs(np.mean(kappas)) < 0.01


def test_fleiss_z_and_p() -> None:
    result = fleiss_kappa(FLEISS_1971)
    assert result.z == pytest.approx(result.value / result.se0)
    assert round(result.z, 1) == 17.7  # R irr::kappam.fleiss(diagnoses) prints z = 17.7
    assert result.p < 1e-60


def test_fleiss_undefined_when_everyone_agrees_on_one_category() -> None:
    result = fleiss_kappa([[0, 3], [0, 3]])
    assert not result.defined and "same category" in result.reason


@pytest.mark.parametrize(
    ("counts", "message"),
    [([[2, 1], [1, 1]], "unit 0 has 3 and unit 1 has 2"),
     ([[1, 0], [0, 1]], "at least 2 raters"),
     ([[1.5, 0.5], [1, 1]], "whole numbers"),
     ([[1, -1], [1, 1]], ">= 0")],
)
def test_fleiss_validation(counts, message) -> None:
    with pytest.raises(AgreementError, match=message):
        fleiss_kappa(counts)


def test_multi_rater_undefined_cases() -> None:
    assert "single category" in gwet_ac1_raters([[3], [2]]).reason
    assert "two or more raters" in gwet_ac1_raters([[1, 0], [0, 1]]).reason
    assert "two or more raters" in brennan_prediger_raters([[1, 0], [0, 0]]).reason
    assert "no units" in gwet_ac1_raters([[0, 0]]).reason
