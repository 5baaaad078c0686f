"""Cohen's kappa and weighted kappa with Fleiss-Cohen-Everitt (1969) standard errors.

One vectorised core (:func:`kappa_stack`) computes kappa, its asymptotic variance and
its variance under kappa = 0 for a stack of square tables; :func:`cohens_kappa` and
:func:`weighted_kappa` call it with a stack of one, and the per-code statistics call it
with one 2x2 table per code, so there is a single implementation to test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from qualcode.agreement._validation import as_square_table, check_confidence
from qualcode.agreement.results import KappaResult, normal_quantile, two_sided_p
from qualcode.errors import AgreementError

WEIGHTINGS = ("linear", "quadratic")

# 1 - pe below this is treated as 0: exact 0/0 cases give exactly 0 here, and a real
# table would need about 1e12 units to come this close.
_CHANCE_TOLERANCE = 1e-12
NO_UNITS = "there are no units (the table is empty)"
ONE_CATEGORY = "the scale has a single category, so chance agreement is 1 and kappa is 0/0"
SAME_CATEGORY = (
    "both coders put every unit in the same category, so chance agreement is 1 and kappa is 0/0"
)
NO_NULL_VARIANCE = (
    "kappa has no variance under the null hypothesis (a coder gave every unit the same category, "
    "which makes kappa 0 by construction), so there is no z test"
)


@dataclass(frozen=True)
class KappaStack:
    """Kappa and its variances for each table of a stack (arrays of shape (m,)).

    ``value``, ``var`` and ``var0`` are NaN exactly where ``undefined`` is True.
    """

    n: np.ndarray
    observed: np.ndarray
    expected: np.ndarray
    value: np.ndarray
    var: np.ndarray
    var0: np.ndarray
    maximum: np.ndarray
    undefined: np.ndarray


def kappa_stack(tables: np.ndarray, agreement_weights: np.ndarray | None = None) -> KappaStack:
    """Kappa for each of ``m`` square tables, shape (m, k, k), vectorised.

    With ``agreement_weights`` (k x k, 1 on the diagonal) this is weighted kappa; the
    identity gives Cohen's kappa. Variances follow Fleiss, Cohen & Everitt (1969), whose
    weighted formulas reduce to the unweighted ones for the identity.
    """
    size = tables.shape[-1]
    weights = np.eye(size) if agreement_weights is None else agreement_weights
    n = tables.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tables / n[:, None, None]
        row, col = p.sum(axis=2), p.sum(axis=1)
        chance = row[:, :, None] * col[:, None, :]
        observed = (weights * p).sum(axis=(1, 2))
        expected = (weights * chance).sum(axis=(1, 2))
        undefined = (n <= 0) | (1.0 - expected <= _CHANCE_TOLERANCE)
        value = np.where(undefined, np.nan, (observed - expected) / (1.0 - expected))
        weighted_row = (col[:, None, :] * weights).sum(axis=2)
        weighted_col = (row[:, :, None] * weights).sum(axis=1)
        spread = weighted_row[:, :, None] + weighted_col[:, None, :]
        scale = n * (1.0 - expected) ** 2
        shrink = (1.0 - value)[:, None, None]
        var = ((p * (weights - spread * shrink) ** 2).sum(axis=(1, 2))
               - (value - expected * (1.0 - value)) ** 2) / scale
        var0 = ((chance * (weights - spread) ** 2).sum(axis=(1, 2)) - expected**2) / scale
        maximum = (np.minimum(row, col).sum(axis=1) - expected) / (1.0 - expected)
    # Rounding can push a zero variance a hair below 0.
    var = np.where(undefined, np.nan, np.maximum(var, 0.0))
    var0 = np.where(undefined, np.nan, np.maximum(var0, 0.0))
    maximum = np.where(undefined, np.nan, maximum)
    return KappaStack(n, observed, expected, value, var, var0, maximum, undefined)


def kappa_result(
    stack: KappaStack, index: int, *, confidence: float, reason: str, weighted: bool = False
) -> KappaResult:
    """One table of a :class:`KappaStack` as a :class:`KappaResult`."""
    n = float(stack.n[index])
    if stack.undefined[index]:
        return KappaResult(None, n=n, confidence=confidence, reason=reason)
    value = float(stack.value[index])
    se = float(np.sqrt(stack.var[index]))
    half_width = normal_quantile(confidence) * se
    se0 = float(np.sqrt(stack.var0[index]))
    degenerate = stack.var0[index] * n <= _CHANCE_TOLERANCE
    z = None if degenerate else value / se0
    return KappaResult(
        value,
        se=se,
        ci_low=value - half_width,
        ci_high=value + half_width,
        se0=se0,
        z=z,
        p=None if z is None else two_sided_p(z),
        observed=float(stack.observed[index]),
        expected=float(stack.expected[index]),
        maximum=None if weighted else float(stack.maximum[index]),
        n=n,
        confidence=confidence,
        test_reason=NO_NULL_VARIANCE if degenerate else None,
    )


def _undefined_reason(table: np.ndarray) -> str:
    if table.sum() <= 0:
        return NO_UNITS
    return ONE_CATEGORY if table.shape[0] == 1 else SAME_CATEGORY


def cohens_kappa(table: Any, *, confidence: float = 0.95) -> KappaResult:
    """Cohen's (1960) kappa from a square table, with asymptotic SE, CI and z test.

    Parameters
    ----------
    table : array_like of shape (k, k)
        Counts: ``table[i][j]`` units coder A put in category ``i`` and coder B in ``j``
        (see :func:`crosstab`).
    confidence : float, default 0.95
        Level of the Wald confidence interval ``kappa -/+ z * se``.

    Returns
    -------
    KappaResult
        ``kappa = (po - pe) / (1 - pe)`` with ``se`` from Fleiss, Cohen & Everitt (1969)
        and ``se0`` (the SE under kappa = 0) for ``z`` and the two-sided ``p``.
        Undefined, with a reason, when the table is empty or ``pe = 1`` (both coders
        put every unit in one and the same category).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement, 20, 37-46.
    Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard errors of
    kappa and weighted kappa. Psychological Bulletin, 72, 323-327.

    Examples
    --------
    Wikipedia's 50 grant proposals, read by two readers (yes/no):

    >>> result = cohens_kappa([[20, 5], [10, 15]])
    >>> round(result.value, 4), result.observed, result.expected
    (0.4, 0.7, 0.5)

    The SAS PROC FREQ example (as printed in statsmodels' tests): kappa 0.4842,
    ASE 0.1380, 95% CI 0.2137 to 0.7547, ASE under H0 0.1484, Z 3.2626:

    >>> r = cohens_kappa([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    >>> [round(x, 4) for x in (r.value, r.se, r.ci_low, r.ci_high, r.se0, r.z)]
    [0.4842, 0.138, 0.2137, 0.7547, 0.1484, 3.2626]
    >>> round(r.p, 4)
    0.0011

    Fleiss, Levin & Paik (2003, Table 18.1): 100 patients, psychotic/neurotic/organic,
    po = 0.89, pe = 0.66, kappa = 0.23 / 0.34:

    >>> round(cohens_kappa([[75, 1, 4], [5, 4, 1], [0, 0, 10]]).value, 3)
    0.676

    >>> cohens_kappa([[12, 0], [0, 0]]).reason
    'both coders put every unit in the same category, so chance agreement is 1 and kappa is 0/0'
    """
    confidence = check_confidence(confidence)
    counts = as_square_table(table)
    stack = kappa_stack(counts[None, :, :])
    return kappa_result(stack, 0, confidence=confidence, reason=_undefined_reason(counts))


def agreement_weights(size: int, weighting: str = "linear", scores: Sequence[float] | None = None) -> np.ndarray:
    """Agreement weights (1 on the diagonal) for a scale of ``size`` ordered categories.

    ``linear``: ``1 - |s_i - s_j| / (s_max - s_min)`` (Cicchetti-Allison);
    ``quadratic``: ``1 - (s_i - s_j)**2 / (s_max - s_min)**2`` (Fleiss-Cohen).
    The scores ``s`` default to the positions 0, 1, ..., k-1, as in scikit-learn.

    >>> agreement_weights(3, "linear").tolist()
    [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
    """
    if weighting not in WEIGHTINGS:
        raise AgreementError(f"weights must be one of {', '.join(WEIGHTINGS)}; received {weighting!r}")
    values = np.arange(size, dtype=float) if scores is None else _check_scores(scores, size)
    difference = np.abs(values[:, None] - values[None, :])
    span = values.max() - values.min()
    if span == 0:
        return np.ones((size, size))
    power = 1 if weighting == "linear" else 2
    return 1.0 - (difference / span) ** power


def _check_scores(scores: Sequence[float], size: int) -> np.ndarray:
    try:
        values = np.asarray(scores, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AgreementError(f"scores must be numbers; received {scores!r}") from exc
    if values.shape != (size,):
        raise AgreementError(f"scores must give one number per category ({size}); received {values.size}")
    if not np.isfinite(values).all() or len(np.unique(values)) != size:
        raise AgreementError(f"scores must be finite and distinct; received {values.tolist()!r}")
    return values


def weighted_kappa(
    table: Any,
    weights: str = "linear",
    *,
    scores: Sequence[float] | None = None,
    confidence: float = 0.95,
) -> KappaResult:
    """Cohen's (1968) weighted kappa for ordered categories, with FCE (1969) inference.

    Parameters
    ----------
    table : array_like of shape (k, k)
        Counts over the *full* ordered scale: categories nobody used keep their row and
        column, because they widen the distance between the categories that were used.
    weights : {"linear", "quadratic"}
        Linear (Cicchetti-Allison) or quadratic (Fleiss-Cohen) agreement weights.
    scores : sequence of float, optional
        Numeric value of each category; default equally spaced (0, 1, ..., k-1).
    confidence : float, default 0.95

    Returns
    -------
    KappaResult
        ``kappa_w = (po_w - pe_w) / (1 - pe_w)`` with weighted observed and chance
        agreement; ``maximum`` is None. Undefined when the table is empty or ``pe_w = 1``.

    Examples
    --------
    The SAS example (statsmodels' tests): weighted kappa 0.4701, ASE 0.1457,
    95% CI 0.1845 to 0.7558, ASE under H0 0.1426, Z 3.2971:

    >>> r = weighted_kappa([[0, 4, 1], [0, 8, 0], [0, 1, 5]], "linear")
    >>> [round(x, 4) for x in (r.value, r.se, r.ci_low, r.ci_high, r.se0, r.z)]
    [0.4701, 0.1457, 0.1845, 0.7558, 0.1426, 3.2971]

    An unused category still counts when it is on the scale (here one between the
    second and the last category widens the distances to the last):

    >>> round(weighted_kappa([[4, 1, 0], [1, 3, 1], [0, 1, 4]], "quadratic").value, 4)
    0.8
    >>> used = [[4, 1, 0, 0], [1, 3, 0, 1], [0, 0, 0, 0], [0, 1, 0, 4]]
    >>> round(weighted_kappa(used, "quadratic").value, 4)
    0.7857
    """
    confidence = check_confidence(confidence)
    counts = as_square_table(table)
    matrix = agreement_weights(counts.shape[0], weights, scores)
    stack = kappa_stack(counts[None, :, :], matrix)
    return kappa_result(stack, 0, confidence=confidence, reason=_undefined_reason(counts), weighted=True)
