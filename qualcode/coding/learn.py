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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, QualcodeError

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook
    from qualcode.project import Project

MIN_POSITIVE = 5
REJECTED_WEIGHT = 3.0
DECISION_P = 0.5
STORE_MIN_P = 0.2  # stored model suggestions reach down to here, for uncertainty ordering
MODEL_NAME = "suggest"
MIN_DF_TURNS = 50


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

    vectorizer: Any  # scikit-learn ships no types
    classifiers: dict[str, Any]
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


# -- training data ---------------------------------------------------------------


def coder_turns(project: Project, coder: str) -> list[LabelledTurn]:
    """The coder's labelled turns (see the module docstring for what counts)."""
    from sqlalchemy import select

    from qualcode.coding.autocode.runner import load_units
    from qualcode.store.blind import open_samples
    from qualcode.store.schema import codings, suggestions

    with project.read() as conn:
        # Blind double-coding: nothing is learned from an open sample's transcripts, so
        # no model carries one coder's judgement there to another (qualcode.coding.blind).
        sealed = sorted({t for s in open_samples(conn) for t in s.transcripts})
        coded = conn.execute(
            select(codings.c.transcript_id, codings.c.segment_id, codings.c.code_id).where(
                codings.c.coder == coder, codings.c.segment_id.is_not(None),
                codings.c.transcript_id.not_in(sealed),
            )
        ).all()
        rejected = conn.execute(
            select(suggestions.c.transcript_id, suggestions.c.segment_id, suggestions.c.code_id).where(
                suggestions.c.status == "rejected", suggestions.c.decided_by == coder,
                suggestions.c.transcript_id.not_in(sealed),
            )
        ).all()
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


def training_rows(
    turns: list[LabelledTurn], code_id: str, roles: frozenset[str]
) -> tuple[list[int], list[int], list[float]]:
    """Row indices, labels and weights of the turns that inform ``code_id``."""
    rows, labels, weights = [], [], []
    for index, turn in enumerate(turns):
        if turn.role not in roles:
            continue
        positive = code_id in turn.codes
        if not (turn.in_coded_transcript or code_id in turn.rejected):
            continue
        rows.append(index)
        labels.append(int(positive))
        weights.append(REJECTED_WEIGHT if (not positive and code_id in turn.rejected) else 1.0)
    return rows, labels, weights


# -- fitting ---------------------------------------------------------------------


def make_vectorizer(turns: int = 1000):
    """TF-IDF word 1-2-grams plus character 3-5-grams (within word boundaries).

    Features seen in only one turn are dropped once there are enough turns for that
    to matter (``MIN_DF_TURNS``); tiny training sets keep them all.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    min_df = 2 if turns >= MIN_DF_TURNS else 1
    return FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), min_df=min_df, sublinear_tf=True, strip_accents="unicode"),
            ),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=min_df, sublinear_tf=True)),
        ]
    )


CodeRows = tuple[str, list[int], list[int], list[float], list[str]]  # code, rows, labels, weights, transcripts
PARALLEL_MIN_TURNS = 100  # two processes fitted 100 turns in 0.55 s instead of 0.8 s; fewer: one

_inherited: tuple | None = None  # (features, codes) for forked workers


def fit(
    turns: list[LabelledTurn],
    codebook: Codebook,
    min_positive: int = MIN_POSITIVE,
    *,
    processes: int | None = None,
) -> Model:
    """Fit one classifier per code with at least ``min_positive`` positive turns.

    The codes are fitted on ``processes`` processes (default: :func:`default_processes`);
    the model does not depend on how many, since liblinear is seeded for every fit.
    """
    if not turns:
        raise QualcodeError("No labelled turns to train on")
    vectorizer = make_vectorizer(len(turns))
    features = turn_features(vectorizer, [t.text for t in turns])
    learnable, skipped = learnable_codes(turns, codebook, min_positive)
    processes = default_processes(len(turns)) if processes is None else processes
    fitted = fit_codes(features, learnable, processes)
    return assemble_model(vectorizer, turns, codebook, min_positive, (learnable, skipped), fitted)


def assemble_model(
    vectorizer,
    turns: list[LabelledTurn],
    codebook: Codebook,
    min_positive: int,
    codes: tuple[list[CodeRows], dict[str, int]],
    fitted: list[tuple[float, object]],
) -> Model:
    """The model and its report from the learnable codes (and skipped ones) and each one's (threshold, classifier)."""
    learnable, skipped = codes
    classifiers, code_roles, thresholds, trained = {}, {}, {}, {}
    for (code_id, _, labels, weights, _), (threshold, classifier) in zip(learnable, fitted, strict=True):
        classifiers[code_id], thresholds[code_id] = classifier, threshold
        code_roles[code_id] = sorted(codebook.get(code_id).roles)
        trained[code_id] = {
            "positives": sum(labels),
            "negatives": len(labels) - sum(labels),
            "rejected": sum(1 for w in weights if w != 1.0),
            "threshold": threshold,
        }
    report = {
        "turns": len(turns),
        "transcripts": len({t.transcript_id for t in turns}),
        # Which transcripts it learned from: a blind coder sees its suggestions only elsewhere.
        "trained_on": sorted({t.transcript_id for t in turns}),
        "min_positive": min_positive,
        "trained": trained,
        "too_few_examples": skipped,
        "rejected_negatives": sum(v["rejected"] for v in trained.values()),
    }
    return Model(vectorizer, classifiers, code_roles, report, thresholds)


