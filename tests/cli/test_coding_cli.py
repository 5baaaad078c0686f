"""The coding commands through typer's CliRunner: exit codes and messages."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.codebook.operations import list_versions, project_code_rows
from qualcode.coding.listing import event_log, list_codings, list_orphans, progress
from qualcode.coding.session import CodingSession
from qualcode.project import Project
from qualcode.transcripts.reading import list_transcripts, show_transcript
from tests.conftest import use_codebook
from tests.helpers import DATA, INTERVIEW, SIMILAR_ANSWERS, add_coders, add_transcript

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


@pytest.mark.parametrize("limit", [2, 2000])
def test_log_numbers_the_codings_of_a_bulk_event_once_each(project, interview, monkeypatch, limit):
    """A bulk run stores up to LIMIT codings per event; the log names each line once
    (ID.1, ID.2, ...) and --json says which part of how many, beside a one-change event."""
    from qualcode.coding.bulk import apply_many
    from qualcode.store import batches
    from qualcode.store.transcripts import segment_ids

    monkeypatch.setattr(batches, "LIMIT", limit)
    run(project, "tag", "vsp-1", "2", "referral.hotline", "--coder", "ana")
    with project.read() as conn:
        ids = segment_ids(conn, "vsp-1")
    turns = [seg for seg in interview.respondent_segments][:2]
    new = [{"transcript_id": "vsp-1", "segment_id": ids[seg.ordinal], "coder": "ana", "code_id": code,
            "start_offset": seg.start + n, "end_offset": seg.start + n + 4, "origin": "rules", "confidence": 0.9,
            "memo": None, "codebook_version_id": None}
           for seg in turns for n, code in enumerate(("challenge.housing", "challenge.language"))]
    with project.write() as conn:
        apply_many(conn, "ana", "autocode", new)
    log = json.loads(run(project, "log", "--json").output)
    assert [(e["part"], e["parts"]) for e in log[:1]] == [(None, None)]  # the tag: one change
    bulk = log[1:]
    assert len(bulk) == len(new) == 4
    expected = [(n % limit + 1, min(limit, 4)) for n in range(4)]
    assert [(e["part"], e["parts"]) for e in bulk] == expected
    assert len({e["id"] for e in bulk}) == -(-4 // limit)
    lines = run(project, "log").output.splitlines()
    labels = [line.split()[0] for line in lines]
    assert len(labels) == len(set(labels)) == 5  # no id shown twice
    first = bulk[0]["id"]
    assert labels[1:3] == [f"{first}.1", f"{first}.2"]


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
    CodingSession(project, "ana").set_memo(coding.id, "second thought")
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


HOUSING = ["tag", "vsp-1", "4", "challenge.housing", "--coder", "ana", "--text", "a need for housing"]
UNDO = ["undo", "--coder", "ana"]
# command -> (the CLI steps before it, its arguments, its plain-Python twin): the write commands
# print what their twin's ActionResult.to_dict() holds.
WRITE_TWINS = {
    "tag": ([HOUSING], ["tag", "vsp-1", "4", "challenge.housing", "--coder", "ana", "--text", "There's always a need"],
            lambda s: s.tag("vsp-1", 4, ["challenge.housing"], text="There's always a need")),
    "tag two codes": ([], ["tag", "vsp-1", "2", "referral.hotline", "challenge.case_length", "--coder", "ana"],
                      lambda s: s.tag("vsp-1", 2, ["referral.hotline", "challenge.case_length"])),
    "untag": ([HOUSING], ["untag", "vsp-1", "4", "challenge.housing", "--coder", "ana"],
              lambda s: s.untag("vsp-1", 4, ["challenge.housing"])),
    "undo": ([HOUSING], UNDO, lambda s: s.undo()),
    "redo": ([HOUSING, UNDO], ["redo", "--coder", "ana"], lambda s: s.redo()),
}


def _twin_project(root) -> Project:
    """A project set up as the ``project`` and ``interview`` fixtures set up theirs."""
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    twin = Project(root)
    add_coders(twin, "ana", "cleo")
    add_transcript(twin, "vsp-1", "service_provider", INTERVIEW)
    return twin


def _without_times(data):
    """A result's JSON with the rows' timestamps blanked (two projects never write at the same instant)."""
    for key in ("added", "removed", "unchanged"):
        for row in data[key]:
            assert row["created_at"] and row["updated_at"]
            row["created_at"] = row["updated_at"] = "<time>"
    return data


@pytest.mark.parametrize("command", list(WRITE_TWINS))
def test_json_of_a_write_command_is_its_twins_to_dict(project, interview, tmp_path, command):
    """The same steps on two identical projects: the CLI's --json there is the twin's to_dict() here."""
    steps, args, twin_action = WRITE_TWINS[command]
    twin = _twin_project(tmp_path / "twin")
    try:
        for step in steps:
            assert run(project, *step).exit_code == 0 and run(twin, *step).exit_code == 0
        result = run(project, *args, "--json")
        assert result.exit_code == 0, result.output
        expected = twin_action(CodingSession(twin, "ana"))
    finally:
        twin.close()
    shown = _without_times(json.loads(result.output))
    assert shown["added"] or shown["removed"]
    assert shown == _without_times(_as_json(expected.to_dict()))
    assert list(shown) == ["action", "group_id", "added", "removed", "unchanged", "decisions", "marks", "memos"]
