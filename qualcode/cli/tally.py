"""``qualcode tally``, ``qualcode crosstab`` and ``qualcode report``.

Thin wrappers over :mod:`qualcode.tally` and :mod:`qualcode.report`: parse options,
call the plain twin, print or write what it returns.
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, project_of
from qualcode.cli.tables import show_table
from qualcode.report import build_report
from qualcode.tally.charts import check_chart_path, crosstab_heatmap, tally_chart
from qualcode.tally.crosstab import crosstab as run_crosstab
from qualcode.tally.formats import (
    check_format,
    crosstab_grids,
    tally_header,
    tally_rows,
    write_crosstab,
    write_tally,
)
from qualcode.tally.frequencies import tally as run_tally

if TYPE_CHECKING:
    from rich.console import Console



CoderOption = Annotated[
    str | None, typer.Option("--coder", help="Count NAME's codings on every transcript (default: the analysis set).")
]
RoleOption = Annotated[
    list[str] | None, typer.Option("--role", help="Only transcripts of this role (key, label or alias); repeatable.")
]
SiteOption = Annotated[list[str] | None, typer.Option("--site", help="Only transcripts of this site; repeatable.")]
CountOption = Annotated[str | None, typer.Option("--count", help="references | transcripts | sites.")]
RollupOption = Annotated[
    bool, typer.Option("--rollup", help="Count codings of deeper codes under the child above them.")
]
FormatOption = Annotated[
    str | None, typer.Option("--format", help="table | csv | md | xlsx | json (default: from -o, else table).")
]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")]
ChartOption = Annotated[Path | None, typer.Option("--chart", help="Also draw a chart: FILE.png or FILE.svg.")]


def tally(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The code whose children are counted, e.g. referral.")],
    by: Annotated[str | None, typer.Option("--by", help="Group by role, site or an attribute (ATTR or attr:ATTR).")] = None,
    role: RoleOption = None,
    site: SiteOption = None,
    count: CountOption = None,
    top: Annotated[int | None, typer.Option("--top", help="Only the N most frequent children per group.")] = None,
    rollup: RollupOption = False,
    coder: CoderOption = None,
    noun: Annotated[str | None, typer.Option("--noun", help="What the children are called in sentences.")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    chart: ChartOption = None,
) -> None:
    """Count the children of CODE per group, with percents, the total and a summary sentence."""

    chosen = _checked_format(fmt, output, chart)
    result = run_tally(project_of(ctx), code, by=by, roles=role, sites=site, count=count or "references",
                       top=top, rollup=rollup, coder=coder, noun=noun)
    _show(result, chosen, output, chart, show=print_tally, write=write_tally, draw=tally_chart)


def crosstab(
    ctx: typer.Context,
    rows: Annotated[str, typer.Argument(help="Rows: CODE (its children), code:CODE, role, site or attr:NAME.")],
    columns: Annotated[str, typer.Argument(help="Columns: CODE (its children), code:CODE, role, site or attr:NAME.")],
    count: CountOption = None,
    rollup: RollupOption = False,
    role: RoleOption = None,
    site: SiteOption = None,
    coder: CoderOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    chart: ChartOption = None,
    values: Annotated[str, typer.Option("--values", help="Heatmap values: count, row or column (percent).")] = "count",
) -> None:
    """Cross-tabulate codes by role/site/attribute, codes by codes (co-occurrence in segments), or groups."""

    chosen = _checked_format(fmt, output, chart)
    result = run_crosstab(project_of(ctx), rows, columns, count=count, rollup=rollup, roles=role,
                          sites=site, coder=coder)
    _show(result, chosen, output, chart, show=print_crosstab, write=write_crosstab,
          draw=partial(crosstab_heatmap, values=values))


def report(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Folder for the report (default: reports/).")] = None,
    coder: CoderOption = None,
    html: Annotated[bool, typer.Option("--html", help="Also write a self-contained HTML page (CSS inline, charts embedded).")] = False,
    section: Annotated[list[str] | None, typer.Option("--section", help="Only this section; repeatable.")] = None,
) -> None:
    """Write the whole study report (Markdown and Word, optionally HTML) with tables and charts."""

    from qualcode.cli.progress import progress_bar

    with progress_bar("Report", "sections") as advance:
        written = build_report(project_of(ctx), output, coder=coder, html=html, sections=section, progress=advance)
    print_report_summary(written, console)


# -- printing -------------------------------------------------------------------------


def _checked_format(fmt: str | None, output: Path | None, chart: Path | None) -> str:
    """The output format, with the chart's path checked too: both before any counting."""
    chosen = check_format(fmt, output)
    if chart is not None:
        check_chart_path(chart)
    return chosen


