"""Storing many codings at once, with their events (imports and merges).

``qualcode.store.codings.insert_coding`` builds one statement per coding; an import of
thousands of codings spends most of its time there. These helpers insert all rows in
one ``executemany`` with ``RETURNING`` (SQLite and PostgreSQL), and log one event per
coding with the same payload shape as the coding core, so undo and redo work on them.
"""

from __future__ import annotations

from sqlalchemy import Connection, insert, update

from qualcode.store.codings import CODING_FIELDS, now
from qualcode.store.schema import codings, events


def insert_codings(conn: Connection, rows: list[dict]) -> list[dict]:
    """Insert codings in one statement; returns them as ``coding_row`` would, ids filled in."""
    if not rows:
        return []
    stamp = now()
    full = [{"orphaned": False, "orphan_text": None, "created_at": stamp, "updated_at": stamp, **row} for row in rows]
    result = conn.execute(insert(codings).returning(codings.c.id, sort_by_parameter_order=True), full)
    return [
        {key: row.get(key) for key in CODING_FIELDS} | {"id": coding_id}
        for row, coding_id in zip(full, result.scalars(), strict=True)
    ]


def log_inserted(conn: Connection, rows: list[dict], action: str, group_id: int | None = None) -> None:
    """One ``action`` event per inserted coding: in ``group_id``, else one group per coder."""
    if not rows:
        return
    stamp = now()
    values = [
        {
            "coder": r["coder"], "at": stamp, "action": action, "transcript_id": r["transcript_id"],
            "coding_id": r["id"], "before": None, "after": _jsonable(r), "group_id": group_id,
            "undoes": None, "undone": False,
        }
        for r in rows
    ]
    ids = list(conn.execute(insert(events).returning(events.c.id, sort_by_parameter_order=True), values).scalars())
    if group_id is not None:
        return
    first_of: dict[str, int] = {}
    for row, event_id in zip(rows, ids, strict=True):
        first_of.setdefault(row["coder"], event_id)
    for coder, group in first_of.items():
        conn.execute(
            update(events)
            .where(events.c.coder == coder, events.c.id.between(min(ids), max(ids)), events.c.group_id.is_(None))
            .values(group_id=group)
        )


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
