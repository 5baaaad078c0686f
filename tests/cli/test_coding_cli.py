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
    assert progress == [{"coder": "ana", "transcript": "vsp-1", "coded": 1, "total": 2, "percent": 50.0}]
    log = json.loads(run(project, "log", "--coder", "ana", "--json").output)
    assert [(e["action"], e["change"], e["code"]) for e in log] == [("tag", "insert", "challenge.housing")]
