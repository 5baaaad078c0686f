"""Undo/redo per coder over the event log."""

from __future__ import annotations

import pytest

from qualcode.coding.listing import event_log, list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError


def state(project):
    return sorted((r["coder"], r["code"], r["start"], r["end"]) for r in list_codings(project))


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
    assert [(e["action"], e["change"]) for e in log] == [
        ("tag", "insert"), ("tag", "insert"), ("undo", "delete"), ("undo", "delete"),
    ]
    assert [e["id"] for e in log] == sorted(e["id"] for e in log)
    assert log[0]["undone"] and log[1]["undone"]
    assert event_log(project, coder="ben") == []
