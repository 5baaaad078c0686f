"""Learned suggestions: a multi-label text model trained on one coder's codings.

The unit is a respondent turn. For every code with at least ``min_positive``
positive turns, a logistic regression (one-vs-rest, class-balanced) is fitted on
TF-IDF word 1-2-grams and character 3-5-grams of the turn text; codes with fewer
positives are reported and left to the rules. Training data for a coder:

- positives: turns the coder applied the code to;
- negatives: the other respondent turns of transcripts the coder has coded (a coder
  is assumed to code a transcript fully), restricted to the roles the code applies to;
- rejected suggestions (``suggestions.status = 'rejected'``, ``decided_by`` = the
  coder) are negatives for their code, weighted ``REJECTED_WEIGHT`` times a plain
  negative, in any transcript; a turn the coder also coded stays positive.

Each code's decision threshold is chosen on its training data alone: out-of-fold
probabilities from an inner GroupKFold by transcript (up to 3 folds), and the
threshold in 0.05..0.95 with the best F1 (ties: nearest 0.5). With a few dozen
positive turns the class-balanced probabilities rarely pass 0.5, so a fixed 0.5
threshold suggested almost nothing (docs/autocoding.md has the figures). Without
two transcripts to fold on, the threshold stays 0.5.

The fitted model is stored as plain data (:mod:`qualcode.coding.model_io`: vocabularies,
idf, coefficients, thresholds; never pickle) in the ``models`` table with the codebook hash, a hash
of the training data and a JSON report. A stored model is *compatible* with the
current codebook when every code it predicts still exists, is codable and applies
to exactly the same roles; definitions, names and rules may change freely. An
incompatible model is refused (:class:`StaleModelError`) until retrained.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.coding.autocode.runner import Proposal, load_units
from qualcode.coding.autocode.stored import replace_open
from qualcode.coding.learn_fit import (  # noqa: F401 (the fitting steps, importable from here)
    INNER_FOLDS,
    PARALLEL_MIN_TURNS,
    THRESHOLD_GRID,
    CodeRows,
    assemble_model,
    choose_threshold,
    default_processes,
    fit,
    fit_code,
    fit_codes,
    learnable_codes,
    make_vectorizer,
    new_classifier,
    training_rows,
    turn_features,
)
from qualcode.coding.learn_model import (  # noqa: F401 (the model's types and storage, importable from here)
    DECISION_P,
    MIN_DF_TURNS,
    MIN_POSITIVE,
    MODEL_NAME,
    REJECTED_WEIGHT,
    STORE_MIN_P,
    LabelledTurn,
    Model,
    StaleModelError,
    StoredModel,
    incompatibilities,
    load_model,
    save_model,
)
from qualcode.errors import NotFoundError
from qualcode.store import codings as coding_store
from qualcode.store import suggestions as suggestion_store
from qualcode.store.blind import open_samples
from qualcode.store.transcripts import transcript_ids

if TYPE_CHECKING:
    from qualcode.project import Project


# -- training data ---------------------------------------------------------------


def coder_turns(project: Project, coder: str) -> list[LabelledTurn]:
    """The coder's labelled turns (see the module docstring for what counts)."""
    with project.read() as conn:
        # Blind double-coding: nothing is learned from an open sample's transcripts, so
        # no model carries one coder's judgement there to another (qualcode.coding.blind).
        sealed = sorted({t for s in open_samples(conn) for t in s.transcripts})
        coded = coding_store.coded_units(conn, coder, excluding=sealed)
        rejected = suggestion_store.rejected_units(conn, coder, excluding=sealed)
        if not coded and not rejected:
            held = " outside open double-coding samples" if sealed else ""
            raise NotFoundError(f"Coder '{coder}' has no codings and no rejected suggestions{held} to learn from")
        coded_transcripts = sorted({t for t, _, _ in coded})
        extra = sorted({t for t, _, _ in rejected} - set(coded_transcripts))
        units, _ = load_units(conn, coded_transcripts + extra)
    turns = {}
    for unit in units:
        turns[unit.segment_id] = LabelledTurn(
            unit.transcript_id,
            unit.ordinal,
            unit.segment_id,
            unit.role,
            unit.text,
            in_coded_transcript=unit.transcript_id not in extra,
        )
    for _, segment_id, code_id in coded:
        if segment_id in turns:
            turns[segment_id].codes.add(code_id)
    for _, segment_id, code_id in rejected:
        if segment_id in turns:
            turns[segment_id].rejected.add(code_id)
    return [t for t in turns.values() if t.in_coded_transcript or t.rejected]


