"""Copying a whole store between back ends (SQLite <-> PostgreSQL), verified.

``qualcode db copy --to URL`` moves a project to a shared server and back. The copy
is one transaction on the target, in foreign-key order, with the source read from
one snapshot; before it commits, every table's row count and content hash on the
target must equal the source's, so the result is an exact copy or nothing.

The content hash of a table is SHA-256 over its rows in primary-key order (byte
order of the key text, so collations do not matter), each row encoded canonically:
JSON of the column values in schema order, datetimes as UTC ISO strings, JSON
columns with sorted keys, binary as hex, floats as their shortest repr.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Engine,
    LargeBinary,
    String,
    Table,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.engine import make_url

from qualcode.errors import StoreError
from qualcode.store.engine import open_engine
from qualcode.store.migrations import HEAD, current_version, retire_coding_ids, upgrade
from qualcode.store.schema import codings, events, metadata, schema_version
from qualcode.store.stamps import Stamp
from qualcode.store.stored_counts import COUNTED_TABLES, count_problems

BATCH_ROWS = 1000


@dataclass(frozen=True)
class TableDigest:
    """One table's row count and content hash."""

    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class CopyReport:
    """What ``db copy`` did: both stores' digests (equal, or the copy was rolled back);
    ``to_dict()`` is its ``--json``."""

    source: str
    target: str
    replaced: bool
    tables: list[TableDigest] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "replaced": self.replaced,
                "tables": [asdict(table) for table in self.tables]}


@dataclass(frozen=True)
class DatabaseInfo:
    """Where a project's data live (``db info``; ``to_dict()`` is its ``--json``). The
    role, schema and secured tables are PostgreSQL's only: None on SQLite, and left out
    of ``to_dict()``."""

    url: str  # without its password
    backend: str
    server_version: str
    schema_version: int | None
    head: int
    rows: dict[str, int]  # table -> rows
    user: str | None = None
    schema: str | None = None
    row_level_security: list[str] | None = None  # the tables with row-level security on

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.user is None:
            for key in ("user", "schema", "row_level_security"):
                del data[key]
        return data


# -- canonical content hashes ---------------------------------------------------------


def canonical_value(value: Any) -> Any:
    """A back-end independent, JSON-encodable form of one column value."""
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


def as_utc(value: datetime) -> datetime:
    """Aware UTC; SQLite hands back naive datetimes that qualcode wrote as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def canonical_row(table: Table, row: dict[str, Any]) -> bytes:
    """One row as canonical JSON (column order of the schema), UTF-8, newline-ended."""
    values = []
    for column in table.columns:
        value = row[column.name]
        if isinstance(column.type, JSON):
            values.append(json.dumps(value, sort_keys=True, ensure_ascii=False, default=canonical_value))
        else:
            values.append(canonical_value(value))
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def ordered_rows(conn: Connection, table: Table) -> Iterator[dict[str, Any]]:
    """The table's rows in primary-key order, streamed in batches."""
    keys = []
    for column in table.primary_key.columns:
        # Byte order of text keys on every server, whatever the database's collation.
        keys.append(column.collate("C") if conn.dialect.name == "postgresql" and isinstance(column.type, String) else column)
    result = conn.execution_options(yield_per=BATCH_ROWS).execute(select(table).order_by(*keys))
    for partition in result.mappings().partitions():
        yield from (dict(row) for row in partition)


def table_digest(conn: Connection, table: Table) -> TableDigest:
    digest, count = hashlib.sha256(), 0
    for row in ordered_rows(conn, table):
        digest.update(canonical_row(table, row))
        count += 1
    return TableDigest(table.name, count, digest.hexdigest())


def store_digests(conn: Connection) -> list[TableDigest]:
    """Row count and content hash of every copied table, in foreign-key order."""
    return [table_digest(conn, table) for table in copied_tables()]


# -- copying ----------------------------------------------------------------------------


def copy_store(source_url: str, target_url: str, *, replace: bool = False) -> CopyReport:
    """Copy every row of the store at ``source_url`` into ``target_url``, verified.

    The target gets the schema if it has none; it must hold no data unless
    ``replace`` (then its rows are deleted in the same transaction). Raises
    :class:`StoreError` when the stores are the same, the source is not at this
    qualcode's schema version, the target is not empty, or the verification fails.
    """
    if _same_store(source_url, target_url):
        raise StoreError("--from and --to name the same database; nothing to copy")
    source, target = open_engine(source_url), open_engine(_prepared(target_url))
    try:
        _check_source(source, source_url)
        upgrade(target)
        with _snapshot(source) as reading, target.execution_options(qualcode_write=True).begin() as writing:
            _check_target(writing, target_url, replace)
            # The stored counts are not copied: the target's triggers make them as the
            # codings arrive, and they are checked against a recomputation instead.
            tables = [_copy_table(reading, writing, table) for table in copied_tables()]
            reset_sequences(writing)
            _verify(writing, tables)
            _verify_counts(writing)
        return CopyReport(_shown(source_url), _shown(target_url), replace, tables)
    finally:
        source.dispose()
        target.dispose()


