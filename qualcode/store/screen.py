"""What the coding screen reads of a transcript's codings: the marks it draws, and the
fingerprints that tell its own writes from anyone else's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, and_, func, select

from qualcode.store.schema import codings, segments


def screen_marks(
    conn: Connection, transcript_id: str, *, coder: str | None = None, segment_ids: list[int] | None = None,
) -> list[tuple]:
    """The transcript's live codings ``(id, ordinal, coder, code, start, end, origin, memo)``
    (one coder's, or everyone's), optionally for some segments, by start, code and id."""
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
        query = query.where(codings.c.segment_id.in_(segment_ids))
    return [tuple(row) for row in conn.execute(query)]


def fingerprint(conn: Connection, transcript_id: str) -> tuple:
    """(count, largest id, latest update) of the transcript's codings, everyone's."""
    return tuple(conn.execute(
        select(func.count(), func.max(codings.c.id), func.max(codings.c.updated_at))
        .where(codings.c.transcript_id == transcript_id)
    ).one())


def latest_update_besides(conn: Connection, transcript_id: str, coder: str, coding_ids: Iterable[int]) -> datetime | None:
    """The latest ``updated_at`` of the coder's codings on the transcript other than ``coding_ids`` (None: none).

    A memo edit in another window of the same coder moves only a coding's update time;
    the coding screen compares this with what it last saw to tell that edit from its own action.
    """
    query = select(func.max(codings.c.updated_at)).where(
        codings.c.transcript_id == transcript_id, codings.c.coder == coder)
    ids = list(coding_ids)
    if ids:
        query = query.where(codings.c.id.not_in(ids))
    return conn.execute(query).scalar()


def update_times(conn: Connection, coding_ids: Iterable[int]) -> dict[int, datetime | None]:
    """``{id: updated_at}`` of those codings still stored (the coding screen checks its own writes with it)."""
    ids = list(coding_ids)
    if not ids:
        return {}
    return {row.id: row.updated_at for row in conn.execute(
        select(codings.c.id, codings.c.updated_at).where(codings.c.id.in_(ids)))}


def split_fingerprint(conn: Connection, transcript_id: str, coder: str) -> tuple:
    """The transcript's codings as :func:`fingerprint` sees them, split by author, in one query.

    ``(others' count, largest id, latest update, coder's live count, largest live id,
    coder's latest update)``: the coding screen compares the first three with what it
    last saw and the coder's live count and id with what it holds, to tell its own
    action from anyone else's.
    """
    others, mine = codings.c.coder != coder, codings.c.coder == coder
    live_mine = and_(mine, codings.c.orphaned.is_(False))
    return tuple(conn.execute(
        select(
            func.count().filter(others), func.max(codings.c.id).filter(others),
            func.max(codings.c.updated_at).filter(others),
            func.count().filter(live_mine), func.max(codings.c.id).filter(live_mine),
            func.max(codings.c.updated_at).filter(mine),
        ).where(codings.c.transcript_id == transcript_id)
    ).one())
