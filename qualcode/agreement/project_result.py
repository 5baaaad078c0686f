"""The typed result of :func:`qualcode.agreement.project.project_agreement`.

``to_dict()`` is the JSON of ``qualcode agreement --json`` (key order included). The
result also reads like that dict (``result["codes"]``, ``result.get("unit")``), for
callers written against the JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CodeAgreement:
    """One code's 2x2 counts and coefficients; undefined values are None with a ``reason``."""

    code: str
    name: str | None
    units: int
    both: int
    only_a: int
    only_b: int
    neither: int
    percent_agreement: float | None
    kappa: float | None
    kappa_ci: tuple[float, float] | None
    kappa_se: float | None
    pabak: float | None
    prevalence_index: float | None
    bias_index: float | None
    alpha: float | None
    ac1: float | None
    label: str
    defined: bool
    reason: str | None
    coded_units: int  # units either coder applied the code to
    too_few_units: bool
    bootstrap_replicates_defined: int | None = None  # bootstrap CIs only

    def to_dict(self) -> dict[str, Any]:
        row = {
            "code": self.code, "name": self.name, "units": self.units, "both": self.both, "only_a": self.only_a,
            "only_b": self.only_b, "neither": self.neither, "percent_agreement": self.percent_agreement,
            "kappa": self.kappa, "kappa_ci": list(self.kappa_ci) if self.kappa_ci is not None else None,
            "kappa_se": self.kappa_se, "pabak": self.pabak, "prevalence_index": self.prevalence_index,
            "bias_index": self.bias_index, "alpha": self.alpha, "ac1": self.ac1, "label": self.label,
            "defined": self.defined, "reason": self.reason,
        }
        if self.bootstrap_replicates_defined is not None:
            row["bootstrap_replicates_defined"] = self.bootstrap_replicates_defined
        return {**row, "coded_units": self.coded_units, "too_few_units": self.too_few_units}


@dataclass(frozen=True)
class OverallEstimate:
    """A summary kappa over the codes, with how it was computed and how many codes it used."""

    value: float | None
    method: str
    codes_used: int
    codes_excluded: int
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "method": self.method, "codes_used": self.codes_used,
                "codes_excluded": self.codes_excluded, "reason": self.reason}


@dataclass(frozen=True)
class AgreementSummary:
    """The figures over all codes: pooled and mean kappas, and the codes below ``min_kappa``."""

    pooled: OverallEstimate
    mean: OverallEstimate
    weighted_mean: OverallEstimate
    min_kappa: float
    codes_defined: int
    below_min_kappa: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "pooled_kappa": self.pooled.value, "mean_kappa": self.mean.value,
            "weighted_mean_kappa": self.weighted_mean.value,
            "overall": {"pooled_kappa": self.pooled.to_dict(), "mean_kappa": self.mean.to_dict(),
                        "weighted_mean_kappa": self.weighted_mean.to_dict()},
            "min_kappa": self.min_kappa, "codes_defined": self.codes_defined,
            "below_min_kappa": list(self.below_min_kappa), "below_min_kappa_count": len(self.below_min_kappa),
        }


@dataclass(frozen=True)
class TranscriptAgreement:
    """One transcript's per-code table and summary (``--by-transcript``)."""

    transcript: str
    role: str
    units: int
    codes: tuple[CodeAgreement, ...]
    summary: AgreementSummary

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "role": self.role, "units": self.units,
                "codes": [row.to_dict() for row in self.codes], **self.summary.to_dict()}


@dataclass(frozen=True)
class IntervalSettings:
    """How the kappa intervals were computed."""

    method: str  # asymptotic or bootstrap
    confidence: float
    replicates: int | None = None  # bootstrap only, as are seed and resample
    seed: int | None = None
    resample: str | None = None

    def to_dict(self) -> dict[str, Any]:
        extra = ({"replicates": self.replicates, "seed": self.seed, "resample": self.resample}
                 if self.method == "bootstrap" else {})
        return {"method": self.method, "confidence": self.confidence, **extra}


@dataclass(frozen=True)
class AgreementResult:
    """Per-code agreement of two coders on a project (``qualcode agreement``)."""

    unit: str
    coders: tuple[str, str]
    sample: str | None
    transcripts: tuple[str, ...]
    units: int
    codes_filter: str | None
    rollup: bool
    characters: str | None  # character units only
    ci: IntervalSettings
    codes: tuple[CodeAgreement, ...]
    summary: AgreementSummary
    warnings: tuple[str, ...]
    min_units: int
    by_transcript: tuple[TranscriptAgreement, ...] | None = None  # --by-transcript only

    @property
    def undefined(self) -> list[CodeAgreement]:
        """The codes whose kappa is undefined (each with its reason)."""
        return [row for row in self.codes if not row.defined]

    @property
    def too_few_units(self) -> list[str]:
        """Codes with a defined kappa applied in fewer than ``min_units`` units."""
        return [row.code for row in self.codes if row.defined and row.too_few_units]

    def to_dict(self) -> dict[str, Any]:
        result = {
            "unit": self.unit, "coders": list(self.coders), "sample": self.sample,
            "transcripts": list(self.transcripts), "units": self.units, "codes_filter": self.codes_filter,
            "rollup": self.rollup, **({"characters": self.characters} if self.unit == "character" else {}),
            "ci": self.ci.to_dict(), "codes": [row.to_dict() for row in self.codes],
            "undefined": [{"code": row.code, "reason": row.reason} for row in self.undefined],
            **self.summary.to_dict(), "warnings": list(self.warnings), "min_units": self.min_units,
            "too_few_units": self.too_few_units,
        }
        if self.by_transcript is not None:
            result["by_transcript"] = [row.to_dict() for row in self.by_transcript]
        return result
