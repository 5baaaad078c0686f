"""Queries on the event log beyond the coding history (``store.codings`` holds that)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from qualcode.store.schema import events


def record_payloads(conn: Connection, coder: str, action: str) -> list[dict[str, Any] | None]:
    """The ``after`` payloads of the coder's records of ``action`` that name no coding and
    were not undone, oldest first (reconcile's decisions are such records)."""
    query = select(events.c.after).where(
        events.c.coder == coder, events.c.action == action, events.c.coding_id.is_(None), events.c.undone.is_(False)
    ).order_by(events.c.id)
    return list(conn.execute(query).scalars())
