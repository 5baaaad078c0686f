"""The counting core: distinct references aggregated in SQL.

A *reference* is one distinct (coder, segment, key), where the key is the code itself
or, with rollup, the child of the tallied code that the coding's code sits under.
The store does the deduplication: ``COUNT(DISTINCT segment_id)`` grouped by
(transcript, key), one coder, through the covering index ``ix_codings_coder_code``
(coder, code_id, transcript_id, segment_id). The result has at most
transcripts x keys rows, so grouping by role, site or attribute, and counting
transcripts or sites, happen in Python on that small table. A segment belongs to one
transcript, so summing per-transcript distinct counts over a group is exact.

Orphaned codings (their words vanished in a re-import) have no segment and are never
counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy import Connection

    from qualcode.codebook import Codebook


@dataclass(frozen=True)
class KeyMap:
    """Which stored code ids are counted, and under which key.

    ``keys`` are the counted keys in codebook order (the children of the tallied code);
    ``parent`` is the tallied code itself (its own codings are "not further specified");
    ``deeper`` are descendants that are *not* counted (no rollup) but are reported.
    """

    code: str
    keys: tuple[str, ...]
    mapping: dict[str, str]
    rollup: bool

    @property
    def stored_ids(self) -> list[str]:
        return list(self.mapping)

    def is_deeper(self, key: str) -> bool:
        return key != self.code and key not in self.keys


def children_keymap(codebook: Codebook, code: str, *, rollup: bool) -> KeyMap:
    """Map the code, its children and deeper descendants to the keys they count under.

    Without rollup a grandchild keeps its own id (it is counted, then reported as left
    out); with rollup it maps to the child above it, so a segment coded with two
    grandchildren of one child is one reference of that child.
    """
    codebook.get(code)
    children = [c.id for c in codebook.children(code)]
    mapping = {code: code}
    for child in children:
        mapping[child] = child
        for below in codebook.descendants(child):
            mapping[below.id] = child if rollup else below.id
    return KeyMap(code=code, keys=tuple(children), mapping=mapping, rollup=rollup)


def _key_expression(keymap: KeyMap):
    from sqlalchemy import case

    from qualcode.store.schema import codings

    if all(stored == key for stored, key in keymap.mapping.items()):
        return codings.c.code_id
    return case(keymap.mapping, value=codings.c.code_id)


def reference_counts(conn: Connection, coder: str, keymap: KeyMap) -> list[tuple[str, str, int]]:
    """``(transcript_id, key, references)`` for one coder, one SQL GROUP BY.

    Grouping by (key, transcript) in that order lets SQLite stream the groups straight
    off the covering index when the key is the stored code id (no rollup).
    """
    from sqlalchemy import func, select

    from qualcode.store.schema import codings

    key = _key_expression(keymap).label("key")
    query = (
        select(key, codings.c.transcript_id, func.count(func.distinct(codings.c.segment_id)))
        .where(
            codings.c.coder == coder,
            codings.c.code_id.in_(keymap.stored_ids),
            codings.c.segment_id.is_not(None),
        )
        .group_by(key, codings.c.transcript_id)
    )
    # Plain DBAPI tuples: building a Row per group cost more than SQLite's grouping.
    result = conn.execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    return [(t, k, n) for k, t, n in rows]


def presence_rows(conn: Connection, coder: str, keymap: KeyMap) -> list[tuple[str, str, int]]:
    """``(transcript_id, key, 1)`` for every transcript with a reference to a key.

    Enough when only transcripts or sites are counted and every stored code maps to a
    counted key (rollup): ``SELECT DISTINCT code_id, transcript_id`` streams off the
    covering index, where counting distinct segments under a ``CASE`` key made SQLite
    build temporary B-trees (2-3x the time).
    """
    from sqlalchemy import select

    from qualcode.store.schema import codings

    query = select(codings.c.code_id, codings.c.transcript_id).distinct().where(
        codings.c.coder == coder,
        codings.c.code_id.in_(keymap.stored_ids),
        codings.c.segment_id.is_not(None),
    )
    result = conn.execute(query)
    try:
        pairs = result.cursor.fetchall()
    finally:
        result.close()
    mapping = keymap.mapping
    return [(t, key, 1) for key, t in {(mapping[code], t) for code, t in pairs}]


class CountTable:
    """References per transcript and key, with the aggregations tallies need."""

    def __init__(self, rows: list[tuple[str, str, int]]) -> None:
        self.by_transcript: dict[str, dict[str, int]] = defaultdict(dict)
        # The same counts by key: a group's question is answered from the key's few
        # transcripts rather than by probing every member transcript.
        self.by_key: dict[str, dict[str, int]] = defaultdict(dict)
        for transcript_id, key, n in rows:
            if n:
                self.by_transcript[transcript_id][key] = n
                self.by_key[key][transcript_id] = n

    def references(self, transcript_ids, key: str) -> int:
        per = self.by_key.get(key)
        if not per:
            return 0
        members = transcript_ids if isinstance(transcript_ids, (set, frozenset)) else set(transcript_ids)
        if len(per) <= len(members):
            return sum(n for t, n in per.items() if t in members)
        return sum(per.get(t, 0) for t in members)

    def transcripts_with(self, transcript_ids, keys) -> set[str]:
        """The transcripts (of those given) with at least one reference to any of ``keys``."""
        found: set[str] = set()
        for key in keys:
            found.update(self.by_key.get(key, ()))
        return found.intersection(transcript_ids)

    def keys(self) -> set[str]:
        return set(self.by_key)


def segment_keys(
    conn: Connection, coder: str, columns: dict[str, int], *, with_transcripts: bool = False
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Distinct (segment, column) pairs of one coder, and (if asked) each segment's transcript.

    ``columns`` maps stored code ids to a column index. Co-occurrence needs
    segment-level rows, so the fetch is kept lean: one integer per row
    (segment_id * width + column, computed in SQL), read straight from the DBAPI
    cursor rather than as Row objects, and deduplicated in numpy.
    """
    import numpy as np
    from sqlalchemy import case, select

    from qualcode.store.schema import codings

    width = max(columns.values(), default=0) + 1
    combined = codings.c.segment_id * width + case(columns, value=codings.c.code_id)
    selected = [combined, codings.c.transcript_id] if with_transcripts else [combined]
    query = select(*selected).where(
        codings.c.coder == coder,
        codings.c.code_id.in_(list(columns)),
        codings.c.segment_id.is_not(None),
    )
    result = conn.execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if with_transcripts:
        values = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    else:  # one-column rows: flattened in C rather than a generator per row
        values = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows))
    transcript_of = {r[0] // width: r[1] for r in rows} if with_transcripts else {}
    pairs = np.unique(values)
    return pairs // width, pairs % width, transcript_of
