"""Per-code 2x2 statistics (vectorised), pooled and mean kappa."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement import (
    bias_index,
    binary_counts,
    cohens_kappa,
    gwet_ac1,
    mean_kappa,
    pabak,
    per_code_agreement,
    per_code_from_counts,
    pooled_kappa,
    prevalence_index,
)
from qualcode.agreement.kappa import NO_UNITS
from qualcode.agreement.per_code import ALWAYS, NO_TEST, UNUSED
from qualcode.errors import AgreementError


def coded_units(seed: int, units: int = 300, codes: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Two coders' unit x code matrices with varied prevalence and some noise."""
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.02, 0.6, size=codes)
    a = rng.random((units, codes)) < prevalence
    b = a ^ (rng.random((units, codes)) < rng.uniform(0.0, 0.3, size=codes))
    return a, b


def test_binary_counts_match_a_naive_count_across_chunks() -> None:
    a, b = coded_units(1, units=101, codes=7)
    counts = binary_counts(a, b, chunk_rows=8)
    assert counts.both.tolist() == (a & b).sum(axis=0).tolist()
    assert counts.only_a.tolist() == (a & ~b).sum(axis=0).tolist()
    assert counts.only_b.tolist() == (~a & b).sum(axis=0).tolist()
    assert counts.neither.tolist() == (~a & ~b).sum(axis=0).tolist()
    assert (counts.n == 101).all()


def test_binary_counts_accept_zero_one_integers() -> None:
    a, b = coded_units(2, units=20, codes=3)
    from_ints = binary_counts(a.astype(int), b.astype(np.int8))
    assert from_ints.both.tolist() == binary_counts(a, b).both.tolist()


