"""The agreement walk reads each chunk's codings by (coder, transcript) (issue 21): with
``orphaned = 0`` in the WHERE, SQLite chose the (coder, orphaned, origin) index and read
every one of the coder's codings for each chunk, so agreement grew faster than linear."""

from __future__ import annotations

import pytest

from qualcode.store import codings as queries
from qualcode.store.transcripts import segment_ids
from tests.helpers import add_transcript
from tests.store.test_transcript_lookups import plans

pytestmark = pytest.mark.coders("ana")

TURNS = [("Interviewer", "Where from?"), ("Respondent", "The hotline, mostly.")]


def add_codings(project, transcripts: int) -> list[int]:
    ids = []
    for number in range(transcripts):
        add_transcript(project, f"t-{number}", "VSP", TURNS)
        with project.write() as conn:
            segment = segment_ids(conn, f"t-{number}")[1]
            ids.append(queries.insert_coding(conn, {
                "transcript_id": f"t-{number}", "segment_id": segment, "coder": "ana",
                "code_id": "referral.hotline", "start_offset": 32, "end_offset": 39, "origin": "manual"})["id"])
    return ids


@pytest.mark.sqlite_only
def test_coder_spans_reads_the_chunk_by_coder_and_transcript(project):
    add_codings(project, 3)
    used = plans(project, lambda conn: queries.coder_spans(conn, "ana", ["t-0", "t-2"]))
    assert any("ix_codings_coder (coder=? AND transcript_id=?)" in plan for plan in used), used
    assert not any("ix_codings_coder_origin" in plan for plan in used), used


def test_coder_spans_leaves_orphans_out(project):
    ids = add_codings(project, 3)
    with project.write() as conn:
        queries.orphan_coding(conn, ids[1], "The hotline")
    with project.read() as conn:
        spans = queries.coder_spans(conn, "ana", ["t-0", "t-1", "t-2"])
    assert [(row[0], row[1]) for row in spans] == [(ids[0], "t-0"), (ids[2], "t-2")]
