"""All agreement statistics in one namespace, and a registry of two-coder metrics.

The statistics live in focused modules (kappa, coefficients, many_raters, alpha,
per_code, labels); this module gathers them and defines ``TWO_CODER_METRICS``: each
name maps to a callable ``metric(a, b, categories=None)`` over two coders' label
vectors that returns an :class:`Estimate` or :class:`KappaResult`. Invariance tests run
over it, and callers can offer its names as choices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from qualcode.agreement._validation import check_label_pair
from qualcode.agreement.alpha import LEVELS, coincidence_matrix, krippendorff_alpha
from qualcode.agreement.coefficients import (
    bias_index,
    brennan_prediger,
    gwet_ac1,
    pabak,
    percent_agreement,
    prevalence_index,
    scotts_pi,
)
from qualcode.agreement.kappa import (
    WEIGHTINGS,
    agreement_weights,
    cohens_kappa,
    weighted_kappa,
)
from qualcode.agreement.labels import altman, landis_koch
from qualcode.agreement.many_raters import (
    brennan_prediger_raters,
    fleiss_kappa,
    gwet_ac1_raters,
)
from qualcode.agreement.per_code import (
    BinaryCounts,
    PerCodeAgreement,
    binary_counts,
    mean_kappa,
    per_code_agreement,
    per_code_from_counts,
    pooled_kappa,
)
from qualcode.agreement.results import Estimate, KappaResult, SummaryKappa
from qualcode.agreement.tables import crosstab, rating_counts
from qualcode.errors import AgreementError

Metric = Callable[..., Estimate | KappaResult]


def _on_table(statistic: Callable[[Any], Estimate | KappaResult]) -> Metric:
    def metric(a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any] | None = None) -> Estimate | KappaResult:
        table, _ = crosstab(a, b, categories)
        return statistic(table)

    metric.__name__ = statistic.__name__
    metric.__doc__ = f"{statistic.__name__} of two coders' labels (via crosstab)."
    return metric


def _weighted(weights: str) -> Metric:
    return _on_table(lambda table: weighted_kappa(table, weights))


def _alpha(level: str) -> Metric:
    def metric(a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any] | None = None) -> Estimate:
        # Unlike the table metrics, alpha accepts missing labels (None or NaN).
        return krippendorff_alpha(list(_same_length(a, b)), level=level, value_domain=categories)

    metric.__name__ = f"krippendorff_alpha_{level}"
    return metric


def _fleiss_two(a: Sequence[Any], b: Sequence[Any], categories: Sequence[Any] | None = None) -> KappaResult:
    left, right = check_label_pair(a, b)
    counts, _ = rating_counts(list(zip(left, right, strict=True)), categories)
    return fleiss_kappa(counts)


def _same_length(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    left, right = list(a), list(b)
    if len(left) != len(right):
        raise AgreementError(f"the two coders must rate the same units; received {len(left)} and {len(right)} labels")
    return left, right


TWO_CODER_METRICS: dict[str, Metric] = {
    "percent_agreement": _on_table(percent_agreement),
    "cohens_kappa": _on_table(cohens_kappa),
    "weighted_kappa_linear": _weighted("linear"),
    "weighted_kappa_quadratic": _weighted("quadratic"),
    "scotts_pi": _on_table(scotts_pi),
    "fleiss_kappa": _fleiss_two,
    "brennan_prediger": _on_table(brennan_prediger),
    "gwet_ac1": _on_table(gwet_ac1),
    "krippendorff_alpha_nominal": _alpha("nominal"),
    "krippendorff_alpha_ordinal": _alpha("ordinal"),
    "krippendorff_alpha_interval": _alpha("interval"),
    "krippendorff_alpha_ratio": _alpha("ratio"),
}
"""Two-coder metrics by name: ``metric(a, b, categories=None)``. Ordered metrics
(weighted kappa, ordinal alpha) take the category order from ``categories`` or sort the
labels; interval and ratio alpha need numeric labels."""

__all__ = [
    "LEVELS",
    "TWO_CODER_METRICS",
    "WEIGHTINGS",
    "BinaryCounts",
    "Estimate",
    "KappaResult",
    "PerCodeAgreement",
    "SummaryKappa",
    "agreement_weights",
    "altman",
    "bias_index",
    "binary_counts",
    "brennan_prediger",
    "brennan_prediger_raters",
    "cohens_kappa",
    "coincidence_matrix",
    "crosstab",
    "fleiss_kappa",
    "gwet_ac1",
    "gwet_ac1_raters",
    "krippendorff_alpha",
    "landis_koch",
    "mean_kappa",
    "pabak",
    "per_code_agreement",
    "per_code_from_counts",
    "percent_agreement",
    "pooled_kappa",
    "prevalence_index",
    "rating_counts",
    "scotts_pi",
    "weighted_kappa",
]
