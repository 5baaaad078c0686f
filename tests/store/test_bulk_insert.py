"""A bulk part's codings as ready tuples (``store.bulk_insert``): the same rows stored and
logged as the general path (``insert_codings`` through SQLAlchemy), or no write at all,
on either back end (multi-row INSERTs on SQLite and PostgreSQL alike)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from qualcode.store import bulk_insert
from qualcode.store.bulk import _inserted_row
from qualcode.store.bulk_insert import insert_part
from qualcode.store.codings import insert_codings
from qualcode.store.schema import codings
from qualcode.store.transcripts import segment_ids

pytestmark = pytest.mark.coders("fast", "general")

STAMP = datetime(2026, 12, 5, 10, 0, 0, 123456, tzinfo=UTC)


def _rows(transcript, sid: int, coder: str, extra: dict) -> list[dict]:
    turn = transcript.segments[1]
    return [
        {"transcript_id": transcript.id, "segment_id": sid, "coder": coder, "code_id": "referral.hotline",
         "start_offset": turn.start + n, "end_offset": turn.start + n + 3, "origin": "rules", **extra}
        for n in range(3)
    ]


def _stored(conn, coder: str) -> list[dict]:
    rows = conn.execute(select(codings).where(codings.c.coder == coder).order_by(codings.c.id))
    return [{k: v for k, v in r._mapping.items() if k not in ("id", "coder")} for r in rows]


@pytest.mark.parametrize("extra", [
    {"confidence": 0.75, "memo": None, "codebook_version_id": None},
    {"confidence": 1, "memo": "a memo"},  # an int confidence: stored as the float SQLAlchemy makes of it
    {"confidence": None, "orphaned": True, "orphan_text": "gone", "segment_id": None},
    {},
])
@pytest.mark.parametrize("per_statement", [1, 2, 500])  # several statements, a short last one, one
def test_a_part_is_stored_and_logged_as_the_general_path_does(project, interview, monkeypatch, extra, per_statement):
    monkeypatch.setattr(bulk_insert, "ROWS", per_statement)
    with project.write() as conn:
        sid = segment_ids(conn, interview.id)[interview.segments[1].ordinal]
        logged = insert_part(conn, _rows(interview, sid, "fast", extra), STAMP)
        general = _rows(interview, sid, "general", extra)
        ids = insert_codings(conn, [{"created_at": STAMP, "updated_at": STAMP, **row} for row in general])
        expected = [_inserted_row(row, i, STAMP.isoformat()) for row, i in zip(general, ids, strict=True)]
        assert logged is not None
        assert [{**row, "coder": "general", "id": 0} for row in logged] == [{**row, "id": 0} for row in expected]
        assert [row["id"] for row in logged] == sorted(row["id"] for row in logged) < ids
        assert _stored(conn, "fast") == _stored(conn, "general")


@pytest.mark.parametrize("odd", [{"id": 5}, {"created_at": STAMP}, {"updated_at": STAMP.isoformat()}, {"role": "x"}])
def test_rows_it_cannot_take_are_left_to_the_general_path_unwritten(project, interview, odd):
    with project.write() as conn:
        sid = segment_ids(conn, interview.id)[interview.segments[1].ordinal]
        rows = _rows(interview, sid, "fast", {})
        rows[1] = {**rows[1], **odd}
        assert insert_part(conn, rows, STAMP) is None
        assert _stored(conn, "fast") == []
        assert insert_part(conn, [], STAMP) == []
