"""``qualcode crosstab ROWS COLS``: codes x groups, codes x codes, groups x groups.

An axis is written as one of:

- ``CODE`` or ``code:CODE`` -- the children of a code (``code:`` when a code id is
  spelled like a keyword below);
- ``role``, ``site`` -- the transcript's role or site;
- ``attr:NAME`` -- a transcript attribute.

What a cell counts depends on the axes:

- codes x group: references of the child in the group (or, with ``count``, the
  transcripts or sites mentioning it), as in NVivo's crosstab / MAXQDA's code matrix;
- codes x codes: co-occurrence within segments -- segments one coder coded with both
  children (or transcripts / sites with at least one such segment);
- group x group: transcripts (or sites) with both values, like a study's Table 1.

Row percent = cell / the row's total; column percent = cell / the column's base, which
is the column's references for reference counts, and the units in the column group
(or coded with the column's code) otherwise. docs/tally.md states every base.
"""

from __future__ import annotations

import shlex
from dataclasses import replace
from typing import TYPE_CHECKING

from qualcode.codebook.model import unknown_code_message
from qualcode.tally import wording
from qualcode.tally.cooccurrence import cooccurrence
from qualcode.tally.counting import CountTable, children_keymap
from qualcode.tally.crosstab_model import (
    GROUP_WORDS,
    Axis,
    CrosstabContext,
    CrosstabResult,
    Header,
    code_headers,
)
from qualcode.tally.frequencies import unit_count
from qualcode.tally.selection import (
    COUNT_TYPES,
    Dimension,
    TallyError,
    check_count_type,
    check_dimension,
    group_label,
    load_transcripts,
    ordered_groups,
    select_transcripts,
)
from qualcode.tally.whose import guard_whose, whose_codings

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project

def parse_axis(text: str, codebook: Codebook) -> Axis:
    """Read an axis spec: ``CODE``, ``code:CODE``, ``role``, ``site`` or ``attr:NAME``."""
    spec = text.strip()
    lowered = spec.casefold()
    if lowered.startswith("code:"):
        codebook.get(spec[5:])
        return Axis("codes", code=spec[5:])
    if lowered in GROUP_WORDS:
        return Axis("group", dimension=Dimension(lowered))
    if lowered.startswith("attr:") and spec[5:]:
        return Axis("group", dimension=Dimension("attr", spec[5:]))
    if spec in codebook:
        return Axis("codes", code=spec)
    raise TallyError(
        f"'{text}' is not an axis: write a code id (or code:ID), role, site or attr:NAME; "
        + unknown_code_message(spec, codebook.codes)
    )


def crosstab(
    project: Project,
    rows: str,
    columns: str,
    *,
    count: str | None = None,
    rollup: bool = False,
    roles: list[str] | None = None,
    sites: list[str] | None = None,
    coder: str | None = None,
) -> CrosstabResult:
    """The plain twin of ``qualcode crosstab``; see the module docstring for the cells.

    ``count`` defaults to ``references`` (co-occurring segments for codes x codes) and
    to ``transcripts`` for group x group, which has no references to count.
    """
    codebook = project.codebook
    row_axis, column_axis = parse_axis(rows, codebook), parse_axis(columns, codebook)
    count = count or ("transcripts" if row_axis.kind == column_axis.kind == "group" else "references")
    check_count_type(count)
    for axis in (row_axis, column_axis):
        if axis.kind == "codes" and not codebook.children(axis.code_id):
            raise TallyError(f"Code '{axis.code}' has no children; a crosstab axis is a code's children")
    needs_coder = "codes" in (row_axis.kind, column_axis.kind)
    whose = whose_codings(project, coder) if needs_coder else None
    if whose is not None:  # group x group reads no codings
        guard_whose(project, whose, what="this crosstab")
    with project.read() as conn:
        infos = load_transcripts(conn, attributes=any(
            axis.kind == "group" and axis.group.kind == "attr" for axis in (row_axis, column_axis)))
        for axis in (row_axis, column_axis):
            if axis.kind == "group":
                check_dimension(axis.group, infos)
        selected = select_transcripts(codebook, infos, roles, sites)
        context = CrosstabContext(project, conn, codebook, selected, whose, count, rollup, len(infos))
        result = _compute(context, row_axis, column_axis)
    command = crosstab_command(row_axis, column_axis, count, rollup, roles, sites, whose.named if whose else None)
    if whose is None:
        return replace(result, command=command)
    return replace(
        result, command=command, coverage=whose.aset.coverage([t.id for t in selected]).to_dict(),
        analysis=whose.aset.statement(), notes=result.notes + wording.coding_notes(project),
    )


def _compute(ctx: CrosstabContext, row_axis: Axis, column_axis: Axis) -> CrosstabResult:
    kinds = (row_axis.kind, column_axis.kind)
    if kinds == ("codes", "group"):
        return _codes_by_group(ctx, row_axis, column_axis)
    if kinds == ("group", "codes"):
        return _codes_by_group(ctx, column_axis, row_axis).transposed()
    if kinds == ("codes", "codes"):
        return cooccurrence(ctx, row_axis, column_axis)
    if ctx.count == "references":
        raise TallyError("A group x group crosstab counts transcripts or sites (--count transcripts|sites)")
    return _group_by_group(ctx, row_axis, column_axis)


