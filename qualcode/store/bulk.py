"""Bulk writes of one coder's codings: a few executemany statements for a whole run.

The per-coding path (``CodingSession.apply_in``) issues four statements per coding;
autocoding a corpus as a coder or importing a coder's codings would then cost
~0.5 ms of CPU per coding. Here the caller plans the changes in Python
(``qualcode.coding.bulk``) and this module writes them: deletes, updates and inserts
as batches, and one event per changed coding, all in the caller's transaction and
in one event group (one undo takes the whole run back). No business rules here.
Each part's codings are counted into the stored counts once, not row by row by the
triggers (``stored_counts.counted_once``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from qualcode.store import batches
from qualcode.store.bulk_insert import insert_part
from qualcode.store.codings import _as_dict, append_event, insert_codings, now
from qualcode.store.payloads import CODING_FIELDS, _jsonable, compact_payload
from qualcode.store.schema import codings, events
from qualcode.store.stored_counts import counted_once

CHUNK = 500  # ids per IN list: well under every driver's parameter limit


def coder_codings_in_segments(conn: Connection, coder: str, segment_ids: set[int]) -> list[dict[str, Any]]:
    """The coder's codings in these segments (orphans have none), in id order."""
    found: list[dict[str, Any]] = []
    ordered = sorted(segment_ids)
    for first in range(0, len(ordered), CHUNK):
        query = select(codings).where(codings.c.coder == coder, codings.c.segment_id.in_(ordered[first : first + CHUNK]))
        found.extend(_as_dict(r) for r in conn.execute(query))
    return sorted(found, key=lambda row: row["id"])


def has_codings(conn: Connection, coder: str) -> bool:
    """Whether the coder has any coding stored (orphans included): one index seek."""
    return conn.execute(select(codings.c.id).where(codings.c.coder == coder).limit(1)).first() is not None


def write_changes(
    conn: Connection,
    coder: str,
    action: str,
    *,
    inserts: list[dict[str, Any]],
    updates: list[tuple[dict[str, Any], int, int]],
    deletes: list[dict[str, Any]],
) -> tuple[int | None, list[dict], list[dict]]:
    """Apply planned changes and log them as one group.

    ``updates`` are (row before, new start, new end). Returns (group id or None when
    nothing changed, rows added or changed as logged — timestamps as ISO text —,
    rows removed).
    """
    group = GroupWriter(conn, coder, action)
    changed = group.write(inserts=inserts, updates=updates, deletes=deletes)
    group.finish()
    return group.group_id, changed, deletes


