"""Cohen's kappa and weighted kappa: published values, oracles, undefined cases, validation."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement import agreement_weights, cohens_kappa, crosstab, weighted_kappa
from qualcode.agreement.kappa import NO_NULL_VARIANCE, NO_UNITS, ONE_CATEGORY, SAME_CATEGORY
from qualcode.errors import AgreementError

SAS_TABLE = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]


def random_table(seed: int, size: int, zero_category: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    table = rng.integers(0, 12, size=(size, size)) + np.diag(rng.integers(3, 20, size=size))
    if zero_category:
        table[:, size // 2] = 0  # coder B never used the middle category
    return table


def labels_from_table(table: np.ndarray) -> tuple[list[int], list[int]]:
    rows, cols = np.nonzero(table)
    counts = table[rows, cols]
    return list(np.repeat(rows, counts)), list(np.repeat(cols, counts))


# --- published values -------------------------------------------------------------

def test_wikipedia_fifty_proposals() -> None:
    result = cohens_kappa([[20, 5], [10, 15]])
    assert result.value == pytest.approx(0.4, abs=1e-12)
    assert (result.observed, result.expected, result.n) == (pytest.approx(0.7), pytest.approx(0.5), 50)


def test_sas_simple_kappa_printout() -> None:
    """SAS PROC FREQ output recorded in statsmodels' test suite (all to 4 decimals)."""
    r = cohens_kappa(SAS_TABLE)
    assert [round(x, 4) for x in (r.value, r.se, r.ci_low, r.ci_high, r.se0, r.z, r.p)] == [
        0.4842, 0.1380, 0.2137, 0.7547, 0.1484, 3.2626, 0.0011,
    ]


def test_sas_weighted_kappa_printout() -> None:
    r = weighted_kappa(SAS_TABLE, "linear")
    assert [round(x, 4) for x in (r.value, r.se, r.ci_low, r.ci_high, r.se0, r.z, r.p)] == [
        0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971, 0.0010,
    ]


