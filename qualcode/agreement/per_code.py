"""Per-code agreement on 2x2 tables, vectorised over codes, and summaries across codes.

Each code splits the units into both / only A / only B / neither. The counts come from
two boolean unit x code matrices by chunked column sums (no unit x code temporaries
beyond one chunk), and every statistic is then an array operation over codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qualcode.agreement._validation import as_counts, check_confidence, describe_shape
from qualcode.agreement.kappa import NO_UNITS, kappa_result, kappa_stack
from qualcode.agreement.results import (
    KappaResult,
    SummaryKappa,
    normal_quantile,
    two_sided_p,
)
from qualcode.errors import AgreementError

UNUSED = "neither coder applied the code, so chance agreement is 1 and the coefficient is 0/0"
ALWAYS = "both coders applied the code to every unit, so chance agreement is 1 and the coefficient is 0/0"
NO_TEST = (
    "a coder applied the code to every unit or to none, which makes kappa 0 by construction; "
    "there is no z test"
)
# About 1 MiB of each matrix per chunk keeps the work in cache; uint16 partial sums
# cannot overflow below 65536 rows per chunk.
_CHUNK_BYTES = 1 << 20
_MAX_CHUNK_ROWS = 65535
_two_sided_p = np.frompyfunc(two_sided_p, 1, 1)


@dataclass(frozen=True)
class BinaryCounts:
    """The 2x2 cell counts of each code (int64 arrays of shape (codes,))."""

    both: np.ndarray
    only_a: np.ndarray
    only_b: np.ndarray
    neither: np.ndarray

    @property
    def n(self) -> np.ndarray:
        return self.both + self.only_a + self.only_b + self.neither

    def tables(self) -> np.ndarray:
        """Shape (codes, 2, 2): rows coder A applied/not, columns coder B applied/not."""
        return np.stack(
            [np.stack([self.both, self.only_a], axis=-1), np.stack([self.only_b, self.neither], axis=-1)], axis=-2
        )


def _as_binary_matrix(matrix: Any, name: str) -> np.ndarray:
    array = np.asarray(matrix)
    if array.ndim != 2:
        raise AgreementError(f"{name} must be 2-dimensional (units x codes); received shape {describe_shape(array)}")
    if array.dtype == bool:
        return np.ascontiguousarray(array)
    if not np.issubdtype(array.dtype, np.number) or not ((array == 0) | (array == 1)).all():
        raise AgreementError(f"{name} must be boolean (or 0/1); received dtype {array.dtype} with other values")
    return np.ascontiguousarray(array != 0)


def binary_counts(a: Any, b: Any, *, chunk_rows: int | None = None) -> BinaryCounts:
    """Count both / only A / only B / neither for every code.

    Parameters
    ----------
    a, b : array_like of bool, shape (units, codes)
        Whether coder A (B) applied each code to each unit.
    chunk_rows : int, optional
        Units per chunk (at most 65535); default about 1 MiB of each matrix. Bounds the
        temporary memory to one chunk of ``a & b``.

    Examples
    --------
    >>> a = np.array([[1, 0], [1, 1], [0, 0]], dtype=bool)
    >>> b = np.array([[1, 1], [0, 1], [0, 0]], dtype=bool)
    >>> c = binary_counts(a, b)
    >>> c.both.tolist(), c.only_a.tolist(), c.only_b.tolist(), c.neither.tolist()
    ([1, 1], [1, 0], [0, 1], [1, 1])
    """
    left, right = _as_binary_matrix(a, "a"), _as_binary_matrix(b, "b")
    if left.shape != right.shape:
        raise AgreementError(
            f"a and b must cover the same units and codes; received shapes {describe_shape(left)} and "
            f"{describe_shape(right)}"
        )
    units, codes = left.shape
    if chunk_rows is None:
        chunk_rows = min(_MAX_CHUNK_ROWS, max(256, _CHUNK_BYTES // max(codes, 1)))
    if not 0 < chunk_rows <= _MAX_CHUNK_ROWS:
        raise AgreementError(f"chunk_rows must be between 1 and {_MAX_CHUNK_ROWS}; received {chunk_rows}")
    applied_a, applied_b, both = (np.zeros(codes, dtype=np.int64) for _ in range(3))
    for start in range(0, units, chunk_rows):
        part_a = left[start : start + chunk_rows].view(np.uint8)
        part_b = right[start : start + chunk_rows].view(np.uint8)
        # Narrow accumulators vectorise far better than int64 over a bool matrix.
        applied_a += np.add.reduce(part_a, axis=0, dtype=np.uint16)
        applied_b += np.add.reduce(part_b, axis=0, dtype=np.uint16)
        both += np.add.reduce(part_a & part_b, axis=0, dtype=np.uint16)
    only_a, only_b = applied_a - both, applied_b - both
    return BinaryCounts(both, only_a, only_b, units - both - only_a - only_b)


@dataclass(frozen=True)
class PerCodeAgreement:
    """Agreement statistics for each code (arrays of shape (codes,)).

    Undefined entries are NaN *and* carry a reason in the matching ``*_reason`` array
    (None where defined); :meth:`row` turns them into None + reason.
    """

    codes: tuple[Any, ...]
    counts: BinaryCounts
    confidence: float
    percent_agreement: np.ndarray
    kappa: np.ndarray
    kappa_se: np.ndarray
    kappa_ci_low: np.ndarray
    kappa_ci_high: np.ndarray
    kappa_se0: np.ndarray
    kappa_z: np.ndarray
    kappa_p: np.ndarray
    pabak: np.ndarray
    prevalence_index: np.ndarray
    bias_index: np.ndarray
    alpha: np.ndarray
    ac1: np.ndarray
    kappa_reason: np.ndarray
    alpha_reason: np.ndarray
    test_reason: np.ndarray
    table_reason: np.ndarray
    _stack: Any = field(repr=False, compare=False, default=None)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def unused(self) -> np.ndarray:
        """True for codes neither coder applied (kappa and alpha are undefined there)."""
        return (self.counts.both + self.counts.only_a + self.counts.only_b) == 0

    @property
    def kappa_defined(self) -> np.ndarray:
        return np.equal(self.kappa_reason, None)  # type: ignore[call-overload]  # elementwise "is None" over an object array

    def kappa_result(self, index: int) -> KappaResult:
        """Code ``index``'s kappa as a :class:`KappaResult`."""
        reason = self.kappa_reason[index] or ""
        return kappa_result(self._stack, index, confidence=self.confidence, reason=reason)

    def row(self, index: int) -> dict[str, Any]:
        """One code's counts and statistics; undefined values are None with a reason."""
        def value(array: np.ndarray, reason: np.ndarray) -> float | None:
            return None if reason[index] is not None else float(array[index])

        c = self.counts
        return {
            "code": self.codes[index],
            "both": int(c.both[index]), "only_a": int(c.only_a[index]),
            "only_b": int(c.only_b[index]), "neither": int(c.neither[index]),
            "percent_agreement": value(self.percent_agreement, self.table_reason),
            "kappa": value(self.kappa, self.kappa_reason),
            "kappa_se": value(self.kappa_se, self.kappa_reason),
            "kappa_ci_low": value(self.kappa_ci_low, self.kappa_reason),
            "kappa_ci_high": value(self.kappa_ci_high, self.kappa_reason),
            "kappa_z": value(self.kappa_z, self.test_reason),
            "kappa_p": value(self.kappa_p, self.test_reason),
            "pabak": value(self.pabak, self.table_reason),
            "prevalence_index": value(self.prevalence_index, self.table_reason),
            "bias_index": value(self.bias_index, self.table_reason),
            "alpha": value(self.alpha, self.alpha_reason),
            "ac1": value(self.ac1, self.table_reason),
            "kappa_reason": self.kappa_reason[index],
            "alpha_reason": self.alpha_reason[index],
            "test_reason": self.test_reason[index],
        }

    def rows(self) -> list[dict[str, Any]]:
        return [self.row(index) for index in range(len(self))]


