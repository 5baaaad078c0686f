"""Queries for the analysis set: coded respondent turns and coding origins per coder.

Every tally builds the analysis set, so these avoid reading the codings table row by
row (on 1M codings that read was 95% of a tally's time):

- coded turns: the coder's distinct segments come from the covering index
  ``ix_codings_coder_code`` (a live coding has a segment; an orphaned one has none,
  store/codings.orphan_coding), then the respondent segments among them are counted;
- origins: a loose scan of ``ix_codings_coder_origin``, one index seek per origin.
"""

from __future__ import annotations

from sqlalchemy import Connection, false, func, select, true

from qualcode.store.schema import coders, codings, segments


def coded_turns_of(conn: Connection, coder: str, *, interviewer: bool = False) -> dict[str, int]:
    """transcript -> distinct respondent (interviewer) turns with a live coding of ``coder``."""
    coded = select(codings.c.segment_id).where(codings.c.coder == coder, codings.c.segment_id.is_not(None))
    query = (
        select(segments.c.transcript_id, func.count())
        .where(segments.c.is_interviewer == (true() if interviewer else false()), segments.c.id.in_(coded))
        .group_by(segments.c.transcript_id)
    )
    return dict(conn.execute(query).all())


def origins_of(conn: Connection, coder: str) -> set[str]:
    """The origins of ``coder``'s live codings (``manual``, ``rules``, ``model`` ...)."""
    found: set[str] = set()
    after = ""
    while True:
        query = select(func.min(codings.c.origin)).where(
            codings.c.coder == coder, codings.c.orphaned == false(), codings.c.origin > after)
        origin = conn.execute(query).scalar()
        if origin is None:
            return found
        found.add(origin)
        after = origin


def coder_names(conn: Connection) -> list[str]:
    return sorted(conn.execute(select(coders.c.name)).scalars())


def coded_turns(conn: Connection, *, interviewer: bool = False) -> dict[tuple[str, str], int]:
    """(coder, transcript) -> distinct respondent (interviewer) turns with a live coding."""
    return {(coder, t): n for coder in coder_names(conn)
            for t, n in coded_turns_of(conn, coder, interviewer=interviewer).items()}


def coding_origins(conn: Connection) -> dict[str, set[str]]:
    """coder -> the origins of its live codings; coders without live codings left out."""
    found = {coder: origins_of(conn, coder) for coder in coder_names(conn)}
    return {coder: origins for coder, origins in found.items() if origins}
