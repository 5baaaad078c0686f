"""Many rows into one table on PostgreSQL, ROWS a statement: one array a column, unnested.

psycopg's executemany sends one INSERT a row (pipelined), and since migration 19 the
stored counts are kept by statement-level triggers on ``codings``: one call of the
counting function a statement, so one a row. A multi-row ``VALUES`` is one statement,
but psycopg parses a long query's placeholders in Python on every execution (a
500-row ``VALUES`` of codings is 7,500 of them; 0.4 s of client CPU for 10,000 rows,
docs/performance.md). ``INSERT ... SELECT * FROM unnest(%s::type[], ...)`` has one
parameter a column, whatever the rows, so the query text is short (psycopg caches its
parsing) and the server plans one statement for ROWS rows.

:func:`bind_processors` serves both bulk writers (this one and SQLite's multi-row
VALUES in ``store/bulk_insert.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Column, Connection, Dialect, Table

ROWS = 500  # rows a statement: the counting trigger once per 500 codings; arrays of a bounded size


@cache
def _statement(table: Table, names: tuple[str, ...]) -> str:
    # Imported here: only PostgreSQL writes this way, and a SQLite command should not load the dialect.
    from sqlalchemy.dialects import postgresql

    types = {column.name: column.type.compile(postgresql.dialect()) for column in table.columns}
    arrays = ", ".join(f"%s::{types[name]}[]" for name in names)
    return f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"


Processor = Callable[[Any], Any]
_processors: WeakKeyDictionary[Dialect, dict[str, dict[str, Processor | None]]] = WeakKeyDictionary()


def bind_processors(table: Table, dialect: Dialect) -> dict[str, Processor | None]:
    """Each column's bind processor on ``dialect`` (None: the value is sent as is), through the
    public ``dialect_impl(...).bind_processor(...)``. Worked out once per dialect and table: a
    processor is built afresh on every call, too dear for every part of a bulk write. Dialects
    are held weakly, so engines that come and go leave nothing behind."""
    by_table = _processors.setdefault(dialect, {})
    found = by_table.get(table.name)
    if found is None:
        found = by_table[table.name] = {
            column.name: column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns
        }
    return found


def insert_columns(conn: Connection, table: Table, names: tuple[str, ...], columns: Sequence[list]) -> None:
    """One INSERT of the rows whose values are ``columns`` (one list a column named in
    ``names``, values as the driver takes them: bind processors already applied)."""
    conn.exec_driver_sql(_statement(table, names), tuple(columns))


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts of column values, as SQLAlchemy's executemany takes them),
    ROWS a statement. As executemany: the first row's keys name the columns written (a
    later row without one of them is refused), other keys are ignored, a column left out
    takes its scalar Python default, and each value goes through its type's bind processor."""
    if not rows:
        return
    given = [column for column in table.columns if column.name in rows[0]]
    defaults = [column for column in table.columns if column.name not in rows[0] and _scalar_default(column)]
    names = tuple(column.name for column in (*given, *defaults))
    by_name = bind_processors(table, conn.dialect)
    processors = [by_name[column.name] for column in (*given, *defaults)]
    for first in range(0, len(rows), ROWS):
        chunk = rows[first : first + ROWS]
        columns = [_values(chunk, column) for column in given]
        columns += [[column.default.arg] * len(chunk) for column in defaults]  # type: ignore[union-attr]
        for index, process in enumerate(processors):
            if process is not None:
                columns[index] = [None if value is None else process(value) for value in columns[index]]
        insert_columns(conn, table, names, columns)


def _values(chunk: list[dict[str, Any]], column: Column) -> list:
    try:
        return [row[column.name] for row in chunk]
    except KeyError:
        raise ValueError(f"every row must give {column.name!r} when the first does (as executemany)") from None


def _scalar_default(column: Column) -> bool:
    return column.default is not None and getattr(column.default, "is_scalar", False)
