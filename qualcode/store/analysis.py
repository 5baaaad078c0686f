"""Queries for the analysis set: coded respondent turns and coding origins per coder.

Every tally builds the analysis set, so these avoid reading the codings table row by
row (on 1M codings that read was 95% of a tally's time):

- coded turns: counted off ``coder_turns``, one row per (coder, transcript, turn) with a
  live coding, kept by triggers on codings (store/stored_counts.py). Counting them from
  codings (distinct pairs off an index, joined to the segments) was 0.12-0.2 s of every
  tally on 1M codings (benchmarks/bench_tally.py);
- origins: a loose scan of ``ix_codings_coder_origin``, one index seek per origin.
"""

from __future__ import annotations

from sqlalchemy import Connection, case, false, func, select, true

from qualcode.store.schema import coder_turns, coders, codings


def coded_turns_of(conn: Connection, coder: str) -> tuple[dict[str, int], dict[str, int]]:
    """(respondent, interviewer): transcript -> distinct turns of that kind with a live coding of ``coder``."""
    respondent, interviewer = _split_turns(conn.execute(_turns_query().where(coder_turns.c.coder == coder)))
    return ({t: n for (_c, t), n in respondent.items()}, {t: n for (_c, t), n in interviewer.items()})


def _turns_query():
    """(coder, transcript, turns, interviewer turns) off the stored counts (store/stored_counts.py)."""
    asked = func.sum(case((coder_turns.c.is_interviewer == true(), 1), else_=0))
    return (select(coder_turns.c.coder, coder_turns.c.transcript_id, func.count(), asked)
            .group_by(coder_turns.c.coder, coder_turns.c.transcript_id))


def _split_turns(rows) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    respondent: dict[tuple[str, str], int] = {}
    interviewer: dict[tuple[str, str], int] = {}
    for coder, transcript_id, turns, questions in rows:
        if turns - questions:
            respondent[coder, transcript_id] = turns - questions
        if questions:
            interviewer[coder, transcript_id] = questions
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
    return _split_turns(conn.execute(_turns_query()))


def coding_origins(conn: Connection) -> dict[str, set[str]]:
    """coder -> the origins of its live codings; coders without live codings left out."""
    found = {coder: origins_of(conn, coder) for coder in coder_names(conn)}
    return {coder: origins for coder, origins in found.items() if origins}
