"""Whose codings a tally or crosstab counts: one named coder, or the analysis set.

A :class:`Whose` hides the difference from the counting code: the analysis set is
counted with one query per counted coder, each coder's rows kept only on the
transcripts it counts for (:meth:`Whose.counted_rows`, the one place that rule lives).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from qualcode.analysis.analysis_set import AnalysisSet, analysis_set, require_counted
from qualcode.analysis.guard import guard_counted_codings
from qualcode.tally.counting import (
    KeyCounts,
    ReferenceRow,
    distinct_segment_keys,
    key_counts,
    segment_keys_by_code,
)

if TYPE_CHECKING:
    import numpy as np

    from qualcode.project import Project
    from qualcode.store.handles import Connection
    from qualcode.tally.counting import KeyMap

Row = TypeVar("Row", bound=tuple)


@dataclass(frozen=True)
class Whose:
    aset: AnalysisSet

    @property
    def label(self) -> str:
        return self.aset.label

    @property
    def named(self) -> str | None:
        return self.aset.named

    def counted_rows(self, fetch: Callable[[str], Iterable[Row]], transcript: int = 0) -> list[Row]:
        """``fetch(coder)``'s rows for the named coder, else for each counted coder the rows
        whose transcript (at index ``transcript``) that coder counts for."""
        if self.named:
            return list(fetch(self.named))
        coder_for = self.aset.coder_for
        rows: list[Row] = []
        for coder in self.aset.coders:
            rows += [r for r in fetch(coder) if coder_for.get(r[transcript]) == coder]
        return rows

    def reference_rows(self, conn: Connection, keymap: KeyMap,
                       counter=key_counts) -> KeyCounts | list[ReferenceRow]:
        """The references of whose codings count, per transcript and key, as ``counter``
        gives them (rows or :data:`counting.KeyCounts`, both what a CountTable is made
        of): ``counting.key_counts`` or, when only transcripts or sites are counted under
        rollup, the cheaper ``counting.presence_rows``."""
        if self.named:
            return counter(conn, self.named, keymap)
        found = {coder: counter(conn, coder, keymap) for coder in self.aset.coders}
        if not all(isinstance(counts, dict) for counts in found.values()):
            return self.counted_rows(lambda coder: _as_rows(found[coder]))
        coder_for = self.aset.coder_for
        by_key: KeyCounts = {}
        for coder, counts in found.items():  # each coder's counts on the transcripts it counts for
            for key, per in counts.items():
                kept = {t: n for t, n in per.items() if coder_for.get(t) == coder}
                if kept:
                    by_key.setdefault(key, {}).update(kept)
        return by_key

    def coded_spans(self, conn: Connection, code_ids: list[str]) -> list[tuple]:
        """``(transcript_id, segment_id, code_id, start, end)`` of whose live codings of these codes."""
        from qualcode.store.search import coded_spans  # the store loads SQLAlchemy

        return self.counted_rows(lambda coder: coded_spans(conn, coder, code_ids))

    def segment_keys(
        self, conn: Connection, columns: dict[str, int], *, with_transcripts: bool = False
    ) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
        """Distinct (segment, column) pairs of whose codings (counting.distinct_segment_keys)."""
        from qualcode.store.tally import (
            segment_column_rows,  # the store loads SQLAlchemy
        )

        if self.named and not with_transcripts:  # each code's segment ids in one string
            return segment_keys_by_code(conn, self.named, columns)
        transcripts = with_transcripts or not self.named
        rows = self.counted_rows(
            lambda coder: segment_column_rows(conn, coder, columns, with_transcripts=transcripts), transcript=1)
        return distinct_segment_keys(rows, columns, with_transcripts=transcripts)


def _as_rows(counts: KeyCounts | list[ReferenceRow]) -> list[ReferenceRow]:
    if isinstance(counts, dict):
        return [(t, key, n) for key, per in counts.items() for t, n in per.items()]
    return counts


def whose_codings(project: Project, coder: str | None) -> Whose:
    """``coder``'s codings everywhere when named, else the analysis set (refused when it counts nothing)."""
    aset = analysis_set(project, coder)
    require_counted(aset)
    return Whose(aset)


def guard_whose(project: Project, whose: Whose, *, what: str) -> None:
    """The blind double-coding rule for whatever ``whose`` counts (coding/blind.py)."""
    guard_counted_codings(project, named=whose.named, coder_for=whose.aset.coder_for, what=what)
