"""``qualcode matrix``: code matrices whose cells open to their passages.

The counts are ``qualcode crosstab``'s (qualcode/tally/crosstab.py), so a matrix cell
and a crosstab cell never disagree: rows are a code's children, columns a role, site,
attribute or another code's children; a cell counts references (distinct coded turns),
transcripts or sites as ``tally`` defines them. :func:`open_cell` lists the turns
behind one cell: for codes x groups the turns coded with the row's code (or, with
rollup, a code below it) in the column's transcripts; for codes x codes the turns
coded with both. The number of passages equals the cell for reference counts; for
transcript and site counts it is the turns of the transcripts counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.search.index import SearchError
from qualcode.search.query import Passage
from qualcode.tally.counting import children_keymap
from qualcode.tally.crosstab import crosstab, parse_axis
from qualcode.tally.selection import load_transcripts, select_transcripts
from qualcode.tally.whose import Whose, whose_codings

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.tally.crosstab_model import CrosstabResult


@dataclass(frozen=True)
class MatrixSpec:
    rows: str
    columns: str
    count: str | None = None
    rollup: bool = False
    roles: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    coder: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()}


@dataclass(frozen=True)
class Cell:
    row: str
    column: str
    count: int
    passages: tuple[Passage, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "count": self.count,
                "passages": [p.to_dict() for p in self.passages]}


def matrix(project: Project, spec: MatrixSpec) -> CrosstabResult:
    """The counts: exactly ``qualcode crosstab ROWS COLUMNS`` with the same options."""
    return crosstab(project, spec.rows, spec.columns, count=spec.count, rollup=spec.rollup,
                    roles=list(spec.roles) or None, sites=list(spec.sites) or None, coder=spec.coder)


def open_cell(project: Project, spec: MatrixSpec, cell: str, result: CrosstabResult | None = None) -> Cell:
    """The passages behind ``ROW,COLUMN`` (keys or labels, as the matrix prints them)."""
    result = result or matrix(project, spec)
    row, sep, column = cell.partition(",")
    if not sep:
        raise SearchError(f"--cell '{cell}' is not ROW,COLUMN (e.g. --cell challenge.housing,prosecutor)")
    i = _find(result.rows, row.strip(), "row")
    j = _find(result.columns, column.strip(), "column")
    return _cell(project, spec, result, i, j)


def all_cells(project: Project, spec: MatrixSpec, result: CrosstabResult) -> list[Cell]:
    """Every non-empty cell with its passages (for the XLSX workbook)."""
    return [_cell(project, spec, result, i, j)
            for i in range(len(result.rows)) for j in range(len(result.columns)) if result.counts[i][j]]


def _find(headers, wanted: str, axis: str) -> int:
    for index, header in enumerate(headers):
        if wanted in (header.key, header.label) or wanted.casefold() == header.label.casefold():
            return index
    listed = ", ".join(h.key for h in headers)
    raise SearchError(f"No {axis} '{wanted}' in the matrix; {axis}s: {listed}")


def _cell(project: Project, spec: MatrixSpec, result, i: int, j: int) -> Cell:
    codebook = project.codebook
    row_axis, column_axis = parse_axis(spec.rows, codebook), parse_axis(spec.columns, codebook)
    if row_axis.kind == column_axis.kind == "group":
        raise SearchError("A group x group matrix counts transcripts; its cells have no passages to open")
    row_key, column_key = result.rows[i].key, result.columns[j].key
    whose = whose_codings(project, spec.coder)  # the same codings the counts rest on
    with project.read() as conn:
        selected = _selected(project, conn, spec)
        sides = []
        for axis, key in ((row_axis, row_key), (column_axis, column_key)):
            if axis.kind == "codes":
                sides.append(_coded_turns(conn, project, axis.code_id, key, spec.rollup, whose))
            else:
                sides.append({u for u in _all_turns(conn, selected) if axis.group.value(selected[u[0]]) == key})
        units = sorted(u for u in sides[0] & sides[1] if u[0] in selected)
        passages = _passages(conn, selected, units)
    return Cell(row_key, column_key, result.counts[i][j], tuple(passages))


def _selected(project: Project, conn, spec: MatrixSpec) -> dict:
    chosen = select_transcripts(project.codebook, load_transcripts(conn), list(spec.roles) or None,
                                list(spec.sites) or None)
    return {t.id: t for t in chosen}


def _coded_turns(conn, project: Project, code: str, key: str, rollup: bool, whose: Whose) -> set:
    """Turns (transcript, segment id) coded with a stored code counted under ``key``, by
    whose codings count there."""
    keymap = children_keymap(project.codebook, code, rollup=rollup)
    stored = [c for c, k in keymap.mapping.items() if k == key]
    return {(t, segment_id) for t, segment_id, *_ in whose.coded_spans(conn, stored)}


def _all_turns(conn, selected: dict) -> set:
    from qualcode.store.search import segment_rows

    return {(r.transcript_id, r.id) for r in segment_rows(conn, sorted(selected))}


def _passages(conn, selected: dict, units) -> list[Passage]:
    from qualcode.store.search import segment_rows, transcript_texts

    out = []
    by_transcript: dict[str, set[int]] = {}
    for transcript_id, segment_id in units:
        by_transcript.setdefault(transcript_id, set()).add(segment_id)
    for transcript_id, wanted in sorted(by_transcript.items()):
        text = transcript_texts(conn, [transcript_id])[transcript_id]
        info = selected[transcript_id]
        for r in segment_rows(conn, [transcript_id]):
            if r.id in wanted:
                out.append(Passage(transcript_id, r.ordinal, r.start_offset, r.end_offset,
                                   text[r.start_offset : r.end_offset], info.role, info.site))
    return out
