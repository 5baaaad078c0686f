"""The agreement walk reads each chunk's codings by (coder, transcript) (issue 21): with
``orphaned = 0`` in the WHERE, SQLite chose the (coder, orphaned, origin) index and read
every one of the coder's codings for each chunk, so agreement grew faster than linear."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from qualcode.store import codings as queries
from qualcode.store.schema import codings
from qualcode.store.transcripts import segment_ids
from tests.helpers import add_transcript
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
        passages = queries.coded_passages(conn, "referral.hotline")
    live = [e for row, e in zip(rows, expected, strict=True) if not row[6] and e[6] == "referral.hotline"]
    assert passages == [(tid, ordinal, coder, text) for tid, _, coder, _, ordinal, text, _ in sorted(live)]
