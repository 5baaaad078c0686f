"""The counting core: distinct references aggregated in SQL.

A *reference* is one distinct (coder, segment, key), where the key is the code itself
or, with rollup, the child of the tallied code that the coding's code sits under.
The store does the deduplication. When each code counts under its own key the
distinct segments per (coder, code, transcript) are stored data (``code_turns``, kept
by triggers on codings: store/stored_counts.py); under rollup they are counted with
``COUNT(DISTINCT segment_id)`` grouped by (transcript, key), one coder, through the
covering index ``ix_codings_coder_code``. The result has at most transcripts x keys
rows, so grouping by role, site or attribute, and counting transcripts or sites,
happen in Python on that small table. A segment belongs to one transcript, so summing
per-transcript distinct counts over a group is exact.

Orphaned codings (their words vanished in a re-import) have no segment and are never
counted.

The queries live in store/tally.py. They are imported inside the functions that run
them: the store loads SQLAlchemy, and importing qualcode.tally (or qualcode.report) must
not (tests/tally/test_charts.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, repeat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from qualcode.codebook import Codebook
    from qualcode.store.handles import Connection

#: ``(transcript_id, key, references)``
ReferenceRow = tuple[str, str, int]
#: key -> {transcript_id -> references}: the same counts, held by key
KeyCounts = dict[str, dict[str, int]]


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

    @property
    def identity(self) -> bool:
        """Every stored code counts under its own id (no rollup merges two codes)."""
        return all(stored == key for stored, key in self.mapping.items())

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


def reference_counts(conn: Connection, coder: str, keymap: KeyMap) -> list[ReferenceRow]:
    """``(transcript_id, key, references)`` for one coder, one SQL GROUP BY (store/tally.py)."""
    from qualcode.store import tally as store

    return store.reference_counts(conn, coder, keymap.mapping)


def key_counts(conn: Connection, coder: str, keymap: KeyMap) -> KeyCounts | list[ReferenceRow]:
    """References per key and transcript of one coder: when every code counts under its
    own id, the stored ``code_turns`` read by key (store/tally.py ``code_turn_columns``,
    a few aggregated rows instead of one per transcript and code); else (rollup)
    :func:`reference_counts`' rows."""
    from qualcode.store import tally as store

    if not keymap.identity:
        return reference_counts(conn, coder, keymap)
    return store.code_turn_columns(conn, coder, keymap.stored_ids)


def presence_rows(conn: Connection, coder: str, keymap: KeyMap) -> KeyCounts:
    """key -> {transcript -> 1} for every transcript with a reference to the key.

    Enough when only transcripts or sites are counted and every stored code maps to a
    counted key (rollup): the store reads which transcripts mention each code off
    ``code_turns``, cheaper than counting distinct segments under a ``CASE`` key.
    """
    from qualcode.store import tally as store

    found: KeyCounts = {}
    for code, per in store.code_turn_columns(conn, coder, keymap.stored_ids, turns=False).items():
        found.setdefault(keymap.mapping[code], {}).update(per)
    return found


class CountTable:
    """References per key and transcript, with the aggregations tallies need.

    Made from ``(transcript, key, n)`` rows or from counts already held by key
    (:data:`KeyCounts`, whose counts the store keeps above zero).
    """

    def __init__(self, counts: KeyCounts | Iterable[ReferenceRow] = ()) -> None:
        # By key: a group's question is answered from the key's few transcripts
        # rather than by probing every member transcript.
        self.by_key: dict[str, dict[str, int]] = {}
        if isinstance(counts, dict):
            self.by_key = {key: per for key, per in counts.items() if per}
            return
        for transcript_id, key, n in counts:
            if n:
                self.by_key.setdefault(key, {})[transcript_id] = n

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

    def references_by_group(self, group_of: dict[str, str]) -> dict[str, dict[str, int]]:
        """group -> key -> references; ``group_of`` maps each counted transcript to its
        group (transcripts left out are not counted). Summed per key by ``np.bincount``
        over group numbers looked up in C: a Python loop over the 38k (key, transcript)
        counts of a tally was a tenth of its time."""
        import numpy as np

        names = sorted(set(group_of.values()))
        number = {name: i for i, name in enumerate(names)}
        group_number = {t: number[g] for t, g in group_of.items()}
        sums: dict[str, dict[str, int]] = {}
        for key, per in self.by_key.items():
            where = np.fromiter(map(group_number.get, per, repeat(-1)), dtype=np.int64, count=len(per))
            counts = np.fromiter(per.values(), dtype=np.int64, count=len(per))
            kept = where >= 0
            totals = np.bincount(where[kept], weights=counts[kept], minlength=len(names))
            for i in np.flatnonzero(totals):
                sums.setdefault(names[i], {})[key] = int(round(totals[i]))
        return sums

    def counted_keys(self) -> set[str]:
        return set(self.by_key)


def segment_keys(
    conn: Connection, coder: str, columns: dict[str, int], *, with_transcripts: bool = False
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Distinct (segment, column) pairs of one coder, and (if asked) each segment's transcript."""
    from qualcode.store import tally as store

    rows = store.segment_column_rows(conn, coder, columns, with_transcripts=with_transcripts)
    return distinct_segment_keys(rows, columns, with_transcripts=with_transcripts)


def segment_keys_by_code(
    conn: Connection, coder: str, columns: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """:func:`segment_keys` without the transcripts, from each code's segment ids read
    as one string (store/tally.py ``coded_segments_by_code``) and parsed in C."""
    import numpy as np

    from qualcode.store import tally as store

    width = max(columns.values(), default=0) + 1
    parts = []
    for code, count, joined in store.coded_segments_by_code(conn, coder, list(columns)):
        found = np.fromstring(joined or "", dtype=np.int64, sep=",")
        if len(found) != count:  # never expected: integers joined by commas; read row by row
            return segment_keys(conn, coder, columns)
        parts.append(found * width + columns[code])
    pairs = sorted_distinct(np.concatenate(parts) if parts else np.empty(0, dtype=np.int64))
    return pairs // width, pairs % width, {}


def distinct_segment_keys(
    rows: list[tuple], columns: dict[str, int], *, with_transcripts: bool
) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """The distinct (segment, column) pairs of ``store.segment_column_rows`` rows.

    ``columns`` maps stored code ids to a column index. Co-occurrence needs
    segment-level rows, so the fetch is kept lean: one integer per row
    (segment_id * width + column, computed in SQL), read straight from the DBAPI
    cursor rather than as Row objects, and deduplicated in numpy.
    """
    import numpy as np

    width = max(columns.values(), default=0) + 1
    if with_transcripts:
        values = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    else:  # one-column rows: flattened in C rather than a generator per row
        values = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=len(rows))
    transcript_of = {r[0] // width: r[1] for r in rows} if with_transcripts else {}
    pairs = sorted_distinct(values)
    return pairs // width, pairs % width, transcript_of


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for integers, by a sort and a neighbour comparison: NumPy 2's
    ``np.unique`` goes through a hash table, 0.8 s on 900k int64 here against 7 ms."""
    import numpy as np

    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]