def per_code_agreement(
    a: Any, b: Any, *, codes: Sequence[Any] | None = None, confidence: float = 0.95
) -> PerCodeAgreement:
    """Per-code agreement from two boolean unit x code matrices.

    See :func:`per_code_from_counts` for the statistics.

    Examples
    --------
    >>> a = np.array([[1, 0], [1, 0], [0, 0], [0, 0]], dtype=bool)
    >>> b = np.array([[1, 0], [0, 0], [0, 0], [0, 0]], dtype=bool)
    >>> result = per_code_agreement(a, b, codes=["funding", "training"])
    >>> round(float(result.kappa[0]), 3), result.kappa_reason[1]
    (0.5, 'neither coder applied the code, so chance agreement is 1 and the coefficient is 0/0')
    >>> result.row(1)["kappa"] is None, result.row(1)["pabak"]
    (True, 1.0)
    """
    counts = binary_counts(a, b)
    return _per_code(counts, codes, check_confidence(confidence))


def per_code_from_counts(
    both: Any, only_a: Any, only_b: Any, neither: Any, *,
    codes: Sequence[Any] | None = None, confidence: float = 0.95,
) -> PerCodeAgreement:
    """Per-code agreement from the four cell counts of each code's 2x2 table.

    Computes, vectorised over codes: percent agreement; Cohen's kappa with the
    Fleiss-Cohen-Everitt SE, Wald CI, SE under kappa = 0, z and two-sided p; PABAK
    (``2 po - 1``); Byrt's prevalence ``(both - neither) / n`` and bias
    ``(only_a - only_b) / n`` indices; Krippendorff's nominal alpha for two coders;
    Gwet's AC1. Kappa and alpha are undefined for a code neither coder applied, or one
    both applied to every unit; every statistic is undefined for a code with no units.

    Examples
    --------
    Wikipedia's 50 proposals as one code (both 20, only A 5, only B 10, neither 15):

    >>> r = per_code_from_counts([20], [5], [10], [15])
    >>> [round(float(x[0]), 4) for x in (r.kappa, r.pabak, r.prevalence_index, r.bias_index, r.ac1)]
    [0.4, 0.4, 0.1, -0.1, 0.4059]
    """
    cells = [as_counts(values, name=name, ndim=1) for values, name in
             ((both, "both"), (only_a, "only_a"), (only_b, "only_b"), (neither, "neither"))]
    if len({cell.shape for cell in cells}) != 1:
        raise AgreementError(
            "both, only_a, only_b and neither must have one count per code; received lengths "
            + ", ".join(str(cell.shape[0]) for cell in cells)
        )
    return _per_code(BinaryCounts(*cells), codes, check_confidence(confidence))


