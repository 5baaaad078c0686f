"""Assignments: which coder codes which transcript (the rows of ``qualcode assign``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sqlalchemy import delete, func, select

from qualcode.store.codings import now
from qualcode.store.schema import assignments, coders, transcripts

if TYPE_CHECKING:
    from sqlalchemy import Connection


def add_assignments(conn: Connection, coder: str, transcript_ids: list[str]) -> list[str]:
    """Assign ``coder`` to each transcript not yet assigned to it; return those newly assigned."""
    have = set(conn.execute(select(assignments.c.transcript_id).where(assignments.c.coder == coder)).scalars())
    new = [t for t in transcript_ids if t not in have]
    if not new:
        return []
    seq = conn.execute(select(func.max(assignments.c.seq))).scalar() or 0
    at = now()
    conn.execute(assignments.insert(), [
        {"transcript_id": t, "coder": coder, "assigned_at": at, "seq": seq + i + 1} for i, t in enumerate(new)
    ])
    return new


def remove_assignments(conn: Connection, coder: str, transcript_ids: list[str]) -> list[str]:
    """Unassign ``coder`` from those of the transcripts it is assigned to; return them."""
    query = select(assignments.c.transcript_id).where(
        assignments.c.coder == coder, assignments.c.transcript_id.in_(transcript_ids))
    found = sorted(conn.execute(query).scalars())
    if found:
        conn.execute(delete(assignments).where(
            assignments.c.coder == coder, assignments.c.transcript_id.in_(found)))
    return found


def assignments_of(conn: Connection, transcript_id: str) -> list[dict]:
    """The transcript's assignments, primary first, as JSON (for a removal's event record)."""
    query = select(assignments.c.coder, assignments.c.seq, assignments.c.assigned_at).where(
        assignments.c.transcript_id == transcript_id).order_by(assignments.c.seq)
    return [{"coder": coder, "seq": seq, "assigned_at": at.isoformat()} for coder, seq, at in conn.execute(query)]


def put_back_assignments(conn: Connection, transcript_id: str, rows: list[dict]) -> list[str]:
    """Re-insert :func:`assignments_of` rows (order and time kept) for coders that still
    exist; return the coders that no longer do."""
    from datetime import datetime

    known = set(conn.execute(select(coders.c.name)).scalars())
    kept = [r for r in rows if r["coder"] in known]
    if kept:
        conn.execute(assignments.insert(), [
            {"transcript_id": transcript_id, "coder": r["coder"], "seq": r["seq"],
             "assigned_at": datetime.fromisoformat(r["assigned_at"])} for r in kept])
    return [r["coder"] for r in rows if r["coder"] not in known]


def assignment_rows(conn: Connection) -> dict[str, list[str]]:
    """transcript -> its assigned coders, the primary (first assigned) first."""
    query = select(assignments.c.transcript_id, assignments.c.coder).order_by(
        assignments.c.transcript_id, assignments.c.seq)
    found: dict[str, list[str]] = {}
    for transcript_id, coder in conn.execute(query):
        found.setdefault(transcript_id, []).append(coder)
    return found


def transcript_ids(conn: Connection, *, role: str | None = None, site: str | None = None) -> list[str]:
    """Transcript ids, sorted, optionally of one role key / site."""
    query = select(transcripts.c.id).order_by(transcripts.c.id)
    if role is not None:
        query = query.where(transcripts.c.role == role)
    if site is not None:
        query = query.where(transcripts.c.site == site)
    return list(conn.execute(query).scalars())


class TranscriptMetadata(NamedTuple):
    id: str
    role: str
    site: str


def transcript_metadata(conn: Connection) -> list[TranscriptMetadata]:
    """(id, role, site) of every transcript, sorted by id (plain tuples from the cursor:
    3,000 SQLAlchemy Rows cost more than the read, on every tally)."""
    query = select(transcripts.c.id, transcripts.c.role, transcripts.c.site).order_by(transcripts.c.id)
    result = conn.execute(query)
    rows = result.cursor.fetchall()
    result.close()
    return list(map(TranscriptMetadata._make, rows))
