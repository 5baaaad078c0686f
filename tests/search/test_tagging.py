"""Coding every hit: one action in the event log, undone by one undo; spans; refusals."""

from __future__ import annotations

import pytest

from qualcode.coding.session import CodingSession
from qualcode.errors import QualcodeError
from qualcode.search.engine import SearchOptions
from qualcode.search.tagging import code_hits
from qualcode.store.coded_text import coding_listing
from tests.search.study import add_coder


def codings(project, coder="ana"):
    with project.read() as conn:
        return sorted((c.transcript_id, c.ordinal, c.code_id, c.coded_text) for c in coding_listing(conn, coder=coder))


def test_codes_every_hit_as_one_undoable_action(study):
    add_coder(study, "ana")
    result = code_hits(study, "housing", SearchOptions(roles=("service_provider", "law_enforcement")),
                       code="challenge.housing", coder="ana")
    # le-1 turns 1 and 3, vsp-1 turn 4: three hits in three turns
    assert (result.hits, len(result.spans), result.added) == (3, 3, 3)
    assert [c[:2] for c in codings(study)] == [("le-1", 1), ("le-1", 3), ("vsp-1", 4)]
    CodingSession(study, "ana").undo()
    assert codings(study) == []


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ("turn", "There's always a need for housing. Shelters are full."),
        ("sentence", "There's always a need for housing."),
        ("match", "housing"),
    ],
)
def test_spans(study, span, expected):
    add_coder(study, "ana")
    code_hits(study, "housing", SearchOptions(transcripts=("vsp-1",)), code="challenge.housing", coder="ana", span=span)
    assert codings(study) == [("vsp-1", 4, "challenge.housing", expected)]


def test_hits_in_one_turn_make_one_coding_and_existing_codings_merge(study):
    add_coder(study, "ana")
    CodingSession(study, "ana").tag("le-1", 3, ["challenge.housing"])
    result = code_hits(study, "referral", SearchOptions(), code="challenge.housing", coder="ana", span="match")
    assert (result.hits, result.unchanged) == (3, 2)  # the two in turn 3 are already covered
    assert len(codings(study)) == 2


def test_dry_run_changes_nothing(study):
    add_coder(study, "ana")
    result = code_hits(study, "housing", SearchOptions(), code="challenge.housing", coder="ana", dry_run=True)
    assert result.dry_run and len(result.spans) == 4
    assert codings(study) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"code": "challenge.housing", "coder": "nobody"}, "No coder 'nobody'.*add the coder first"),
        ({"code": "pros.charging", "coder": "ana"}, "narrow the search with --role"),
        ({"code": "no.such", "coder": "ana"}, "no.such"),
        ({"code": "challenge.housing", "coder": "ana", "span": "word"}, "spans: turn, sentence, match"),
    ],
)
def test_refusals_leave_the_store_unchanged(study, kwargs, message):
    add_coder(study, "ana")
    with pytest.raises(QualcodeError, match=message):
        code_hits(study, "housing", SearchOptions(), **kwargs)
    assert codings(study) == []
    from qualcode.store.codings import coder_names

    with study.read() as conn:
        assert coder_names(conn) == ["ana"]
