"""Codings per code and coder, for the coding screen's codebook pane (live codings only)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, func, or_, select

from qualcode.store.schema import codings


def code_coder_counts(
    conn: Connection, viewer: str, hidden: Iterable[str] = (), code_ids: Iterable[str] | None = None,
    *, leave_out: str | None = None,
) -> list[tuple[str, str, int]]:
    """(code, coder, codings) over live codings, leaving out other coders' codings on ``hidden``
    transcripts (those the viewer codes blind); optionally only for some codes, and without
    the transcript ``leave_out`` (the coding screen counts the open one from what it shows)."""
    query = select(codings.c.code_id, codings.c.coder, func.count()).where(codings.c.orphaned.is_(False))
    if leave_out is not None:
        query = query.where(codings.c.transcript_id != leave_out)
    hidden = sorted(set(hidden))
    if hidden:
        query = query.where(or_(codings.c.coder == viewer, codings.c.transcript_id.not_in(hidden)))
    if code_ids is not None:
        query = query.where(codings.c.code_id.in_(sorted(set(code_ids))))
    return [tuple(r) for r in conn.execute(query.group_by(codings.c.code_id, codings.c.coder))]
