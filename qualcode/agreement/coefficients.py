"""Two-coder coefficients from a square table: agreement, pi, Brennan-Prediger, AC1, PABAK,
and the prevalence and bias indices of Byrt, Bishop & Carlin (1993).

All take the k x k table of counts that :func:`crosstab` builds (rows: coder A,
columns: coder B) over the full category scale, and return an :class:`Estimate`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from qualcode.agreement._validation import as_square_table, as_two_by_two
from qualcode.agreement.kappa import NO_UNITS, ONE_CATEGORY
from qualcode.agreement.results import Estimate
from qualcode.errors import AgreementError

_TOLERANCE = 1e-12


def _proportions(table: Any) -> tuple[np.ndarray, float] | None:
    counts = as_square_table(table)
    total = float(counts.sum())
    return (counts / total, total) if total > 0 else None


def percent_agreement(table: Any) -> Estimate:
    """Proportion of units on which the two coders agree (the table's diagonal share).

    Examples
    --------
    >>> percent_agreement([[20, 5], [10, 15]]).value
    0.7
    >>> percent_agreement([[0, 0], [0, 0]]).reason
    'there are no units (the table is empty)'
    """
    shares = _proportions(table)
    if shares is None:
        return Estimate.undefined(NO_UNITS)
    p, _ = shares
    return Estimate(float(np.trace(p)))


def scotts_pi(table: Any) -> Estimate:
    """Scott's (1955) pi: chance agreement from the coders' pooled category shares.

    ``pi = (po - pe) / (1 - pe)`` with ``pe = sum_k ((p_k. + p_.k) / 2) ** 2``.
    Undefined when all ratings fall in one category (``pe = 1``).

    Examples
    --------
    >>> round(scotts_pi([[20, 5], [10, 15]]).value, 4)
    0.3939
    """
    shares = _proportions(table)
    if shares is None:
        return Estimate.undefined(NO_UNITS)
    p, _ = shares
    pooled = (p.sum(axis=0) + p.sum(axis=1)) / 2.0
    expected = float((pooled**2).sum())
    if 1.0 - expected <= _TOLERANCE:
        return Estimate.undefined(
            "every rating by both coders is the same category, so chance agreement is 1 and pi is 0/0"
        )
    return Estimate((float(np.trace(p)) - expected) / (1.0 - expected))


def brennan_prediger(table: Any) -> Estimate:
    """Brennan & Prediger (1981) coefficient: chance agreement is ``1/q`` for ``q`` categories.

    ``q`` is the size of the table, so pass the full scale. For two categories this is
    PABAK, ``2 * po - 1`` (Byrt, Bishop & Carlin 1993). Undefined for a one-category scale.

    Examples
    --------
    >>> round(brennan_prediger([[20, 5], [10, 15]]).value, 4)
    0.4
    >>> round(brennan_prediger([[20, 5, 0], [10, 15, 0], [0, 0, 0]]).value, 4)
    0.55
    """
    counts = as_square_table(table)
    if counts.shape[0] == 1:
        return Estimate.undefined(ONE_CATEGORY.replace("kappa", "the coefficient"))
    shares = _proportions(counts)
    if shares is None:
        return Estimate.undefined(NO_UNITS)
    chance = 1.0 / counts.shape[0]
    return Estimate((float(np.trace(shares[0])) - chance) / (1.0 - chance))


def pabak(table: Any) -> Estimate:
    """Prevalence- and bias-adjusted kappa, ``2 * po - 1``, for a 2x2 table.

    Examples
    --------
    >>> round(pabak([[20, 5], [10, 15]]).value, 4)
    0.4
    """
    return brennan_prediger(as_two_by_two(table))


def gwet_ac1(table: Any) -> Estimate:
    """Gwet's (2008) AC1 for two coders and any number of categories.

    ``AC1 = (pa - pe) / (1 - pe)`` with ``pe = sum_k pi_k (1 - pi_k) / (q - 1)`` and
    ``pi_k = (p_k. + p_.k) / 2``; ``q`` is the table size, so pass the full scale.
    Defined whenever there are units and at least two categories (``pe <= 1/q``).

    Examples
    --------
    >>> round(gwet_ac1([[20, 5], [10, 15]]).value, 4)
    0.4059

    High prevalence: kappa is about 0 (-0.023) while AC1 stays high:

    >>> round(gwet_ac1([[118, 5], [2, 0]]).value, 3)
    0.941
    """
    counts = as_square_table(table)
    if counts.shape[0] == 1:
        return Estimate.undefined(ONE_CATEGORY.replace("kappa", "AC1"))
    shares = _proportions(counts)
    if shares is None:
        return Estimate.undefined(NO_UNITS)
    p, _ = shares
    pooled = (p.sum(axis=0) + p.sum(axis=1)) / 2.0
    expected = float((pooled * (1.0 - pooled)).sum()) / (counts.shape[0] - 1)
    return Estimate((float(np.trace(p)) - expected) / (1.0 - expected))


def _byrt_cells(table: Any, positive: int) -> tuple[float, float, float, float, float] | None:
    counts = as_two_by_two(table)
    if positive not in (0, 1):
        raise AgreementError(f"positive must be the index (0 or 1) of the 'applied' category; received {positive!r}")
    negative = 1 - positive
    total = float(counts.sum())
    if total <= 0:
        return None
    a, b = counts[positive, positive], counts[positive, negative]
    c, d = counts[negative, positive], counts[negative, negative]
    return float(a), float(b), float(c), float(d), total


def prevalence_index(table: Any, *, positive: int) -> Estimate:
    """Byrt, Bishop & Carlin's (1993) prevalence index ``(a - d) / n`` of a 2x2 table.

    ``a`` counts units both coders marked positive, ``d`` units both marked negative.
    Signed: > 0 when the positive category dominates (``|PI|`` is often reported).

    Parameters
    ----------
    table : array_like of shape (2, 2)
    positive : {0, 1}
        Index of the positive ("code applied") category. :func:`crosstab` of booleans
        sorts False first, so its positive index is 1; a textbook table
        ``[[a, b], [c, d]]`` has positive index 0.

    Examples
    --------
    >>> prevalence_index([[20, 5], [10, 15]], positive=0).value
    0.1
    """
    cells = _byrt_cells(table, positive)
    if cells is None:
        return Estimate.undefined(NO_UNITS)
    a, _, _, d, total = cells
    return Estimate((a - d) / total)


def bias_index(table: Any, *, positive: int) -> Estimate:
    """Byrt, Bishop & Carlin's (1993) bias index ``(b - c) / n`` of a 2x2 table.

    ``b`` counts units coder A marked positive and coder B negative, ``c`` the reverse,
    so the sign says which coder applies the category more often (> 0: coder A).
    Swapping the coders flips the sign.

    Examples
    --------
    >>> bias_index([[20, 5], [10, 15]], positive=0).value
    -0.1
    """
    cells = _byrt_cells(table, positive)
    if cells is None:
        return Estimate.undefined(NO_UNITS)
    _, b, c, _, total = cells
    return Estimate((b - c) / total)
