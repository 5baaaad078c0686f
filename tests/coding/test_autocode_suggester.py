"""The stored-suggestions suggester: found by load_suggesters, accepted and rejected."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import insert, select

from qualcode.coding import suggesters
from qualcode.coding.autocode import autocode
from qualcode.coding.autocode.stored import StoredSuggester
from qualcode.coding.listing import list_codings
from qualcode.store.codings import now
from qualcode.store.schema import suggestions
from qualcode.store.transcripts import load_transcript, segment_ids
from tests.coding.autocode_helpers import RULES_CODEBOOK, add_corpus, use_rules_codebook

pytestmark = pytest.mark.coders("ann", "bob")


@pytest.fixture
def rules_project(project):
    reopened = use_rules_codebook(project)
    add_corpus(reopened)
    autocode(reopened)
    yield reopened
    reopened.close()


def served(project, transcript_id: str, ordinal: int, coder: str = "ann", applied=frozenset()):
    with project.read() as conn:
        transcript = load_transcript(conn, transcript_id)
    found = suggesters.suggestions_for(
        suggesters.load_suggesters(project), transcript, transcript.segment(ordinal), coder, applied
    )
    return [s for s in found if s.stored_id is not None]


def status_of(project, suggestion_id: int) -> tuple[str, str | None]:
    with project.read() as conn:
        row = conn.execute(select(suggestions).where(suggestions.c.id == suggestion_id)).first()
    return row.status, row.decided_by


def decisions(project, code_id: str) -> list[tuple[str, str]]:
    """(status, coder) of every coder's decision on the code's suggestions."""
    with project.read() as conn:
        rows = conn.execute(
            select(suggestions.c.status, suggestions.c.decided_by)
            .where(suggestions.c.code_id == code_id, suggestions.c.status != "open")
            .order_by(suggestions.c.id)
        ).all()
    return [tuple(r) for r in rows]


def test_importing_autocode_is_cheap():
    code = (
        "import sys, qualcode.coding.autocode; "
        "print(any(m in sys.modules for m in ('spacy', 'sklearn', 'rapidfuzz')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_load_suggesters_finds_the_stored_suggester(rules_project):
    assert any(isinstance(s, StoredSuggester) for s in suggesters.load_suggesters(rules_project))


def test_open_suggestions_come_with_evidence_and_id(rules_project):
    found = {s.code_id: s for s in served(rules_project, "vsp-1", 2)}
    assert set(found) == {"referral.hotline", "referral.medical"}
    hotline = found["referral.hotline"]
    assert hotline.source == "rules" and hotline.score == 1.0
    assert hotline.evidence == "phrase 'hotline' -> \"hotline\""


def test_codes_already_applied_are_not_suggested(rules_project):
    assert {s.code_id for s in served(rules_project, "vsp-1", 2, applied={"referral.hotline"})} == {
        "referral.medical"
    }


def test_accept_creates_a_rules_coding_and_closes_the_suggestion(rules_project):
    suggestion = next(s for s in served(rules_project, "vsp-1", 2) if s.code_id == "referral.hotline")
    suggesters.accept(rules_project, "ann", "vsp-1", 2, suggestion)
    rows = list_codings(rules_project, coder="ann")
    assert [(r.code, r.origin, r.confidence) for r in rows] == [("referral.hotline", "rules", 1.0)]
    assert (rows[0].start, rows[0].end) == (suggestion.start, suggestion.end)
    assert decisions(rules_project, "referral.hotline") == [("accepted", "ann")]
    assert status_of(rules_project, suggestion.stored_id) == ("open", None)  # still there for others
    assert "referral.hotline" not in {s.code_id for s in served(rules_project, "vsp-1", 2)}


def test_one_coders_decision_does_not_hide_the_suggestion_from_another(rules_project):
    suggestion = next(s for s in served(rules_project, "vsp-1", 2) if s.code_id == "referral.hotline")
    suggesters.reject(rules_project, "ann", "vsp-1", 2, suggestion)
    assert "referral.hotline" not in {s.code_id for s in served(rules_project, "vsp-1", 2, coder="ann")}
    assert "referral.hotline" in {s.code_id for s in served(rules_project, "vsp-1", 2, coder="bob")}


def test_reject_is_logged_and_survives_a_rerun(rules_project):
    suggestion = next(s for s in served(rules_project, "vsp-1", 2) if s.code_id == "referral.medical")
    suggesters.reject(rules_project, "ann", "vsp-1", 2, suggestion)
    assert decisions(rules_project, "referral.medical") == [("rejected", "ann")]
    assert list_codings(rules_project, coder="ann") == []
    autocode(rules_project)
    assert "referral.medical" not in {s.code_id for s in served(rules_project, "vsp-1", 2)}
    assert decisions(rules_project, "referral.medical") == [("rejected", "ann")]


def _store_model_suggestion(project, code_id: str, p: float) -> None:
    with project.write() as conn:
        segment = segment_ids(conn, "vsp-1")[6]
        conn.execute(
            insert(suggestions).values(
                transcript_id="vsp-1",
                segment_id=segment,
                code_id=code_id,
                start_offset=0,
                end_offset=1,
                source="model",
                score=p,
                evidence={"model": "model 1 from ann", "p": p},
                status="open",
                created_at=now(),
            )
        )


@pytest.mark.parametrize(("p", "shown"), [(0.8, True), (0.5, True), (0.3, False)])
def test_model_suggestions_are_served_at_or_above_one_half(rules_project, p, shown):
    _store_model_suggestion(rules_project, "referral.hotline", p)
    found = served(rules_project, "vsp-1", 6)
    assert bool(found) is shown
    if shown:
        assert found[0].source == "model" and found[0].evidence.startswith(f"model p={p:.2f}")


def test_suggestions_of_codes_no_longer_applicable_are_hidden(rules_project):
    _store_model_suggestion(rules_project, "referral.hotline", 0.9)
    narrowed = RULES_CODEBOOK.replace(
        "      - id: referral.hotline\n", "      - id: referral.hotline\n        roles: [prosecutor]\n"
    )
    reopened = use_rules_codebook(rules_project, narrowed)
    assert served(reopened, "vsp-1", 6) == []
    assert "referral.hotline" not in {s.code_id for s in served(reopened, "vsp-1", 2)}


def every_turn(project, transcript_id: str, coder: str) -> tuple[dict, dict]:
    """Each turn's suggestions asked turn by turn, and asked for the whole transcript at once."""
    with project.read() as conn:
        transcript = load_transcript(conn, transcript_id)
    loaded = suggesters.load_suggesters(project)
    one_by_one = {s.ordinal: suggesters.suggestions_for(loaded, transcript, s, coder) for s in transcript.segments}
    return one_by_one, suggesters.suggestions_by_turn(loaded, transcript, coder)


