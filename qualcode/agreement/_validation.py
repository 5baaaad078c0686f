"""Input checks shared by the statistics (validate first, say what was received)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from qualcode.errors import AgreementError


def describe_shape(array: np.ndarray) -> str:
    return "x".join(str(size) for size in array.shape) or "scalar"


def as_counts(values: Any, *, name: str, ndim: int) -> np.ndarray:
    """A float array of non-negative, finite counts with ``ndim`` dimensions."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise AgreementError(f"{name} must hold numbers (counts); received {type(values).__name__}: {exc}") from exc
    if array.ndim != ndim:
        raise AgreementError(f"{name} must be {ndim}-dimensional; received shape {describe_shape(array)}")
    if array.size == 0:
        raise AgreementError(f"{name} must not be empty; received shape {describe_shape(array)}")
    if not np.isfinite(array).all():
        raise AgreementError(f"{name} must hold finite counts; received NaN or infinity")
    if (array < 0).any():
        where = tuple(int(i) for i in np.argwhere(array < 0)[0])
        raise AgreementError(f"{name} must hold counts >= 0; received {array[where]:g} at index {where}")
    return array


def as_square_table(table: Any, *, name: str = "table") -> np.ndarray:
    """A k x k table of counts (rows: coder A's category, columns: coder B's)."""
    array = as_counts(table, name=name, ndim=2)
    rows, columns = array.shape
    if rows != columns:
        raise AgreementError(
            f"{name} must be square (the same categories for both coders); received shape {rows}x{columns}"
        )
    return array


def as_two_by_two(table: Any, *, name: str = "table") -> np.ndarray:
    array = as_square_table(table, name=name)
    if array.shape != (2, 2):
        raise AgreementError(f"{name} must be 2x2 (code applied / not applied); received {describe_shape(array)}")
    return array


def is_missing(value: Any) -> bool:
    """None and float NaN mark a missing rating."""
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))


def check_confidence(confidence: float) -> float:
    if not isinstance(confidence, int | float) or not 0.0 < confidence < 1.0:
        raise AgreementError(f"confidence must be a number between 0 and 1 (exclusive); received {confidence!r}")
    return float(confidence)


def check_label_pair(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """Two raters' label vectors: same length, no missing labels."""
    labels_a, labels_b = list(_as_list(a, "a")), list(_as_list(b, "b"))
    if len(labels_a) != len(labels_b):
        raise AgreementError(
            f"the two coders must rate the same units; received {len(labels_a)} labels for coder A "
            f"and {len(labels_b)} for coder B"
        )
    for coder, labels in (("A", labels_a), ("B", labels_b)):
        for position, label in enumerate(labels):
            if is_missing(label):
                raise AgreementError(
                    f"coder {coder} has a missing label at unit {position}; two-coder tables need both "
                    "labels for every unit (use krippendorff_alpha for missing data)",
                    row=position,
                )
    return labels_a, labels_b


def _as_list(values: Any, name: str) -> list[Any]:
    if isinstance(values, str | bytes):
        raise AgreementError(f"{name} must be a sequence of labels; received a single string {values!r}")
    array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise AgreementError(f"{name} must be 1-dimensional; received shape {describe_shape(array)}")
    return [item.item() if isinstance(item, np.generic) else item for item in array]


def category_index(
    labels: Sequence[Any], categories: Sequence[Any] | None, *, what: str = "label", parameter: str = "categories"
) -> tuple[list[Any], dict[Any, int]]:
    """The category scale (given, or the sorted labels seen) and each category's index."""
    if categories is None:
        seen = set(labels)
        try:
            scale = sorted(seen)
        except TypeError as exc:
            raise AgreementError(
                f"the {what}s cannot be ordered ({exc}); pass {parameter}=[...] to give the scale"
            ) from exc
    else:
        scale = list(categories)
        if len(set(scale)) != len(scale):
            raise AgreementError(f"{parameter} must be distinct; received {scale!r}")
        allowed = set(scale)
        unknown = [label for label in labels if label not in allowed]
        if unknown:
            raise AgreementError(f"{what} {unknown[0]!r} is not among the categories; allowed: {scale!r}")
    if not scale:
        raise AgreementError(f"there are no {what}s: at least one unit is needed")
    return scale, {category: position for position, category in enumerate(scale)}