def learnable_codes(
    turns: list[LabelledTurn], codebook: Codebook, min_positive: int
) -> tuple[list[CodeRows], dict[str, int]]:
    """The codes with enough positive turns, with their data; the others' positive counts."""
    learnable, skipped = [], {}
    for code in codebook.codes.values():
        if not code.codable:
            continue
        rows, labels, weights = training_rows(turns, code.id, code.roles)
        positives = sum(labels)
        if positives < min_positive or positives == len(labels):
            if positives:
                skipped[code.id] = positives
            continue
        learnable.append((code.id, rows, labels, weights, [turns[i].transcript_id for i in rows]))
    return learnable, skipped


def default_processes(turns: int) -> int:
    """Both cores (or as many as there are) for a large training set, one for a small one."""
    from qualcode.coding.autocode.parallel import usable_cores

    return 1 if turns < PARALLEL_MIN_TURNS else usable_cores()


def fit_codes(features, codes: list[CodeRows], processes: int) -> list[tuple[float, object]]:
    """Each code's threshold and classifier, on ``processes`` forked processes if more than one.

    The workers inherit the features (copy on write), so only code indices go out and
    only classifiers come back. Where processes cannot fork, the codes are fitted here:
    a spawned worker would first import scikit-learn and be sent the features.
    """
    import multiprocessing

    global _inherited
    if processes <= 1 or len(codes) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [fit_code(features, code) for code in codes]
    _inherited = (features, codes)
    try:
        with multiprocessing.get_context("fork").Pool(min(processes, len(codes))) as pool:
            return pool.map(_fit_inherited, range(len(codes)), chunksize=1)
    finally:
        _inherited = None


def _fit_inherited(index: int) -> tuple[float, object]:
    assert _inherited is not None, "set by fit_codes before the fork"
    features, codes = _inherited
    return fit_code(features, codes[index])


def fit_code(features, code: CodeRows) -> tuple[float, object]:
    """A code's threshold (inner cross-validation) and its classifier fitted on all its rows."""
    _, rows, labels, weights, groups = code
    selected = features[rows]
    threshold = choose_threshold(selected, labels, weights, groups)
    return threshold, new_classifier().fit(selected, labels, sample_weight=weights)


def turn_features(vectorizer, texts: list[str]):
    """Fit ``vectorizer`` on ``texts``; a CSR matrix whose column indices are sorted.

    Sorted once here because scikit-learn checks ``np.max(X)`` before every liblinear
    fit, and scipy sorts an unsorted row slice to take it: a third of each fit's time.
    """
    try:
        features = vectorizer.fit_transform(texts).tocsr()
    except ValueError as error:  # e.g. turns without a single word
        raise QualcodeError(f"Cannot build features from {len(texts)} turns: {error}") from None
    features.sort_indices()
    return features


