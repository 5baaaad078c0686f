"""The store's timestamp type: an instant in UTC, compact on SQLite.

SQLAlchemy's SQLite ``DateTime`` stores text of 26 characters (``2026-12-05
04:26:51.078342``); a coded project holds two per coding, a fifth of the codings
table. On SQLite a :class:`Stamp` is an integer, microseconds since 1970-01-01 UTC
(8 bytes): it round-trips every value the text form could hold, compares and sorts
like the instants (``max(updated_at)``, ``at >= :since``) and reads back as the same
naive UTC ``datetime`` as before. PostgreSQL keeps ``timestamp with time zone``.

Stores written before migration 13 held the text form; the migration rewrites it
(``migrations._compact_timestamps``), and a text value is still read as stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Integer
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

EPOCH = datetime(1970, 1, 1)
MICROSECOND = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch of ``value``'s UTC wall clock (naive values are UTC)."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # within a day of year 1 or 9999 with an offset
            raise ValueError(f"timestamp {value.isoformat()} is outside years 1-9999 in UTC") from None
    return (value - EPOCH) // MICROSECOND


def from_micros(value: int) -> datetime:
    return EPOCH + value * MICROSECOND


def parse_stored(value: str) -> datetime:
    """The text form of an older store (naive UTC); an offset, if any, is honoured."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is None else parsed.astimezone(UTC).replace(tzinfo=None)


class Stamp(TypeDecorator):
    """``DateTime(timezone=True)``, stored on SQLite as integer microseconds (see the module)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a timestamp must be a datetime, got {type(value).__name__}")
        if dialect.name == "sqlite":
            return to_micros(value)
        # Naive values are UTC (what SQLite hands back), not the server session's time zone.
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name != "sqlite" or value is None:
            return value
        return parse_stored(value) if isinstance(value, str) else from_micros(int(value))
