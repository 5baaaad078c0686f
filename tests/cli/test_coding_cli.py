"""The coding commands through typer's CliRunner: exit codes and messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app

pytestmark = pytest.mark.coders("ana", "cleo")

runner = CliRunner()


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), *args])


def test_tag_list_undo(project, interview):
    result = run(project, "tag", "vsp-1", "2", "referral.hotline", "--coder", "ana", "--text", "the hotline")
    assert result.exit_code == 0, result.output
    assert "+ referral.hotline" in result.output
    listed = json.loads(run(project, "codings", "list", "--json").output)
    assert listed == [
        {
            "transcript": "vsp-1", "segment": 2, "coder": "ana", "code": "referral.hotline",
            "start": listed[0]["start"], "end": listed[0]["start"] + len("the hotline"),
            "origin": "manual", "confidence": None, "memo": None, "text": "the hotline",
        }
    ]
    assert run(project, "undo", "--coder", "ana").exit_code == 0
    assert json.loads(run(project, "codings", "list", "--json").output) == []
    assert run(project, "redo", "--coder", "ana").exit_code == 0
    assert len(json.loads(run(project, "codings", "list", "--json").output)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tag", "vsp-1", "2", "pros.charging", "--coder", "ana"],
         "Code 'pros.charging' does not apply to service_provider"),
        (["tag", "vsp-1", "2", "referral", "--coder", "ana", "--span", "1-2"], "--span expects START:END"),
        (["tag", "nope", "2", "referral", "--coder", "ana"], "No transcript 'nope'"),
        (["undo", "--coder", "cleo"], "Nothing to undo for cleo"),
        (["undo", "--coder", "zed"], "Unknown coder 'zed'"),
        (["log", "--since", "yesterday"], "--since expects an ISO date"),
    ],
)
def test_errors_are_one_line_and_exit_1(project, interview, args, message):
    result = run(project, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_progress_and_log_json(project, interview):
    run(project, "tag", "vsp-1", "4", "challenge.housing", "--coder", "ana")
    progress = json.loads(run(project, "progress", "--json").output)
    assert progress == [{"coder": "ana", "transcript": "vsp-1", "assigned": "", "coded": 1, "handled": 1, "total": 2,
                         "percent": 50.0, "done": False, "finished": False, "stale_marks": 0}]
    log = json.loads(run(project, "log", "--coder", "ana", "--json").output)
    assert [(e["action"], e["change"], e["code"]) for e in log] == [("tag", "insert", "challenge.housing")]


def test_tag_on_an_interviewer_turn_is_refused_in_one_line(project, interview):
    result = run(project, "tag", "vsp-1", "1", "referral", "--coder", "ana")
    assert result.exit_code == 1
    assert result.output.startswith("Error: turn 1 of 'vsp-1' is an interviewer turn, which is not coded")
    assert len(result.output.strip().splitlines()) == 1
    assert json.loads(run(project, "codings", "list", "--json").output) == []


def test_codings_list_json_has_the_memo_and_log_shows_memo_changes(project, interview):
    run(project, "tag", "vsp-1", "2", "referral.hotline", "--coder", "ana", "--memo", "first thought")
    (row,) = json.loads(run(project, "codings", "list", "--json").output)
    assert row["memo"] == "first thought"
    from qualcode.coding.session import CodingSession

    (coding,) = CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"]).unchanged
    CodingSession(project, "ana").set_memo(coding["id"], "second thought")
    text = run(project, "log", "--coder", "ana").output
    assert "memo    update" in text and "memo 'first thought' -> 'second thought'" in text
    log = json.loads(run(project, "log", "--coder", "ana", "--json").output)
    assert log[-1]["memo"] == {"before": "first thought", "after": "second thought"}
