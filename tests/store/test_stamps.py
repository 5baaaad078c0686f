"""Timestamps (store/stamps.py): integer microseconds on SQLite, timestamptz on PostgreSQL.

Whatever the back end, a stored instant reads back as the same instant, and the column
orders and aggregates like the instants; migration 13 rewrites an older SQLite store's
text timestamps without changing one of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text

from qualcode.errors import StoreError
from qualcode.store import HEAD, upgrade
from qualcode.store.codings import (
    append_event,
    coding_row,
    ensure_coder,
    event_rows,
    insert_codings,
)
from qualcode.store.copy import as_utc
from qualcode.store.migrations import MIGRATIONS, current_version
from qualcode.store.schema import codings, schema_version
from qualcode.store.stamps import Stamp
from qualcode.store.transcripts import segment_ids

pytestmark = pytest.mark.coders("alice")
STEP = next(m for m in MIGRATIONS if m.name.startswith("timestamps as integer microseconds"))

scratch = MetaData()
stamped = Table("stamp_probe", scratch, Column("id", Integer, primary_key=True), Column("at", Stamp()))

# PostgreSQL keeps microseconds and years 1..9999 in UTC; offsets up to ±14 h as in the wild.
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                        timezones=st.one_of(st.none(), st.just(UTC),
                                            st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))))


@given(st.lists(instants, min_size=1, max_size=8))
def test_stamps_round_trip_and_sort_like_the_instants(project, values):
    # Naive datetimes are UTC (as qualcode writes them); aware ones are read back as the same instant.
    with project.write() as conn:
        stamped.drop(conn, checkfirst=True)
        stamped.create(conn)
        conn.execute(insert(stamped), [{"id": n, "at": v} for n, v in enumerate(values)])
    with project.read() as conn:
        back = dict(conn.execute(select(stamped.c.id, stamped.c.at)).all())
        ordered = list(conn.execute(select(stamped.c.at).order_by(stamped.c.at, stamped.c.id)).scalars())
        latest = conn.execute(select(func.max(stamped.c.at))).scalar_one()
        since = conn.execute(select(func.count()).where(stamped.c.at >= values[0])).scalar_one()
    assert {n: as_utc(v) for n, v in back.items()} == {n: as_utc(v) for n, v in enumerate(values)}
    assert [as_utc(v) for v in ordered] == sorted(as_utc(v) for v in values)
    assert as_utc(latest) == max(as_utc(v) for v in values)
    assert since == sum(as_utc(v) >= as_utc(values[0]) for v in values)


@pytest.mark.sqlite_only
def test_sqlite_stores_eight_byte_integers(project, interview):
    _code(project, interview, 3)
    with project.read() as conn:
        kinds = conn.execute(text("SELECT DISTINCT typeof(created_at), typeof(updated_at) FROM codings")).all()
        stamps = conn.execute(text("SELECT typeof(applied_at) FROM schema_version")).scalars().all()
    assert kinds == [("integer", "integer")] and set(stamps) == {"integer"}


def test_older_store_timestamps_are_rewritten_exactly(project, interview):
    # A store stamped before migration 13 holds SQLAlchemy's text form on SQLite: on open
    # every value becomes an integer, and each reads back as the instant it was.
    _code(project, interview, 5)
    with project.read() as conn:
        before = conn.execute(select(codings.c.id, codings.c.created_at, codings.c.updated_at).order_by(codings.c.id)).all()
        logged = event_rows(conn)
    _make_older(project, {"codings": ("created_at", "updated_at"), "events": ("at",)})
    applied = upgrade(project.engine)
    assert STEP.version in [m.version for m in applied]
    with project.read() as conn:
        assert conn.execute(select(codings.c.id, codings.c.created_at, codings.c.updated_at).order_by(codings.c.id)).all() == before
        assert event_rows(conn) == logged and len(logged) == 5
        assert conn.execute(select(func.max(codings.c.updated_at))).scalar_one() == max(r.updated_at for r in before)
        assert current_version(conn) == HEAD
        if conn.dialect.name == "sqlite":
            kinds = conn.execute(text("SELECT DISTINCT typeof(created_at) FROM codings")).scalars().all()
            assert kinds == ["integer"]


@pytest.mark.sqlite_only
def test_a_stored_value_that_is_no_timestamp_is_refused(project, interview):
    _code(project, interview, 2)
    _make_older(project, {"codings": ("created_at",)})
    with project.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE codings SET created_at = 'yesterday' WHERE id = (SELECT max(id) FROM codings)")
    with pytest.raises(StoreError, match=r"codings.created_at of row \d+ is not a timestamp"):
        upgrade(project.engine)
    with project.engine.connect() as conn:  # the migration's transaction was rolled back
        assert current_version(conn) == STEP.version - 1
        assert conn.exec_driver_sql("SELECT count(*) FROM codings WHERE typeof(created_at) = 'text'").scalar() == 2


def _code(project, interview, count: int) -> None:
    turn = interview.segments[1]
    with project.write() as conn:
        ensure_coder(conn, "alice")
        sid = segment_ids(conn, interview.id)[turn.ordinal]
        rows = [{"transcript_id": interview.id, "segment_id": sid, "coder": "alice", "code_id": "referral.hotline",
                 "start_offset": turn.start + n, "end_offset": turn.start + n + 2, "origin": "manual"}
                for n in range(count)]
        for coding_id in insert_codings(conn, rows):  # logged as a tag is, payload and all
            append_event(conn, coder="alice", action="tag", transcript_id=interview.id, coding_id=coding_id,
                         before=None, after=coding_row(conn, coding_id))


def _make_older(project, columns: dict[str, tuple[str, ...]]) -> None:
    """Stamp the store just before migration 13; on SQLite put the timestamps back in the text form."""
    with project.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for table, names in columns.items():
                for name in names:
                    rows = conn.exec_driver_sql(f"SELECT rowid, {name} FROM {table}").all()
                    conn.exec_driver_sql(f"UPDATE {table} SET {name} = ? WHERE rowid = ?",
                                         [(_text_form(value), rowid) for rowid, value in rows])
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=STEP.version - 1, name="older", applied_at=datetime.now(UTC)))


def _text_form(micros: int) -> str:
    """SQLAlchemy's SQLite DATETIME storage format, as stores before migration 13 hold it."""
    value = datetime(1970, 1, 1) + timedelta(microseconds=micros)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("stored, expected", [
    ("2026-12-05 04:26:51.078342", datetime(2026, 12, 5, 4, 26, 51, 78342)),
    ("2026-12-05 06:26:51.078342+02:00", datetime(2026, 12, 5, 4, 26, 51, 78342)),
])
def test_a_text_timestamp_is_read_as_stored(project, stored, expected):
    # What an older store holds (or a value written outside qualcode) still reads as its instant.
    with project.write() as conn:
        stamped.create(conn, checkfirst=True)
        conn.exec_driver_sql("INSERT INTO stamp_probe (id, at) VALUES (1, ?)", (stored,))
    with project.read() as conn:
        assert conn.execute(select(stamped.c.at)).scalar_one() == expected