def test_gwet_irrcac_readme_kappa_and_se() -> None:
    """irrCAC README (Gwet): cont3x3abstractors kappa 0.7964094, SE 0.05891072."""
    r = cohens_kappa([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert r.value == pytest.approx(0.7964094, abs=5e-8)
    assert r.se == pytest.approx(0.05891072, abs=5e-9)


def test_fleiss_levin_paik_table_18_1() -> None:
    r = cohens_kappa([[75, 1, 4], [5, 4, 1], [0, 0, 10]])
    assert (r.observed, r.expected) == (pytest.approx(0.89), pytest.approx(0.66))
    assert r.value == pytest.approx(0.23 / 0.34, abs=1e-12)


# --- oracles: scikit-learn and statsmodels -------------------------------------------

@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("size", [2, 3, 5])
def test_matches_sklearn_with_full_scale(weights: str | None, seed: int, size: int) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    table = random_table(seed, size, zero_category=size > 2 and seed % 2 == 0)
    a, b = labels_from_table(table)
    scale = list(range(size + 1))  # one more category that nobody used
    ours_table, _ = crosstab(a, b, categories=scale)
    ours = cohens_kappa(ours_table) if weights is None else weighted_kappa(ours_table, weights)
    expected = metrics.cohen_kappa_score(a, b, labels=scale, weights=weights)
    assert ours.value == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("size", [2, 3, 4])
def test_unweighted_inference_matches_statsmodels(seed: int, size: int) -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    table = random_table(seed, size, zero_category=size > 2 and seed % 2 == 1)
    ours = cohens_kappa(table)
    theirs = inter_rater.cohens_kappa(table)
    pairs = [(ours.value, theirs.kappa), (ours.se, theirs.std_kappa), (ours.ci_low, theirs.kappa_low),
             (ours.ci_high, theirs.kappa_upp), (ours.se0, theirs.std_kappa0), (ours.z, theirs.z_value),
             (ours.p, theirs.pvalue_two_sided), (ours.maximum, theirs.kappa_max)]
    for mine, oracle in pairs:
        assert mine == pytest.approx(oracle, abs=1e-9)


@pytest.mark.parametrize("weighting", ["linear", "quadratic"])
@pytest.mark.parametrize("seed", range(6))
def test_weighted_inference_matches_statsmodels(weighting: str, seed: int) -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    table = random_table(seed, 4)
    ours = weighted_kappa(table, weighting)
    theirs = inter_rater.cohens_kappa(table, weights=np.arange(4), wt=weighting)
    assert ours.value == pytest.approx(theirs.kappa, abs=1e-9)
    assert ours.se == pytest.approx(theirs.std_kappa, abs=1e-9)
    assert ours.se0 == pytest.approx(theirs.std_kappa0, abs=1e-9)
    assert ours.maximum is None


def test_scores_change_linear_weights_like_statsmodels_scores() -> None:
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    scores = [0.0, 1.0, 4.0, 5.0]
    table = random_table(11, 4)
    ours = weighted_kappa(table, "linear", scores=scores)
    theirs = inter_rater.cohens_kappa(table, weights=np.array(scores), wt="linear")
    assert ours.value == pytest.approx(theirs.kappa, abs=1e-9)
    assert ours.value != pytest.approx(weighted_kappa(table, "linear").value, abs=1e-6)


def test_unused_category_in_the_middle_changes_quadratic_kappa() -> None:
    compact = [[4, 1, 0], [1, 3, 1], [0, 1, 4]]
    spread = [[4, 1, 0, 0], [1, 3, 0, 1], [0, 0, 0, 0], [0, 1, 0, 4]]
    assert weighted_kappa(compact, "quadratic").value == pytest.approx(0.8)
    assert weighted_kappa(spread, "quadratic").value == pytest.approx(11 / 14)


def test_identity_weights_give_cohens_kappa_variances() -> None:
    table = random_table(3, 4)
    plain = cohens_kappa(table)
    from qualcode.agreement.kappa import kappa_stack

    stack = kappa_stack(np.asarray(table, float)[None], np.eye(4))
    assert np.sqrt(stack.var[0]) == pytest.approx(plain.se, abs=1e-12)
    assert np.sqrt(stack.var0[0]) == pytest.approx(plain.se0, abs=1e-12)


def test_confidence_level_widens_interval() -> None:
    narrow, wide = cohens_kappa(SAS_TABLE, confidence=0.90), cohens_kappa(SAS_TABLE, confidence=0.99)
    assert wide.ci_low < narrow.ci_low < narrow.value < narrow.ci_high < wide.ci_high
    assert narrow.ci_high - narrow.value == pytest.approx(1.6448536 * narrow.se, abs=1e-6)


def test_perfect_agreement_is_one_with_zero_se() -> None:
    r = cohens_kappa([[5, 0, 0], [0, 3, 0], [0, 0, 2]])
    assert (r.value, r.se, r.ci_low, r.ci_high) == (1.0, 0.0, 1.0, 1.0)
    assert r.z > 0 and r.p < 0.001


# --- undefined results ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("table", "reason"),
    [([[0, 0], [0, 0]], NO_UNITS), ([[9]], ONE_CATEGORY), ([[0, 0], [0, 7]], SAME_CATEGORY),
     ([[4, 0, 0], [0, 0, 0], [0, 0, 0]], SAME_CATEGORY)],
)
@pytest.mark.parametrize("statistic", [cohens_kappa, lambda t: weighted_kappa(t, "quadratic")])
def test_undefined_kappa_has_reason_and_no_numbers(table, reason, statistic) -> None:
    r = statistic(table)
    assert not r.defined and r.reason == reason
    assert r.value is r.se is r.z is r.p is r.ci_low is None
    with pytest.raises(AgreementError, match="undefined"):
        float(r)
    assert str(r).startswith("undefined (")


def test_constant_coder_gives_kappa_zero_without_a_test() -> None:
    r = cohens_kappa([[3, 2], [0, 0]])  # coder A always chose the first category
    assert r.value == 0.0 and r.defined
    assert r.z is None and r.p is None and r.test_reason == NO_NULL_VARIANCE
    assert r.se is not None and r.ci_low is not None


# --- validation -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("table", "message"),
    [([[1, 2, 3], [4, 5, 6]], "must be square .* received shape 2x3"),
     ([[1, -2], [3, 4]], r"counts >= 0; received -2 at index \(0, 1\)"),
     ([[1, float("nan")], [3, 4]], "finite"),
     ([1, 2, 3], "2-dimensional; received shape 3"),
     ([[["a"]]], "2-dimensional|numbers"),
     ([["a", "b"], ["c", "d"]], "must hold numbers"),
     (np.zeros((0, 0)), "must not be empty")],
)
def test_invalid_tables_say_what_was_received(table, message) -> None:
    with pytest.raises(AgreementError, match=message):
        cohens_kappa(table)


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.2, "95%"])
def test_confidence_must_be_a_proportion(confidence) -> None:
    with pytest.raises(AgreementError, match="confidence must be"):
        cohens_kappa(SAS_TABLE, confidence=confidence)


def test_weighting_and_scores_are_checked() -> None:
    with pytest.raises(AgreementError, match="one of linear, quadratic; received 'cubic'"):
        weighted_kappa(SAS_TABLE, "cubic")
    with pytest.raises(AgreementError, match=r"one number per category \(3\); received 2"):
        weighted_kappa(SAS_TABLE, scores=[1, 2])
    with pytest.raises(AgreementError, match="distinct"):
        weighted_kappa(SAS_TABLE, scores=[1, 1, 2])


def test_agreement_weights_shapes() -> None:
    linear = agreement_weights(4, "linear")
    assert np.allclose(np.diag(linear), 1) and linear[0, 3] == 0 and linear[0, 1] == pytest.approx(2 / 3)
    assert agreement_weights(3, "quadratic")[0, 1] == pytest.approx(0.75)
