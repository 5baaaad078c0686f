"""Queries for the analysis set when one coder is named: only that coder's codings are read.

The project-wide queries (store/assignments.py) scan every coder's codings; a tally
with ``--coder NAME`` needs NAME's alone, read through the ``coder``-first indexes.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from qualcode.store.schema import codings, segments


def coded_turns_of(conn: Connection, coder: str) -> dict[str, int]:
    """transcript -> distinct respondent turns with a live coding of ``coder``."""
    query = (
        select(codings.c.transcript_id, func.count(func.distinct(codings.c.segment_id)))
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(codings.c.coder == coder, segments.c.is_interviewer.is_(False), codings.c.orphaned.is_(False))
        .group_by(codings.c.transcript_id)
    )
    return dict(conn.execute(query).all())


def origins_of(conn: Connection, coder: str) -> set[str]:
    """The origins of ``coder``'s live codings (``manual``, ``rules``, ``model`` ...)."""
    query = select(codings.c.origin).where(codings.c.coder == coder, codings.c.orphaned.is_(False)).distinct()
    return set(conn.execute(query).scalars())
