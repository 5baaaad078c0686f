"""Versioned schema migrations.

A new store is created at the head schema and stamped with the latest version; an
existing store is brought forward by running, in order, each migration newer than
its recorded version, each in its own transaction. A migration is a function of a
Connection that uses portable DDL (SQLAlchemy constructs), never SQLite-only SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

from qualcode.errors import StoreError
from qualcode.store.schema import metadata, schema_version


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    metadata.create_all(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema", _initial),
]
HEAD = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int | None:
    """The store's schema version, or None for an empty database."""
    if not inspect(conn).has_table(schema_version.name):
        return None
    found = conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc()))
    row = found.first()
    return row[0] if row else None


def upgrade(engine: Engine) -> list[Migration]:
    """Bring the store to HEAD; return the migrations applied (empty if up to date)."""
    with engine.begin() as conn:
        version = current_version(conn)
        if version is None:
            metadata.create_all(conn)
            _stamp(conn, MIGRATIONS[-1])
            return [MIGRATIONS[-1]]
    if version > HEAD:
        raise StoreError(
            f"The store is at schema version {version}, newer than this qualcode ({HEAD}); "
            "upgrade qualcode"
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.version > version:
            with engine.begin() as conn:
                migration.apply(conn)
                _stamp(conn, migration)
            applied.append(migration)
    return applied


def _stamp(conn: Connection, migration: Migration) -> None:
    conn.execute(
        schema_version.insert().values(
            version=migration.version, name=migration.name, applied_at=datetime.now(UTC)
        )
    )
