"""Queries for tallies and crosstabs: transcript metadata and coding counts per coder.

No business rules here: qualcode/tally decides which codes count under which key and
what a group is. Counting rows come back as plain DBAPI tuples, not Row objects:
building a Row per group cost more than SQLite's grouping (benchmarks/bench_tally.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, String, case, cast, func, select

from qualcode.store.schema import code_turns, codings, transcripts


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
    # Read raw, each distinct JSON text decoded once: transcripts mostly share a few
    # attribute sets, and a decode per row through SQLAlchemy was 9 ms of 3,000.
    query = select(*columns, cast(transcripts.c.attributes, String)).order_by(transcripts.c.id)
    decoded: dict[str, dict[str, Any]] = {}
    infos = []
    for transcript_id, role, site, raw in _fetch(conn, query):
        found = decoded.get(raw) if raw is not None else {}
        if found is None:
            found = decoded[raw] = json.loads(raw) or {}
        infos.append(TranscriptInfo(transcript_id, role, site, dict(found)))
    return infos


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

    When every code counts under its own id the answer is stored: ``code_turns`` rows
    (kept by triggers, store/stored_counts.py). Otherwise (rollup: a segment coded with
    two codes under one key is one reference) the distinct segments are counted from
    codings, grouped by (key, transcript) off the covering index ``ix_codings_coder_code``.
    """
    if all(stored == key for stored, key in mapping.items()):
        query = select(code_turns.c.transcript_id, code_turns.c.code_id, code_turns.c.turns).where(
            code_turns.c.coder == coder, code_turns.c.code_id.in_(list(mapping)))
        return _fetch(conn, query)
    key = _key_expression(mapping).label("key")
    query = (
        select(key, codings.c.transcript_id, func.count(func.distinct(codings.c.segment_id)))
        .where(*_coder_codings(coder, list(mapping)))
        .group_by(key, codings.c.transcript_id)
    )
    return [(t, k, n) for k, t, n in _fetch(conn, query)]


#: Between the items of one aggregated string: a transcript id with it inside is caught
#: (the parts no longer add up to the rows) and read row by row instead.
_SEPARATOR = "\n"


def code_turn_columns(conn: Connection, coder: str, code_ids: list[str], *,
                      turns: bool = True) -> dict[str, dict[str, int]]:
    """code -> {transcript -> distinct turns so coded} (or -> 1 when not ``turns``): one
    coder's stored ``code_turns`` rows of these codes.

    One row per code, its transcripts (and turns) aggregated into one string in SQL
    and split in C: fetching the 62k rows of 23 codes one tuple at a time was 30 ms of
    a 100 ms tally, scanning them 4 ms (benchmarks/bench_tally.py).
    """
    c = code_turns.c
    item = c.transcript_id + _SEPARATOR + cast(c.turns, String) if turns else c.transcript_id
    query = (select(c.code_id, func.count(), func.aggregate_strings(item, _SEPARATOR))
             .where(c.coder == coder, c.code_id.in_(code_ids)).group_by(c.code_id))
    found: dict[str, dict[str, int]] = {}
    for code, count, joined in _fetch(conn, query):
        parts = joined.split(_SEPARATOR)
        if len(parts) != count * (2 if turns else 1):
            return _code_turn_rows(conn, coder, code_ids, turns=turns)
        found[code] = dict(zip(parts[0::2], map(int, parts[1::2]), strict=True)) if turns else dict.fromkeys(parts, 1)
    return found


def _code_turn_rows(conn: Connection, coder: str, code_ids: list[str], *, turns: bool) -> dict[str, dict[str, int]]:
    """:func:`code_turn_columns` read row by row."""
    found: dict[str, dict[str, int]] = {}
    query = select(code_turns.c.code_id, code_turns.c.transcript_id, code_turns.c.turns).where(
        code_turns.c.coder == coder, code_turns.c.code_id.in_(code_ids))
    for code, transcript_id, n in _fetch(conn, query):
        found.setdefault(code, {})[transcript_id] = n if turns else 1
    return found


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


def coded_segments_by_code(conn: Connection, coder: str, code_ids: list[str]) -> list[tuple[str, int, str]]:
    """``(code_id, codings, their segment ids joined by commas)`` of one coder's live
    codings of these codes, one row per code, in the order of the covering index
    ``ix_codings_coder_code`` (no sort). Co-occurrence parses the ids in NumPy: fetching
    164k one-integer rows was 70 ms, this 21 ms (benchmarks/bench_tally.py)."""
    query = (select(codings.c.code_id, func.count(),
                    func.aggregate_strings(cast(codings.c.segment_id, String), ","))
             .where(*_coder_codings(coder, code_ids)).group_by(codings.c.code_id))
    return _fetch(conn, query)
