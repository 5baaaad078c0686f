"""A bulk part on PostgreSQL (issue 21): its codings go as INSERTs of 500 rows
(``store.bulk_insert`` for a part, ``store.unnest`` under ``insert_codings`` for imports
and merges) and the stored counts are kept by statement-level triggers over transition
tables (migration 19). A part of 1, 2, 500 or
501 codings (one statement, a full one, a full one and one more row) must leave the
same codings, the same stored counts and the same event log as the per-row path (one
INSERT a coding, each counted by the triggers), whether the part is counted once
(``counted_once``, the lead's bulk write) or by the triggers themselves (a coder's role
may not defer: the statement trigger counts 500 rows at once, several on one turn).
PostgreSQL only: SQLite has no statement-level triggers (test_bulk_insert.py and the
stored-counts state machine cover its path)."""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from qualcode.store import bulk, bulk_insert, stored_counts
from qualcode.store import codings as store_codings
from qualcode.store.bulk import GroupWriter
from qualcode.store.codings import group_events, reserve_coding_ids
from qualcode.store.schema import code_turns, coder_transcripts, coder_turns, codings, events
from qualcode.store.stored_counts import count_problems
from qualcode.store.transcripts import segment_ids
from qualcode.store.unnest import insert_rows
from tests.helpers import INTERVIEW, add_coders, add_transcript
from tests.pg import require_server

pytestmark = pytest.mark.coders("bulk", "rowwise")

CODES = ["referral.hotline", "referral.law_enforcement", "challenge.housing"]
STAMPS = ("created_at", "updated_at", "at")
SERIAL = itertools.count(1)
STAMP = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)


@pytest.fixture
def two_transcripts(project):
    require_server()
    for tid in ("t-a", "t-b"):
        add_transcript(project, tid, "service_provider", INTERVIEW)
    with project.read() as conn:
        if conn.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's statement-level count triggers (QUALCODE_TEST_DATABASE_URL selects it)")
    return project


