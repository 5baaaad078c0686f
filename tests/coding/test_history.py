"""Undo/redo per coder over the event log."""

from __future__ import annotations

import csv

import pytest

from qualcode.coding.listing import event_log, list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError
from qualcode.interop.spreadsheets import import_codings
from qualcode.transcripts.corrections import remove_transcript, set_transcript
from tests.helpers import INTERVIEW, add_transcript

pytestmark = pytest.mark.coders("ana", "ben")


def state(project):
    return sorted((r.coder, r.code, r.start, r.end) for r in list_codings(project))


def test_undo_redo_restore_exact_states(project, interview):
    ana = CodingSession(project, "ana")
    s0 = state(project)
    ana.tag("vsp-1", 2, ["referral"])
    s1 = state(project)
    base = interview.segments[1].start
    ana.tag("vsp-1", 2, ["referral.hotline"], span=(base, base + 6))
    s2 = state(project)
    ana.undo()
    assert state(project) == s1
    ana.undo()
    assert state(project) == s0
    ana.redo()
    assert state(project) == s1
    ana.redo()
    assert state(project) == s2
    with pytest.raises(CodingError, match="Nothing to redo"):
        ana.redo()


def test_undo_of_a_merge_restores_both_codings(project, interview):
    base = interview.segments[1].start
    ana = CodingSession(project, "ana")
    ana.tag("vsp-1", 2, ["referral"], span=(base, base + 5))
    ana.tag("vsp-1", 2, ["referral"], span=(base + 10, base + 15))
    before = state(project)
    ana.tag("vsp-1", 2, ["referral"], span=(base + 3, base + 12))
    assert len(state(project)) == 1
    ana.undo()
    assert state(project) == before


def test_undo_affects_only_own_work(project, interview):
    ana, ben = CodingSession(project, "ana"), CodingSession(project, "ben")
    ana.tag("vsp-1", 2, ["referral"])
    ben.tag("vsp-1", 4, ["challenge.housing"])
    ana.undo()
    seg = interview.segments[3]
    assert state(project) == [("ben", "challenge.housing", seg.start, seg.end)]
    with pytest.raises(CodingError, match="Nothing to undo for ana"):
        ana.undo()


def test_a_new_action_clears_the_redo_stack(project, interview):
    ana = CodingSession(project, "ana")
    ana.tag("vsp-1", 2, ["referral"])
    ana.undo()
    ana.tag("vsp-1", 4, ["challenge.housing"])
    with pytest.raises(CodingError, match="Nothing to redo"):
        ana.redo()


def test_event_log_records_every_change_in_order(project, interview):
    ana = CodingSession(project, "ana")
    ana.tag("vsp-1", 2, ["referral", "referral.hotline"])
    ana.undo()
    log = event_log(project, coder="ana")
    assert [(e.action, e.change) for e in log] == [
        ("tag", "insert"), ("tag", "insert"), ("undo", "delete"), ("undo", "delete"),
    ]
    assert [e.id for e in log] == sorted(e.id for e in log)
    assert log[0].undone and log[1].undone
    assert event_log(project, coder="ben") == []


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_undo_after_redo_keeps_working_at_any_depth(project, interview, depth):
    """tag, tag, undo, redo, undo, undo used to fail: 'coding N was changed since'."""
    ana = CodingSession(project, "ana")
    states = [state(project)]
    for ordinal, code in [(2, "referral"), (4, "challenge.housing"), (2, "challenge.case_length")][:depth]:
        ana.tag("vsp-1", ordinal, [code])
        states.append(state(project))
    for _round in range(2):
        for level in range(depth, 0, -1):  # undo everything, redoing each step once on the way
            ana.undo()
            ana.redo()
            ana.undo()
            assert state(project) == states[level - 1]
        for level in range(1, depth + 1):
            ana.redo()
            assert state(project) == states[level]
    with pytest.raises(CodingError, match="Nothing to redo"):
        ana.redo()


def test_undo_redo_undo_undo_through_the_cli_sequence(project, interview):
    ana = CodingSession(project, "ana")
    ana.tag("vsp-1", 2, ["referral"])
    ana.tag("vsp-1", 4, ["challenge.housing"])
    ana.undo()
    ana.redo()
    ana.undo()
    ana.undo()
    assert state(project) == []
    with pytest.raises(CodingError, match="Nothing to undo"):
        ana.undo()


# -- accept and reject are actions like any other ------------------------------------


def open_suggestion(project, interview, code="referral.hotline", ordinal=2):
    """Store one open rule suggestion on a turn; return it as the coding screen sees it."""
    from sqlalchemy import insert

    from qualcode.coding.suggesters import Suggestion
    from qualcode.store.codings import now
    from qualcode.store.schema import suggestions
    from qualcode.store.transcripts import segment_ids

    seg = interview.segment(ordinal)
    with project.write() as conn:
        sid = conn.execute(insert(suggestions).values(
            transcript_id="vsp-1", segment_id=segment_ids(conn, "vsp-1")[ordinal], code_id=code,
            start_offset=seg.start, end_offset=seg.end, source="rules", score=1.0,
            evidence={"rule": "phrase 'hotline'", "matched": "hotline"}, status="open", created_at=now(),
        )).inserted_primary_key[0]
    return Suggestion(code, seg.start, seg.end, "rules", "phrase 'hotline'", 1.0, sid)


