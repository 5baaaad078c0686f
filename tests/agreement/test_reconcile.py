"""Reconciliation into a consensus coder: agreements copied, decisions applied, resumable."""

from __future__ import annotations

import pytest

from qualcode.agreement.project import project_agreement
from qualcode.agreement.reconcile import (
    apply_decision,
    copy_agreements,
    decided_units,
    list_disagreements,
    reconcile_status,
)
from qualcode.coding.listing import event_log, list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import AgreementError
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

TURNS = [("Interviewer", "Where from?"), ("Respondent", "Mostly the hotline. Police also bring us clients."),
         ("Interviewer", "Housing?"), ("Respondent", "There's always a need for housing. Shelters are full."),
         ("Interviewer", "Time?"), ("Respondent", "It takes three years to trial.")]
PAIR = ["ana", "ben"]


@pytest.fixture
def coded(project):
    add_transcript(project, "vsp-1", "service_provider", TURNS)
    ana, ben = CodingSession(project, "ana"), CodingSession(project, "ben")
    ana.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline.")
    ben.tag("vsp-1", 2, ["referral.hotline"], text="the hotline. Police")
    ben.tag("vsp-1", 2, ["referral.law_enforcement"], text="Police also bring us clients.")
    ana.tag("vsp-1", 4, ["challenge.housing"], memo="ana's memo")
    ana.tag("vsp-1", 6, ["challenge.case_length"])
    ben.tag("vsp-1", 6, ["challenge.housing"])
    return project


def consensus(project):
    return sorted((c.segment, c.code, c.text, c.origin) for c in list_codings(project, coder="consensus"))


def test_agreements_are_copied_as_the_union_of_both_spans_once(coded):
    result = copy_agreements(coded, PAIR, "consensus")
    assert (result.agreed_units, result.codings_written) == (1, 1)
    assert consensus(coded) == [(2, "referral.hotline", "Mostly the hotline. Police", "consensus")]
    again = copy_agreements(coded, PAIR, "consensus")
    assert (again.codings_written, again.group_id) == (0, None)
    assert len(list_codings(coded, coder="consensus")) == 1


def test_disagreements_then_decisions(coded):
    pending = list_disagreements(coded, PAIR, "consensus")
    assert [(d.segment, d.code, d.applied_by) for d in pending] == [
        (2, "referral.law_enforcement", "ben"), (4, "challenge.housing", "ana"),
        (6, "challenge.case_length", "ana"), (6, "challenge.housing", "ben")]
    by_key = {(d.segment, d.code): d for d in pending}
    written = apply_decision(coded, by_key[2, "referral.law_enforcement"], "b", into="consensus", coders=PAIR)
    assert written.codings_written == 1
    written = apply_decision(coded, by_key[4, "challenge.housing"], "b", into="consensus", coders=PAIR)
    assert written.codings_written == 0  # ben's version: not applied
    apply_decision(coded, by_key[6, "challenge.housing"], "neither", into="consensus", coders=PAIR)
    apply_decision(coded, by_key[6, "challenge.case_length"], "both", into="consensus", coders=PAIR)
    assert consensus(coded) == [
        (2, "referral.law_enforcement", "Police also bring us clients.", "consensus"),
        (6, "challenge.case_length", "It takes three years to trial.", "consensus")]
    assert list_disagreements(coded, PAIR, "consensus") == []
    with coded.read() as conn:
        assert decided_units(conn, "consensus", PAIR) == {
            ("vsp-1", 2, "referral.law_enforcement"): "b", ("vsp-1", 4, "challenge.housing"): "b",
            ("vsp-1", 6, "challenge.housing"): "neither", ("vsp-1", 6, "challenge.case_length"): "both"}
    status = reconcile_status(coded, PAIR, "consensus")
    assert status.to_dict() == {"disagreements": 4, "decided": 4, "pending": 0}


def test_each_decision_is_one_reconcile_group_in_the_log(coded):
    pending = list_disagreements(coded, PAIR, "consensus")
    done = apply_decision(coded, pending[0], "both", into="consensus", coders=PAIR)
    apply_decision(coded, pending[1], "neither", into="consensus", coders=PAIR)
    log = [e for e in event_log(coded, coder="consensus")]
    assert {e.action for e in log} == {"reconcile"}
    groups = {}
    for event in log:
        groups.setdefault(event.group, []).append(event.coding)
    assert groups[done.group_id][0] is None and len(groups[done.group_id]) == 2  # record + coding
    assert sorted(len(g) for g in groups.values()) == [1, 2]  # 'neither' writes only its record


def test_resumable_and_no_decision_twice(coded):
    first = list_disagreements(coded, PAIR, "consensus")[0]
    apply_decision(coded, first, "a", into="consensus", coders=PAIR)
    assert first not in list_disagreements(coded, PAIR, "consensus")
    assert len(list_disagreements(coded, PAIR, "consensus", pending_only=False)) == 4
    with pytest.raises(AgreementError, match="already decided into consensus"):
        apply_decision(coded, first, "b", into="consensus", coders=PAIR)


@pytest.mark.parametrize(
    ("into", "decision", "message"),
    [("ana", "a", "must not be one of the coders"), ("", "a", "name the consensus coder"),
     ("consensus", "maybe", "a decision is keep or drop")],
)
def test_bad_decisions(coded, into, decision, message):
    row = list_disagreements(coded, PAIR)[0]
    with pytest.raises(AgreementError, match=message):
        apply_decision(coded, row, decision, into=into, coders=PAIR)


def test_consensus_is_a_coder_agreement_can_use(coded):
    copy_agreements(coded, PAIR, "consensus")
    for row in list_disagreements(coded, PAIR, "consensus"):
        apply_decision(coded, row, "a", into="consensus", coders=PAIR)
    result = project_agreement(coded, ["ana", "consensus"])
    assert all(r["only_a"] == r["only_b"] == 0 for r in result.to_dict()["codes"])
