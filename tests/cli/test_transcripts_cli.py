"""`qualcode transcripts set|remove` through the CLI: corrections, confirmation, the
event log, --json shapes, and an unchanged store when refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.session import CodingSession
from qualcode.transcripts.corrections import RemoveResult, SetResult

pytestmark = pytest.mark.coders('ana', 'bob', 'lee')

runner = CliRunner()


def run(project, *args, **kwargs):
    return runner.invoke(app, ["-p", str(project.root), *args], **kwargs)


def as_json(project, *args):
    result = run(project, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.fixture
def coded(project, interview, monkeypatch):
    """vsp-1 coded by ana (segment 2) and bob (segment 4); lee is the lead, who is never
    blind, so listings work while a double-coding sample is open."""
    from tests.helpers import set_lead

    set_lead(project, "lee")
    monkeypatch.setenv("QUALCODE_CODER", "lee")
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline.")
    CodingSession(project, "bob").tag("vsp-1", 4, ["challenge.housing"])
    return project


@pytest.fixture
def coded_two(coded):
    """``coded`` plus a second transcript, vsp-2."""
    from tests.helpers import INTERVIEW, add_transcript

    add_transcript(coded, "vsp-2", "service_provider", INTERVIEW)
    return coded


def test_set_role_site_and_attributes(coded):
    result = run(coded, "transcripts", "set", "vsp-1", "--role", "LE", "--site", "B", "--attr", "mode=virtual", "--by", "lee")
    assert result.exit_code == 0, result.output
    assert "role service_provider -> law_enforcement; site A -> B; attributes {} -> {mode=virtual}" in result.output
    shown = as_json(coded, "transcripts", "show", "vsp-1")
    assert (shown["role"], shown["site"], shown["attributes"]) == ("law_enforcement", "B", {"mode": "virtual"})
    removed = as_json(coded, "transcripts", "set", "vsp-1", "--attr", "mode=")
    assert removed["changes"] == {"attributes": {"from": {"mode": "virtual"}, "to": {}}}
    (first, _) = [e for e in as_json(coded, "log") if e["action"] == "transcript:set"]
    assert first["coder"] == "lee" and first["transcript"] == "vsp-1"


def test_set_json_shape(coded):
    data = as_json(coded, "transcripts", "set", "vsp-1", "--site", "C")
    assert data == {"id": "vsp-1", "previous_id": "vsp-1", "changes": {"site": {"from": "A", "to": "C"}}, "notes": []}
    assert set(data) == set(SetResult("x", "x", ()).to_dict())


def test_role_change_refused_when_codings_would_not_apply(project, interview):
    from tests.helpers import INTERVIEW, add_transcript

    add_transcript(project, "da-1", "prosecutor", INTERVIEW)
    CodingSession(project, "ana").tag("da-1", 2, ["pros.charging"])
    CodingSession(project, "bob").tag("da-1", 4, ["pros.charging", "challenge.housing"])
    result = run(project, "transcripts", "set", "da-1", "--role", "VSP", "--site", "Z")
    assert result.exit_code == 1
    assert "2 of its codings use codes that do not apply to service_provider: pros.charging (2 by ana, bob)" in result.output
    shown = as_json(project, "transcripts", "show", "da-1")
    assert (shown["role"], shown["site"]) == ("prosecutor", "A")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "cop"], "Unknown role 'cop'"),
        (["--site", " "], "--site must not be empty"),
        (["--id", "two words"], "not a valid transcript id"),
        (["--id", "vsp-2"], "'vsp-2' is already taken"),
        ([], "nothing to change"),
        (["--attr", "novalue"], "--attr expects key=value"),
    ],
)
def test_set_refuses_bad_values(project, interview, args, message):
    from tests.helpers import INTERVIEW, add_transcript

    add_transcript(project, "vsp-2", "service_provider", INTERVIEW[:2])
    result = run(project, "transcripts", "set", "vsp-1", *args)
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output
    assert as_json(project, "transcripts", "show", "vsp-1")["site"] == "A"


def test_set_unknown_transcript(project, interview):
    result = run(project, "transcripts", "set", "vsp-9", "--site", "B")
    assert result.exit_code == 1 and "No transcript 'vsp-9'; did you mean 'vsp-1'?" in result.output


def test_rename_carries_codings_and_samples(coded):
    from qualcode.agreement.sampling import create_sample

    create_sample(coded, "double", fraction=1.0, coders=["ana", "bob"], seed=1)
    before = as_json(coded, "codings", "list")
    result = run(coded, "transcripts", "set", "vsp-1", "--id", "vsp-a-01", "--site", "B")
    assert result.exit_code == 0, result.output
    assert "sample(s) double" in result.output  # the note: samples were not redrawn
    assert [t["id"] for t in as_json(coded, "transcripts", "list")] == ["vsp-a-01"]
    after = as_json(coded, "codings", "list")
    assert [dict(r, transcript="vsp-1") for r in after] == before
    assert CodingSession(coded, "ana").tag("vsp-a-01", 4, ["challenge.housing"]).added


@pytest.mark.parametrize(("answer", "removed"), [("y\n", True), ("n\n", False), ("", False)])
def test_remove_asks_first(coded, answer, removed):
    result = run(coded, "transcripts", "remove", "vsp-1", input=answer)
    assert "with its 2 codings by ana, bob?" in result.output
    assert result.exit_code == (0 if removed else 1)
    if not removed:
        assert "nothing removed" in result.output
    assert len(as_json(coded, "transcripts", "list")) == (0 if removed else 1)


def test_remove_yes_json_and_event_log(coded):
    data = as_json(coded, "transcripts", "remove", "vsp-1", "--yes", "--by", "lee")
    assert data == {
        "id": "vsp-1", "role": "service_provider", "site": "A", "turns": 4, "codings": 2,
        "coders": ["ana", "bob"], "samples": [], "assigned": [], "event_group": data["event_group"],
    }
    assert set(data) == set(RemoveResult("x", "r", "s", 0, 0, (), ()).to_dict())
    assert as_json(coded, "transcripts", "list") == [] and as_json(coded, "codings", "list") == []
    logged = [e for e in as_json(coded, "log", "--coder", "lee")]
    assert {e["action"] for e in logged} == {"transcript:remove"}
    assert sorted(e["code"] for e in logged if e["coding"]) == ["challenge.housing", "referral.hotline"]
    assert all(e["group"] == data["event_group"] and e["transcript"] == "vsp-1" for e in logged)


def test_removal_record_holds_the_whole_transcript(coded):
    from qualcode.coding.listing import event_log
    from qualcode.store.codings import event_rows

    text = as_json(coded, "transcripts", "show", "vsp-1")["segments"][1]["text"]
    run(coded, "transcripts", "remove", "vsp-1", "--yes", "--by", "lee")
    with coded.read() as conn:
        (record,) = [e for e in event_rows(conn, coder="lee") if e["coding_id"] is None]
    assert text in record["before"]["text"] and len(record["before"]["segments"]) == 4
    assert event_log(coded)  # readable


def test_undo_after_removal_refuses_instead_of_crashing(coded):
    run(coded, "transcripts", "remove", "vsp-1", "--yes", "--by", "lee")
    for coder in ("ana", "lee"):
        result = run(coded, "undo", "--coder", coder)
        assert result.exit_code == 1 and "Traceback" not in result.output
    assert as_json(coded, "transcripts", "list") == []


def test_restore_undoes_a_removal(coded):
    from qualcode.agreement.sampling import create_sample

    create_sample(coded, "double", fraction=1.0, coders=["ana", "bob"], seed=1)
    codings_before = as_json(coded, "codings", "list")
    shown_before = as_json(coded, "transcripts", "show", "vsp-1")
    removed = run(coded, "transcripts", "remove", "vsp-1", "--yes")
    assert "transcripts restore vsp-1" in removed.output
    data = as_json(coded, "transcripts", "restore", "vsp-1", "--by", "lee")
    assert (data["codings"], data["turns"], data["samples"], data["samples_gone"]) == (2, 4, ["double"], [])
    assert as_json(coded, "codings", "list") == codings_before
    assert as_json(coded, "transcripts", "show", "vsp-1") == shown_before
    with coded.read() as conn:
        from qualcode.store.transcripts import samples_of

        assert samples_of(conn, "vsp-1") == ["double"]
    assert any(e["action"] == "transcript:restore" for e in as_json(coded, "log", "--coder", "lee"))
    # the restored codings are usable again
    assert CodingSession(coded, "ana").untag("vsp-1", 2, ["referral.hotline"]).removed


def test_restore_brings_back_the_assignments_in_their_order(coded):
    from qualcode.store.assignments import assignment_rows

    for coder in ("bob", "ana"):  # bob first: the primary coder, whose codings count
        assert run(coded, "assign", coder, "vsp-1").exit_code == 0
    counted = as_json(coded, "analysis-set", "show")
    removed = as_json(coded, "transcripts", "remove", "vsp-1", "--yes")
    assert removed["assigned"] == ["bob", "ana"]
    with coded.read() as conn:
        assert assignment_rows(conn) == {}
    restored = as_json(coded, "transcripts", "restore", "vsp-1")
    assert (restored["assigned"], restored["assigned_gone"]) == (["bob", "ana"], [])
    with coded.read() as conn:
        assert assignment_rows(conn) == {"vsp-1": ["bob", "ana"]}
    assert as_json(coded, "analysis-set", "show") == counted
    # the prompt and the messages say so
    run(coded, "transcripts", "remove", "vsp-1", "--yes")
    said = run(coded, "transcripts", "restore", "vsp-1").output
    assert "assignments of bob, ana" in " ".join(said.split())


@given(order=st.lists(st.sampled_from(["ana", "bob", "lee"]), unique=True, max_size=3),
       other=st.lists(st.sampled_from(["ana", "bob", "lee"]), unique=True, max_size=3))
def test_remove_then_restore_keeps_every_assignment_in_order(coded_two, order, other):
    """Model: the assignments before the removal, per transcript, primary first; the other
    transcript's assignments are untouched throughout."""
    from qualcode.analysis.assignments import assign, assignments, unassign
    from qualcode.transcripts.corrections import remove_transcript, restore_transcript

    for coder in ("ana", "bob", "lee"):
        unassign(coded_two, coder, ["vsp-1", "vsp-2"])
    for coder in order:
        assign(coded_two, coder, ["vsp-1"])
    for coder in other:
        assign(coded_two, coder, ["vsp-2"])
    model = {t: cs for t, cs in (("vsp-1", order), ("vsp-2", other)) if cs}
    assert assignments(coded_two) == model
    remove_transcript(coded_two, "vsp-1", by="lee")
    assert assignments(coded_two) == {t: cs for t, cs in model.items() if t != "vsp-1"}
    assign(coded_two, "ana", ["vsp-2"])  # a later assignment elsewhere does not reorder vsp-1's
    restored = restore_transcript(coded_two, "vsp-1", by="lee")
    assert list(restored.assigned) == order
    assert assignments(coded_two).get("vsp-1", []) == order


def test_restore_refuses_when_there_is_nothing_to_restore(coded):
    result = run(coded, "transcripts", "restore", "vsp-1")
    assert result.exit_code == 1 and "'vsp-1' exists; nothing to restore" in result.output
    result = run(coded, "transcripts", "restore", "vsp-9")
    assert result.exit_code == 1 and "no removal of 'vsp-9'" in result.output


def test_a_second_removal_is_restored_from_its_own_record(coded):
    for _ in range(2):
        assert run(coded, "transcripts", "remove", "vsp-1", "--yes").exit_code == 0
        assert run(coded, "transcripts", "restore", "vsp-1").exit_code == 0
    assert len(as_json(coded, "codings", "list")) == 2
    assert run(coded, "transcripts", "restore", "vsp-1").exit_code == 1
