"""Result types of the agreement statistics.

A coefficient that cannot be computed (0/0: a code neither coder used, a single
category, no expected disagreement) is returned *undefined with a reason*, never as a
silent 0, 1 or NaN. ``float()`` of an undefined result raises, so it cannot slip into a
mean unnoticed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from qualcode.errors import AgreementError

_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Estimate:
    """A coefficient value, or the reason it is undefined.

    Attributes
    ----------
    value : float or None
        The coefficient; ``None`` exactly when it is undefined.
    reason : str or None
        Why the value is undefined; ``None`` when it is defined.
    """

    value: float | None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("an Estimate has either a value or a reason, not both or neither")

    @classmethod
    def undefined(cls, reason: str) -> Estimate:
        """An undefined estimate that says why."""
        return cls(None, reason)

    @property
    def defined(self) -> bool:
        """True when the coefficient has a value."""
        return self.value is not None

    def __float__(self) -> float:
        if self.value is None:
            raise AgreementError(f"the coefficient is undefined: {self.reason}")
        return float(self.value)

    def __str__(self) -> str:
        return f"{self.value:.3f}" if self.value is not None else f"undefined ({self.reason})"


@dataclass(frozen=True)
class SummaryKappa(Estimate):
    """A kappa summarised over many codes (pooled or mean), with how it was formed.

    Attributes
    ----------
    method : str
        ``"de_vries"``, ``"summed_table"``, ``"unweighted"`` or ``"prevalence"``.
    codes_used : int
        Codes that entered the summary.
    codes_excluded : int
        Codes left out because their own kappa (or table) is undefined.
    observed, expected : float or None
        Pooled observed and chance agreement (pooled kappa only).
    """

    method: str = ""
    codes_used: int = 0
    codes_excluded: int = 0
    observed: float | None = None
    expected: float | None = None


@dataclass(frozen=True)
class KappaResult:
    """A kappa-type coefficient with its asymptotic inference.

    Attributes
    ----------
    value : float or None
        The coefficient; ``None`` when undefined (see ``reason``).
    se : float or None
        Asymptotic standard error (Fleiss, Cohen & Everitt 1969), used for the CI.
    ci_low, ci_high : float or None
        ``value -/+ z * se`` at level ``confidence`` (Wald interval, not clipped).
    se0 : float or None
        Standard error under the null hypothesis kappa = 0, used for ``z`` and ``p``.
    z, p : float or None
        ``value / se0`` and its two-sided normal p-value; ``None`` with a
        ``test_reason`` when the null variance is 0.
    observed, expected : float or None
        Observed and chance-expected (weighted) agreement proportions.
    maximum : float or None
        Largest kappa the observed marginals allow (unweighted kappa only).
    n : float
        Number of units (the table total).
    confidence : float
        Level of the confidence interval.
    reason, test_reason : str or None
        Why ``value`` (or ``z``/``p``) is undefined.
    """

    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    se0: float | None = None
    z: float | None = None
    p: float | None = None
    observed: float | None = None
    expected: float | None = None
    maximum: float | None = None
    n: float = 0.0
    confidence: float = 0.95
    reason: str | None = None
    test_reason: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a KappaResult has either a value or a reason, not both or neither")

    @property
    def defined(self) -> bool:
        """True when the coefficient has a value."""
        return self.value is not None

    @property
    def estimate(self) -> Estimate:
        """The coefficient alone, as an :class:`Estimate`."""
        return Estimate(self.value, self.reason)

    def __float__(self) -> float:
        return float(self.estimate)

    def __str__(self) -> str:
        if self.value is None:
            return f"undefined ({self.reason})"
        if self.se is None or self.ci_low is None:
            return f"{self.value:.3f}"
        percent = f"{self.confidence * 100:g}%"
        return f"{self.value:.3f} (SE {self.se:.3f}, {percent} CI {self.ci_low:.3f} to {self.ci_high:.3f})"


def normal_quantile(confidence: float) -> float:
    """Two-sided critical value of the standard normal for a confidence level.

    >>> round(normal_quantile(0.95), 6)
    1.959964
    """
    if not 0.0 < confidence < 1.0:
        raise AgreementError(f"confidence must be between 0 and 1 (exclusive); received {confidence!r}")
    return _STANDARD_NORMAL.inv_cdf(0.5 + confidence / 2.0)


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard-normal test statistic.

    >>> round(two_sided_p(1.959964), 4)
    0.05
    """
    return math.erfc(abs(z) / math.sqrt(2.0))
