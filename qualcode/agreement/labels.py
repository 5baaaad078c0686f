"""Verbal benchmarks for kappa-type values (Landis & Koch 1977; Altman 1991).

The bands are conventions, not tests; report the value (and its CI) with the label.
Each band includes its upper bound, so 0.40 is "fair" and 0.41 "moderate".
"""

from __future__ import annotations

from typing import Any

from qualcode.agreement.results import Estimate, KappaResult
from qualcode.errors import AgreementError

UNDEFINED = "undefined"
# Float noise must not push 0.4 (computed as 0.40000000000000002) into the next band.
_SLACK = 1e-9

LANDIS_KOCH = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"), (1.00, "almost perfect"))
ALTMAN = ((0.20, "poor"), (0.40, "fair"), (0.60, "moderate"), (0.80, "good"), (1.00, "very good"))


def _value(estimate: Any) -> float | None:
    if estimate is None:
        return None
    if isinstance(estimate, Estimate | KappaResult):
        return estimate.value
    try:
        value = float(estimate)
    except (TypeError, ValueError) as exc:
        raise AgreementError(f"a label needs a number or an Estimate; received {estimate!r}") from exc
    if value != value:
        raise AgreementError("a label needs a number; received NaN (pass the Estimate to keep its reason)")
    if not -1.0 - _SLACK <= value <= 1.0 + _SLACK:
        raise AgreementError(f"kappa-type values lie between -1 and 1; received {value:g}")
    return value


def _band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    for upper, label in bands:
        if value <= upper + _SLACK:
            return label
    return bands[-1][1]


def landis_koch(estimate: Any) -> str:
    """Landis & Koch (1977) strength of agreement.

    < 0 poor, 0-0.20 slight, 0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 substantial,
    0.81-1 almost perfect; ``"undefined"`` for an undefined estimate.

    Examples
    --------
    >>> [landis_koch(v) for v in (-0.1, 0.0, 0.2, 0.4, 0.41, 0.75, 0.9)]
    ['poor', 'slight', 'slight', 'fair', 'moderate', 'substantial', 'almost perfect']
    >>> landis_koch(Estimate.undefined("neither coder applied the code"))
    'undefined'
    """
    value = _value(estimate)
    if value is None:
        return UNDEFINED
    return "poor" if value < 0 else _band(value, LANDIS_KOCH)


def altman(estimate: Any) -> str:
    """Altman (1991) strength of agreement.

    <= 0.20 poor, 0.21-0.40 fair, 0.41-0.60 moderate, 0.61-0.80 good, 0.81-1 very good.

    Examples
    --------
    >>> [altman(v) for v in (-0.3, 0.2, 0.3, 0.5, 0.7, 0.81)]
    ['poor', 'poor', 'fair', 'moderate', 'good', 'very good']
    """
    value = _value(estimate)
    if value is None:
        return UNDEFINED
    return _band(value, ALTMAN)