def _show(result, chosen: str, output: Path | None, chart: Path | None, *, show, write, draw) -> None:
    """A table on the terminal, or the result written as ``chosen``; then its chart, if asked for."""
    if chosen == "table" and output is None:
        show(result, console)
    else:
        _emit(write(result, chosen, output), output)
    if chart is not None:
        console.print(f"Chart: {draw(result, chart)}", markup=False, soft_wrap=True)


def _emit(text: str | None, output: Path | None) -> None:
    if output is not None:
        console.print(f"Wrote {output}", markup=False, soft_wrap=True)
    elif text is not None:
        sys.stdout.write(text)


def print_tally(result, out: Console) -> None:
    from rich.table import Table

    out.print(f"[bold]{result.name}[/bold] ({result.code}): {result.count_type}, {_whose(result.coder)}"
              + (", rolled up" if result.rollup else ""))
    print_analysis(result, out)
    for group in result.groups:
        table = Table(title=group.label, title_justify="left")
        for index, heading in enumerate(tally_header(result)):
            table.add_column(heading, justify="right" if index else "left")
        body = tally_rows(result, group)
        for index, row in enumerate(body):
            table.add_row(*row, style="bold" if index == len(body) - 1 else None)
        show_table(out, table)
        out.print(group.statement, markup=False, soft_wrap=True)
        out.print(group.summary, markup=False, soft_wrap=True)
        out.print()
    for note in result.notes:
        out.print(f"Note: {note}", markup=False, soft_wrap=True)
    out.print(f"Command: {result.command}", markup=False, style="dim", soft_wrap=True)


def print_crosstab(result, out: Console) -> None:
    from rich.table import Table

    who = f", {_whose(result.coder)}" if result.coder else ""
    out.print(f"[bold]{result.row_spec} x {result.column_spec}[/bold]: {result.measure}{who}")
    print_analysis(result, out)
    for title, header, rows in crosstab_grids(result):
        table = Table(title=title, title_justify="left")
        for index, heading in enumerate(header):
            table.add_column(heading, justify="right" if index else "left")
        for row in rows:
            table.add_row(*row)
        show_table(out, table)
    for note in result.notes:
        out.print(f"Note: {note}", markup=False, soft_wrap=True)
    out.print(f"Command: {result.command}", markup=False, style="dim", soft_wrap=True)


def _whose(label: str) -> str:
    return label if label == "analysis set" else f"coder {label}"


def print_analysis(result, out: Console) -> None:
    """Whose codings count and, when they rest on less than the selection, a warning."""
    if result.analysis:
        out.print(result.analysis, markup=False, soft_wrap=True)
    if result.warning:
        out.print(f"Warning: {result.warning}", markup=False, soft_wrap=True, style="bold")


def print_report_summary(written, out: Console) -> None:
    who = _whose(written.coder) if written.coder else "no codings yet"
    out.print(f"Report ({who}):", markup=False, soft_wrap=True)
    for path in written.paths:
        out.print(f"  {path}", markup=False, soft_wrap=True)
    charts = written.markdown.parent / "charts"
    out.print(f"  {len(written.charts)} charts in {charts}", markup=False, soft_wrap=True)
    for section in written.sections:
        if section.skipped:
            out.print(f"  skipped {section.title}: {section.skipped}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(tally)
    app.command()(crosstab)
    app.command()(report)
