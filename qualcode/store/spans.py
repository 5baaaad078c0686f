"""The agreement walk's reads of a chunk of transcripts' codings (issue 21): by (coder,
transcript) on SQLite, one index seek per transcript on PostgreSQL (``store.lateral``)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Select, and_, bindparam, select, true

from qualcode.store.lateral import CHUNK_IDS, each_transcript
from qualcode.store.schema import codings, segments

_SPAN_COLUMNS = (codings.c.id, codings.c.transcript_id, segments.c.ordinal, codings.c.start_offset,
                 codings.c.end_offset, codings.c.code_id, codings.c.orphaned)


def coder_spans(conn: Connection, coder: str, transcript_ids: list[str]) -> list[tuple[int, str, int, int, int, str]]:
    """The coder's live codings on these transcripts as ``(id, transcript, turn ordinal, start,
    end, code)``, by id (the agreement units build arrays from these columns)."""
    if not transcript_ids:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(_coder_spans_by_transcript(), {CHUNK_IDS: transcript_ids, "coder": coder})
        return [tuple(row[:6]) for row in rows if not row.orphaned]
    # Orphans are left out here, not in SQL: with ``orphaned = 0`` in the WHERE, SQLite
    # chose the (coder, orphaned, origin) index and read all the coder's codings for each
    # chunk of transcripts (agreement grew 1.38x linear, issue 21); on (coder,
    # transcript_id) it reads the chunk's only. Orphans are few.
    query = (
        select(*_SPAN_COLUMNS)
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(codings.c.coder == coder, codings.c.transcript_id.in_(transcript_ids))
        .order_by(codings.c.id)
    )
    return [tuple(row[:6]) for row in conn.execute(query) if not row.orphaned]


@cache
def _coder_spans_by_transcript() -> Select:
    """PostgreSQL's form of :func:`coder_spans`, built once (``store.lateral``): one index
    seek per transcript. ``coder || ''`` is no index key, so only ``ix_codings_transcript``
    can serve it: with stale statistics ``coder = ?`` alone tied (coder, transcript_id)
    with (coder, orphaned, origin), which reads all of the coder's codings each time. It
    reads the transcript's other coders' codings too: a constant factor, never the corpus.
    Its turns are joined on the transcript as well, so they are never read whole.
    """
    chunk = each_transcript()
    turn = and_(segments.c.id == codings.c.segment_id, segments.c.transcript_id == chunk.c.id)
    per_transcript = (
        select(*_SPAN_COLUMNS)
        .select_from(codings.join(segments, turn))
        .where(codings.c.transcript_id == chunk.c.id, codings.c.coder.concat("") == bindparam("coder"))
        .offset(0)
        .lateral("spans")
    )
    return select(per_transcript).select_from(chunk.join(per_transcript, true())).order_by(per_transcript.c.id)


def spans_codes(conn: Connection, coders: list[str], transcript_ids: list[str]) -> set[str]:
    """The distinct codes of the coders' live codings on these transcripts: the codes of
    :func:`coder_spans`' rows, without reading the rows."""
    if not transcript_ids or not coders:
        return set()
    query = (
        select(codings.c.code_id)
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(codings.c.coder.in_(coders), codings.c.transcript_id.in_(transcript_ids),
               codings.c.orphaned.is_(False))
        .distinct()
    )
    return set(conn.execute(query).scalars())