class GroupWriter:
    """One event group written in parts (a bulk run streamed a chunk of transcripts at a
    time), all in the caller's transaction, with one timestamp.

    Each :meth:`write` applies its part's deletes, updates and inserts at once and logs
    its deletes and updates; inserted rows wait until LIMIT of them make a full batch
    event (:meth:`finish` logs the rest). So the insert events are the ones a single
    write of the whole run makes, while memory holds one part and under LIMIT rows.
    """

    def __init__(self, conn: Connection, coder: str, action: str) -> None:
        self.conn, self.coder, self.action = conn, coder, action
        self.stamp = now()
        self.group_id: int | None = None
        self._waiting: list[dict[str, Any]] = []  # inserted rows as logged, not yet in an event

    def write(
        self,
        *,
        inserts: list[dict[str, Any]],
        updates: list[tuple[dict[str, Any], int, int]],
        deletes: list[dict[str, Any]],
    ) -> list[dict]:
        """Apply one part's changes; the rows changed and added, as logged."""
        stamp = self.stamp
        keys = {(r["coder"], r["transcript_id"]) for r in (*deletes, *(row for row, _, _ in updates), *inserts)}
        with counted_once(self.conn, keys):  # the part's counts: once, not by the triggers row by row
            changed = self._delete_and_move(deletes, updates)
            # stamped as logged below, so the log's rows are the stored rows
            added = insert_part(self.conn, inserts, stamp)  # SQLite: tuples straight to the driver
            if added is None:
                ids = insert_codings(self.conn, [{"created_at": stamp, "updated_at": stamp, **values} for values in inserts])
                iso = stamp.isoformat()
                added = [_inserted_row(values, coding_id, iso) for values, coding_id in zip(inserts, ids, strict=True)]
        log: list[Change] = [(row, None) for row in deletes]
        log += [(row, after) for (row, _, _), after in zip(updates, changed, strict=True)]
        self._waiting += added
        full = len(self._waiting) - len(self._waiting) % batches.LIMIT
        self._log(log, self._waiting[:full])
        del self._waiting[:full]
        return changed + added

    def _delete_and_move(self, deletes: list[dict[str, Any]], updates: list[tuple[dict[str, Any], int, int]]) -> list[dict]:
        """Delete and move the part's codings; the moved rows as logged."""
        stamp, conn = self.stamp, self.conn
        for first in range(0, len(deletes), CHUNK):
            chunk = [row["id"] for row in deletes[first : first + CHUNK]]
            conn.execute(delete(codings).where(codings.c.id.in_(chunk)))
        changed = [{**row, "start_offset": start, "end_offset": end, "updated_at": stamp} for row, start, end in updates]
        if changed:
            statement = (
                update(codings).where(codings.c.id == bindparam("b_id"))
                .values(start_offset=bindparam("b_start"), end_offset=bindparam("b_end"), updated_at=bindparam("b_at"))
            )
            params = [{"b_id": r["id"], "b_start": r["start_offset"], "b_end": r["end_offset"], "b_at": stamp} for r in changed]
            conn.execute(statement, params)
        return changed

    def finish(self) -> int | None:
        """Log the inserted rows still waiting; the group's id (None: nothing changed)."""
        self._log([], self._waiting)
        self._waiting = []
        return self.group_id

    def _log(self, changes: list[Change], inserted: list[dict[str, Any]]) -> None:
        """An event per deleted or moved coding, then one per batch of inserted codings
        (``store.batches``); the group's first event's id is the group's."""
        entries: list[tuple[str | None, int, dict | None, dict | None]] = [
            (_subject(b, a)["transcript_id"], _subject(b, a)["id"], b, a) for b, a in changes
        ]
        for run in batches.chunks(inserted):
            payload = batches.encode_rows(run)  # rows as logged: timestamps already ISO text
            entries.append((batches.only(run, "transcript_id"), max(r["id"] for r in run), None, payload))
        if not entries:
            return
        if self.group_id is None:
            (transcript_id, coding_id, before, after), entries = entries[0], entries[1:]
            self.group_id = append_event(
                self.conn, coder=self.coder, action=self.action, transcript_id=transcript_id, coding_id=coding_id,
                before=before, after=after,
            )
        coder, action = self.coder, self.action
        params = [
            {
                "coder": coder, "at": self.stamp, "action": action, "transcript_id": transcript_id,
                "coding_id": coding_id, "before": compact_payload(b, coder=coder, transcript_id=transcript_id),
                "after": compact_payload(a, b, coder=coder, transcript_id=transcript_id),
                "group_id": self.group_id, "undoes": None, "undone": False,
            }
            for transcript_id, coding_id, b, a in entries
        ]
        for first in range(0, len(params), 5000):
            self.conn.execute(insert(events), params[first : first + 5000])


def _inserted_row(values: dict[str, Any], coding_id: int, stamp: str) -> dict[str, Any]:
    """The row as logged (``stamp`` already ISO text: formatted once, not per row)."""
    row = {"orphaned": False, "orphan_text": None, "created_at": stamp, "updated_at": stamp, **values, "id": coding_id}
    return _jsonable({key: row.get(key) for key in CODING_FIELDS}) or {}  # a caller's own timestamps too


Change = tuple[dict[str, Any] | None, dict[str, Any] | None]  # (before, after); one may be None


def _subject(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """The coding a change is about: its before, or for an insert its after."""
    row = before or after
    if row is None:
        raise ValueError("a logged change needs a before or an after")
    return row
