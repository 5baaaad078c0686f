"""Coefficients for more than two raters, from unit x category rating counts."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from qualcode.agreement._validation import as_counts
from qualcode.agreement.kappa import NO_UNITS
from qualcode.agreement.results import Estimate, KappaResult, two_sided_p
from qualcode.errors import AgreementError

_TOLERANCE = 1e-12


def _integer_counts(counts: Any) -> np.ndarray:
    array = as_counts(counts, name="counts", ndim=2)
    if not np.array_equal(array, np.round(array)):
        raise AgreementError("counts must be whole numbers of raters per unit and category")
    return array


def fleiss_kappa(counts: Any) -> KappaResult:
    """Fleiss' (1971) kappa for a fixed number of raters per unit.

    Parameters
    ----------
    counts : array_like of shape (units, k)
        ``counts[i][j]`` raters who put unit ``i`` in category ``j``; every row must sum
        to the same number of raters ``n >= 2`` (see :func:`rating_counts`). For missing
        ratings use :func:`krippendorff_alpha`.

    Returns
    -------
    KappaResult
        ``kappa = (P - Pe) / (1 - Pe)``; ``se0``, ``z`` and ``p`` test kappa = 0 with
        the null variance of Fleiss, Nee & Landis (1979). There is no non-null SE, so
        ``se`` and the CI are None. Undefined when every rating is one category.

    References
    ----------
    Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin, 76, 378-382.
    Fleiss, J. L., Nee, J. C. M., & Landis, J. R. (1979). Large sample variance of kappa
    in the case of different sets of raters. Psychological Bulletin, 86, 974-977.

    Examples
    --------
    Wikipedia's worked example (10 units, 14 raters, 5 categories), kappa 0.210:

    >>> table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
    ...          [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
    ...          [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    >>> round(fleiss_kappa(table).value, 3)
    0.21
    """
    array = _integer_counts(counts)
    raters = array.sum(axis=1)
    if not np.all(raters == raters[0]):
        unit = int(np.argmax(raters != raters[0]))
        raise AgreementError(
            f"Fleiss' kappa needs the same number of raters for every unit; unit 0 has "
            f"{raters[0]:g} and unit {unit} has {raters[unit]:g} (use krippendorff_alpha for missing ratings)",
            row=unit,
        )
    n = float(raters[0])
    if n < 2:
        raise AgreementError(f"Fleiss' kappa needs at least 2 raters per unit; received {n:g}")
    units = array.shape[0]
    per_unit = ((array * (array - 1)).sum(axis=1)) / (n * (n - 1))
    observed = float(per_unit.mean())
    shares = array.sum(axis=0) / (units * n)
    expected = float((shares**2).sum())
    if 1.0 - expected <= _TOLERANCE:
        return KappaResult(
            None, n=float(units), reason="every rating is the same category, so chance agreement is 1 and kappa is 0/0"
        )
    value = (observed - expected) / (1.0 - expected)
    se0, z = _fleiss_null_test(value, shares, units, n)
    return KappaResult(
        value, se0=se0, z=z, p=None if z is None else two_sided_p(z),
        observed=observed, expected=expected, n=float(units),
        test_reason=None if z is not None else "kappa has no variance under the null hypothesis",
    )


def _fleiss_null_test(value: float, shares: np.ndarray, units: int, n: float) -> tuple[float, float | None]:
    spread = shares * (1.0 - shares)
    total = float(spread.sum())
    inner = total**2 - float((spread * ((1.0 - shares) - shares)).sum())
    var0 = 2.0 * max(inner, 0.0) / (total**2 * units * n * (n - 1))
    se0 = math.sqrt(var0)
    return se0, (value / se0 if var0 * units > _TOLERANCE else None)


def _pairwise_agreement(array: np.ndarray) -> tuple[float, np.ndarray] | str:
    """Observed pairwise agreement over units with two or more ratings, and the
    category shares averaged over rated units (Gwet 2014); or why there is none."""
    raters = array.sum(axis=1)
    rated, pairable = raters > 0, raters >= 2
    if not pairable.any():
        return NO_UNITS if not rated.any() else "no unit has ratings from two or more raters"
    pair_agreement = (array[pairable] * (array[pairable] - 1)).sum(axis=1) / (
        raters[pairable] * (raters[pairable] - 1)
    )
    shares = (array[rated] / raters[rated, None]).mean(axis=0)
    return float(pair_agreement.mean()), shares


def gwet_ac1_raters(counts: Any) -> Estimate:
    """Gwet's (2008) AC1 for any number of raters, which may vary by unit.

    Parameters
    ----------
    counts : array_like of shape (units, q)
        Rating counts per unit and category over the full scale of ``q`` categories.
        Units rated by fewer than two raters add to the category shares but not to the
        observed agreement.

    Returns
    -------
    Estimate
        ``(pa - pe) / (1 - pe)``, ``pe = sum_k pi_k (1 - pi_k) / (q - 1)``. With two
        raters per unit this equals :func:`gwet_ac1` of their 2-way table.

    Examples
    --------
    Gwet's ``distrib.6raters`` (irrCAC README: AC1 0.4448007, pa 0.5511111):

    >>> six = [[0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6],
    ...        [0, 3, 0, 3, 0], [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0],
    ...        [2, 0, 0, 4, 0], [0, 0, 0, 0, 6], [1, 0, 0, 5, 0], [1, 1, 0, 4, 0],
    ...        [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1]]
    >>> round(gwet_ac1_raters(six).value, 7)
    0.4448007
    """
    array = _integer_counts(counts)
    if array.shape[1] == 1:
        return Estimate.undefined("the scale has a single category, so AC1 is 0/0")
    agreement = _pairwise_agreement(array)
    if isinstance(agreement, str):
        return Estimate.undefined(agreement)
    observed, shares = agreement
    expected = float((shares * (1.0 - shares)).sum()) / (array.shape[1] - 1)
    return Estimate((observed - expected) / (1.0 - expected))


def brennan_prediger_raters(counts: Any) -> Estimate:
    """Brennan & Prediger (1981) coefficient for any number of raters: ``pe = 1/q``.

    Observed agreement is the pairwise agreement of :func:`gwet_ac1_raters`.

    Examples
    --------
    >>> round(brennan_prediger_raters([[2, 0], [2, 0], [1, 1], [0, 2]]).value, 4)
    0.5
    """
    array = _integer_counts(counts)
    if array.shape[1] == 1:
        return Estimate.undefined("the scale has a single category, so the coefficient is 0/0")
    agreement = _pairwise_agreement(array)
    if isinstance(agreement, str):
        return Estimate.undefined(agreement)
    chance = 1.0 / array.shape[1]
    return Estimate((agreement[0] - chance) / (1.0 - chance))
