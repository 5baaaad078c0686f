"""Estimate / KappaResult: defined-or-reason invariants."""

from __future__ import annotations

import pytest

from qualcode.agreement import Estimate, KappaResult
from qualcode.agreement.results import normal_quantile, two_sided_p
from qualcode.errors import AgreementError


def test_estimate_is_value_or_reason() -> None:
    assert Estimate(0.5).defined and float(Estimate(0.5)) == 0.5
    undefined = Estimate.undefined("neither coder applied the code")
    assert not undefined.defined and undefined.value is None
    assert str(undefined) == "undefined (neither coder applied the code)"
    with pytest.raises(ValueError):
        Estimate(None)
    with pytest.raises(ValueError):
        Estimate(0.3, "both")


def test_float_of_undefined_raises_with_reason() -> None:
    with pytest.raises(AgreementError, match="undefined: no units"):
        float(Estimate.undefined("no units"))


def test_kappa_result_string_and_estimate() -> None:
    result = KappaResult(0.5, se=0.1, ci_low=0.3, ci_high=0.7, n=10)
    assert str(result) == "0.500 (SE 0.100, 95% CI 0.300 to 0.700)"
    assert result.estimate == Estimate(0.5)
    with pytest.raises(ValueError):
        KappaResult(None)


def test_normal_helpers() -> None:
    assert normal_quantile(0.95) == pytest.approx(1.959963985, abs=1e-9)
    assert two_sided_p(0.0) == 1.0 and two_sided_p(-1.96) == pytest.approx(0.05, abs=1e-4)
    with pytest.raises(AgreementError):
        normal_quantile(1.0)
