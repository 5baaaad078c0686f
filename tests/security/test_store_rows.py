"""Rows and names the two back ends treat differently, and database errors: one line,
nothing written, no transcript text echoed. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, select, text

from qualcode.store.schema import events, transcripts
from tests.security.hostile import assert_one_line_refusal, run_cli, snapshot

pytestmark = pytest.mark.coders('ana')

SECRET = "Mira told us the house on Elm Street was where they kept the passports"


def test_a_nul_in_a_markdown_title_is_removed_and_reported(project, tmp_path):
    # The importer removes stray control characters (and says how many); no NUL may
    # reach the store, where PostgreSQL would refuse it with a traceback.
    source = tmp_path / "iv.md"
    source.write_bytes(f"# Interview\x00 one\n\nInterviewer: Why?\nRespondent: {SECRET}.\n".encode())
    result = run_cli(project, "import", str(source), "--role", "service_provider", "--site", "A")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert "removed 1 control character" in result.stdout
    assert "Elm Street" not in result.stdout + result.stderr
    with project.read() as conn:
        title, body = conn.execute(select(transcripts.c.title, transcripts.c.text)).one()
    assert "\x00" not in title and "\x00" not in body


def test_a_nul_in_an_attribute_is_one_line_and_nothing_is_written(project, tmp_path):
    source = tmp_path / "iv.md"
    source.write_text(f"Interviewer: Why?\nRespondent: {SECRET}.\n", encoding="utf-8")
    before = snapshot(project)
    line = assert_one_line_refusal(
        run_cli(project, "import", str(source), "--role", "service_provider", "--site", "A",
                "--attr", "mode=vir\x00tual"),
        "contains a NUL character",
    )
    assert "Elm Street" not in line
    assert snapshot(project) == before


def test_a_coder_name_over_100_characters_is_one_line(project, interview):
    before = snapshot(project)
    line = assert_one_line_refusal(
        run_cli(project, "tag", "vsp-1", "2", "referral.hotline", "--coder", "x" * 101),
        "at most 100 characters; received 101",
    )
    assert "x" * 50 not in line
    assert snapshot(project) == before


def _refuse_transcript_inserts(project) -> None:
    """A store that refuses new transcripts with a database error (as a full disk or a
    server-side check would): the failed statement's values hold the whole text."""
    with project.write() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON transcripts BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$BEGIN RAISE EXCEPTION 'refused' USING DETAIL = 'row: ' || NEW.text; END$$"
            )
            conn.exec_driver_sql("CREATE TRIGGER refuse BEFORE INSERT ON transcripts FOR EACH ROW EXECUTE FUNCTION refuse()")


def test_a_database_error_never_echoes_the_transcript(project, tmp_path):
    _refuse_transcript_inserts(project)
    source = tmp_path / "iv.txt"
    source.write_text(f"Interviewer: Why?\nRespondent: {SECRET}.\n", encoding="utf-8")
    result = run_cli(project, "import", str(source), "--role", "service_provider", "--site", "A")
    line = assert_one_line_refusal(result, "the database refused the command: refused", "nothing was changed")
    assert "Elm Street" not in result.stdout + result.stderr + line
    with project.read() as conn:
        assert conn.execute(select(transcripts.c.id)).all() == []


def test_the_log_reads_malformed_event_rows(project, interview):
    assert run_cli(project, "tag", "vsp-1", "2", "referral.hotline", "--coder", "ana").exit_code == 0
    with project.write() as conn:  # rows no qualcode writes: wrong JSON shapes, missing keys
        for before, after in [("x", [1]), ({"code_id": 5}, None), (None, {"start_offset": "a"}), ([], {})]:
            conn.execute(insert(events).values(coder="ana", at=text("CURRENT_TIMESTAMP"), action="tag",
                                               transcript_id="vsp-1", coding_id=1, before=before, after=after,
                                               undone=False))
    result = run_cli(project, "log")
    assert result.exit_code == 0, result.output
    listed = run_cli(project, "log", "--json")
    assert listed.exit_code == 0
    rows = json.loads(listed.stdout)
    assert [(r["code"], r["span"]) for r in rows[1:]] == [(None, None)] * 4