def _reasons(size: int, *conditions: tuple[np.ndarray, str]) -> np.ndarray:
    """An object array of reasons: the first condition that holds wins."""
    reasons = np.full(size, None, dtype=object)
    for mask, reason in reversed(conditions):
        reasons[mask] = reason
    return reasons


def _per_code(counts: BinaryCounts, codes: Sequence[Any] | None, confidence: float) -> PerCodeAgreement:
    size = counts.both.shape[0]
    names = tuple(range(size)) if codes is None else tuple(codes)
    if len(names) != size:
        raise AgreementError(f"codes must name each of the {size} codes; received {len(names)} names")
    n = counts.n.astype(float)
    stack = kappa_stack(counts.tables().astype(float))
    reasons = _undefined_reasons(counts, n, stack)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = (counts.both + counts.neither) / n
        kappa = _kappa_columns(stack, confidence, no_test=reasons["test"] != None)  # noqa: E711 (elementwise on an object array)
        alpha = np.where(reasons["kappa"] == None, _binary_alpha(counts, n), np.nan)  # noqa: E711 (elementwise)
        return PerCodeAgreement(
            codes=names, counts=counts, confidence=confidence,
            percent_agreement=agreement, **kappa,
            pabak=2.0 * agreement - 1.0,
            prevalence_index=(counts.both - counts.neither) / n,
            bias_index=(counts.only_a - counts.only_b) / n,
            alpha=alpha, ac1=_binary_ac1(counts, n, agreement),
            kappa_reason=reasons["kappa"], alpha_reason=reasons["kappa"].copy(),
            test_reason=reasons["test"], table_reason=reasons["table"], _stack=stack,
        )


def _undefined_reasons(counts: BinaryCounts, n: np.ndarray, stack: Any) -> dict[str, np.ndarray]:
    size = n.shape[0]
    empty = n == 0
    unused = (counts.both + counts.only_a + counts.only_b) == 0
    always = (counts.both == n) & ~empty
    no_test = ~stack.undefined & (stack.var0 * n <= 1e-12)
    undefined_kappa = ((empty, NO_UNITS), (unused, UNUSED), (always, ALWAYS))
    return {
        "table": _reasons(size, (empty, NO_UNITS)),
        "kappa": _reasons(size, *undefined_kappa),
        "test": _reasons(size, *undefined_kappa, (no_test, NO_TEST)),
    }


def _kappa_columns(stack: Any, confidence: float, no_test: np.ndarray) -> dict[str, np.ndarray]:
    se, se0 = np.sqrt(stack.var), np.sqrt(stack.var0)
    half_width = normal_quantile(confidence) * se
    z = np.where(no_test, np.nan, stack.value / se0)
    p = np.where(no_test, np.nan, _two_sided_p(np.nan_to_num(z)).astype(float))
    return {"kappa": stack.value, "kappa_se": se, "kappa_ci_low": stack.value - half_width,
            "kappa_ci_high": stack.value + half_width, "kappa_se0": se0, "kappa_z": z, "kappa_p": p}


