"""Whose codings a tally or crosstab counts: one named coder, or the analysis set.

A :class:`Whose` hides the difference from the counting code: the analysis set is
counted with one SQL query per counted coder (``counting.reference_counts`` /
``segment_keys``), each coder's rows kept only on the transcripts it counts for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.analysis.analysis_set import AnalysisSet, analysis_set, require_counted
from qualcode.tally.counting import reference_counts, segment_keys

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project


@dataclass(frozen=True)
class Whose:
    aset: AnalysisSet

    @property
    def label(self) -> str:
        return self.aset.label

    @property
    def named(self) -> str | None:
        return self.aset.named

    def reference_rows(self, conn: Connection, keymap, counter=reference_counts) -> list[tuple[str, str, int]]:
        """``(transcript, key, n)`` rows of whose codings count; ``counter`` is
        ``counting.reference_counts`` or, when only transcripts or sites are counted under
        rollup, the cheaper ``counting.presence_rows``."""
        if self.named:
            return counter(conn, self.named, keymap)
        coder_for = self.aset.coder_for
        rows = []
        for coder in self.aset.coders:
            rows += [r for r in counter(conn, coder, keymap) if coder_for.get(r[0]) == coder]
        return rows

    def segment_keys(self, conn: Connection, columns: dict[str, int], *, with_transcripts: bool = False):
        import numpy as np

        if self.named:
            return segment_keys(conn, self.named, columns, with_transcripts=with_transcripts)
        coder_for = self.aset.coder_for
        segs, keys, transcript_of = [], [], {}
        for coder in self.aset.coders:
            s, k, of = segment_keys(conn, coder, columns, with_transcripts=True)
            keep = np.fromiter((coder_for.get(of.get(int(x))) == coder for x in s),  # type: ignore[arg-type]  # get(None) is None
                               dtype=np.bool_, count=len(s))
            segs.append(s[keep])
            keys.append(k[keep])
            if with_transcripts:
                transcript_of.update({int(x): of[int(x)] for x in s[keep]})
        if not segs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), {}
        return np.concatenate(segs), np.concatenate(keys), transcript_of


def whose_codings(project: Project, coder: str | None) -> Whose:
    """``coder``'s codings everywhere when named, else the analysis set (refused when it counts nothing)."""
    aset = analysis_set(project, coder)
    require_counted(aset)
    return Whose(aset)


def guard_whose(project: Project, whose: Whose, *, what: str) -> None:
    """The blind double-coding rule for whatever ``whose`` counts (coding/blind.py)."""
    from qualcode.coding.blind import guard, guard_counted

    if whose.named:
        guard(project, coders=[whose.named], what=what)
    else:
        guard_counted(project, dict(whose.aset.coder_for), what=what)
