"""The lookups an import makes for every file never read the stored transcripts' texts
(issue 21): on SQLite, "sha256 = ? OR text_sha256 = ?" scanned every row past its text
(text_sha256 is stored after it), so each file's check grew with the project."""

from __future__ import annotations

import pytest

from qualcode.store import transcripts as queries
from tests.helpers import add_transcript, run_statements

pytestmark = pytest.mark.sqlite_only


def plans(project, call) -> list[str]:
    """SQLite's query plan of every statement ``call(conn)`` runs."""
    with project.read() as conn:
        statements = run_statements(conn, call)
        return [row[-1] for statement, parameters in statements if statement.lstrip().upper().startswith("SELECT")
                for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]


@pytest.mark.parametrize("lookup", [
    lambda conn: queries.same_content(conn, "0" * 64, "Interviewer: x", "t-9"),
    lambda conn: queries.content_matches(conn, ["0" * 64, "1" * 64], ["2" * 64]),
    lambda conn: queries.stored_file_digests(conn, ["t-1", "t-9"]),
], ids=["same_content", "content_matches", "stored_file_digests"])
def test_a_lookup_uses_an_index_and_never_reads_the_rows(project, lookup):
    for number in range(3):
        add_transcript(project, f"t-{number}", "VSP", [("Interviewer", f"Question {number}?"), ("Respondent", "Yes.")])
    steps = plans(project, lookup)
    assert steps, "the lookup ran a SELECT"
    for step in steps:
        assert step.startswith("SEARCH") or "COVERING INDEX" in step or step.startswith(("COMPOUND", "USE TEMP", "UNION", "LEFT")), step
