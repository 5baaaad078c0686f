"""Queries for the analysis set: coded respondent turns and coding origins per coder.

Every tally builds the analysis set, so these avoid reading the codings table row by
row (on 1M codings that read was 95% of a tally's time):

- coded turns: the coder's distinct (transcript, segment) pairs stream in order off the
  covering index ``ix_codings_coder`` (coder, transcript_id, segment_id) with no
  temporary B-tree (a live coding has a segment; an orphaned one has none,
  store/codings.orphan_coding); each pair is joined to its segment once, and the
  respondent and interviewer turns are counted in that one pass (two ``IN`` subqueries,
  one per kind of turn, were 75% of a tally on 1M codings: benchmarks/bench_tally.py);
- origins: a loose scan of ``ix_codings_coder_origin``, one index seek per origin.
"""

from __future__ import annotations

from sqlalchemy import Connection, case, false, func, select, true

from qualcode.store.schema import coders, codings, segments


def coded_turns_of(conn: Connection, coder: str) -> tuple[dict[str, int], dict[str, int]]:
    """(respondent, interviewer): transcript -> distinct turns of that kind with a live coding of ``coder``."""
    pairs = (
        select(codings.c.transcript_id, codings.c.segment_id)
        .where(codings.c.coder == coder, codings.c.segment_id.is_not(None)).distinct().subquery()
    )
    asked = func.sum(case((segments.c.is_interviewer == true(), 1), else_=0))
    query = (
        select(pairs.c.transcript_id, func.count(), asked)
        .select_from(pairs.join(segments, segments.c.id == pairs.c.segment_id))
        .group_by(pairs.c.transcript_id)
    )
    respondent: dict[str, int] = {}
    interviewer: dict[str, int] = {}
    for transcript_id, turns, questions in conn.execute(query):
        if turns - questions:
            respondent[transcript_id] = turns - questions
        if questions:
            interviewer[transcript_id] = questions
    return respondent, interviewer


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


def coded_turns(conn: Connection) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(respondent, interviewer): (coder, transcript) -> distinct turns of that kind with a live coding."""
    respondent: dict[tuple[str, str], int] = {}
    interviewer: dict[tuple[str, str], int] = {}
    for coder in coder_names(conn):
        coded, asked = coded_turns_of(conn, coder)
        respondent.update({(coder, t): n for t, n in coded.items()})
        interviewer.update({(coder, t): n for t, n in asked.items()})
    return respondent, interviewer


def coding_origins(conn: Connection) -> dict[str, set[str]]:
    """coder -> the origins of its live codings; coders without live codings left out."""
    found = {coder: origins_of(conn, coder) for coder in coder_names(conn)}
    return {coder: origins for coder, origins in found.items() if origins}
