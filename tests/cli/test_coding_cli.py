"""The coding commands through typer's CliRunner: exit codes and messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.codebook.operations import list_versions, project_code_rows
from qualcode.coding.listing import event_log, list_codings, list_orphans, progress
from qualcode.transcripts.reading import list_transcripts, show_transcript
from tests.helpers import SIMILAR_ANSWERS

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


def _as_json(data):
    """What print_json writes, read back (datetimes become strings as they do there)."""
    return json.loads(json.dumps(data, default=str))


TWINS = {  # command -> its plain-Python twin's to_dict() output
    "codings list": lambda p: [r.to_dict() for r in list_codings(p)],
    "codings orphans": lambda p: [r.to_dict() for r in list_orphans(p)],
    "progress": lambda p: [r.to_dict() for r in progress(p)],
    "log": lambda p: [r.to_dict() for r in event_log(p)],
    "transcripts list": lambda p: [r.to_dict() for r in list_transcripts(p)],
    "transcripts show cases": lambda p: show_transcript(p, "cases").to_dict(),
    "codebook show": lambda p: [r.to_dict() for r in project_code_rows(p)],
    "codebook versions": lambda p: [r.to_dict() for r in list_versions(p)],
}


@pytest.mark.parametrize("command", list(TWINS))
def test_json_is_the_twins_to_dict(project, tmp_path, command):
    """The CLI renders its twin's typed result: --json is exactly ``to_dict()``."""
    path = tmp_path / "cases.txt"
    path.write_text("\n\n".join(f"{s}: {t}" for s, t in SIMILAR_ANSWERS) + "\n", encoding="utf-8")
    assert run(project, "import", str(path), "--role", "VSP", "--site", "A").exit_code == 0
    assert run(project, "tag", "cases", "2", "referral.hotline", "--coder", "ana", "--memo", "tip").exit_code == 0
    assert run(project, "tag", "cases", "4", "challenge.case_length", "--coder", "ana").exit_code == 0
    path.write_text("\n\n".join(f"{s}: {t}" for s, t in SIMILAR_ANSWERS[:2] + SIMILAR_ANSWERS[4:]) + "\n",
                    encoding="utf-8")
    assert run(project, "import", str(path), "--role", "VSP", "--site", "A", "--replace").exit_code == 0
    result = run(project, *command.split(), "--json")
    assert result.exit_code == 0, result.output
    shown, expected = json.loads(result.output), _as_json(TWINS[command](project))
    assert shown and shown == expected
