"""The store reads the coding screen needs that the core's listings do not offer cheaply.

``coding_listing`` returns whole listings (every column, the coded text, role and
site), which is more than refreshing one turn after each keypress needs; these
queries select only the columns the screen draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from qualcode.store.schema import codings, samples, segments, suggestions

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True)
class Mark:
    """A coding as the screen shows it."""

    id: int
    ordinal: int
    coder: str
    code_id: str
    start: int
    end: int
    origin: str
    memo: str | None

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def load_marks(
    conn: Connection,
    transcript_id: str,
    *,
    coder: str | None = None,
    segment_ids: Iterable[int] | None = None,
) -> list[Mark]:
    """The transcript's live codings (one coder's, or everyone's), optionally for some segments."""
    query = (
        select(
            codings.c.id, segments.c.ordinal, codings.c.coder, codings.c.code_id,
            codings.c.start_offset, codings.c.end_offset, codings.c.origin, codings.c.memo,
        )
        .join(segments, segments.c.id == codings.c.segment_id)
        .where(codings.c.transcript_id == transcript_id, codings.c.orphaned.is_(False))
        .order_by(codings.c.start_offset, codings.c.code_id, codings.c.id)
    )
    if coder is not None:
        query = query.where(codings.c.coder == coder)
    if segment_ids is not None:
        query = query.where(codings.c.segment_id.in_(list(segment_ids)))
    return [Mark(*row) for row in conn.execute(query)]


def rejected_suggestions(conn: Connection, coder: str, transcript_id: str) -> set[tuple[int, str, int, int]]:
    """``(ordinal, code_id, start, end)`` of the suggestions this coder rejected."""
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


def transcript_fingerprint(conn: Connection, transcript_id: str) -> tuple:
    """Changes when anyone's codings or the suggestions of a transcript change, or a sample closes.

    Coding and suggestion ids are never reused and every change to a coding bumps its
    ``updated_at``, so (count, largest id, latest update) moves with every insert,
    delete and edit.
    """
    coded = conn.execute(
        select(func.count(), func.max(codings.c.id), func.max(codings.c.updated_at))
        .where(codings.c.transcript_id == transcript_id)
    ).one()
    suggested = conn.execute(
        select(func.count(), func.max(suggestions.c.id)).where(suggestions.c.transcript_id == transcript_id)
    ).one()
    closed = conn.execute(select(func.count()).where(samples.c.closed_at.is_not(None))).scalar()
    return (*coded, *suggested, closed)