def data_hash(turns: list[LabelledTurn], min_positive: int) -> str:
    """sha256 of the training data: turn texts and labels, in a stable order."""
    digest = hashlib.sha256(f"min_positive={min_positive}\n".encode())
    for t in sorted(turns, key=lambda t: (t.transcript_id, t.ordinal)):
        text_hash = hashlib.sha256(t.text.encode("utf-8")).hexdigest()
        line = (
            f"{t.transcript_id}|{t.ordinal}|{text_hash}|{','.join(sorted(t.codes))}|{','.join(sorted(t.rejected))}"
        )
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


# -- the commands' twins ---------------------------------------------------------


@dataclass(frozen=True)
class CodeTraining:
    """One learned code: its training turns and chosen threshold."""

    positives: int
    negatives: int
    rejected: int  # rejected suggestions among the negatives
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {"positives": self.positives, "negatives": self.negatives, "rejected": self.rejected,
                "threshold": self.threshold}


@dataclass(frozen=True)
class TrainingReport:
    """What a model learned from (the report stored with it, as ``to_dict()``)."""

    turns: int
    transcripts: int
    trained_on: list[str]  # a blind coder sees the model's suggestions only outside these
    min_positive: int
    trained: dict[str, CodeTraining]
    too_few_examples: dict[str, int]  # code -> its positive turns, fewer than min_positive
    rejected_negatives: int

    @classmethod
    def from_dict(cls, report: dict[str, Any]) -> TrainingReport:
        """From the report :func:`~qualcode.coding.learn_fit.assemble_model` builds."""
        return cls(
            report["turns"], report["transcripts"], list(report["trained_on"]), report["min_positive"],
            {code: CodeTraining(**counts) for code, counts in report["trained"].items()},
            dict(report["too_few_examples"]), report["rejected_negatives"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {"turns": self.turns, "transcripts": self.transcripts, "trained_on": list(self.trained_on),
                "min_positive": self.min_positive,
                "trained": {code: counts.to_dict() for code, counts in self.trained.items()},
                "too_few_examples": dict(self.too_few_examples), "rejected_negatives": self.rejected_negatives}


@dataclass(frozen=True)
class TrainResult:
    """What ``suggest train`` stored (``to_dict()``: its ``--json``)."""

    model_id: int
    coder: str
    report: TrainingReport
    data_hash: str
    stored_suggestions: int

    def to_dict(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "coder": self.coder, "data_hash": self.data_hash,
                "stored_suggestions": self.stored_suggestions, "report": self.report.to_dict()}


def train(project: Project, coder: str, *, min_positive: int = MIN_POSITIVE, progress=None) -> TrainResult:
    """``suggest train``: fit on the coder's turns, store the model, refresh model suggestions.

    ``progress(done, 4)`` is called at each stage: read, fit, save, predict.
    """
    step = progress or (lambda done, total: None)
    step(0, 4)
    turns = coder_turns(project, coder)
    hashed = data_hash(turns, min_positive)
    step(1, 4)
    model = fit(turns, project.codebook, min_positive)
    step(2, 4)
    model_id = save_model(project, model, coder, hashed)
    step(3, 4)
    stored = predict_and_store(project)
    step(4, 4)
    return TrainResult(model_id, coder, TrainingReport.from_dict(model.report), hashed, stored)


def predict_and_store(project: Project, transcripts: list[str] | None = None) -> int:
    """Store open model suggestions (p >= STORE_MIN_P) for the respondent turns; returns the count."""
    stored = load_model(project)
    with project.read() as conn:
        chosen = transcripts or transcript_ids(conn)
        units, _ = load_units(conn, chosen)
    probabilities = stored.model.probabilities([u.text for u in units], [u.role for u in units])
    label = f"model {stored.id} from {stored.coder}"
    model = stored.model
    proposals = [
        Proposal(
            u.transcript_id,
            u.ordinal,
            u.segment_id,
            u.role,
            code_id,
            u.start,
            u.start + len(u.text),
            round(p, 4),
            {"model": label, "model_id": stored.id, "p": round(p, 4), "threshold": model.threshold(code_id)},
        )
        for u, scores in zip(units, probabilities, strict=True)
        for code_id, p in scores.items()
        if p >= min(STORE_MIN_P, model.threshold(code_id))
    ]
    with project.write() as conn:
        _, inserted, _ = replace_open(conn, "model", chosen, list(stored.model.classifiers), proposals)
    return inserted