def group_headers(codebook: Codebook, dimension: Dimension, selected) -> list[Header]:
    return [Header(g, group_label(dimension, g, codebook)) for g in ordered_groups(dimension, selected, codebook)]


def _codes_by_group(ctx: CrosstabContext, codes: Axis, groups: Axis) -> CrosstabResult:
    keymap = children_keymap(ctx.codebook, codes.code_id, rollup=ctx.rollup)
    table = CountTable(ctx.codings.reference_rows(ctx.conn, keymap))
    dimension = groups.group
    columns = group_headers(ctx.codebook, dimension, ctx.selected)
    members = {h.key: [t for t in ctx.selected if dimension.value(t) == h.key] for h in columns}
    ids = {h.key: {t.id for t in members[h.key]} for h in columns}
    selected = {t.id for t in ctx.selected}
    counts, row_totals, column_totals = _code_group_cells(ctx, table, keymap.keys, columns, members, ids)
    if ctx.count == "references":
        column_bases = column_totals
    else:
        column_bases = [_units(ctx.count, members[h.key]) for h in columns]
    return CrosstabResult(
        rows=code_headers(ctx.codebook, keymap.keys), columns=columns, counts=counts,
        row_totals=row_totals, column_totals=column_totals, row_bases=row_totals,
        column_bases=column_bases, grand_total=unit_count(ctx.count, table, ctx.selected, keymap.keys, selected),
        measure=ctx.count, count_type=ctx.count, coder=ctx.coder, row_spec=codes.spec,
        column_spec=groups.spec, rollup=ctx.rollup,
    )


def _code_group_cells(ctx: CrosstabContext, table: CountTable, keys, columns, members, ids) -> tuple:
    """(cells, row totals, column totals) of codes by groups."""
    if ctx.count == "references":  # every cell from one pass over the table, not one per cell
        sums = table.references_by_group({t.id: h.key for h in columns for t in members[h.key]})
        counts = [[sums.get(h.key, {}).get(key, 0) for h in columns] for key in keys]
        column_totals = [sum(row[j] for row in counts) for j in range(len(columns))]
        return counts, [sum(row) for row in counts], column_totals
    selected = {t.id for t in ctx.selected}
    counts = [[unit_count(ctx.count, table, members[h.key], [key], ids[h.key]) for h in columns] for key in keys]
    row_totals = [unit_count(ctx.count, table, ctx.selected, [key], selected) for key in keys]
    column_totals = [unit_count(ctx.count, table, members[h.key], keys, ids[h.key]) for h in columns]
    return counts, row_totals, column_totals


def _units(count: str, members) -> int:
    return len(members) if count == "transcripts" else len({t.site for t in members})


def _group_by_group(ctx: CrosstabContext, row_axis: Axis, column_axis: Axis) -> CrosstabResult:
    rows = group_headers(ctx.codebook, row_axis.group, ctx.selected)
    columns = group_headers(ctx.codebook, column_axis.group, ctx.selected)

    def cell(members) -> int:
        return _units(ctx.count, members)

    def members(row=None, column=None):
        return [
            t for t in ctx.selected
            if (row is None or row_axis.group.value(t) == row)
            and (column is None or column_axis.group.value(t) == column)
        ]

    counts = [[cell(members(r.key, c.key)) for c in columns] for r in rows]
    row_totals = [cell(members(row=r.key)) for r in rows]
    column_totals = [cell(members(column=c.key)) for c in columns]
    return CrosstabResult(
        rows=rows, columns=columns, counts=counts, row_totals=row_totals, column_totals=column_totals,
        row_bases=row_totals, column_bases=column_totals, grand_total=cell(ctx.selected),
        measure=ctx.count, count_type=ctx.count, coder=None, row_spec=row_axis.spec,
        column_spec=column_axis.spec, rollup=False,
    )


def crosstab_command(row_axis, column_axis, count, rollup, roles, sites, coder) -> str:
    """The command that reproduces a crosstab (printed under every table in reports)."""
    parts = ["qualcode crosstab", shlex.quote(row_axis.spec), shlex.quote(column_axis.spec)]
    default = "transcripts" if row_axis.kind == column_axis.kind == "group" else "references"
    if count != default:
        parts += ["--count", count]
    if rollup:
        parts.append("--rollup")
    parts += [f"--role {shlex.quote(r)}" for r in roles or []]
    parts += [f"--site {shlex.quote(s)}" for s in sites or []]
    if coder:
        parts += ["--coder", shlex.quote(coder)]
    return " ".join(parts)


__all__ = ["COUNT_TYPES", "Axis", "CrosstabResult", "Header", "crosstab", "parse_axis"]
