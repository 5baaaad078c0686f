"""Fitting the learned suggestion model: TF-IDF features, one logistic regression and
one decision threshold per code, fitted on one or two processes (see :mod:`qualcode.coding.learn`).

scikit-learn and numpy are imported inside the functions that use them, so importing
this module stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.coding.autocode.parallel import usable_cores
from qualcode.coding.learn_model import (
    DECISION_P,
    MIN_DF_TURNS,
    MIN_POSITIVE,
    REJECTED_WEIGHT,
    Classifier,
    LabelledTurn,
    Model,
)
from qualcode.errors import QualcodeError

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook


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

_inherited: tuple[Any, list[CodeRows]] | None = None  # (features, codes) for forked workers


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
    fitted: list[tuple[float, Classifier]],
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
    return 1 if turns < PARALLEL_MIN_TURNS else usable_cores()


def fit_codes(features, codes: list[CodeRows], processes: int) -> list[tuple[float, Classifier]]:
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


def _fit_inherited(index: int) -> tuple[float, Classifier]:
    if _inherited is None:
        raise RuntimeError("no features to fit: fit_codes sets them before it forks the workers")
    features, codes = _inherited
    return fit_code(features, codes[index])


def fit_code(features, code: CodeRows) -> tuple[float, Classifier]:
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