def new_classifier():
    """Class-balanced L2 logistic regression, solved by liblinear in the dual.

    The dual has a variable per turn, the primal one per feature: with hundreds of
    turns and tens of thousands of n-grams, dual coordinate descent reaches the same
    optimum about twice as fast, and makes no BLAS calls (the primal's, on OpenBLAS
    threads, made fits several times slower on a busy machine). A fixed
    ``random_state`` makes the order it visits turns in, and so the model, reproducible.
    """
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear", dual=True, random_state=0
    )


THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))
INNER_FOLDS = 3


def choose_threshold(
    features, labels: list[int], weights: list[float], groups: list[str], make_classifier=None
) -> float:
    """The F1-best threshold on out-of-fold probabilities within the training data.

    ``make_classifier`` (default :func:`new_classifier`) lets a benchmark keep an older model.
    """
    import numpy as np
    from sklearn.model_selection import GroupKFold

    folds = min(INNER_FOLDS, len(set(groups)))
    if folds < 2:
        return DECISION_P
    y, w = np.asarray(labels), np.asarray(weights)
    out_of_fold = np.full(len(y), np.nan)
    for train, test in GroupKFold(n_splits=folds).split(y, groups=groups):
        if 0 < y[train].sum() < len(train):
            model = (make_classifier or new_classifier)().fit(features[train], y[train], sample_weight=w[train])
            out_of_fold[test] = model.predict_proba(features[test])[:, 1]
    known = ~np.isnan(out_of_fold)
    if not y[known].any():
        return DECISION_P
    return max(THRESHOLD_GRID, key=lambda t: (_f1(out_of_fold[known] >= t, y[known] == 1), -abs(t - DECISION_P)))


def _f1(predicted, actual) -> float:
    tp = int((predicted & actual).sum())
    wrong = int((predicted != actual).sum())
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


# -- storing and loading ---------------------------------------------------------


def save_model(project: Project, model: Model, coder: str, hashed_data: str) -> int:
    """Store the model (plain data, never pickle) with its codebook hash, data hash and report; returns its id."""
    import sklearn
    from sqlalchemy import insert

    from qualcode.store.schema import models

    report = dict(model.report, coder=coder, code_roles=model.code_roles, sklearn=sklearn.__version__)
    from qualcode.coding.model_io import model_to_bytes

    payload = model_to_bytes(model.vectorizer, model.classifiers, model.code_roles, model.thresholds)
    with project.write() as conn:
        result = conn.execute(
            insert(models).values(
                name=MODEL_NAME,
                trained_from=coder,
                codebook_hash=project.codebook.hash,
                data_hash=hashed_data,
                payload=payload,
                report=report,
                created_at=datetime.now(UTC),
            )
        )
        return result.inserted_primary_key[0]  # type: ignore[index]  # one row inserted: never None


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
    from sqlalchemy import select

    from qualcode.store.schema import models

    with project.read() as conn:
        row = conn.execute(
            select(models).where(models.c.name == MODEL_NAME).order_by(models.c.id.desc()).limit(1)
        ).first()
    if row is None:
        raise NotFoundError("No trained model in this project; run 'qualcode suggest train --from CODER'")
    from qualcode.coding.model_io import model_from_bytes

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


# -- the commands' twins ---------------------------------------------------------


@dataclass
class TrainResult:
    model_id: int
    coder: str
    report: dict
    data_hash: str
    stored_suggestions: int


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
    return TrainResult(model_id, coder, model.report, hashed, stored)


def predict_and_store(project: Project, transcripts: list[str] | None = None) -> int:
    """Store open model suggestions (p >= STORE_MIN_P) for the respondent turns; returns the count."""
    from qualcode.coding.autocode.runner import Proposal, load_units
    from qualcode.coding.autocode.stored import replace_open
    from qualcode.store.transcripts import transcript_ids

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
