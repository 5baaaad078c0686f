"""Queries on stored suggestions (``suggestions``): the open rows every coder sees and
each coder's decision rows (``store.codings`` writes decisions made in a session)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, select

from qualcode.store.schema import segments, suggestions, transcripts


def replace_open(
    conn: Connection, source: str, transcript_ids: list[str], code_ids: Iterable[str],
    rows: list[dict[str, Any]], created_at: datetime,
) -> tuple[int, int, int]:
    """Delete the open ``source`` rows of these transcripts and codes and insert ``rows``
    (open, undecided). Returns (rows deleted, rows inserted, decision rows kept)."""
    codes = sorted(set(code_ids))
    scope = (
        suggestions.c.source == source,
        suggestions.c.transcript_id.in_(transcript_ids),
        suggestions.c.code_id.in_(codes),
    )
    decided = conn.execute(
        select(func.count()).select_from(suggestions).where(*scope, suggestions.c.status != "open")
    ).scalar_one()
    deleted = conn.execute(delete(suggestions).where(*scope, suggestions.c.status == "open")).rowcount
    values = [{**row, "source": source, "status": "open", "decided_by": None, "created_at": created_at}
              for row in rows]
    if values:
        conn.execute(insert(suggestions), values)
    return deleted, len(values), decided


def open_rows(
    conn: Connection,
    *,
    transcript: str | None = None,
    segment_id: int | None = None,
    source: str | None = None,
    undecided_by: str | None = None,
) -> list[dict[str, Any]]:
    """Open suggestions (every column) with their segment ``ordinal`` and transcript ``role``,
    by transcript, turn and code; ``undecided_by`` leaves out those that coder decided."""
    query = (
        select(suggestions, segments.c.ordinal, transcripts.c.role)
        .join(segments, segments.c.id == suggestions.c.segment_id)
        .join(transcripts, transcripts.c.id == suggestions.c.transcript_id)
        .where(suggestions.c.status == "open")
        .order_by(suggestions.c.transcript_id, segments.c.ordinal, suggestions.c.code_id)
    )
    if transcript is not None:
        query = query.where(suggestions.c.transcript_id == transcript)
    if segment_id is not None:
        query = query.where(suggestions.c.segment_id == segment_id)
    if source is not None:
        query = query.where(suggestions.c.source == source)
    if undecided_by is not None:
        decision = suggestions.alias("decision")
        query = query.where(~exists().where(and_(
            decision.c.decided_by == undecided_by, decision.c.status != "open",
            decision.c.segment_id == suggestions.c.segment_id, decision.c.code_id == suggestions.c.code_id,
            decision.c.source == suggestions.c.source,
        )))
    return [dict(row._mapping) for row in conn.execute(query)]


def rejected_by(conn: Connection, coder: str, transcript_id: str) -> set[tuple[int, str, int, int]]:
    """``(turn ordinal, code, start, end)`` of the suggestions this coder rejected on the transcript."""
    rows = conn.execute(
        select(segments.c.ordinal, suggestions.c.code_id, suggestions.c.start_offset, suggestions.c.end_offset)
        .join(segments, segments.c.id == suggestions.c.segment_id)
        .where(
            suggestions.c.transcript_id == transcript_id,
            suggestions.c.status == "rejected",
            suggestions.c.decided_by == coder,
        )
    )
    return {tuple(row) for row in rows}


def rejected_units(conn: Connection, coder: str, *, excluding: list[str]) -> list[tuple[str, int, str]]:
    """``(transcript, segment id, code)`` of every suggestion the coder rejected, outside ``excluding``."""
    return [tuple(row) for row in conn.execute(
        select(suggestions.c.transcript_id, suggestions.c.segment_id, suggestions.c.code_id).where(
            suggestions.c.status == "rejected", suggestions.c.decided_by == coder,
            suggestions.c.transcript_id.not_in(excluding),
        )
    )]


def fingerprint(conn: Connection, transcript_id: str) -> tuple[int, int | None]:
    """(count, largest id) of the transcript's suggestion rows."""
    return tuple(conn.execute(
        select(func.count(), func.max(suggestions.c.id)).where(suggestions.c.transcript_id == transcript_id)
    ).one())
