"""Persistence: SQLAlchemy Core schema, migrations and queries. No business logic."""

from qualcode.store import schema
from qualcode.store.engine import open_engine, sqlite_url
from qualcode.store.migrations import HEAD, upgrade

__all__ = ["HEAD", "open_engine", "schema", "sqlite_url", "upgrade"]