def _binary_alpha(counts: BinaryCounts, n: np.ndarray) -> np.ndarray:
    """Nominal alpha for two coders and two values: 1 - (2n - 1)(b + c) / (n_1 n_0)."""
    disagree = (counts.only_a + counts.only_b).astype(float)
    applied = 2.0 * counts.both + disagree
    not_applied = 2.0 * counts.neither + disagree
    return 1.0 - (2.0 * n - 1.0) * disagree / (applied * not_applied)


def _binary_ac1(counts: BinaryCounts, n: np.ndarray, agreement: np.ndarray) -> np.ndarray:
    share = (2.0 * counts.both + counts.only_a + counts.only_b) / (2.0 * n)
    chance = 2.0 * share * (1.0 - share)
    return (agreement - chance) / (1.0 - chance)


def pooled_kappa(per_code: PerCodeAgreement | BinaryCounts, *, method: str = "de_vries") -> SummaryKappa:
    """One kappa over all codes' 2x2 tables.

    ``method="de_vries"`` (de Vries et al. 2008): ``(mean po - mean pe) / (1 - mean pe)``
    with each code's observed and chance agreement averaged over the codes that have
    units. ``method="summed_table"``: Cohen's kappa of the sum of the 2x2 tables (chance
    agreement from the pooled margins). The two agree on observed agreement when every
    code has the same units, but not on chance agreement.

    References
    ----------
    de Vries, H., Elliott, M. N., Kanouse, D. E., & Teleki, S. S. (2008). Using pooled
    kappa to summarize interrater agreement across many items. Field Methods, 20, 272-282.

    Examples
    --------
    >>> counts = per_code_from_counts([20, 0], [5, 1], [10, 0], [15, 49])
    >>> round(pooled_kappa(counts).value, 4)
    0.3846
    >>> round(pooled_kappa(counts, method="summed_table").value, 4)
    0.604
    """
    counts = per_code.counts if isinstance(per_code, PerCodeAgreement) else per_code
    n = counts.n.astype(float)
    used = n > 0
    if method not in ("de_vries", "summed_table"):
        raise AgreementError(f"method must be 'de_vries' or 'summed_table'; received {method!r}")
    if not used.any():
        return SummaryKappa(None, NO_UNITS, method=method, codes_excluded=int(n.size))
    if method == "de_vries":
        stack = kappa_stack(counts.tables()[used].astype(float))
        observed, expected = float(stack.observed.mean()), float(stack.expected.mean())
    else:
        stack = kappa_stack(counts.tables()[used].sum(axis=0, keepdims=True).astype(float))
        observed, expected = float(stack.observed[0]), float(stack.expected[0])
    summary: dict[str, Any] = {"method": method, "codes_used": int(used.sum()), "codes_excluded": int((~used).sum()),
               "observed": observed, "expected": expected}
    if 1.0 - expected <= 1e-12:
        return SummaryKappa(None, "no coder applied any code (or both applied every code to every unit)", **summary)
    return SummaryKappa((observed - expected) / (1.0 - expected), **summary)


def mean_kappa(per_code: PerCodeAgreement, *, weighting: str = "unweighted") -> SummaryKappa:
    """Mean of the per-code kappas that are defined.

    ``weighting="prevalence"`` weights each code by how often it was applied: the
    share of units coded with it, averaged over the two coders. Codes with undefined
    kappa are left out and counted in ``codes_excluded``.

    Examples
    --------
    >>> r = per_code_from_counts([20, 5, 0], [5, 0, 0], [10, 0, 0], [15, 45, 50])
    >>> m = mean_kappa(r)
    >>> round(m.value, 3), m.codes_used, m.codes_excluded
    (0.7, 2, 1)
    >>> round(mean_kappa(r, weighting="prevalence").value, 3)
    0.492
    """
    if weighting not in ("unweighted", "prevalence"):
        raise AgreementError(f"weighting must be 'unweighted' or 'prevalence'; received {weighting!r}")
    defined = per_code.kappa_defined
    used, excluded = int(defined.sum()), int((~defined).sum())
    if used == 0:
        return SummaryKappa(None, "no code has a defined kappa", method=weighting, codes_excluded=excluded)
    counts = per_code.counts
    if weighting == "unweighted":
        weights = np.ones(used)
    else:
        weights = ((2 * counts.both + counts.only_a + counts.only_b) / (2.0 * counts.n))[defined]
    value = float(np.average(per_code.kappa[defined], weights=weights))
    return SummaryKappa(value, method=weighting, codes_used=used, codes_excluded=excluded)
