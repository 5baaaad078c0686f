"""Opening the store: an SQLAlchemy engine over SQLite (default) or another server."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from qualcode.errors import StoreError
from qualcode.store.access import bind_coder, explain_refusal

SQLITE_BUSY_TIMEOUT_MS = 10_000


def compact_json(value) -> str:
    """JSON columns without the spaces after "," and ":" (json.dumps's default): an event
    of a bulk run is long lists of numbers, a sixth of them spaces."""
    return json.dumps(value, separators=(",", ":"))


def sqlite_url(path: Path) -> str:
    return f"sqlite+pysqlite:///{path}"


def open_engine(url: str, *, coder: str | None = None) -> Engine:
    """Create an engine; for SQLite turn on WAL, foreign keys and a busy timeout.

    WAL plus a busy timeout lets a second coder (another process) write to the same
    project while the first is coding, without "database is locked" errors. On a
    server, a permission refusal becomes a clear :class:`AccessDenied`, and ``coder``
    (team mode on a shared login) is bound to every connection as ``qualcode.coder``.
    """
    if url.startswith("sqlite"):
        # hide_parameters: a failed statement's message never carries its values (transcript text).
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, hide_parameters=True,
            json_serializer=compact_json,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN until the first write, which
        # lets two writers deadlock on lock upgrade; emit BEGIN ourselves instead.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = _server_engine(url)
    event.listen(engine, "handle_error", _explain_failure)
    if coder and engine.dialect.name == "postgresql":
        event.listen(engine, "connect", lambda dbapi_connection, _record: bind_coder(dbapi_connection, coder))
    return engine


# The install command the README gives (a test keeps the two the same).
POSTGRES_INSTALL = "pip install -e '.[postgres]'"


def _server_engine(url: str) -> Engine:
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        return create_engine(url, pool_pre_ping=True, hide_parameters=True, json_serializer=compact_json)
    except ModuleNotFoundError as missing:
        raise StoreError(
            f"The database URL needs the Python driver '{missing.name}', which is not installed; "
            f"for PostgreSQL, from the qualcode checkout: {POSTGRES_INSTALL} (psycopg)"
        ) from None
    except (ArgumentError, NoSuchModuleError) as error:
        raise StoreError(
            f"Bad database URL ({error}); expected e.g. postgresql+psycopg://USER@HOST/DB"
        ) from None


def _explain_failure(context) -> None:
    """Permission refusals and failed connections as one clear line, not a traceback."""
    from sqlalchemy.exc import OperationalError


    if context.is_pre_ping:  # the pool reconnects by itself
        return
    url = context.engine.url
    refusal = explain_refusal(context.original_exception, url.username)
    if refusal is not None:
        raise refusal from context.original_exception
    if context.connection is None and isinstance(context.sqlalchemy_exception, OperationalError):
        reason = str(context.original_exception).strip().splitlines()[0]
        raise StoreError(
            f"Cannot connect to {url.render_as_string(hide_password=True)}: {reason}"
        ) from context.original_exception


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


def url_without_password(url: str) -> str | None:
    """``url`` with any password left out (``url`` itself when it has none); None when
    ``url`` is not a database URL."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.password is None:
        return url
    return parsed._replace(password=None).render_as_string(hide_password=False)


def url_with_login(url: str, username: str, password: str) -> str:
    """``url`` with its user and password replaced by ``username``/``password``, password
    shown: the connection string a new login role is handed (once, privately)."""
    parsed = make_url(url).set(username=username, password=password)
    return parsed.render_as_string(hide_password=False)
