"""Queries for exchange with other tools and teammates: REFI-QDA imports, coder bundles, merges.

No business rules here: ``qualcode.interop`` decides what is imported or merged; these
functions read and write the rows, all in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, CursorResult, insert, select, update

from qualcode.store import batches
from qualcode.store.codings import CODING_FIELDS, insert_codings, now
from qualcode.store.schema import codebook_versions, codings, events, transcripts

EVENT_BATCH = 5000  # event rows a statement

# -- bulk codings and their events (imports and merges) ---------------------------------------


def insert_coding_rows(conn: Connection, rows: list[dict]) -> list[dict]:
    """Insert codings as one executemany (ids reserved first, no RETURNING a row); returns
    them as ``coding_row`` would, ids filled in, in the order given."""
    if not rows:
        return []
    stamp = now()
    full = [{"orphaned": False, "orphan_text": None, "created_at": stamp, "updated_at": stamp, **row} for row in rows]
    ids = insert_codings(conn, full)
    return [{key: row.get(key) for key in CODING_FIELDS} | {"id": coding_id} for row, coding_id in zip(full, ids, strict=True)]


def log_inserted(conn: Connection, rows: list[dict], action: str, group_id: int | None = None) -> None:
    """Log inserted codings as ``action`` events: in ``group_id``, else one group per coder
    (its first event's id). One event per batch of a coder's codings, column-wise
    (``store.batches``); readers see one event per coding."""
    stamp = now()
    by_coder: dict[str, list[dict]] = {}
    for row in rows:
        by_coder.setdefault(row["coder"], []).append(row)
    for coder_rows in by_coder.values():
        values = [_event(run, action, stamp) for run in batches.chunks(coder_rows)]
        group = group_id
        if group is None:
            group = _new_id(conn.execute(insert(events).values(**values[0])))
            conn.execute(update(events).where(events.c.id == group).values(group_id=group))
            values = values[1:]
        for first in range(0, len(values), EVENT_BATCH):
            conn.execute(insert(events), [v | {"group_id": group} for v in values[first : first + EVENT_BATCH]])


def _new_id(result: CursorResult) -> int:
    key = result.inserted_primary_key
    assert key is not None  # an INSERT of one row always has one
    return int(key[0])


def _event(run: list[dict], action: str, stamp: datetime) -> dict:
    return {
        "coder": run[0]["coder"], "at": stamp, "action": action, "transcript_id": batches.only(run, "transcript_id"),
        "coding_id": max(row["id"] for row in run), "before": None,
        "after": batches.encode_rows([_jsonable(row) for row in run]), "group_id": None, "undoes": None, "undone": False,
    }


def _jsonable(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


# -- what an import compares against -------------------------------------------------------------


def coding_keys_by_transcript(conn: Connection) -> dict[str, set[tuple]]:
    """Every transcript id -> the (coder, code, start, end) of its live (not orphaned) codings."""
    keys: dict[str, set[tuple]] = {tid: set() for tid in conn.execute(select(transcripts.c.id)).scalars()}
    rows = conn.execute(
        select(codings.c.transcript_id, codings.c.coder, codings.c.code_id, codings.c.start_offset,
               codings.c.end_offset).where(codings.c.orphaned.is_(False))
    )
    for tid, coder, code, start, end in rows:
        keys[tid].add((coder, code, start, end))
    return keys


def transcript_text(conn: Connection, transcript_id: str) -> str | None:
    return conn.execute(select(transcripts.c.text).where(transcripts.c.id == transcript_id)).scalar()


# -- coder bundles and merges ------------------------------------------------------------------------


def codebook_hashes(conn: Connection) -> dict[int, str]:
    """codebook version id -> its hash."""
    return dict(conn.execute(select(codebook_versions.c.id, codebook_versions.c.hash)).all())


def coder_coding_rows(conn: Connection, coder: str) -> list[dict[str, Any]]:
    """Every coding of ``coder`` (orphans too), by transcript and position."""
    query = select(codings).where(codings.c.coder == coder).order_by(
        codings.c.transcript_id, codings.c.start_offset, codings.c.id
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def live_codings_by_key(conn: Connection, coder: str) -> dict[tuple, dict[str, Any]]:
    """(transcript, code, start, end) -> row, for the coder's codings that are not orphaned."""
    rows = conn.execute(select(codings).where(codings.c.coder == coder, codings.c.orphaned.is_(False)))
    return {(r.transcript_id, r.code_id, r.start_offset, r.end_offset): dict(r._mapping) for r in rows}


def history_stamps(conn: Connection, coder: str, prefix: str) -> list[tuple[str, datetime]]:
    """(action, at) of the coder's events whose action starts with ``prefix``."""
    query = select(events.c.action, events.c.at).where(events.c.coder == coder, events.c.action.startswith(prefix))
    return [(action, at) for action, at in conn.execute(query)]


def append_history_event(conn: Connection, values: dict[str, Any], group_id: int | None) -> int:
    """Store one event carried over from elsewhere; without ``group_id`` it starts its own group."""
    event_id = _new_id(conn.execute(insert(events).values(**values, group_id=group_id)))
    if group_id is None:
        conn.execute(update(events).where(events.c.id == event_id).values(group_id=event_id))
    return event_id
