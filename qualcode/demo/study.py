"""The example study's coding: the autocoder's first pass, the double-coded sample, and
the design that says whose codings count.

The example ships hand codings by two fictional coders, alice and bob, for the
double-coding sample only (transcripts/double-coding/, 4 of the 34 transcripts; see
its README). :func:`design_step` assigns them as the sample's primary coders (each
the second coder of the other's transcripts), so tallies, quote sets and the report
count people; the other 30 transcripts have no hand codings, and the analysis set's
coverage says so rather than filling them with the autocoder's first pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.agreement.project import project_agreement
from qualcode.agreement.project_result import AgreementResult
from qualcode.agreement.sampling import create_sample, get_sample
from qualcode.analysis.analysis_set import AnalysisSet, analysis_set
from qualcode.analysis.assignments import assign
from qualcode.coding.autocode import autocode
from qualcode.coding.blind import Viewer, close_sample, lead_of
from qualcode.coding.evaluate import (
    evaluate,
    reference_from_coder,
    reference_from_csv,
)
from qualcode.demo.example import checkout_root
from qualcode.errors import AgreementError, NotFoundError, QualcodeError
from qualcode.interop.spreadsheets import import_codings, read_rows
from qualcode.project import Project
from qualcode.store.blind import sample_closure

MACHINE_CODER = "autocoder"  # the keyword rules' first pass: counted only when named
DEMO_SAMPLE = "double-coding"
DEMO_CODERS = ("alice", "bob")
DEMO_SEED = 2026
DEMO_FRACTION = 0.10
GOLD = Path("tests") / "data" / "gold" / "ecm_gold.csv"


@dataclass(frozen=True)
class AutocodeStep:
    """The rules' first pass over every transcript and, when a reference exists, their evaluation."""

    result: Any  # coding.autocode.AutocodeResult
    reference: str | None
    evaluation: Any = None  # coding.evaluate.Evaluation

    def to_dict(self) -> dict[str, Any]:
        return {"coder": MACHINE_CODER, "turns": len(self.result.units), "codings_added": self.result.codings_added,
                "reference": self.reference,
                "evaluation": {n: r.to_dict() for n, r in self.evaluation.systems.items()} if self.evaluation else None}


def autocode_step(project: Project) -> AutocodeStep:
    """Autocode the study as ``autocoder``, then evaluate the rules against a hand-coded
    reference: coder alice if she has codings, else the checkout's gold set."""
    result = autocode(project, as_coder=MACHINE_CODER)
    reference = _reference(project)
    if reference is None:
        return AutocodeStep(result, None)
    return AutocodeStep(result, reference.name, evaluate(project, reference, systems=("rules",)))


def _reference(project: Project):
    try:
        return reference_from_coder(project, "alice")
    except QualcodeError:
        pass
    gold = checkout_root() / GOLD
    return reference_from_csv(project, gold) if gold.is_file() else None


@dataclass(frozen=True)
class LoadedFile:
    name: str
    rows: int
    coders: tuple[str, ...]


@dataclass(frozen=True)
class DoubleCodingStep:
    """The sample, the hand codings loaded for it, who closed it, and the agreement."""

    sample: Any  # agreement.sampling.Sample
    loaded: tuple[LoadedFile, ...]
    closed_by: str | None  # the lead, when this step closed the sample
    agreement: AgreementResult

    def to_dict(self) -> dict[str, Any]:
        return {"sample": DEMO_SAMPLE, "transcripts": list(self.sample.transcript_ids),
                "loaded": [vars(f) | {"coders": list(f.coders)} for f in self.loaded],
                "closed_by": self.closed_by, "agreement": self.agreement.to_dict()}


def double_coding_step(project: Project) -> DoubleCodingStep:
    """Draw the example's 10 % sample, load alice's and bob's codings, close it, measure agreement.

    Fails loudly (:func:`check_demo_codings`) when the sample no longer matches the
    transcripts the CSVs were coded on.
    """
    try:
        sample = get_sample(project, DEMO_SAMPLE)
    except NotFoundError:
        sample = create_sample(project, DEMO_SAMPLE, fraction=DEMO_FRACTION, coders=DEMO_CODERS,
                               stratify=("role",), seed=DEMO_SEED, min_per_stratum=1)
    files = [project.root / "transcripts" / "double-coding" / f"{coder}.csv" for coder in DEMO_CODERS]
    check_demo_codings(files, sample.transcript_ids)
    loaded = []
    for path in files:
        summary = import_codings(project, path)
        loaded.append(LoadedFile(path.name, summary.rows, tuple(summary.by_coder)))
    closed_by = _close(project)
    return DoubleCodingStep(sample, tuple(loaded), closed_by,
                            project_agreement(project, DEMO_CODERS, sample=DEMO_SAMPLE))


def _close(project: Project) -> str | None:
    """Both coders are done: the example's lead (qualcode.toml) closes the sample, ending blind coding."""
    with project.read() as conn:
        closed_at, _ = sample_closure(conn, DEMO_SAMPLE)
    lead = lead_of(project)
    if closed_at is None and lead is not None:
        close_sample(project, DEMO_SAMPLE, Viewer(lead, lead=True))
        return lead
    return None


def check_demo_codings(files: list[Path], sampled: list[str]) -> None:
    """Refuse CSVs coded on other transcripts than the sample (the transcript set changed)."""
    for path in files:
        _, rows = read_rows(path)
        coded = {row.get("transcript", "") for _, row in rows}
        outside, uncoded = sorted(coded - set(sampled)), sorted(set(sampled) - coded)
        if outside or uncoded:
            raise AgreementError(
                f"{path.name} was hand-coded for another sample: it codes {', '.join(outside) or 'nothing else'} "
                f"outside the sample and leaves {', '.join(uncoded) or 'nothing'} of it uncoded. The seed-"
                f"{DEMO_SEED} sample is now {', '.join(sampled)}; the example transcripts changed, so the "
                "double-coding CSVs must be coded again for the new sample", file=str(path))


@dataclass(frozen=True)
class DesignStep:
    """Who codes what (primary coder first, then the reliability coder), and the
    analysis set that follows from it."""

    assignments: tuple[tuple[str, tuple[str, ...]], ...]  # (transcript, its coders, primary first)
    analysis: AnalysisSet

    @property
    def hand_coded(self) -> list[str]:
        return [t for t, _ in self.assignments]

    def to_dict(self) -> dict[str, Any]:
        return {"assignments": {t: list(c) for t, c in self.assignments}, "analysis_set": self.analysis.to_dict()}


def design_step(project: Project, sample: Any) -> DesignStep:
    """Assign the sample's transcripts to alice and bob in turn as primary coder, the
    other as second coder; every other transcript stays unassigned (no hand codings)."""
    ordered = sorted(sample.transcript_ids)
    primary = {t: DEMO_CODERS[i % 2] for i, t in enumerate(ordered)}
    for coder in DEMO_CODERS:  # primaries first: the first coder assigned is the primary
        assign(project, coder, [t for t in ordered if primary[t] == coder])
    for coder in DEMO_CODERS:
        assign(project, coder, [t for t in ordered if primary[t] != coder])
    second = {coder: other for coder, other in (DEMO_CODERS, DEMO_CODERS[::-1])}
    rows = tuple((t, (primary[t], second[primary[t]])) for t in ordered)
    return DesignStep(rows, analysis_set(project))
