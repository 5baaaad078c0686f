"""Honest evaluation of the rules, the learned model and the two combined.

Against a *reference* (a coder's codings, or a hand-coded gold CSV), at the unit of
a respondent turn: a prediction is a (turn, code) pair.

- ``rules``: the codebook's rules, role-scoped, most specific code kept, crowded
  turns focused on their topic (exactly what ``qualcode autocode`` stores). Rules
  are not trained, so every reference turn is a test turn.
- ``model``: cross-validated with GroupKFold by *transcript* (never by turn, which
  would let a transcript's own turns teach the model about it): each fold's model is
  fitted on the other transcripts' turns (codes with < ``min_positive`` positives
  there are not predicted; thresholds are chosen inside the training turns) and
  predicts its held-out turns.
- ``union``: a (turn, code) predicted by either.

Per code: TP/FP/FN, precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN);
a ratio whose denominator is 0 is *undefined* (None), never 0 or 1. Micro averages
pool the counts of all codes; macro averages are the mean over the codes for which
the measure is defined (the count is reported).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.coding import learn
from qualcode.coding.autocode.parallel import match_units
from qualcode.coding.autocode.runner import (
    TopicFocus,
    allowed_by_role,
    assign_codes,
    load_units,
    select_codes,
)
from qualcode.coding.learn import MIN_POSITIVE, LabelledTurn, coder_turns
from qualcode.errors import CodingError, NotFoundError, QualcodeError

if TYPE_CHECKING:
    from qualcode.project import Project

SYSTEMS = ("rules", "model", "union")
CSV_COLUMNS = ("transcript", "segment", "coder", "code")


@dataclass
class Reference:
    """The turns judged by the reference coder, with their codes."""

    name: str
    turns: list[LabelledTurn]


@dataclass(frozen=True)
class Scores:
    """One code's (or all codes', pooled) true positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class SystemResult:
    """One system's scores: per code, pooled (micro) and averaged (macro)."""

    name: str
    per_code: dict[str, Scores]
    predictions: int = 0
    turns: int = 0

    @property
    def micro(self) -> Scores:
        scores = self.per_code.values()
        return Scores(sum(s.tp for s in scores), sum(s.fp for s in scores), sum(s.fn for s in scores))

    def macro(self, measure: str) -> tuple[float | None, int]:
        values = [getattr(s, measure) for s in self.per_code.values()]
        defined = [v for v in values if v is not None]
        return (sum(defined) / len(defined) if defined else None), len(defined)

    def to_dict(self) -> dict[str, Any]:
        macro = {
            m: dict(zip(("value", "codes"), self.macro(m), strict=True)) for m in ("precision", "recall", "f1")
        }
        return {
            "micro": self.micro.to_dict(),
            "macro": macro,
            "codes_per_turn": self.predictions / self.turns if self.turns else None,
            "per_code": {c: s.to_dict() for c, s in sorted(self.per_code.items())},
        }


@dataclass(frozen=True)
class Evaluation:
    """What ``suggest evaluate`` measured (``to_dict()``: its ``--json``)."""

    reference: str
    turns: int
    transcripts: int
    folds: int
    min_positive: int
    systems: dict[str, SystemResult]
    reference_codes_per_turn: float
    notes: list[str] = field(default_factory=list)

    def codes(self) -> list[str]:
        found = {c for s in self.systems.values() for c in s.per_code}
        return sorted(found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "unit": "respondent turn",
            "turns": self.turns,
            "transcripts": self.transcripts,
            "folds": self.folds,
            "group": "transcript",
            "min_positive": self.min_positive,
            "reference_codes_per_turn": self.reference_codes_per_turn,
            "systems": {n: s.to_dict() for n, s in self.systems.items()},
            "notes": self.notes,
        }


# -- references ------------------------------------------------------------------


def reference_from_coder(project: Project, coder: str) -> Reference:
    """A coder's codings as reference: every respondent turn of the transcripts they coded."""
    turns = [t for t in coder_turns(project, coder) if t.in_coded_transcript]
    for turn in turns:
        turn.rejected = set()
    if not turns:
        raise NotFoundError(f"Coder '{coder}' has coded no transcript")
    return Reference(f"coder {coder}", turns)


def reference_from_csv(project: Project, path: Path, coder: str | None = None) -> Reference:
    """A hand-coded CSV (transcript,segment,coder,code) as reference.

    Every respondent turn of the transcripts named in the file is a reference turn;
    a row with an empty code records a turn judged to have no code. ``coder``
    keeps only that coder's rows.
    """
    rows = _read_reference_csv(path, coder)
    with project.read() as conn:
        units, _ = load_units(conn, sorted({r[1] for r in rows}))
    by_key = {(u.transcript_id, u.ordinal): u for u in units}
    labels: dict[tuple[str, int], set[str]] = {key: set() for key in by_key}
    for line, transcript_id, ordinal, code_id in rows:
        key = (transcript_id, ordinal)
        if key not in by_key:
            raise NotFoundError(
                f"segment {ordinal} of '{transcript_id}' is not a respondent turn", file=str(path), row=line
            )
        if code_id:
            _check_code(project, code_id, by_key[key].role, path, line)
            labels[key].add(code_id)
    turns = [
        LabelledTurn(
            u.transcript_id, u.ordinal, u.segment_id, u.role, u.text, labels[(u.transcript_id, u.ordinal)]
        )
        for u in units
    ]
    return Reference(f"{path.name}" + (f" (coder {coder})" if coder else ""), turns)