@pytest.mark.parametrize("seed", range(4))
def test_per_code_kappa_matches_sklearn(seed: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    a, b = coded_units(seed)
    result = per_code_agreement(a, b)
    for code in range(a.shape[1]):
        expected = metrics.cohen_kappa_score(a[:, code], b[:, code])
        assert result.kappa[code] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_per_code_inference_matches_statsmodels(seed: int) -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    a, b = coded_units(seed)
    result = per_code_agreement(a, b)
    tables = result.counts.tables()
    for code in range(a.shape[1]):
        theirs = inter_rater.cohens_kappa(tables[code])
        assert result.kappa_se[code] == pytest.approx(theirs.std_kappa, abs=1e-9)
        assert result.kappa_ci_low[code] == pytest.approx(theirs.kappa_low, abs=1e-9)
        assert result.kappa_ci_high[code] == pytest.approx(theirs.kappa_upp, abs=1e-9)
        assert result.kappa_se0[code] == pytest.approx(theirs.std_kappa0, abs=1e-9)
        assert result.kappa_z[code] == pytest.approx(theirs.z_value, abs=1e-9)
        assert result.kappa_p[code] == pytest.approx(theirs.pvalue_two_sided, abs=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_per_code_alpha_matches_krippendorff_package(seed: int) -> None:
    krippendorff = pytest.importorskip("krippendorff")
    a, b = coded_units(seed)
    result = per_code_agreement(a, b)
    for code in range(a.shape[1]):
        data = np.stack([a[:, code], b[:, code]]).astype(float)
        expected = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert result.alpha[code] == pytest.approx(expected, abs=1e-9)


def test_per_code_values_match_the_table_functions() -> None:
    a, b = coded_units(5)
    result = per_code_agreement(a, b)
    tables = result.counts.tables()
    for code in range(a.shape[1]):
        table = tables[code]
        assert result.ac1[code] == pytest.approx(gwet_ac1(table).value, abs=1e-12)
        assert result.pabak[code] == pytest.approx(pabak(table).value, abs=1e-12)
        assert result.prevalence_index[code] == pytest.approx(prevalence_index(table, positive=0).value)
        assert result.bias_index[code] == pytest.approx(bias_index(table, positive=0).value)
        single = cohens_kappa(table)
        assert result.kappa_result(code) == single


def test_per_code_confidence_level_is_used() -> None:
    a, b = coded_units(6)
    result = per_code_agreement(a, b, confidence=0.9)
    for code in range(a.shape[1]):
        single = cohens_kappa(result.counts.tables()[code], confidence=0.9)
        assert (result.kappa_ci_low[code], result.kappa_ci_high[code]) == (
            pytest.approx(single.ci_low, abs=1e-12), pytest.approx(single.ci_high, abs=1e-12))
        assert result.kappa_result(code) == single


def test_undefined_codes_carry_reasons() -> None:
    result = per_code_from_counts(
        both=[0, 10, 0, 3, 0], only_a=[0, 0, 4, 0, 0], only_b=[0, 0, 0, 2, 0], neither=[10, 0, 6, 5, 0],
        codes=["unused", "always", "one coder only", "normal", "no units"],
    )
    assert result.kappa_reason.tolist() == [UNUSED, ALWAYS, None, None, NO_UNITS]
    assert result.alpha_reason.tolist() == [UNUSED, ALWAYS, None, None, NO_UNITS]
    assert result.test_reason.tolist() == [UNUSED, ALWAYS, NO_TEST, None, NO_UNITS]
    assert result.unused.tolist() == [True, False, False, False, True]
    assert np.isnan(result.kappa[[0, 1, 4]]).all() and result.kappa[2] == 0.0
    # Coefficients whose chance term stays below 1 remain defined.
    assert result.pabak[:4].tolist() == [1.0, 1.0, pytest.approx(0.2), pytest.approx(0.6)]
    assert result.ac1[0] == 1.0 and np.isnan(result.ac1[4])
    row = result.row(0)
    assert row["code"] == "unused" and row["kappa"] is None and row["alpha"] is None
    assert row["kappa_reason"] == UNUSED and row["percent_agreement"] == 1.0
    assert result.row(2)["kappa_z"] is None and result.row(2)["kappa"] == 0.0
    assert result.row(4)["pabak"] is None
    assert not result.kappa_result(0).defined and result.kappa_result(0).reason == UNUSED
    assert [r["code"] for r in result.rows()] == list(result.codes)


def test_de_vries_pooled_kappa_averages_observed_and_expected() -> None:
    result = per_code_from_counts([20, 0, 6], [5, 1, 2], [10, 0, 3], [15, 49, 39])
    po = np.array([35 / 50, 49 / 50, 45 / 50])
    pe = np.array([0.5 * 0.6 + 0.5 * 0.4, 0.02 * 0 + 0.98 * 1, (8 / 50) * (9 / 50) + (42 / 50) * (41 / 50)])
    pooled = pooled_kappa(result)
    assert pooled.value == pytest.approx((po.mean() - pe.mean()) / (1 - pe.mean()), abs=1e-12)
    assert (pooled.codes_used, pooled.codes_excluded, pooled.method) == (3, 0, "de_vries")
    summed = pooled_kappa(result.counts, method="summed_table")
    assert summed.value == pytest.approx(cohens_kappa(result.counts.tables().sum(axis=0)).value, abs=1e-12)


def test_pooled_kappa_skips_codes_without_units_and_reports_all_unused() -> None:
    result = per_code_from_counts([3, 0], [1, 0], [0, 0], [6, 0])
    assert pooled_kappa(result).codes_excluded == 1
    nothing = pooled_kappa(per_code_from_counts([0, 0], [0, 0], [0, 0], [5, 5]))
    assert not nothing.defined and "no coder applied any code" in nothing.reason
    with pytest.raises(AgreementError, match="method must be"):
        pooled_kappa(result, method="average")


def test_mean_kappa_weights_by_prevalence() -> None:
    result = per_code_from_counts([20, 5, 0], [5, 0, 0], [10, 0, 0], [15, 45, 50])
    assert mean_kappa(result).value == pytest.approx(0.7)
    weights = np.array([55 / 100, 10 / 100])
    expected = (0.4 * weights[0] + 1.0 * weights[1]) / weights.sum()
    assert mean_kappa(result, weighting="prevalence").value == pytest.approx(expected)
    assert mean_kappa(result).codes_excluded == 1
    empty = mean_kappa(per_code_from_counts([0], [0], [0], [4]))
    assert not empty.defined and empty.reason == "no code has a defined kappa"
    with pytest.raises(AgreementError, match="weighting must be"):
        mean_kappa(result, weighting="size")


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [(np.zeros((3, 2), bool), np.zeros((3, 3), bool), "shapes 3x2 and 3x3"),
     (np.zeros(3, bool), np.zeros(3, bool), "2-dimensional"),
     (np.full((2, 2), 2), np.zeros((2, 2), bool), "boolean"),
     (np.array([["x"]]), np.zeros((1, 1), bool), "boolean")],
)
def test_binary_matrix_validation(a, b, message) -> None:
    with pytest.raises(AgreementError, match=message):
        per_code_agreement(a, b)


def test_count_and_name_validation() -> None:
    with pytest.raises(AgreementError, match="received lengths 2, 2, 1, 2"):
        per_code_from_counts([1, 2], [0, 0], [0], [3, 3])
    with pytest.raises(AgreementError, match="name each of the 2 codes; received 1"):
        per_code_from_counts([1, 2], [0, 0], [0, 1], [3, 3], codes=["x"])
    with pytest.raises(AgreementError, match="counts >= 0"):
        per_code_from_counts([1], [-1], [0], [3])
    with pytest.raises(AgreementError, match="chunk_rows"):
        binary_counts(np.zeros((2, 2), bool), np.zeros((2, 2), bool), chunk_rows=70000)
