"""Landis-Koch and Altman labels."""

from __future__ import annotations

import pytest

from qualcode.agreement import Estimate, altman, cohens_kappa, landis_koch
from qualcode.errors import AgreementError


@pytest.mark.parametrize(
    ("value", "landis", "alt"),
    [(-0.5, "poor", "poor"), (0.0, "slight", "poor"), (0.2, "slight", "poor"), (0.21, "fair", "fair"),
     (0.4, "fair", "fair"), (0.4 + 1e-12, "fair", "fair"), (0.41, "moderate", "moderate"),
     (0.6, "moderate", "moderate"), (0.61, "substantial", "good"), (0.8, "substantial", "good"),
     (0.81, "almost perfect", "very good"), (1.0, "almost perfect", "very good")],
)
def test_bands(value: float, landis: str, alt: str) -> None:
    assert (landis_koch(value), altman(value)) == (landis, alt)


def test_results_and_undefined() -> None:
    assert landis_koch(cohens_kappa([[20, 5], [10, 15]])) == "fair"
    assert altman(Estimate.undefined("no units")) == "undefined"
    assert landis_koch(cohens_kappa([[0, 0], [0, 3]])) == "undefined"
    assert landis_koch(None) == "undefined"


@pytest.mark.parametrize("bad", [float("nan"), 1.5, "high"])
def test_rejects_non_kappa_values(bad) -> None:
    with pytest.raises(AgreementError):
        landis_koch(bad)
