"""The shapes of a crosstab: its axes, its result and what it is computed over.

Shared by :mod:`crosstab` (codes x groups, groups x groups) and :mod:`cooccurrence`
(codes x codes), so neither imports the other's internals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.tally.selection import Dimension

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project
    from qualcode.store.handles import Connection
    from qualcode.store.tally import TranscriptInfo
    from qualcode.tally.whose import Whose

GROUP_WORDS = ("role", "site")


@dataclass(frozen=True)
class Axis:
    """One side of a crosstab: the children of ``code``, or a transcript ``dimension``."""

    kind: str
    code: str | None = None
    dimension: Dimension | None = None

    @property
    def code_id(self) -> str:
        """The code of a ``codes`` axis (parse_axis gives every codes axis one)."""
        if self.code is None:
            raise TypeError(f"a {self.kind} axis has no code")
        return self.code

    @property
    def group(self) -> Dimension:
        """The transcript dimension of a ``group`` axis (parse_axis gives every group axis one)."""
        if self.dimension is None:
            raise TypeError(f"a {self.kind} axis has no dimension")
        return self.dimension

    @property
    def spec(self) -> str:
        if self.kind == "group":
            return self.group.spec
        code = self.code_id
        keyword = code.casefold() in GROUP_WORDS or code.casefold().startswith(("attr:", "code:"))
        return f"code:{code}" if keyword else code


@dataclass(frozen=True)
class Header:
    key: str
    label: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label}


@dataclass(frozen=True)
class CrosstabResult:
    rows: list[Header]
    columns: list[Header]
    counts: list[list[int]]
    row_totals: list[int]
    column_totals: list[int]
    row_bases: list[int]
    column_bases: list[int]
    grand_total: int
    measure: str
    count_type: str
    coder: str | None
    row_spec: str
    column_spec: str
    rollup: bool
    command: str = ""
    notes: list[str] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)
    analysis: str = ""

    @property
    def warning(self) -> str:
        return self.coverage.get("warning", "")

    def row_percent(self, i: int, j: int) -> float | None:
        base = self.row_bases[i]
        return 100 * self.counts[i][j] / base if base else None

    def column_percent(self, i: int, j: int) -> float | None:
        base = self.column_bases[j]
        return 100 * self.counts[i][j] / base if base else None

    def transposed(self) -> CrosstabResult:
        return CrosstabResult(
            rows=self.columns, columns=self.rows,
            counts=[list(col) for col in zip(*self.counts, strict=True)] if self.counts else [],
            row_totals=self.column_totals, column_totals=self.row_totals,
            row_bases=self.column_bases, column_bases=self.row_bases, grand_total=self.grand_total,
            measure=self.measure, count_type=self.count_type, coder=self.coder,
            row_spec=self.column_spec, column_spec=self.row_spec, rollup=self.rollup,
            command=self.command, notes=self.notes, coverage=self.coverage, analysis=self.analysis,
        )

    def to_dict(self) -> dict[str, Any]:
        def cells(i: int) -> list[dict[str, Any]]:
            return [
                {"column": self.columns[j].key, "count": n,
                 "row_percent": self.row_percent(i, j), "column_percent": self.column_percent(i, j)}
                for j, n in enumerate(self.counts[i])
            ]

        return {
            "rows_axis": self.row_spec, "columns_axis": self.column_spec, "measure": self.measure,
            "count_type": self.count_type, "coder": self.coder, "rollup": self.rollup,
            "columns": [c.to_dict() for c in self.columns],
            "rows": [
                {**h.to_dict(), "total": self.row_totals[i], "base": self.row_bases[i], "cells": cells(i)}
                for i, h in enumerate(self.rows)
            ],
            "column_totals": self.column_totals, "column_bases": self.column_bases,
            "grand_total": self.grand_total, "command": self.command, "notes": self.notes,
            "analysis_set": self.analysis, "coverage": self.coverage,
        }


@dataclass(frozen=True)
class CrosstabContext:
    """What one crosstab is computed over: the selected transcripts and whose codings."""

    project: Project
    conn: Connection
    codebook: Codebook
    selected: list[TranscriptInfo]
    whose: Whose | None  # None for group x group, which reads no codings
    count: str
    rollup: bool
    all_transcripts: int

    @property
    def coder(self) -> str | None:
        return self.whose.label if self.whose else None

    @property
    def codings(self) -> Whose:
        """Whose codings a crosstab with a codes axis reads (crosstab() always sets them)."""
        if self.whose is None:
            raise TypeError("a group x group crosstab reads no codings")
        return self.whose


def code_headers(codebook: Codebook, keys) -> list[Header]:
    return [Header(key, codebook.get(key).name) for key in keys]