@pytest.mark.parametrize("change", ["none", "rejected", "accepted", "model shown", "model hidden", "narrowed"])
@pytest.mark.parametrize("coder", ["ann", "bob"])
def test_a_whole_transcripts_suggestions_are_each_turns_asked_alone(rules_project, change, coder):
    """The coding screen reads every turn's suggestions in one query: the same as asking turn by turn."""
    project = rules_project
    hotline = next(s for s in served(project, "vsp-1", 2) if s.code_id == "referral.hotline")
    if change == "rejected":
        suggesters.reject(project, "ann", "vsp-1", 2, hotline)
    elif change == "accepted":
        suggesters.accept(project, "ann", "vsp-1", 2, hotline)
    elif change.startswith("model"):
        _store_model_suggestion(project, "referral.medical", 0.8 if change == "model shown" else 0.3)
    elif change == "narrowed":
        _store_model_suggestion(project, "referral.hotline", 0.9)
        project = use_rules_codebook(project, RULES_CODEBOOK.replace(
            "      - id: referral.hotline\n", "      - id: referral.hotline\n        roles: [prosecutor]\n"))
    one_by_one, at_once = every_turn(project, "vsp-1", coder)
    assert at_once == one_by_one
    assert any(one_by_one.values())  # something to compare


def test_a_suggester_that_answers_turn_by_turn_is_asked_so(rules_project):
    class TurnByTurn:
        name = "turns"

        def suggest(self, transcript, segment, coder):
            return []

    with rules_project.read() as conn:
        transcript = load_transcript(conn, "vsp-1")
    assert suggesters.suggestions_by_turn([StoredSuggester(rules_project), TurnByTurn()], transcript, "ann") is None
