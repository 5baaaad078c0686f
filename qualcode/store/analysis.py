"""Queries for the analysis set: coded respondent turns and coding origins per coder.

Every tally builds the analysis set, so these avoid reading the codings table row by
row (on 1M codings that read was 95% of a tally's time):

- coded turns: read off ``coder_transcripts``, one row per (coder, transcript): the
  rows of ``coder_turns`` (one per turn with a live coding, kept by triggers on codings,
  store/stored_counts.py) counted by kind, kept by triggers on coder_turns
  (store/turn_totals.py). Counting them from codings was 0.12-0.2 s of every tally on
  1M codings, grouping coder_turns' 150k rows 18 ms (benchmarks/bench_tally.py);
- origins: a loose scan of ``ix_codings_coder_origin``, one index seek per origin.
"""

from __future__ import annotations

from sqlalchemy import Connection, false, func, select

from qualcode.store.schema import coder_transcripts, coders, codings


def coded_turns_of(conn: Connection, coder: str) -> tuple[dict[str, int], dict[str, int]]:
    """(respondent, interviewer): transcript -> distinct turns of that kind with a live coding of ``coder``."""
    c = coder_transcripts.c
    rows = conn.execute(select(c.transcript_id, c.respondent_turns, c.interviewer_turns).where(c.coder == coder))
    found = rows.cursor.fetchall()  # plain tuples: 3,000 Row objects cost more than the read
    rows.close()
    return {t: n for t, n, _ in found if n}, {t: n for t, _, n in found if n}


def _turns_query():
    """(coder, transcript, respondent turns, interviewer turns) off the stored totals
    (store/turn_totals.py: coder_turns' rows counted per transcript, kept by triggers)."""
    c = coder_transcripts.c
    return select(c.coder, c.transcript_id, c.respondent_turns, c.interviewer_turns)


def _split_turns(rows) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    respondent: dict[tuple[str, str], int] = {}
    interviewer: dict[tuple[str, str], int] = {}
    for coder, transcript_id, turns, questions in rows:
        if turns:
            respondent[coder, transcript_id] = turns
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