def _copy_table(reading: Connection, writing: Connection, table: Table) -> TableDigest:
    """Insert the source rows into the target; returns the source table's digest."""
    digest, count = hashlib.sha256(), 0
    for batch in _batches(ordered_rows(reading, table)):
        for row in batch:
            digest.update(canonical_row(table, row))
        writing.execute(insert(table), [_writable(table, row) for row in batch])
        count += len(batch)
    return TableDigest(table.name, count, digest.hexdigest())


def _writable(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    # A naive SQLite datetime would be read in the server's time zone: say it is UTC.
    out = dict(row)
    for column in table.columns:
        if isinstance(column.type, Stamp) and isinstance(out[column.name], datetime):
            out[column.name] = as_utc(out[column.name])
        elif isinstance(column.type, LargeBinary) and isinstance(out[column.name], memoryview):
            out[column.name] = bytes(out[column.name])
    return out


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def reset_sequences(conn: Connection) -> None:
    """After inserting explicit ids, make the next id of each table a fresh one.

    "Fresh" means above every id in the table and, for codings, above every coding
    id in the event log: undo re-creates a deleted coding under its old id. On
    PostgreSQL each serial's sequence is moved; on SQLite the codings' AUTOINCREMENT
    counter (other SQLite tables continue from their largest id by themselves).
    """
    if conn.dialect.name == "sqlite":
        retire_coding_ids(conn, codings, events)
        return
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        largest = conn.execute(select(func.max(column))).scalar() or 0
        if table is codings:
            largest = max(largest, conn.execute(select(func.max(events.c.coding_id))).scalar() or 0)
        sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, column.name))).scalar()
        if sequence is not None:
            # setval(seq, n, false): the next id handed out is n.
            conn.execute(select(func.setval(sequence, largest + 1, False)))


def copied_tables() -> list[Table]:
    """Every table in foreign-key order, but the counts the triggers keep (store/stored_counts.py)."""
    return [t for t in metadata.sorted_tables if t not in COUNTED_TABLES]


def _verify_counts(writing: Connection) -> None:
    problems = count_problems(writing)
    if problems:
        raise StoreError(f"The copy's stored counts do not match its codings ({'; '.join(problems)}); nothing was copied")


def _verify(writing: Connection, expected: list[TableDigest]) -> None:
    found = {d.table: d for d in store_digests(writing)}
    wrong = [e for e in expected if found[e.table] != e]
    if wrong:
        names = ", ".join(f"{e.table} ({found[e.table].rows} rows vs {e.rows})" for e in wrong)
        raise StoreError(f"The copy does not match the source in {names}; nothing was copied")


class _snapshot:
    """A read transaction over the source that sees one consistent state."""

    def __init__(self, engine: Engine) -> None:
        options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        self.connection = engine.connect().execution_options(**options)

    def __enter__(self) -> Connection:
        self.transaction = self.connection.begin()
        return self.connection

    def __exit__(self, *exc) -> None:
        self.transaction.rollback()
        self.connection.close()


def _check_source(source: Engine, url: str) -> None:
    with source.connect() as conn:
        version = current_version(conn)
    if version is None:
        raise StoreError(f"{_shown(url)} holds no qualcode store; nothing to copy")
    if version != HEAD:
        raise StoreError(
            f"{_shown(url)} is at schema version {version}, this qualcode at {HEAD}; "
            "run 'qualcode db upgrade' on it first (or use the matching qualcode)"
        )


def _check_target(conn: Connection, url: str, replace: bool) -> None:
    filled = [t for t in data_tables() if conn.execute(select(func.count()).select_from(t)).scalar()]
    if filled and not replace:
        raise StoreError(
            f"{_shown(url)} already holds data (tables {', '.join(t.name for t in filled)}); "
            "use --replace to overwrite it"
        )
    for table in reversed(metadata.sorted_tables):  # children first
        conn.execute(delete(table))


def data_tables() -> list[Table]:
    """Every table but the schema's own bookkeeping and the stored counts."""
    return [t for t in copied_tables() if t is not schema_version]


def _prepared(url: str) -> str:
    """Create the folder of a new SQLite file target."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    return url


def _same_store(a: str, b: str) -> bool:
    first, second = make_url(a), make_url(b)
    if first.get_backend_name() == "sqlite" and second.get_backend_name() == "sqlite":
        return bool(first.database) and Path(first.database or "").resolve() == Path(second.database or "").resolve()
    return first.set(drivername=first.get_backend_name()) == second.set(drivername=second.get_backend_name())


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


# -- inspection ---------------------------------------------------------------------------


def database_info(engine: Engine) -> DatabaseInfo:
    """Back end, server version, schema version and row counts (``qualcode db info``)."""
    with engine.connect() as conn:
        return DatabaseInfo(
            url=engine.url.render_as_string(hide_password=True),
            backend=conn.dialect.name,
            server_version=".".join(str(p) for p in (conn.dialect.server_version_info or ())),
            schema_version=current_version(conn),
            head=HEAD,
            rows={t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in data_tables()},
            **(_server_details(conn) if conn.dialect.name == "postgresql" else {}),
        )


def _server_details(conn: Connection) -> dict[str, Any]:
    from sqlalchemy import text

    user, schema = conn.execute(text("SELECT current_user, current_schema()")).one()
    secured = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relrowsecurity ORDER BY c.relname"
        )
    ).scalars().all()
    return {"user": user, "schema": schema, "row_level_security": list(secured)}
