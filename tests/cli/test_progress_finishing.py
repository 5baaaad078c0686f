"""``qualcode progress`` and ``qualcode log`` with finish marks and memos: through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.finishing import set_mark
from qualcode.coding.memos import set_target_memo
from qualcode.coding.session import CodingSession
from tests.helpers import INTERVIEW, add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

runner = CliRunner()


def run(project, *args):
    result = runner.invoke(app, ["-p", str(project.root), *args])
    assert result.exit_code == 0, result.output
    return result


def rows(project):
    return {(r["coder"], r["transcript"]): r for r in json.loads(run(project, "progress", "--json").output)}


@pytest.mark.parametrize("mark_first", [True, False], ids=["mark-then-tag", "tag-then-mark"])
def test_progress_counts_nothing_to_code_turns_as_handled(project, interview, mark_first):
    session = CodingSession(project, "ana")
    steps = [lambda: set_mark(session, "vsp-1", 4, True), lambda: session.tag("vsp-1", 2, ["referral.hotline"])]
    for step in steps if mark_first else reversed(steps):
        step()
    row = rows(project)[("ana", "vsp-1")]
    assert (row["coded"], row["handled"], row["total"], row["percent"], row["finished"]) == (1, 2, 2, 100.0, True)
    table = run(project, "progress").output
    assert "handled" in table and "finished" in table


def test_progress_shows_done_and_undo_takes_it_back(project, interview):
    session = CodingSession(project, "ben")
    set_mark(session, "vsp-1", None, True)
    row = rows(project)[("ben", "vsp-1")]
    assert (row["coded"], row["handled"], row["done"], row["finished"]) == (0, 0, True, True)
    assert "done" in run(project, "progress").output
    undone = run(project, "undo", "--coder", "ben").output
    assert "- done: vsp-1" in undone
    assert ("ben", "vsp-1") not in rows(project)


def test_a_reimport_with_new_content_makes_marks_stale(project, tmp_path):
    source = tmp_path / "vsp-9.txt"
    source.write_text("Interviewer: Where do cases come from?\n\nRespondent: The hotline.\n\n"
                      "Interviewer: Anything else?\n\nRespondent: No, that's it. Thanks.\n", encoding="utf-8")
    run(project, "import", str(source), "--role", "VSP", "--site", "A")
    set_mark(CodingSession(project, "ana"), "vsp-9", 4, True)
    assert rows(project)[("ana", "vsp-9")]["handled"] == 1
    source.write_text(source.read_text(encoding="utf-8").replace("The hotline.", "The hotline, mostly."),
                      encoding="utf-8")
    run(project, "import", str(source), "--role", "VSP", "--site", "A", "--replace")
    row = rows(project)[("ana", "vsp-9")]
    assert (row["handled"], row["stale_marks"]) == (0, 1)
    assert "1 finish mark made before a re-import changed the transcript" in run(project, "progress").output


def test_log_lists_marks_and_memos(project, interview):
    session = CodingSession(project, "ana")
    set_mark(session, "vsp-1", 2, True)
    set_target_memo(session, "first line\nsecond", transcript_id="vsp-1")
    set_target_memo(session, "what counts as a hotline", code_id="referral.hotline")
    log = json.loads(run(project, "log", "--json").output)
    assert [(e["action"], e["change"], e["transcript"], e["code"]) for e in log] == [
        ("mark", "set", "vsp-1", None), ("memo", "set", "vsp-1", None), ("memo", "set", None, "referral.hotline")]
    assert log[0]["detail"] == "nothing to code turn 2"
    assert log[1]["memo"] == {"before": None, "after": "first line\nsecond"}
    assert "memo on code referral.hotline" in run(project, "log").output


def test_marking_a_coded_turn_is_refused_in_one_line(project, interview):
    from qualcode.errors import CodingError

    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"])
    with pytest.raises(CodingError, match="has ana's codings \\(referral.hotline\\), so it is not nothing to code"):
        set_mark(session, "vsp-1", 2, True)
    with pytest.raises(CodingError, match="interviewer turn"):
        set_mark(session, "vsp-1", 1, True)


def test_marks_and_memos_follow_a_rename_and_come_back_with_a_restore(project, interview):
    session = CodingSession(project, "ana")
    set_mark(session, "vsp-1", 4, True)
    set_target_memo(session, "a note", transcript_id="vsp-1")
    run(project, "transcripts", "set", "vsp-1", "--id", "vsp-9")
    assert rows(project)[("ana", "vsp-9")]["handled"] == 1
    from qualcode.coding.memos import target_memo

    assert target_memo(project, "ana", transcript_id="vsp-9") == "a note"
    run(project, "transcripts", "remove", "vsp-9", "--yes")
    assert ("ana", "vsp-9") not in rows(project)  # a removed transcript has no progress ...
    run(project, "transcripts", "restore", "vsp-9")
    assert rows(project)[("ana", "vsp-9")]["handled"] == 1  # ... and its marks come back with it
    assert target_memo(project, "ana", transcript_id="vsp-9") == "a note"


def test_analysis_set_coverage_counts_handled_turns_and_done(project, interview):
    add_transcript(project, "vsp-2", "service_provider", INTERVIEW)
    run(project, "assign", "ana", "--all")
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"])
    set_mark(session, "vsp-1", 4, True)  # vsp-1: every respondent turn handled
    set_mark(session, "vsp-2", None, True)  # vsp-2: nothing coded, but marked done
    shown = json.loads(run(project, "analysis-set", "show", "--json").output)
    coverage = shown["coverage"]
    assert (coverage["respondent_turns_coded"], coverage["respondent_turns_handled"], coverage["marked_done"],
            coverage["transcripts_finished"]) == (1, 2, 1, 2)
    entries = {e["transcript"]: e for e in shown["transcripts"]}
    assert (entries["vsp-1"]["handled_turns"], entries["vsp-1"]["finished"]) == (2, True)
    assert (entries["vsp-2"]["marked_done"], entries["vsp-2"]["finished"]) == (True, True)
    table = run(project, "analysis-set", "show").output
    assert "done" in table  # the finished column (narrow test terminal: the header may wrap)
