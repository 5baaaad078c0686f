"""Opening the store: an SQLAlchemy engine over SQLite (default) or another server."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

SQLITE_BUSY_TIMEOUT_MS = 10_000


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def open_engine(url: str) -> Engine:
    """Create an engine; for SQLite turn on WAL, foreign keys and a busy timeout.

    WAL plus a busy timeout lets a second coder (another process) write to the same
    project while the first is coding, without "database is locked" errors.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # lets two writers deadlock on lock upgrade; emit BEGIN ourselves instead.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_begin(conn) -> None:
    # Writers take the write lock up front (IMMEDIATE) so the busy timeout applies;
    # readers use a plain deferred BEGIN and never block a writer in WAL mode.
    writing = conn.get_execution_options().get("qualcode_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see above)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
