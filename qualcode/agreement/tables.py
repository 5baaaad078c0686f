"""Build the tables the coefficients take from raw labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from qualcode.agreement._validation import (
    category_index,
    check_label_pair,
    describe_shape,
    is_missing,
)
from qualcode.errors import AgreementError


def crosstab(
    a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any] | None = None
) -> tuple[np.ndarray, list[Any]]:
    """Cross-tabulate two coders' labels into a square table of counts.

    Parameters
    ----------
    a, b : sequence
        Coder A's and coder B's label for each unit, in the same unit order.
    categories : sequence, optional
        The full category scale, in order. Categories that neither coder used still get
        a row and a column, which matters for weighted kappa, AC1 and Brennan-Prediger.
        Default: the sorted labels seen.

    Returns
    -------
    table : ndarray of shape (k, k)
        ``table[i, j]`` counts units coder A put in category ``i`` and coder B in ``j``.
    categories : list
        The scale the rows and columns follow.

    Examples
    --------
    >>> table, scale = crosstab(["yes", "no", "yes"], ["yes", "yes", "yes"])
    >>> scale
    ['no', 'yes']
    >>> table.tolist()
    [[0, 1], [0, 2]]
    >>> crosstab([1, 2], [2, 2], categories=[1, 2, 3])[0].tolist()
    [[0, 1, 0], [0, 1, 0], [0, 0, 0]]
    """
    labels_a, labels_b = check_label_pair(a, b)
    scale, index = category_index(labels_a + labels_b, categories)
    size = len(scale)
    rows = np.fromiter((index[label] for label in labels_a), dtype=np.int64, count=len(labels_a))
    columns = np.fromiter((index[label] for label in labels_b), dtype=np.int64, count=len(labels_b))
    table = np.bincount(rows * size + columns, minlength=size * size).reshape(size, size)
    return table, scale


def rating_counts(
    ratings: Sequence[Sequence[Any]], categories: Sequence[Any] | None = None
) -> tuple[np.ndarray, list[Any]]:
    """Count, for each unit, how many raters chose each category.

    Parameters
    ----------
    ratings : 2-D sequence of shape (units, raters)
        ``ratings[u][r]`` is rater ``r``'s category for unit ``u``; ``None`` or NaN
        marks a missing rating.
    categories : sequence, optional
        The full category scale; default the sorted categories seen.

    Returns
    -------
    counts : ndarray of shape (units, k)
        The input of :func:`fleiss_kappa` and :func:`gwet_ac1_raters`.
    categories : list

    Examples
    --------
    >>> counts, scale = rating_counts([["a", "a", "b"], ["b", "b", None]])
    >>> counts.tolist(), scale
    ([[2, 1], [0, 2]], ['a', 'b'])
    """
    grid = np.asarray(ratings, dtype=object)
    if grid.ndim != 2:
        raise AgreementError(
            f"ratings must be 2-dimensional (units x raters); received shape {describe_shape(grid)}"
        )
    present = [(unit, label) for unit, row in enumerate(grid.tolist()) for label in row if not is_missing(label)]
    scale, index = category_index([label for _, label in present], categories, what="rating")
    size = len(scale)
    flat = np.fromiter((unit * size + index[label] for unit, label in present), dtype=np.int64, count=len(present))
    counts = np.bincount(flat, minlength=grid.shape[0] * size).reshape(grid.shape[0], size)
    return counts, scale