def planned(conn, coder: str, count: int, seed: int = 0) -> list[dict]:
    """``count`` codings over both transcripts' turns (interviewer turns among them): each
    code several times on a turn, some spans repeated, every 7th coding orphaned."""
    turns = [(tid, sid) for tid in ("t-a", "t-b") for sid in segment_ids(conn, tid).values()]
    rows = []
    for k in range(count):
        tid, sid = turns[(k * 5 + seed) % len(turns)]
        orphan = (k + seed) % 7 == 3
        rows.append({"transcript_id": tid, "segment_id": None if orphan else sid, "coder": coder,
                     "code_id": CODES[(k // 3 + seed) % len(CODES)], "start_offset": k % 11, "end_offset": k % 11 + 4,
                     "origin": "rules", "confidence": 0.5, "orphaned": orphan, "orphan_text": "gone" if orphan else None})
    return rows


def executemany(conn, table, rows) -> None:
    conn.execute(insert(table), rows)  # psycopg: one INSERT a row (pipelined)


@contextmanager
def per_row(monkeypatch) -> Iterator[None]:
    """The per-row path: SQLAlchemy's executemany (one INSERT a coding, insert_codings'
    path before issue 21's PostgreSQL work), each counted by the triggers."""
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "insert_part", lambda conn, rows, stamp: None)
        patch.setattr(store_codings, "insert_rows", executemany)
        patch.setattr(stored_counts, "may_defer", lambda conn: False)
        yield


def write(project, coder: str, parts: list[list[dict]]) -> None:
    with project.write() as conn:
        writer = GroupWriter(conn, coder, "tag")
        for part in parts:
            writer.write(inserts=part, updates=[], deletes=[])
        writer.finish()


def statements_on_codings(project, call) -> int:
    """INSERT statements the server ran on codings during ``call()`` (a statement trigger counts them)."""
    with project.write() as conn:
        conn.exec_driver_sql("CREATE TABLE test_inserts (n integer)")
        conn.exec_driver_sql("CREATE FUNCTION test_count_insert() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN INSERT INTO test_inserts VALUES (1); RETURN NULL; END $$")
        conn.exec_driver_sql("CREATE TRIGGER test_count_insert AFTER INSERT ON codings "
                             "FOR EACH STATEMENT EXECUTE FUNCTION test_count_insert()")
    call()
    with project.write() as conn:
        found = conn.exec_driver_sql("SELECT count(*) FROM test_inserts").scalar_one()
        conn.exec_driver_sql("DROP TRIGGER test_count_insert ON codings")
        conn.exec_driver_sql("DROP FUNCTION test_count_insert()")
        conn.exec_driver_sql("DROP TABLE test_inserts")
    return found


def state(project, coder: str) -> dict:
    """The coder's codings, stored counts and expanded events, without ids, stamps or the coder's name."""
    with project.read() as conn:
        stored = [{k: v for k, v in r._mapping.items() if k not in ("id", "coder", *STAMPS)}
                  for r in conn.execute(select(codings).where(codings.c.coder == coder).order_by(codings.c.id))]
        counts = {t.name: sorted(tuple(v for k, v in r._mapping.items() if k != "coder")
                                 for r in conn.execute(select(t).where(t.c.coder == coder)))
                  for t in (coder_turns, code_turns, coder_transcripts)}
        ids = conn.execute(select(codings.c.id).where(codings.c.coder == coder).order_by(codings.c.id)).scalars()
        rank = {coding_id: n for n, coding_id in enumerate(ids)}  # the coders' ids interleave: compare ranks
        groups = conn.execute(select(events.c.group_id).where(events.c.coder == coder).distinct()).scalars().all()
        logged = [e for group in sorted(groups) for e in group_events(conn, group)]
        assert count_problems(conn) == []

    def plain(row):
        if row is None:
            return None
        row = {k: v for k, v in row.items() if k not in (*STAMPS, "coder")}
        return {**row, "id": rank[row["id"]]} if "id" in row else row
    log = [json.dumps([e["action"], e["transcript_id"], plain(e["before"]), plain(e["after"])], sort_keys=True)
           for e in logged]
    return {"codings": stored, "counts": counts, "events": log}


@pytest.mark.parametrize("path", ["part", "general"])  # insert_part, or insert_codings (imports, merges)
@pytest.mark.parametrize("deferred", [True, False], ids=["counted-once", "counted-by-trigger"])
@pytest.mark.parametrize("size", [1, 2, 500, 501])
def test_a_bulk_part_counts_and_logs_as_the_per_row_path(two_transcripts, monkeypatch, size, deferred, path):
    project = two_transcripts
    with project.read() as conn:
        earlier = {c: planned(conn, c, 40, seed=1) for c in ("bulk", "rowwise")}  # codings already stored
        part = {c: planned(conn, c, size) for c in ("bulk", "rowwise")}
    with per_row(monkeypatch):
        write(project, "bulk", [earlier["bulk"]])
        write(project, "rowwise", [earlier["rowwise"]])
        assert statements_on_codings(project, lambda: write(project, "rowwise", [part["rowwise"]])) == size
    with monkeypatch.context() as patch:
        if not deferred:
            patch.setattr(stored_counts, "may_defer", lambda conn: False)
        if path == "general":
            patch.setattr(bulk, "insert_part", lambda conn, rows, stamp: None)
        statements = statements_on_codings(project, lambda: write(project, "bulk", [part["bulk"]]))
    assert statements == math.ceil(size / 500)  # not one a coding
    bulk_state, rowwise_state = state(project, "bulk"), state(project, "rowwise")
    assert bulk_state["counts"]["code_turns"]  # something was counted
    assert bulk_state == rowwise_state


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 9), min_size=1, max_size=3), rows=st.integers(1, 4), seed=st.integers(0, 20))
def test_parts_of_any_size_in_statements_of_any_size_count_as_row_by_row(two_transcripts, sizes, rows, seed):
    """Parts written by the statement triggers alone (no deferral), ``rows`` codings a
    statement: the counts of a row-by-row write of the same codings."""
    project = two_transcripts
    mp = pytest.MonkeyPatch()
    number = next(SERIAL)
    coders = [f"bulk-{number}", f"rowwise-{number}"]  # each example its own coders
    add_coders(project, *coders)
    try:
        with project.read() as conn:
            plans = {c: [planned(conn, c, n, seed + i) for i, n in enumerate(sizes)] for c in coders}
        with mp.context() as patch:
            patch.setattr(stored_counts, "may_defer", lambda conn: False)
            patch.setattr(bulk_insert, "ROWS", rows)
            write(project, coders[0], plans[coders[0]])
        with per_row(mp):
            write(project, coders[1], plans[coders[1]])
        assert state(project, coders[0]) == state(project, coders[1])
    finally:
        mp.undo()


def test_insert_rows_takes_rows_as_executemany_does(two_transcripts):
    """Other keys ignored, a left-out column's Python default applied (orphaned), a later
    row without a column the first row gives refused (nothing written)."""
    project = two_transcripts
    with project.write() as conn:
        ids = reserve_coding_ids(conn, 3)
        rows = [{**{k: v for k, v in row.items() if k != "orphaned"}, "id": i, "created_at": STAMP,
                 "updated_at": STAMP, "note": "ignored"} for row, i in zip(planned(conn, "bulk", 3), ids, strict=True)]
        insert_rows(conn, codings, rows)
        stored = conn.execute(select(codings.c.id, codings.c.orphaned, codings.c.created_at)
                              .where(codings.c.coder == "bulk").order_by(codings.c.id)).all()
        assert stored == [(i, False, STAMP) for i in ids]
    with pytest.raises(ValueError, match="every row must give 'memo'"), project.write() as conn:
        fresh = [{k: v for k, v in row.items() if k != "id"} for row in rows[:2]]
        store_codings.insert_codings(conn, [{**fresh[0], "memo": "m"}, fresh[1]])  # the second has no memo
    with project.read() as conn:
        assert sorted(conn.execute(select(codings.c.id).where(codings.c.coder == "bulk")).scalars()) == ids