def _read_reference_csv(path: Path, coder: str | None) -> list[tuple[int, str, int, str]]:
    if not path.is_file():
        raise NotFoundError(f"Reference file {path} not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise QualcodeError(
                f"{path} lacks column(s) {', '.join(missing)}; columns must be {', '.join(CSV_COLUMNS)}",
                file=str(path),
                row=1,
            )
        rows = []
        for line, record in enumerate(reader, start=2):
            if coder is not None and record["coder"].strip() != coder:
                continue
            segment = record["segment"].strip()
            if not segment.isdigit():
                raise QualcodeError(
                    f"segment must be an ordinal (1, 2, ...), got '{segment}'", file=str(path), row=line
                )
            rows.append((line, record["transcript"].strip(), int(segment), record["code"].strip()))
    if not rows:
        raise NotFoundError(f"{path} has no rows" + (f" for coder '{coder}'" if coder else ""))
    return rows


def _check_code(project: Project, code_id: str, role: str, path: Path, line: int) -> None:
    try:
        project.codebook.check_applicable(code_id, role)
    except QualcodeError as error:
        raise CodingError(error.message, file=str(path), row=line, code=code_id) from None


# -- evaluation ------------------------------------------------------------------


def evaluate(
    project: Project,
    reference: Reference,
    *,
    folds: int = 5,
    min_positive: int | None = None,
    systems: tuple[str, ...] = SYSTEMS,
) -> Evaluation:
    """Precision, recall and F1 of rules, model (cross-validated by transcript) and union.

    ``systems`` chooses which of ``rules``, ``model``, ``union`` to report (the model
    is the slow one: the demo shows the rules alone).
    """
    unknown = [s for s in systems if s not in SYSTEMS]
    if unknown:
        raise QualcodeError(f"Unknown system {', '.join(unknown)}; systems: {', '.join(SYSTEMS)}")
    min_positive = MIN_POSITIVE if min_positive is None else min_positive
    turns = reference.turns
    truth = [t.codes for t in turns]
    notes: list[str] = []
    empty: list[set[str]] = [set() for _ in turns]
    rules = rule_predictions(project, turns) if {"rules", "union"} & set(systems) else empty
    model, used_folds = (
        model_predictions(project, turns, folds, min_positive, notes)
        if {"model", "union"} & set(systems)
        else (empty, 0)
    )
    predictions = {"rules": rules, "model": model, "union": [a | b for a, b in zip(rules, model, strict=True)]}
    results = {name: score(name, truth, predictions[name]) for name in SYSTEMS if name in systems}
    return Evaluation(
        reference.name,
        len(turns),
        len({t.transcript_id for t in turns}),
        used_folds,
        min_positive,
        results,
        sum(map(len, truth)) / len(turns) if turns else 0.0,
        notes,
    )


def rule_predictions(project: Project, turns: list[LabelledTurn]) -> list[set[str]]:
    """The codes ``autocode`` would assign to each turn (most specific, topic focus included)."""
    codebook = project.codebook
    focus = TopicFocus.from_project(project)
    selected = select_codes(codebook, None)
    allowed = allowed_by_role(codebook, selected, {t.role for t in turns})
    assign = partial(assign_codes_of, codebook, focus)
    return match_units(selected, [(t.text, t.role) for t in turns], allowed, processes=1, finish=assign)


def assign_codes_of(codebook, focus, matches) -> set[str]:
    """The ids of the codes :func:`~qualcode.coding.autocode.runner.assign_codes` gives a turn."""
    return {m.code_id for m in assign_codes(codebook, matches, focus)}


def model_predictions(
    project: Project, turns: list[LabelledTurn], folds: int, min_positive: int, notes: list[str]
) -> tuple[list[set[str]], int]:
    """Out-of-fold model predictions (GroupKFold by transcript) and the folds used."""
    from sklearn.model_selection import GroupKFold

    groups = [t.transcript_id for t in turns]
    splits = min(folds, len(set(groups)))
    predicted: list[set[str]] = [set() for _ in turns]
    if splits < 2:
        notes.append("model not evaluated: cross-validation by transcript needs at least 2 transcripts")
        return predicted, 0
    for train_rows, test_rows in GroupKFold(n_splits=splits).split(turns, groups=groups):
        train = [turns[i] for i in train_rows]
        test = [turns[i] for i in test_rows]
        try:
            model = learn.fit(train, project.codebook, min_positive)  # looked up here: benchmarks replace it
        except QualcodeError:
            continue
        for index, scores in zip(
            test_rows, model.probabilities([t.text for t in test], [t.role for t in test]), strict=True
        ):
            predicted[index] = model.decide(scores)
    return predicted, splits


def score(name: str, truth: list[set[str]], predicted: list[set[str]]) -> SystemResult:
    """Per-code TP/FP/FN of one system over the reference turns."""
    counts: dict[str, list[int]] = {}  # code -> [tp, fp, fn]
    for wanted, got in zip(truth, predicted, strict=True):
        for code_id in wanted | got:
            tally = counts.setdefault(code_id, [0, 0, 0])
            if code_id in wanted and code_id in got:
                tally[0] += 1
            elif code_id in got:
                tally[1] += 1
            else:
                tally[2] += 1
    per_code = {code_id: Scores(*tally) for code_id, tally in counts.items()}
    return SystemResult(name, per_code, sum(map(len, predicted)), len(truth))
