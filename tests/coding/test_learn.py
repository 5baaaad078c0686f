"""Learned suggestions: training data, fitting, storage, staleness, listing, evaluation."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from qualcode.coding import learn, learn_fit
from qualcode.coding.evaluate import (
    Scores,
    evaluate,
    model_predictions,
    reference_from_coder,
    score,
)
from qualcode.errors import NotFoundError, QualcodeError
from qualcode.store.schema import models, suggestions
from tests.coding.autocode_helpers import RULES_CODEBOOK, use_rules_codebook

pytestmark = pytest.mark.coders("alice")

def test_coder_turns_cover_the_coded_transcripts(coded_project):
    turns = learn.coder_turns(coded_project, "alice")
    assert {t.transcript_id for t in turns} == {f"vsp-{n}" for n in range(6)}
    assert len(turns) == 36
    assert sum("housing_gap" in t.codes for t in turns) == 12


def test_coder_without_codings_is_refused(coded_project):
    with pytest.raises(NotFoundError, match="'bob' has no codings"):
        learn.coder_turns(coded_project, "bob")


def test_data_hash_is_stable_and_follows_the_labels(coded_project):
    turns = learn.coder_turns(coded_project, "alice")
    first = learn.data_hash(turns, 5)
    assert first == learn.data_hash(list(reversed(turns)), 5)
    turns[0].codes.add("charging")
    assert learn.data_hash(turns, 5) != first
    assert learn.data_hash(turns, 4) != learn.data_hash(turns, 5)


def test_train_stores_model_and_reports_rare_codes(coded_project):
    result = learn.train(coded_project, "alice", min_positive=5)
    assert set(result.report.to_dict()["trained"]) == {"housing_gap", "referral.hotline"}
    assert result.report.too_few_examples == {"notes": 1}
    with coded_project.read() as conn:
        row = conn.execute(select(models)).one()
    assert (row.trained_from, row.codebook_hash) == ("alice", coded_project.codebook.hash)
    assert row.data_hash == result.data_hash and row.payload
    assert row.report["code_roles"]["housing_gap"] == [
        "law_enforcement",
        "other",
        "prosecutor",
        "service_provider",
    ]
    assert result.stored_suggestions > 0


def test_trained_model_separates_the_themes(coded_project):
    learn.train(coded_project, "alice", min_positive=5)
    model = learn.load_model(coded_project).model
    texts = [
        "The shelter is full and there are never enough beds.",
        "The hotline sent a tip.",
        "We meet every month.",
    ]
    p = model.probabilities(texts, ["service_provider"] * 3)
    assert p[0]["housing_gap"] > 0.5 > p[0]["referral.hotline"]
    assert p[1]["referral.hotline"] > 0.5 > p[1]["housing_gap"]
    assert p[2]["housing_gap"] < 0.5 and p[2]["referral.hotline"] < 0.5


def test_probabilities_respect_role_applicability(coded_project):
    model = learn.fit(learn.coder_turns(coded_project, "alice"), coded_project.codebook, 5)
    model.code_roles["housing_gap"] = ["prosecutor"]
    assert "housing_gap" not in model.probabilities(["no beds"], ["service_provider"])[0]


def test_rejected_suggestions_are_weighted_negatives(coded_project):
    learn.train(coded_project, "alice", min_positive=5)
    with coded_project.read() as conn:
        row = conn.execute(
            select(suggestions)
            .where(suggestions.c.transcript_id == "vsp-6", suggestions.c.code_id == "housing_gap")
            .order_by(suggestions.c.score.desc())
        ).first()
    with coded_project.write() as conn:
        conn.execute(
            update(suggestions).where(suggestions.c.id == row.id).values(status="rejected", decided_by="alice")
        )
    turns = learn.coder_turns(coded_project, "alice")
    rejected = [t for t in turns if t.rejected]
    assert [(t.transcript_id, t.in_coded_transcript) for t in rejected] == [("vsp-6", False)]
    rows, labels, weights = learn.training_rows(
        turns, "housing_gap", coded_project.codebook.get("housing_gap").roles
    )
    index = turns.index(rejected[0])
    assert index in rows and labels[rows.index(index)] == 0 and weights[rows.index(index)] == learn.REJECTED_WEIGHT
    rows, _, _ = learn.training_rows(
        turns, "referral.hotline", coded_project.codebook.get("referral.hotline").roles
    )
    assert index not in rows  # unknown for the codes it was not rejected for
    report = learn.train(coded_project, "alice", min_positive=5).report
    assert report.rejected_negatives == 1


@pytest.mark.parametrize(
    ("edit", "compatible"),
    [
        (lambda t: t.replace("definition: Lack of housing.", "definition: Not enough housing of any kind."), True),
        (lambda t: t.replace("  - id: housing_gap\n", "  - id: housing_gap\n    roles: [prosecutor]\n"), False),
        (lambda t: t.replace("id: housing_gap", "id: housing_shortage"), False),
    ],
    ids=["definition edit", "roles changed", "code removed"],
)
def test_stale_model_is_refused(coded_project, edit, compatible):
    learn.train(coded_project, "alice", min_positive=5)
    reopened = use_rules_codebook(coded_project, edit(RULES_CODEBOOK))
    if compatible:
        assert learn.load_model(reopened).coder == "alice"
        assert learn.predict_and_store(reopened) > 0
        return
    with pytest.raises(
        learn.StaleModelError, match="housing_gap.*Retrain it: qualcode suggest train --from alice"
    ):
        learn.load_model(reopened)
    with pytest.raises(learn.StaleModelError):
        learn.predict_and_store(reopened)


def test_no_model_yet(coded_project):
    with pytest.raises(NotFoundError, match="suggest train"):
        learn.load_model(coded_project)


# -- evaluation ----------------------------------------------------------------------


def test_cross_validation_never_trains_on_the_test_transcript(coded_project, monkeypatch):
    seen = []
    real_fit = learn.fit

    def recording_fit(turns, codebook, min_positive):
        seen.append({t.transcript_id for t in turns})
        return real_fit(turns, codebook, min_positive)

    monkeypatch.setattr(learn, "fit", recording_fit)
    turns = reference_from_coder(coded_project, "alice").turns
    predicted, folds = model_predictions(coded_project, turns, 3, 3, [])
    assert folds == 3 and len(seen) == 3
    everyone = {t.transcript_id for t in turns}
    held_out = [everyone - trained for trained in seen]
    assert all(len(h) == 2 for h in held_out) and set().union(*held_out) == everyone
    assert len(predicted) == len(turns)


def test_evaluate_reports_rules_model_and_union(coded_project):
    result = evaluate(coded_project, reference_from_coder(coded_project, "alice"), folds=3, min_positive=3)
    assert (result.turns, result.transcripts, result.folds) == (36, 6, 3)
    assert set(result.systems) == {"rules", "model", "union"}
    model = result.systems["model"].per_code["housing_gap"]
    assert model.support == 12 and model.recall > 0.5
    union = result.systems["union"].micro
    assert union.recall >= max(result.systems["rules"].micro.recall, result.systems["model"].micro.recall)
    data = result.to_dict()
    assert data["group"] == "transcript" and data["systems"]["rules"]["per_code"]


def test_single_transcript_cannot_be_cross_validated(coded_project):
    turns = [t for t in reference_from_coder(coded_project, "alice").turns if t.transcript_id == "vsp-0"]
    notes: list[str] = []
    predicted, folds = model_predictions(coded_project, turns, 5, 1, notes)
    assert folds == 0 and notes and all(p == set() for p in predicted)


def test_scores_with_undefined_ratios():
    result = score("x", [{"a"}, {"a", "b"}, set()], [{"a", "c"}, set(), set()])
    assert result.per_code["a"].to_dict() == {
        "tp": 1,
        "fp": 0,
        "fn": 1,
        "support": 2,
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
    }
    assert result.per_code["b"].precision is None and result.per_code["b"].recall == 0.0
    assert result.per_code["c"].recall is None and result.per_code["c"].precision == 0.0
    assert result.micro.to_dict()["tp"] == 1 and result.micro.precision == 0.5
    assert result.macro("precision") == (pytest.approx(0.5), 2)
    assert Scores().f1 is None


# -- thresholds ----------------------------------------------------------------------


def test_threshold_needs_two_transcripts_to_fold_on():
    from scipy.sparse import csr_matrix

    features = csr_matrix([[1.0, 0.0], [0.0, 1.0]] * 5)
    assert learn.choose_threshold(features, [1, 0] * 5, [1.0] * 10, ["t1"] * 10) == learn.DECISION_P


def test_threshold_is_chosen_from_the_grid(coded_project):
    model = learn.fit(learn.coder_turns(coded_project, "alice"), coded_project.codebook, 5)
    assert set(model.thresholds) == set(model.classifiers)
    assert all(t in learn.THRESHOLD_GRID for t in model.thresholds.values())
    assert model.decide({"housing_gap": 1.0, "referral.hotline": 0.0}) == {"housing_gap"}


# -- fitting speed without changing the model -----------------------------------------


def test_features_are_csr_with_sorted_indices(coded_project):
    texts = [t.text for t in learn.coder_turns(coded_project, "alice")]
    features = learn.turn_features(learn.make_vectorizer(len(texts)), texts)
    unsorted = learn.make_vectorizer(len(texts)).fit_transform(texts)
    assert features.format == "csr" and features.has_sorted_indices
    assert features[[5, 1, 3]].has_sorted_indices  # row slices, as each fit gets, stay sorted
    assert features.shape == unsorted.shape and abs(features - unsorted).max() == 0


@pytest.mark.parametrize("texts", [["", " "], ["...", "?!"]], ids=["blank", "punctuation"])
def test_features_need_words(texts):
    with pytest.raises(QualcodeError, match="Cannot build features from 2 turns"):
        learn.turn_features(learn.make_vectorizer(len(texts)), texts)


def test_dual_solver_reaches_the_primal_model(coded_project, monkeypatch):
    from sklearn.linear_model import LogisticRegression

    turns = learn.coder_turns(coded_project, "alice")
    texts, roles = [t.text for t in turns], [t.role for t in turns]
    dual = learn.fit(turns, coded_project.codebook, 5)
    monkeypatch.setattr(
        learn_fit,
        "new_classifier",
        lambda: LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear"),
    )
    primal = learn.fit(turns, coded_project.codebook, 5)
    assert dual.thresholds == primal.thresholds
    for a, b in zip(dual.probabilities(texts, roles), primal.probabilities(texts, roles), strict=True):
        assert a.keys() == b.keys() and all(abs(a[c] - b[c]) < 1e-3 for c in a)


@pytest.mark.parametrize("processes", [(1, 1), (1, 2)], ids=["again", "two processes"])
def test_training_is_reproducible(coded_project, processes, monkeypatch):
    import multiprocessing

    contexts, real = [], multiprocessing.get_context
    monkeypatch.setattr(
        multiprocessing, "get_context", lambda method=None: contexts.append(method) or real(method)
    )
    turns = learn.coder_turns(coded_project, "alice")
    texts, roles = [t.text for t in turns], [t.role for t in turns]
    first, second = (learn.fit(turns, coded_project.codebook, 5, processes=n) for n in processes)
    assert ("fork" in contexts) == (2 in processes)  # two processes: a forked pool
    assert first.thresholds == second.thresholds and set(first.classifiers) == {"housing_gap", "referral.hotline"}
    assert first.probabilities(texts, roles) == second.probabilities(texts, roles)


@pytest.mark.parametrize(("turns", "expected"), [(36, 1), (learn.PARALLEL_MIN_TURNS, 2), (703, 2)])
def test_default_processes(turns, expected, monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert learn.default_processes(turns) == expected
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert learn.default_processes(turns) == 1


def test_evaluate_can_skip_the_model(coded_project):
    result = evaluate(coded_project, reference_from_coder(coded_project, "alice"), systems=("rules",))
    assert set(result.systems) == {"rules"} and result.folds == 0
