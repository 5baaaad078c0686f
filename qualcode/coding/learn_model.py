"""The learned suggestion model: its types, and storing and loading it (see :mod:`qualcode.coding.learn`).

A stored model is plain data (:mod:`qualcode.coding.model_io`, never pickle) in the
``models`` table, with the codebook hash it was trained under; it is *compatible* with
the current codebook when every code it predicts still exists, is codable and applies
to exactly the same roles. An incompatible model is refused (:class:`StaleModelError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from qualcode.coding.model_io import model_from_bytes, model_to_bytes
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.store import models as model_store

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook
    from qualcode.project import Project

MIN_POSITIVE = 5
REJECTED_WEIGHT = 3.0
DECISION_P = 0.5
STORE_MIN_P = 0.2  # stored model suggestions reach down to here, for uncertainty ordering
MODEL_NAME = "suggest"
MIN_DF_TURNS = 50



class Vectorizer(Protocol):
    """What a model needs of its fitted scikit-learn vectorizer (a FeatureUnion of TF-IDFs)."""

    def transform(self, texts: list[str]) -> Any: ...


class Classifier(Protocol):
    """What a model needs of a code's fitted scikit-learn classifier."""

    def predict_proba(self, features: Any) -> Any: ...


class StaleModelError(QualcodeError):
    """A stored model that no longer fits the codebook (a code gone or its roles changed)."""


@dataclass
class LabelledTurn:
    """A respondent turn with one coder's labels."""

    transcript_id: str
    ordinal: int
    segment_id: int
    role: str
    text: str
    codes: set[str] = field(default_factory=set)
    rejected: set[str] = field(default_factory=set)
    in_coded_transcript: bool = True  # False: known only through rejected suggestions


@dataclass
class Model:
    """A fitted model: shared vectorizer, one classifier and threshold per code, and what it knows."""

    vectorizer: Vectorizer
    classifiers: dict[str, Classifier]
    code_roles: dict[str, list[str]]
    report: dict
    thresholds: dict[str, float] = field(default_factory=dict)

    def threshold(self, code_id: str) -> float:
        return self.thresholds.get(code_id, DECISION_P)

    def decide(self, scores: dict[str, float]) -> set[str]:
        """The codes whose probability reaches their threshold."""
        return {c for c, p in scores.items() if p >= self.threshold(c)}

    def probabilities(self, texts: list[str], roles: list[str]) -> list[dict[str, float]]:
        """P(code | turn) for every trained code that applies to the turn's role."""
        if not texts:
            return []
        features = self.vectorizer.transform(texts)
        result: list[dict[str, float]] = [{} for _ in texts]
        for code_id, classifier in self.classifiers.items():
            allowed = set(self.code_roles[code_id])
            column = classifier.predict_proba(features)[:, 1]
            for row, (p, role) in enumerate(zip(column, roles, strict=True)):
                if role in allowed:
                    result[row][code_id] = float(p)
        return result


# -- storing and loading ---------------------------------------------------------


def save_model(project: Project, model: Model, coder: str, hashed_data: str) -> int:
    """Store the model (plain data, never pickle) with its codebook hash, data hash and report; returns its id."""
    import sklearn

    report = dict(model.report, coder=coder, code_roles=model.code_roles, sklearn=sklearn.__version__)

    payload = model_to_bytes(model.vectorizer, model.classifiers, model.code_roles, model.thresholds)
    with project.write() as conn:
        return model_store.insert_model(
            conn, name=MODEL_NAME, trained_from=coder, codebook_hash=project.codebook.hash,
            data_hash=hashed_data, payload=payload, report=report, created_at=datetime.now(UTC),
        )


@dataclass
class StoredModel:
    id: int
    coder: str
    codebook_hash: str
    data_hash: str
    created_at: datetime
    model: Model


def incompatibilities(code_roles: dict[str, list[str]], codebook: Codebook) -> list[str]:
    """Why a model predicting these codes (with these roles) does not fit ``codebook``."""
    problems = []
    for code_id, roles in sorted(code_roles.items()):
        if code_id not in codebook:
            problems.append(f"code '{code_id}' no longer exists")
            continue
        code = codebook.get(code_id)
        if not code.codable:
            problems.append(f"code '{code_id}' is now a grouping node")
        elif set(roles) != set(code.roles):
            problems.append(
                f"code '{code_id}' applied to {', '.join(sorted(roles))} and now applies to "
                f"{', '.join(sorted(code.roles))}"
            )
    return problems


def load_model(project: Project, *, check: bool = True) -> StoredModel:
    """The latest stored model; refused (StaleModelError) if the codebook changed incompatibly."""
    with project.read() as conn:
        row = model_store.latest_model(conn, MODEL_NAME)
    if row is None:
        raise NotFoundError("No trained model in this project; run 'qualcode suggest train --from CODER'")

    # Plain data only: the row may come from a shared folder or 'db copy --from'.
    vectorizer, classifiers, code_roles, thresholds = model_from_bytes(
        row.payload, label=f"model (id {row.id}, trained from {row.trained_from})"
    )
    model = Model(vectorizer, classifiers, code_roles, dict(row.report), thresholds)
    if check and row.codebook_hash != project.codebook.hash:
        problems = incompatibilities(model.code_roles, project.codebook)
        if problems:
            raise StaleModelError(
                f"The stored model (id {row.id}, trained from {row.trained_from}) no longer fits the "
                f"codebook: {'; '.join(problems)}. Retrain it: qualcode suggest train --from {row.trained_from}"
            )
    return StoredModel(row.id, row.trained_from, row.codebook_hash, row.data_hash, row.created_at, model)
