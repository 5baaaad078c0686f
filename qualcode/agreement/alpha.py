"""Krippendorff's alpha via the coincidence matrix, vectorised with numpy.

The unit x value count matrix is built with one ``bincount``; the coincidence matrix
is then a single matrix product, so the cost is linear in the number of ratings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualcode.agreement._validation import (
    as_counts,
    category_index,
    describe_shape,
    is_missing,
)
from qualcode.agreement.results import Estimate
from qualcode.errors import AgreementError

LEVELS = ("nominal", "ordinal", "interval", "ratio")
NO_PAIRABLE = "no unit has values from two or more coders, so there are no pairable values"
NO_VARIATION = (
    "all pairable values are the same, so the expected disagreement is 0 and alpha is 0/0"
)


def krippendorff_alpha(
    reliability_data: Any = None,
    *,
    value_counts: Any = None,
    level: str = "nominal",
    value_domain: Sequence[Any] | None = None,
) -> Estimate:
    """Krippendorff's alpha for any number of coders, with missing data.

    ``alpha = 1 - D_o / D_e``: observed over expected disagreement, both taken from the
    coincidence matrix of pairable values (units with two or more values).

    Parameters
    ----------
    reliability_data : array_like of shape (coders, units), optional
        One row per coder; ``None`` or NaN marks a unit the coder did not rate.
    value_counts : array_like of shape (units, values), optional
        Instead of ``reliability_data``: how many coders gave each value to each unit,
        columns in the order of ``value_domain`` (default 0, 1, ...).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement, which chooses the difference function.
    value_domain : sequence, optional
        The values in order. Required to order non-numeric ordinal values; for
        interval and ratio data it gives the numbers of ``value_counts`` columns.

    Returns
    -------
    Estimate
        Undefined when no unit has two values, or when all pairable values are equal.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.

    Examples
    --------
    Krippendorff's (2011) four coders and twelve units, with missing values
    (published: nominal 0.743, ordinal 0.815, interval 0.849, ratio 0.797):

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> [round(krippendorff_alpha(data, level=m).value, 3) for m in LEVELS]
    [0.743, 0.815, 0.849, 0.797]

    Labels work too; ordinal labels need their order:

    >>> words = [["low", "mid", None], ["low", "high", "mid"]]
    >>> round(krippendorff_alpha(words, level="ordinal", value_domain=["low", "mid", "high"]).value, 3)
    0.833
    """
    if level not in LEVELS:
        raise AgreementError(f"level must be one of {', '.join(LEVELS)}; received {level!r}")
    counts, values = _unit_value_counts(reliability_data, value_counts, value_domain, level)
    coincidences = coincidence_matrix(counts)
    totals = coincidences.sum(axis=1)
    pairable = float(totals.sum())
    if pairable == 0:
        return Estimate.undefined(NO_PAIRABLE)
    distances = difference_matrix(level, values, totals)
    expected = float((np.outer(totals, totals) * distances).sum()) / (pairable - 1.0)
    if expected <= 0:
        return Estimate.undefined(NO_VARIATION)
    observed = float((coincidences * distances).sum())
    return Estimate(1.0 - observed / expected)


def coincidence_matrix(counts: np.ndarray) -> np.ndarray:
    """Krippendorff's coincidence matrix ``o_ck`` from unit x value counts.

    Each unit with ``m_u >= 2`` values adds ``n_uc * n_uk / (m_u - 1)`` (minus the
    unit's own pairing on the diagonal); units with fewer values are not pairable.

    >>> coincidence_matrix(np.array([[2, 0], [1, 1], [1, 0]])).tolist()
    [[2.0, 1.0], [1.0, 0.0]]
    """
    per_unit = counts.sum(axis=1)
    pairable = counts[per_unit >= 2].astype(float)
    scaled = pairable / (per_unit[per_unit >= 2] - 1.0)[:, None]
    return scaled.T @ pairable - np.diag(scaled.sum(axis=0))


def difference_matrix(level: str, values: np.ndarray | None, totals: np.ndarray) -> np.ndarray:
    """Squared differences ``delta**2`` between values for a level of measurement.

    ``totals`` are the value frequencies ``n_c`` (the ordinal metric uses them).
    """
    size = totals.shape[0]
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        cumulative = np.cumsum(totals)
        positions = np.arange(size)
        low, high = np.minimum.outer(positions, positions), np.maximum.outer(positions, positions)
        between = cumulative[high] - cumulative[low] + totals[low]
        return (between - (totals[:, None] + totals[None, :]) / 2.0) ** 2 * (1.0 - np.eye(size))
    assert values is not None
    difference = values[:, None] - values[None, :]
    if level == "interval":
        return difference**2
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (difference / (values[:, None] + values[None, :])) ** 2
    return np.nan_to_num(ratio, nan=0.0)


def _unit_value_counts(
    reliability_data: Any, value_counts: Any, value_domain: Sequence[Any] | None, level: str
) -> tuple[np.ndarray, np.ndarray | None]:
    if (reliability_data is None) == (value_counts is None):
        raise AgreementError("give exactly one of reliability_data (coders x units) or value_counts (units x values)")
    if value_counts is not None:
        return _checked_value_counts(value_counts, value_domain, level)
    numeric = _numeric_grid(reliability_data)
    if numeric is not None:
        return _numeric_value_counts(numeric, value_domain, level)
    grid = np.asarray(reliability_data, dtype=object)
    if grid.ndim != 2:
        raise AgreementError(
            f"reliability_data must be 2-dimensional (coders x units); received shape {describe_shape(grid)}"
        )
    present = [(unit, value) for row in grid.tolist() for unit, value in enumerate(row) if not is_missing(value)]
    if not present:
        raise AgreementError("reliability_data holds no values (everything is missing)")
    labels = [value for _, value in present]
    scale, index = category_index(labels, value_domain, what="value", parameter="value_domain")
    size = len(scale)
    flat = np.fromiter((unit * size + index[value] for unit, value in present), dtype=np.int64, count=len(present))
    counts = np.bincount(flat, minlength=grid.shape[1] * size).reshape(grid.shape[1], size)
    return counts, _numeric_values(scale, level)


def _numeric_grid(reliability_data: Any) -> np.ndarray | None:
    """The data as a float array when it is all numbers (NaN for missing), else None."""
    if isinstance(reliability_data, np.ndarray) and reliability_data.dtype.kind in "biuf":
        return reliability_data.astype(float, copy=False)
    try:
        grid = np.asarray(reliability_data, dtype=float)
    except (TypeError, ValueError):
        return None
    return grid if grid.ndim == 2 else None


def _numeric_value_counts(
    grid: np.ndarray, value_domain: Sequence[Any] | None, level: str
) -> tuple[np.ndarray, np.ndarray | None]:
    # The fast path for numeric data: no Python loop over ratings.
    present = ~np.isnan(grid)
    if not present.any():
        raise AgreementError("reliability_data holds no values (everything is missing)")
    values = grid[present]
    units = np.nonzero(present)[1]
    if value_domain is None:
        domain = np.unique(values)
        positions = np.searchsorted(domain, values)
    else:
        domain, positions = _positions_in_domain(values, value_domain)
    size = len(domain)
    counts = np.bincount(units * size + positions, minlength=grid.shape[1] * size).reshape(grid.shape[1], size)
    return counts, _numeric_values(list(domain), level)


def _positions_in_domain(values: np.ndarray, value_domain: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Each value's index in the caller's (ordered) domain; every value must be in it."""
    try:
        domain = np.asarray(list(value_domain), dtype=float)
    except (TypeError, ValueError) as exc:
        raise AgreementError(f"value_domain must hold numbers for numeric data; received {value_domain!r}") from exc
    if len(np.unique(domain)) != len(domain):
        raise AgreementError(f"value_domain must be distinct; received {list(value_domain)!r}")
    order = np.argsort(domain)
    sorted_domain = domain[order]
    found = np.minimum(np.searchsorted(sorted_domain, values), len(domain) - 1)
    missing = sorted_domain[found] != values
    if missing.any():
        raise AgreementError(
            f"value {values[missing][0]:g} is not among the categories; allowed: {list(value_domain)!r}"
        )
    return domain, order[found]


def _checked_value_counts(
    value_counts: Any, value_domain: Sequence[Any] | None, level: str
) -> tuple[np.ndarray, np.ndarray | None]:
    counts = as_counts(value_counts, name="value_counts", ndim=2)
    scale = list(range(counts.shape[1])) if value_domain is None else list(value_domain)
    if len(scale) != counts.shape[1]:
        raise AgreementError(
            f"value_domain must name one value per value_counts column ({counts.shape[1]}); received {len(scale)}"
        )
    return counts, _numeric_values(scale, level)


def _numeric_values(scale: list[Any], level: str) -> np.ndarray | None:
    if level in ("nominal", "ordinal"):
        return None
    try:
        values = np.asarray(scale, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AgreementError(f"{level} alpha needs numeric values; received {scale!r}") from exc
    if level == "ratio" and (values < 0).any():
        raise AgreementError(f"ratio alpha needs values >= 0; received {values.min():g}")
    return values
