"""Queries for tallies and crosstabs: transcript metadata and coding counts per coder.

No business rules here: qualcode/tally decides which codes count under which key and
what a group is. Counting rows come back as plain DBAPI tuples, not Row objects:
building a Row per group cost more than SQLite's grouping (benchmarks/bench_tally.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, case, func, select

from qualcode.store.schema import codings, transcripts


@dataclass(frozen=True)
class TranscriptInfo:
    """The metadata a tally groups by (never the text)."""

    id: str
    role: str
    site: str
    attributes: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def transcript_infos(conn: Connection, *, attributes: bool = True) -> list[TranscriptInfo]:
    """Every transcript's id, role, site and (unless ``attributes`` is False, when they
    are left empty) attributes, sorted by id. Decoding the attributes' JSON was a fifth
    of a tally's time on 3,000 transcripts, and only grouping by an attribute needs it."""
    columns = [transcripts.c.id, transcripts.c.role, transcripts.c.site]
    if not attributes:
        return [TranscriptInfo(*r) for r in _fetch(conn, select(*columns).order_by(transcripts.c.id))]
    query = select(*columns, transcripts.c.attributes).order_by(transcripts.c.id)
    return [TranscriptInfo(r.id, r.role, r.site, dict(r.attributes or {})) for r in conn.execute(query)]


def _key_expression(mapping: dict[str, str]):
    if all(stored == key for stored, key in mapping.items()):
        return codings.c.code_id
    return case(mapping, value=codings.c.code_id)


def _coder_codings(coder: str, code_ids: list[str]) -> list:
    """The WHERE clause of every count: one coder's live (not orphaned) codings of these codes."""
    return [codings.c.coder == coder, codings.c.code_id.in_(code_ids), codings.c.segment_id.is_not(None)]


def _fetch(conn: Connection, query) -> list[tuple]:
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def reference_counts(conn: Connection, coder: str, mapping: dict[str, str]) -> list[tuple[str, str, int]]:
    """``(transcript_id, key, distinct segments)`` of one coder; ``mapping`` maps stored
    code ids to the key they count under.

    Grouping by (key, transcript) in that order lets SQLite stream the groups straight
    off the covering index ``ix_codings_coder_code`` when the key is the stored code id.
    """
    key = _key_expression(mapping).label("key")
    query = (
        select(key, codings.c.transcript_id, func.count(func.distinct(codings.c.segment_id)))
        .where(*_coder_codings(coder, list(mapping)))
        .group_by(key, codings.c.transcript_id)
    )
    return [(t, k, n) for k, t, n in _fetch(conn, query)]


def code_transcript_pairs(conn: Connection, coder: str, code_ids: list[str]) -> list[tuple[str, str]]:
    """Distinct ``(code_id, transcript_id)`` of one coder's codings of these codes.

    ``SELECT DISTINCT code_id, transcript_id`` streams off the covering index, where
    counting distinct segments under a ``CASE`` key made SQLite build temporary
    B-trees (2-3x the time).
    """
    query = select(codings.c.code_id, codings.c.transcript_id).distinct().where(*_coder_codings(coder, code_ids))
    return _fetch(conn, query)


def segment_column_rows(
    conn: Connection, coder: str, columns: dict[str, int], *, with_transcripts: bool = False
) -> list[tuple]:
    """One coder's codings of the codes in ``columns`` as ``(segment_id * width + column,)``
    rows (``width`` = the largest column + 1), with the transcript id second when asked.

    One integer per row, computed in SQL, keeps the fetch lean for co-occurrence.
    """
    width = max(columns.values(), default=0) + 1
    combined = codings.c.segment_id * width + case(columns, value=codings.c.code_id)
    selected = [combined, codings.c.transcript_id] if with_transcripts else [combined]
    return _fetch(conn, select(*selected).where(*_coder_codings(coder, list(columns))))
