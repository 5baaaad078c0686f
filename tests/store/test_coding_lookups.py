"""The agreement walk reads each chunk's codings by (coder, transcript) (issue 21): with
``orphaned = 0`` in the WHERE, SQLite chose the (coder, orphaned, origin) index and read
every one of the coder's codings for each chunk, so agreement grew faster than linear."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from qualcode.store import codings as queries
from qualcode.store.coded_text import coded_passages
from qualcode.store.schema import codings
from qualcode.store.spans import coder_spans
from qualcode.store.transcripts import load_transcripts_for_units, segment_ids
from tests.helpers import add_transcript, run_statements
from tests.store.test_transcript_lookups import plans

pytestmark = pytest.mark.coders("ana", "ben")

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
    used = plans(project, lambda conn: coder_spans(conn, "ana", ["t-0", "t-2"]))
    assert any("ix_codings_coder (coder=? AND transcript_id=?)" in plan for plan in used), used
    assert not any("ix_codings_coder_origin" in plan for plan in used), used


def test_coder_spans_leaves_orphans_out(project):
    ids = add_codings(project, 3)
    with project.write() as conn:
        queries.orphan_coding(conn, ids[1], "The hotline")
    with project.read() as conn:
        spans = coder_spans(conn, "ana", ["t-0", "t-1", "t-2"])
    assert [(row[0], row[1]) for row in spans] == [(ids[0], "t-0"), (ids[2], "t-2")]


# Words outside ASCII: each passage is its coding's characters of the turn.
ACCENTED = [("Interviewer", "Ça va — d'où venez-vous ?"), ("Respondent", "Émigrée, 汉字 et «hotline»: très bien."),
            ("Interviewer", "Et après ?"), ("Respondent", "Le refuge — ñandú, naïve café.")]
PASSAGE_ROWS = st.lists(st.tuples(
    st.sampled_from(["p-1", "p-2"]), st.sampled_from([1, 2, 3, 4]), st.sampled_from(["ana", "ben"]),
    st.sampled_from(["referral.hotline", "referral"]), st.floats(0, 1), st.floats(0, 1), st.booleans(),
), max_size=12)


@pytest.fixture
def accented(project):
    return {t.id: t for t in (add_transcript(project, tid, "VSP", ACCENTED) for tid in ("p-1", "p-2"))}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=PASSAGE_ROWS)
def test_coded_passages_are_the_live_codings_of_the_code_with_their_text(project, accented, rows):
    expected = []
    with project.write() as conn:
        conn.execute(delete(codings))
        for tid, ordinal, coder, code, a, b in (row[:6] for row in rows):
            segment = accented[tid].segment(ordinal)
            start = segment.start + int(min(a, b) * (segment.end - segment.start - 1))
            end = max(start + 1, segment.start + int(max(a, b) * (segment.end - segment.start)))
            stored = queries.insert_coding(conn, {
                "transcript_id": tid, "segment_id": segment_ids(conn, tid)[ordinal], "coder": coder,
                "code_id": code, "start_offset": start, "end_offset": end, "origin": "manual"})
            expected.append((tid, start, coder, stored["id"], ordinal, accented[tid].text[start:end], code))
        for row, stored in zip(rows, expected, strict=True):
            if row[6]:  # orphaned: left out
                queries.orphan_coding(conn, stored[3], stored[5])
    with project.read() as conn:
        passages = coded_passages(conn, "referral.hotline")
    live = [e for row, e in zip(rows, expected, strict=True) if not row[6] and e[6] == "referral.hotline"]
    assert passages == [(tid, ordinal, coder, text) for tid, _, coder, _, ordinal, text, _ in sorted(live)]


def pg_scans(project, call) -> list[dict]:
    """Every scan node of PostgreSQL's plans (EXPLAIN, FORMAT JSON) of the SELECTs ``call`` runs."""
    with project.read() as conn:
        statements = run_statements(conn, call)
        cursor = conn.connection.dbapi_connection.cursor()
        nodes: list[dict] = []
        for statement, parameters in statements:
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            nodes += _nodes(cursor.fetchone()[0][0]["Plan"])
    return [node for node in nodes if "Scan" in node["Node Type"] and node["Node Type"] != "Function Scan"]


def _nodes(node: dict) -> list[dict]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]


def bulk_codings(project, coder: str, transcripts: list[str]) -> None:
    with project.write() as conn:
        rows = [{"transcript_id": t, "segment_id": segment, "coder": coder, "code_id": "referral.hotline",
                 "start_offset": start, "end_offset": start + 3, "origin": "manual"}
                for t in transcripts for segment in segment_ids(conn, t).values() for start in (0, 4, 8)]
        queries.insert_codings(conn, rows)


@pytest.mark.coders("ana", "ben")
@pytest.mark.parametrize("statistics", ["none", "from before ben's codings"])
def test_postgresql_reads_each_transcript_of_the_chunk_by_index_without_fresh_statistics(
        project, database_server, statistics):
    """Straight after bulk writes (no ANALYZE: a coder's role may not run it) PostgreSQL read
    all of a coder's codings, or every turn, for each chunk of the agreement walk."""
    if database_server is None:
        pytest.skip("PostgreSQL's planner (QUALCODE_TEST_DATABASE_URL unset); SQLite's plan: the test above")
    with project.write() as conn:  # the statistics stay as the test makes them
        for table in ("codings", "segments", "transcripts"):
            conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
    ids = [f"t-{number:03d}" for number in range(120)]
    for transcript in ids:
        add_transcript(project, transcript, "VSP", TURNS * 12)
    bulk_codings(project, "ana", ids)
    if statistics != "none":
        with project.write() as conn:
            conn.exec_driver_sql("ANALYZE codings")
    bulk_codings(project, "ben", ids)
    chunk = ids[40:72]
    for call in (lambda conn: coder_spans(conn, "ben", chunk),
                 lambda conn: coder_spans(conn, "ana", chunk),
                 lambda conn: load_transcripts_for_units(conn, chunk)):
        scans = pg_scans(project, call)
        assert not [node for node in scans if "Index Name" not in node and node["Node Type"] != "Bitmap Heap Scan"], scans
        keys = [node["Index Cond"] for node in scans if "Index Name" in node]
        assert keys and all(any(key in cond for key in ("chunk.id", "segments.id", "codings.segment_id"))
                            for cond in keys), keys  # a seek per transcript (or per turn of one), never a coder's all
