"""Queries on codings, coders and the event log. No business rules here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, exists, func, insert, select, update

from qualcode.store.access import create_coder
from qualcode.store.payloads import CODING_FIELDS, compact_payload, expand_events
from qualcode.store.schema import (
    coders,
    codings,
    events,
    segments,
    suggestions,
    transcript_turns,
    transcripts,
)
from qualcode.store.unnest import insert_rows

# Events copied from a coder bundle ("merged:tag", ...) are history for the audit
# trail only; the merge itself is the undoable action. Changes to a transcript itself
# ("transcript:set", "transcript:remove") are recorded for the audit trail, not undone
# by a coder's undo.
HISTORY_ONLY_PREFIX = "merged:"
TRANSCRIPT_ACTION_PREFIX = "transcript:"
SAMPLE_ACTION_PREFIX = "sample:"  # a sample deleted or redrawn: audit trail only
NOT_UNDOABLE_PREFIXES = (HISTORY_ONLY_PREFIX, TRANSCRIPT_ACTION_PREFIX, SAMPLE_ACTION_PREFIX)

def now() -> datetime:
    return datetime.now(UTC)


def ensure_coder(conn: Connection, name: str) -> bool:
    """Create the coder if new and hold its write lock for this transaction.

    Only the commands that create coders deliberately call this (``coders add``,
    sample assignment, reconcile's consensus coder, merged bundles, imported
    projects, the built-in autocoder); every other writer calls ``lock_coder``,
    which refuses an unknown name. Returns True when the coder was created.
    """
    return create_coder(conn, name)


def coder_names(conn: Connection) -> list[str]:
    return list(conn.execute(select(coders.c.name).order_by(coders.c.name)).scalars())


def coder_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every coder with when it was created and how many live codings it has."""
    counts = (
        select(codings.c.coder, func.count().label("codings"))
        .where(codings.c.orphaned.is_(False)).group_by(codings.c.coder).subquery()
    )
    query = (
        select(coders.c.name, coders.c.created_at, func.coalesce(counts.c.codings, 0))
        .select_from(coders.outerjoin(counts, counts.c.coder == coders.c.name))
        .order_by(coders.c.name)
    )
    return [{"name": n, "created_at": at, "codings": c} for n, at, c in conn.execute(query)]


# -- suggestion decisions (a coder's accept/reject is a row of its own) ------------

DECISION_FIELDS = (
    "transcript_id", "segment_id", "code_id", "start_offset", "end_offset", "source", "score",
    "evidence", "status", "decided_by",
)