def offered(root, coder="ana", ordinal=2):
    """The stored suggestions a coder is offered, read through a fresh Project (a restart)."""
    from qualcode.coding.autocode.stored import StoredSuggester
    from qualcode.project import Project
    from qualcode.store.transcripts import load_transcript

    reopened = Project(root)
    try:
        with reopened.read() as conn:
            transcript = load_transcript(conn, "vsp-1")
        return [s.code_id for s in StoredSuggester(reopened).suggest(transcript, transcript.segment(ordinal), coder)]
    finally:
        reopened.close()


def test_undo_of_an_accept_removes_the_coding_and_reopens_the_suggestion(project, interview):
    from qualcode.coding.suggesters import accept

    suggestion = open_suggestion(project, interview)
    assert offered(project.root) == ["referral.hotline"]
    accept(project, "ana", "vsp-1", 2, suggestion)
    accepted = state(project)
    assert [c[1] for c in accepted] == ["referral.hotline"] and offered(project.root) == []
    result = CodingSession(project, "ana").undo()
    assert [d.change for d in result.decisions] == ["reopened"]
    assert state(project) == [] and offered(project.root) == ["referral.hotline"]
    CodingSession(project, "ana").redo()
    assert state(project) == accepted and offered(project.root) == []
    CodingSession(project, "ana").undo()
    assert state(project) == [] and offered(project.root) == ["referral.hotline"]
    assert offered(project.root, coder="ben") == ["referral.hotline"]  # never hidden from others


def test_a_rejection_can_be_undone_and_redone(project, interview):
    from qualcode.coding.suggesters import reject

    suggestion = open_suggestion(project, interview)
    CodingSession(project, "ana").tag("vsp-1", 4, ["challenge.housing"])
    reject(project, "ana", "vsp-1", 2, suggestion)
    assert offered(project.root) == []
    CodingSession(project, "ana").undo()
    assert offered(project.root) == ["referral.hotline"]
    assert len(state(project)) == 1  # only the rejection was undone
    CodingSession(project, "ana").redo()
    assert offered(project.root) == []


def test_the_log_shows_accepts_rejects_and_memo_changes(project, interview):
    from qualcode.coding.suggesters import accept, reject

    accept(project, "ana", "vsp-1", 2, open_suggestion(project, interview))
    reject(project, "ana", "vsp-1", 4, open_suggestion(project, interview, "challenge.housing", 4))
    (coding,) = list_codings(project, coder="ana")
    ana = CodingSession(project, "ana")
    ana.set_memo(coding.id, "hotline tip, not a referral?")
    ana.undo()
    log = event_log(project, coder="ana")
    assert [(e.action, e.change) for e in log] == [
        ("accept", "insert"), ("accept", "decided"), ("reject", "decided"),
        ("memo", "update"), ("undo", "update"),
    ]
    assert log[1].to_dict()["suggestion"]["status"] == "accepted" and log[1].to_dict()["suggestion"]["source"] == "rules"
    assert log[2].to_dict()["suggestion"]["status"] == "rejected" and log[2].code == "challenge.housing"
    assert log[3].to_dict()["memo"] == {"before": None, "after": "hotline tip, not a referral?"}
    assert log[4].to_dict()["memo"] == {"before": "hotline tip, not a referral?", "after": None}
    assert "memo None -> 'hotline tip" in log[3].detail


@pytest.mark.parametrize("change", ["remove", "rename"])
def test_redo_of_an_import_after_its_transcript_changed_is_refused(project, change):
    """Re-creating codings on a transcript removed or renamed since used to fail with a
    foreign-key error (found by tests/store/test_stored_counts.py's state machine)."""
    add_transcript(project, "x-a", "service_provider", INTERVIEW)
    path = project.root / "codings.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["transcript", "coder", "code", "segment"], ["x-a", "ana", "referral.hotline", 2]])
    import_codings(project, path)
    CodingSession(project, "ana").undo()
    if change == "remove":
        remove_transcript(project, "x-a", by="lead")
    else:
        set_transcript(project, "x-a", new_id="x-b", by="lead")
    with pytest.raises(CodingError, match="Cannot redo: the transcript 'x-a' of coding .* was changed since"):
        CodingSession(project, "ana").redo()


@pytest.mark.parametrize("change", ["remove", "rename"])
def test_undo_of_a_removal_after_its_transcript_changed_is_refused(project, change):
    """Undoing an untag re-creates the coding: on a transcript removed or renamed since, a
    refusal in one line, not a foreign-key error (reported by the stored counts' state
    machine in the dev profile: tag, remove, remove the transcript, undo)."""
    add_transcript(project, "x-a", "service_provider", INTERVIEW)
    session = CodingSession(project, "ana")
    session.tag("x-a", 2, ["referral.hotline"])
    session.untag("x-a", 2, ["referral.hotline"])
    if change == "remove":
        remove_transcript(project, "x-a", by="lead")
    else:
        set_transcript(project, "x-a", new_id="x-b", by="lead")
    with pytest.raises(CodingError, match="Cannot undo: the transcript 'x-a' of coding .* was changed since"):
        session.undo()
