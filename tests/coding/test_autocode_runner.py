"""``autocode``: role scoping, storage of suggestions and codings, dry runs, re-runs."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from qualcode.coding.autocode import autocode
from qualcode.coding.autocode.parallel import match_units
from qualcode.coding.listing import list_codings
from qualcode.errors import NotFoundError
from qualcode.store.schema import codings, suggestions
from tests.coding.autocode_helpers import add_corpus, use_rules_codebook


@pytest.fixture
def rules_project(project):
    reopened = use_rules_codebook(project)
    add_corpus(reopened)
    yield reopened
    reopened.close()


def stored(project, **where) -> list[dict]:
    with project.read() as conn:
        query = select(suggestions).order_by(suggestions.c.id)
        for column, value in where.items():
            query = query.where(getattr(suggestions.c, column) == value)
        return [dict(r._mapping) for r in conn.execute(query)]


def pairs(result) -> set[tuple[str, int, str]]:
    return {(p.transcript_id, p.ordinal, p.code_id) for p in result.proposals}


def test_codes_respondent_turns_with_role_scoping(rules_project):
    result = autocode(rules_project, dry_run=True)
    assert pairs(result) == {
        ("vsp-1", 2, "referral.hotline"),
        ("vsp-1", 2, "referral.medical"),
        ("vsp-1", 4, "housing_gap"),
        ("pros-1", 2, "charging"),
        ("pros-1", 4, "referral.medical"),
    }
    # "We charge nothing" in a service-provider turn: charging applies to prosecutors only;
    # the interviewer's "hotline" question is never coded.


def test_parent_is_dropped_when_a_child_matches(rules_project):
    result = autocode(rules_project, dry_run=True)
    assert ("pros-1", 4, "referral") not in pairs(result)  # "referral" + SANE nurse -> only the child


def test_dry_run_writes_nothing(rules_project):
    result = autocode(rules_project, dry_run=True)
    assert result.proposals and stored(rules_project) == []
    assert result.stored == 0 and result.codings_added == 0


def test_suggestions_store_evidence_and_sentence_span(rules_project):
    autocode(rules_project)
    rows = stored(rules_project, code_id="referral.hotline")
    assert len(rows) == 1
    row = rows[0]
    assert (row["source"], row["status"], row["decided_by"]) == ("rules", "open", None)
    assert row["evidence"]["rule"] == "phrase 'hotline'"
    assert row["evidence"]["matched"] == "hotline"
    assert row["evidence"]["score"] == 1.0
    assert {h["rule"] for h in row["evidence"]["hits"]} == {"phrase 'hotline'", "fuzzy 'Polaris' (>= 85)"}
    with rules_project.read() as conn:
        text = conn.execute(select(codings.c.id)).all()  # no codings were made
    assert text == []
    from qualcode.store.transcripts import load_transcript

    with rules_project.read() as conn:
        transcript = load_transcript(conn, "vsp-1")
    assert transcript.text[row["start_offset"] : row["end_offset"]] == "Mostly the hotline."


def test_rerun_replaces_open_suggestions_and_keeps_decisions(rules_project):
    first = autocode(rules_project)
    decided = stored(rules_project, code_id="referral.medical")[0]
    with rules_project.write() as conn:  # a coder's decision is a row of its own
        conn.execute(insert(suggestions).values(
            {**{k: v for k, v in decided.items() if k != "id"}, "status": "rejected", "decided_by": "ann"}
        ))
    second = autocode(rules_project)
    assert second.replaced == first.stored
    assert second.kept_decided == 1
    assert len(stored(rules_project, status="open")) == first.stored  # nothing duplicated
    assert len(stored(rules_project, status="rejected")) == 1


def test_codes_prefix_limits_the_run_and_what_it_replaces(rules_project):
    autocode(rules_project)
    before = {r["id"] for r in stored(rules_project) if not r["code_id"].startswith("referral")}
    result = autocode(rules_project, codes="referral")
    assert {p.code_id for p in result.proposals} <= {"referral", "referral.hotline", "referral.medical"}
    after = {r["id"] for r in stored(rules_project) if not r["code_id"].startswith("referral")}
    assert before == after  # other codes' suggestions untouched


def test_transcript_selection(rules_project):
    result = autocode(rules_project, ["pros-1"], dry_run=True)
    assert {p.transcript_id for p in result.proposals} == {"pros-1"}
    assert result.transcripts == ["pros-1"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"transcripts": ["nope"]}, "No transcript 'nope'"), ({"codes": "referal"}, "did you mean 'referral'")],
)
def test_unknown_names_are_refused(rules_project, kwargs, message):
    with pytest.raises(NotFoundError, match=message):
        autocode(rules_project, **kwargs)


def test_as_coder_makes_undoable_codings(rules_project):
    from qualcode.coding.session import CodingSession

    result = autocode(rules_project, as_coder="robot")
    rows = list_codings(rules_project, coder="robot")
    assert result.codings_added == len(rows) == len(result.proposals)
    assert {r["origin"] for r in rows} == {"rules"}
    assert all(r["confidence"] is not None for r in rows)
    assert stored(rules_project) == []  # codings, not suggestions
    again = autocode(rules_project, as_coder="robot")
    assert again.codings_added == 0  # same spans merge, never duplicate
    undone = CodingSession(rules_project, "robot").undo()  # the re-run logged nothing: the first run goes
    assert len(undone.removed) == len(rows)
    assert list_codings(rules_project, coder="robot") == []  # one undo takes a whole run back


def test_progress_reaches_the_total(rules_project):
    calls = []
    result = autocode(rules_project, dry_run=True, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (result.words, result.words)


def test_role_summary_counts_codes_per_turn(rules_project):
    summary = {r["role"]: r for r in autocode(rules_project, dry_run=True).role_summary()}
    assert summary["service_provider"]["turns"] == 3
    assert summary["service_provider"]["references"] == 3
    assert summary["service_provider"]["max_codes_per_turn"] == 2
    assert summary["service_provider"]["mean_codes_per_turn"] == pytest.approx(1.0)


def test_two_processes_give_the_same_matches(rules_project):
    codebook = rules_project.codebook
    units = [("The hotline and the emergency room.", "other"), ("A need for housing.", "other")] * 30
    allowed = {"other": frozenset(codebook.codes)}
    one = match_units(list(codebook.codes.values()), units, allowed, processes=1, chunk_words=20)
    two = match_units(list(codebook.codes.values()), units, allowed, processes=2, chunk_words=20)
    assert one == two and len(one) == 60
    assert {m.code_id for m in one[0]} == {"referral.hotline", "referral.medical"}