def insert_decision(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    row = {k: values[k] for k in DECISION_FIELDS}
    result = conn.execute(insert(suggestions).values(**row, created_at=now()))
    return {"id": result.inserted_primary_key[0], **row}  # type: ignore[index]  # one row inserted: never None


def delete_decision(conn: Connection, values: dict[str, Any]) -> int:
    """Delete the coder's newest decision row matching ``values`` (the suggestion reopens
    for them); returns the rows deleted (0 or 1).

    Matched by content, not id: a redo re-inserts a decision under a new id.
    """
    match = [suggestions.c[k] == values[k] for k in DECISION_FIELDS if k not in ("score", "evidence")]
    newest = conn.execute(select(suggestions.c.id).where(*match).order_by(suggestions.c.id.desc()).limit(1)).scalar()
    if newest is None:
        return 0
    return conn.execute(delete(suggestions).where(suggestions.c.id == newest)).rowcount


def coding_row(conn: Connection, coding_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(codings).where(codings.c.id == coding_id)).first()
    return _as_dict(row) if row is not None else None


def overlapping(
    conn: Connection, segment_id: int, coder: str, code_id: str, start: int, end: int
) -> list[dict[str, Any]]:
    """The coder's codings of ``code_id`` in the segment that overlap ``[start, end)``."""
    rows = conn.execute(
        select(codings)
        .where(
            codings.c.segment_id == segment_id,
            codings.c.coder == coder,
            codings.c.code_id == code_id,
            codings.c.start_offset < end,
            codings.c.end_offset > start,
        )
        .order_by(codings.c.id)
    )
    return [_as_dict(r) for r in rows]


def coding_target_exists(conn: Connection, values: dict[str, Any]) -> bool:
    """Whether a coding's transcript (and turn, if it has one) is stored: an undo or redo
    re-creating a coding after its transcript was removed, renamed or re-imported has none."""
    if values.get("segment_id") is None:
        query = select(transcripts.c.id).where(transcripts.c.id == values["transcript_id"])
    else:
        query = select(segments.c.id).where(
            segments.c.id == values["segment_id"], segments.c.transcript_id == values["transcript_id"])
    return conn.execute(query).first() is not None


def insert_coding(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a coding (with an explicit id when re-creating one for undo/redo)."""
    stamp = now()
    row = {"orphaned": False, "created_at": stamp, "updated_at": stamp, **values}
    result = conn.execute(insert(codings).values(**_storable(row)))
    if row.get("id") is None:
        row["id"] = result.inserted_primary_key[0]  # type: ignore[index]  # one row inserted: never None
    return _read_back(conn, row["id"])


def update_coding(conn: Connection, coding_id: int, values: dict[str, Any]) -> dict[str, Any]:
    conn.execute(
        update(codings).where(codings.c.id == coding_id).values(**_storable(values), updated_at=now())
    )
    return _read_back(conn, coding_id)


def _read_back(conn: Connection, coding_id: int) -> dict[str, Any]:
    """The coding just written in this transaction (so it is there to read)."""
    row = coding_row(conn, coding_id)
    if row is None:
        raise LookupError(f"coding {coding_id} vanished inside its own transaction")
    return row


def delete_coding(conn: Connection, coding_id: int) -> None:
    conn.execute(delete(codings).where(codings.c.id == coding_id))


def live_codings_of(conn: Connection, transcript_id: str) -> list:
    """The transcript's codings that are not orphaned (re-anchoring moves these)."""
    query = select(codings).where(codings.c.transcript_id == transcript_id, codings.c.orphaned.is_(False))
    return list(conn.execute(query.order_by(codings.c.id)).all())


def move_coding(conn: Connection, coding_id: int, span: tuple[int, int], segment_id: int) -> None:
    conn.execute(
        update(codings).where(codings.c.id == coding_id)
        .values(start_offset=span[0], end_offset=span[1], segment_id=segment_id, updated_at=now())
    )


def orphan_coding(conn: Connection, coding_id: int, old_text: str) -> None:
    """Keep a coding whose words vanished: no segment, its old offsets and text."""
    conn.execute(
        update(codings).where(codings.c.id == coding_id)
        .values(orphaned=True, segment_id=None, orphan_text=old_text, updated_at=now())
    )


def append_event(
    conn: Connection,
    *,
    coder: str,
    action: str,
    transcript_id: str | None,
    coding_id: int | None,
    before: dict | None,
    after: dict | None,
    group_id: int | None = None,
    undoes: int | None = None,
) -> int:
    """Append one event; the first event of an action is its own group."""
    result = conn.execute(
        insert(events).values(
            coder=coder, at=now(), action=action, transcript_id=transcript_id,
            coding_id=coding_id, before=compact_payload(before, coder=coder, transcript_id=transcript_id),
            after=compact_payload(after, before, coder=coder, transcript_id=transcript_id),
            group_id=group_id, undoes=undoes, undone=False,
        )
    )
    event_id = result.inserted_primary_key[0]  # type: ignore[index]  # one row inserted: never None
    if group_id is None:
        conn.execute(update(events).where(events.c.id == event_id).values(group_id=event_id))
    return event_id


def group_events(conn: Connection, group_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(events).where(events.c.group_id == group_id).order_by(events.c.id))
    return [event for r in rows for event in expand_events(dict(r._mapping))]


def set_group_undone(conn: Connection, group_id: int, undone: bool) -> None:
    conn.execute(update(events).where(events.c.group_id == group_id).values(undone=undone))


def latest_group(conn: Connection, coder: str, *, actions_in=None, actions_not_in=None, after_id=0):
    """The newest group of the coder that is not undone, filtered by action."""
    query = select(events.c.group_id, events.c.action).where(
        events.c.coder == coder, events.c.undone.is_(False), events.c.id == events.c.group_id,
        events.c.id > after_id, *_undoable(),
    )
    if actions_in is not None:
        query = query.where(events.c.action.in_(actions_in))
    if actions_not_in is not None:
        query = query.where(events.c.action.not_in(actions_not_in))
    return conn.execute(query.order_by(events.c.id.desc()).limit(1)).first()


def redo_target(conn: Connection, coder: str, *, after_id: int) -> int | None:
    """The group named by the coder's newest ``undo`` after ``after_id`` that is still undone."""
    undo, target = events.alias("undo"), events.alias("target")
    query = (
        select(undo.c.undoes)
        .join(target, target.c.id == undo.c.undoes)
        .where(
            undo.c.coder == coder, undo.c.action == "undo", undo.c.id == undo.c.group_id,
            undo.c.id > after_id, target.c.undone.is_(True),
        )
        .order_by(undo.c.id.desc())
        .limit(1)
    )
    return conn.execute(query).scalar()


def last_group_id(conn: Connection, coder: str, *, actions_not_in) -> int:
    found = conn.execute(
        select(func.max(events.c.id)).where(
            events.c.coder == coder, events.c.action.not_in(actions_not_in), *_undoable(),
        )
    ).scalar()
    return found or 0


def _undoable() -> list:
    return [~events.c.action.startswith(prefix) for prefix in NOT_UNDOABLE_PREFIXES]


def last_removal(conn: Connection, transcript_id: str, action: str) -> int | None:
    """The group id of the newest removal record of the transcript not yet reverted."""
    query = select(events.c.group_id).where(
        events.c.action == action, events.c.transcript_id == transcript_id,
        events.c.coding_id.is_(None), events.c.undone.is_(False),
    )
    return conn.execute(query.order_by(events.c.id.desc()).limit(1)).scalar()


def codings_of_transcript(conn: Connection, transcript_id: str) -> list[dict[str, Any]]:
    """Every coding of the transcript, orphans included, in id order."""
    rows = conn.execute(select(codings).where(codings.c.transcript_id == transcript_id).order_by(codings.c.id))
    return [_as_dict(r) for r in rows]


def event_rows(conn: Connection, coder: str | None = None, since: datetime | None = None) -> list[dict]:
    query = select(events).order_by(events.c.id)
    if coder:
        query = query.where(events.c.coder == coder)
    if since:
        query = query.where(events.c.at >= since)
    return [event for r in conn.execute(query) for event in expand_events(dict(r._mapping))]


def coded_segment_counts(conn: Connection) -> list[tuple[str, str, int]]:
    """(coder, transcript_id, number of distinct respondent segments coded)."""
    query = (
        select(codings.c.coder, codings.c.transcript_id, func.count(func.distinct(codings.c.segment_id)))
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(and_(segments.c.is_interviewer.is_(False), codings.c.orphaned.is_(False)))
        .group_by(codings.c.coder, codings.c.transcript_id)
        .order_by(codings.c.coder, codings.c.transcript_id)
    )
    return [tuple(r) for r in conn.execute(query)]


def respondent_segment_totals(conn: Connection) -> dict[str, int]:
    """transcript -> its respondent turns (transcripts with none left out), read off
    ``transcript_turns``, kept by triggers on segments (store/turn_totals.py)."""
    rows = conn.execute(select(transcript_turns.c.transcript_id, transcript_turns.c.respondent_turns))
    found = dict(rows.cursor.fetchall())
    rows.close()
    return found


def _as_dict(row) -> dict[str, Any]:
    return {k: row._mapping[k] for k in CODING_FIELDS}


def _storable(values: dict[str, Any]) -> dict[str, Any]:
    """Event payloads carry datetimes as ISO strings; turn them back for the database."""
    out = dict(values)
    for key in ("created_at", "updated_at"):
        if isinstance(out.get(key), str):
            out[key] = datetime.fromisoformat(out[key])
    return out


def export_codings(conn: Connection, transcript_id: str, coders: list[str] | None = None) -> list[dict[str, Any]]:
    """One transcript's codings (orphans included) in reading order, for streaming exports.

    Served by ``ix_codings_transcript``: a corpus export reads each coding row once.
    """
    query, values = (EXPORT_READ, {"t": transcript_id}) if coders is None else (EXPORT_READ_OF, {"t": transcript_id, "c": coders})
    return [dict(zip(CODING_FIELDS, row, strict=True)) for row in conn.execute(query, values).all()]


# export_codings' two statements, built once (building one cost more than running it).
EXPORT_READ = (select(*[codings.c[name] for name in CODING_FIELDS]).where(codings.c.transcript_id == bindparam("t"))
               .order_by(codings.c.start_offset, codings.c.code_id, codings.c.coder, codings.c.id))
EXPORT_READ_OF = EXPORT_READ.where(codings.c.coder.in_(bindparam("c", expanding=True)))


def insert_codings(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert many codings with one executemany (SQLite) or 500 rows a statement
    (PostgreSQL, ``store/unnest.py``); their new ids, in the order given.

    The bulk twin of ``insert_coding`` for autocoding and imports: one statement batch
    instead of an INSERT and a SELECT per coding. The coders must exist already. Ids
    are reserved first (SQLAlchemy cannot batch an ordered RETURNING on SQLite: it
    fell back to one statement per row), then inserted explicitly.
    """
    if not rows:
        return []
    stamp = now()
    values = [{"orphaned": False, "created_at": stamp, "updated_at": stamp, **_storable(r)} for r in rows]
    if any("id" in v for v in values):
        raise ValueError("insert_codings assigns ids; re-create a coding with insert_coding")
    ids = reserve_coding_ids(conn, len(values))
    if ids is None:
        result = conn.execute(insert(codings).returning(codings.c.id, sort_by_parameter_order=True), values)
        return list(result.scalars())
    for row, coding_id in zip(values, ids, strict=True):
        row["id"] = coding_id
    if conn.dialect.name == "postgresql":
        insert_rows(conn, codings, values)  # 500 rows a statement: the count triggers are per statement
    else:
        conn.execute(insert(codings), values)
    return ids


def reserve_coding_ids(conn: Connection, count: int) -> list[int] | None:
    """``count`` fresh coding ids, never used before (None: this back end cannot say).

    SQLite: the AUTOINCREMENT counter is advanced past the largest id of the table
    (the write lock is held from BEGIN IMMEDIATE). PostgreSQL: ``nextval`` of the
    id sequence, ``count`` times in one statement (ids need not be contiguous).
    """
    from sqlalchemy import text

    if conn.dialect.name == "sqlite":
        largest = conn.execute(select(func.max(codings.c.id))).scalar() or 0
        counter = conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'codings'").scalar()
        first = max(largest, counter or 0) + 1
        if counter is None:
            conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('codings', ?)", (first + count - 1,))
        else:
            conn.exec_driver_sql("UPDATE sqlite_sequence SET seq = ? WHERE name = 'codings'", (first + count - 1,))
        return list(range(first, first + count))
    if conn.dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence('codings', 'id')) FROM generate_series(1, :n)")
        return [int(v) for v in conn.execute(query, {"n": count}).scalars()]
    return None


def coded_transcript_ids(conn: Connection, coder: str) -> set[str]:
    """Transcripts where the coder has any coding (orphans included)."""
    return set(conn.execute(select(codings.c.transcript_id).where(codings.c.coder == coder).distinct()).scalars())


def coded_segment_ids(conn: Connection, coder: str) -> set[int]:
    """Segments where the coder has any coding."""
    return set(conn.execute(select(codings.c.segment_id).where(codings.c.coder == coder)).scalars())


def coding_count(conn: Connection, coder: str) -> int:
    """All of the coder's codings (orphans included)."""
    return conn.execute(select(func.count()).where(codings.c.coder == coder)).scalar_one()


def coders_with_codings(conn: Connection) -> list[str]:
    """Coders with at least one live coding (one indexed EXISTS per coder), sorted."""
    has_codings = exists().where(codings.c.coder == coders.c.name, codings.c.orphaned.is_(False))
    return list(conn.execute(select(coders.c.name).where(has_codings).order_by(coders.c.name)).scalars())


def coded_units(conn: Connection, coder: str, *, excluding: list[str]) -> list[tuple[str, int, str]]:
    """``(transcript, segment id, code)`` of the coder's codings in a turn, outside ``excluding``."""
    return [tuple(row) for row in conn.execute(
        select(codings.c.transcript_id, codings.c.segment_id, codings.c.code_id).where(
            codings.c.coder == coder, codings.c.segment_id.is_not(None),
            codings.c.transcript_id.not_in(excluding),
        )
    )]
