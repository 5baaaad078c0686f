"""A bulk part's new codings sent to the driver as ready tuples, many rows a statement (issue 21).

``codings.insert_codings`` goes through SQLAlchemy's executemany: one INSERT statement
per row, each row's values a dict run through the types' bind processors (the two
timestamps of every coding, its confidence, its flag). On SQLite the statement per row
was the larger cost: ``codings`` has row triggers (the stored counts), and a statement
that may fire a trigger is run in a statement transaction (SQLite's insert.c begins
the write with a statement journal when the table has triggers), so every page it
touches (the table's and its five indexes') is first copied to the journal, for each row.
A trivial trigger made 28k single-row inserts cost 0.50 s of CPU instead of 0.17 s
(docs/performance.md). On PostgreSQL, psycopg's executemany also sends one INSERT a row
(pipelined), and the counts' trigger is a statement-level one (migration 19): one call
a statement, so one a row there too. Here ROWS rows are one INSERT (SQLite: a multi-row
VALUES; PostgreSQL: one array a column, unnested, ``store/unnest.py``), so SQLite
copies a page once per statement and PostgreSQL calls the counting trigger once per
statement; on SQLite the row triggers still fire for every row (the counts' switch,
``stored_counts.counted_once``, still decides what they do). Each row is one tuple in
the table's column order, the part's one timestamp converted once, and the same tuple
gives the row as the event log records it (``CODING_FIELDS`` order, the timestamp as
ISO text), so the rows are not built twice.

Only on SQLite (the ``qmark`` drivers) and PostgreSQL (``format``/``pyformat`` drivers),
whose ids are reserved up front, and only for rows of the plain columns (no id, no
timestamps of their own): :func:`insert_part` returns None otherwise and the caller
takes the general path.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection

from qualcode.store.codings import reserve_coding_ids
from qualcode.store.payloads import CODING_FIELDS
from qualcode.store.schema import codings
from qualcode.store.unnest import bind_processors, insert_columns

COLUMNS = tuple(column.name for column in codings.columns)
GIVEN = COLUMNS[1:-2]  # what a caller gives: transcript_id ... orphan_text (not the id, not the timestamps)
ALLOWED = frozenset(GIVEN)
EMPTY = {name: None for name in GIVEN} | {"orphaned": False}  # the column defaults insert_codings applies
_given = itemgetter(*GIVEN)
ROWS = 500  # rows a statement: 7,500 parameters, under SQLite's default limit of 32,766
PARAMSTYLES = {("sqlite", "qmark"), ("postgresql", "format"), ("postgresql", "pyformat")}  # the drivers it speaks to
# The tuples below serve both the INSERT (table order) and the log (CODING_FIELDS order):
# checked once, when the module is loaded, not on every part.
if COLUMNS[:1] + GIVEN + COLUMNS[-2:] != CODING_FIELDS:
    raise AssertionError("the codings table's columns and CODING_FIELDS differ in order")


def insert_part(conn: Connection, rows: list[dict[str, Any]], stamp: datetime) -> list[dict[str, Any]] | None:
    """Insert ``rows`` stamped ``stamp`` (created and updated); the rows as logged, in
    order, with their new ids. None (nothing written): not a case for this path."""
    if (conn.dialect.name, conn.dialect.paramstyle) not in PARAMSTYLES or not _processed(conn) <= PROCESSED:
        return None
    if not all(row.keys() <= ALLOWED for row in rows):
        return None
    if not rows:
        return []
    ids = reserve_coding_ids(conn, len(rows))
    if ids is None:
        return None
    given = [_given(EMPTY | row) for row in rows]
    stored, iso = _bind(conn, "created_at", stamp), stamp.isoformat()
    sent = [(i, *_bound(conn, values), stored, stored) for i, values in zip(ids, given, strict=True)]
    per_statement = max(1, min(ROWS, _parameter_limit(conn) // len(COLUMNS)))
    for first in range(0, len(sent), per_statement):
        _send(conn, sent[first : first + per_statement])
    return [dict(zip(CODING_FIELDS, (i, *values, iso, iso), strict=True)) for i, values in zip(ids, given, strict=True)]


def _send(conn: Connection, chunk: list[tuple]) -> None:
    """One INSERT of these rows (tuples in column order). SQLite: a multi-row VALUES.
    PostgreSQL: the rows as one array a column, unnested (``store/unnest.py``)."""
    if conn.dialect.name == "postgresql":
        insert_columns(conn, codings, COLUMNS, [list(column) for column in zip(*chunk, strict=True)])
        return
    row = f"({', '.join('?' * len(COLUMNS))})"
    sql = f"INSERT INTO codings ({', '.join(COLUMNS)}) VALUES {', '.join([row] * len(chunk))}"
    conn.exec_driver_sql(sql, tuple(chain.from_iterable(chunk)))


def _parameter_limit(conn: Connection) -> int:
    """The most parameters one statement may have on this connection (999 before SQLite 3.32;
    unbounded on PostgreSQL, whose statement takes one array a column)."""
    if conn.dialect.name == "postgresql":
        return ROWS * len(COLUMNS)
    driver = conn.connection.driver_connection
    getlimit = getattr(driver, "getlimit", None)  # Python 3.11+
    return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit is not None else 999


def _bind(conn: Connection, column: str, value: Any) -> Any:
    """``value`` as SQLAlchemy would send it for ``column`` (the column type's bind processor)."""
    process = bind_processors(codings, conn.dialect)[column]
    return value if process is None or value is None else process(value)


def _processed(conn: Connection) -> set[str]:
    """The given columns whose type has a bind processor on this connection's dialect."""
    processors = bind_processors(codings, conn.dialect)
    return {name for name in GIVEN if processors[name] is not None}


CONFIDENCE, ORPHANED = GIVEN.index("confidence"), GIVEN.index("orphaned")
PROCESSED = {"confidence", "orphaned"}  # SQLite: a float's (an int becomes a float) and a flag's; PostgreSQL: the flag's


def _bound(conn: Connection, values: tuple) -> tuple:
    """A row's given values as SQLAlchemy would send them. Only the confidence and the
    flag have a processor, and only a value of another type than the usual needs it
    (a float, and False: the flag's default, which sqlite3 stores as 0 either way)."""
    confidence = values[CONFIDENCE]
    if (confidence is None or type(confidence) is float) and values[ORPHANED] is False:
        return values
    changed = list(values)
    changed[CONFIDENCE] = _bind(conn, "confidence", confidence)
    changed[ORPHANED] = _bind(conn, "orphaned", values[ORPHANED])
    return tuple(changed)
