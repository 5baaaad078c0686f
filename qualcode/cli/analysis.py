"""``qualcode assign``, ``unassign`` and ``analysis-set show``: who codes what, whose codings count.

Thin wrappers over :mod:`qualcode.analysis`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.analysis.analysis_set import analysis_set
from qualcode.analysis.assignments import assign as run_assign
from qualcode.analysis.assignments import unassign as run_unassign
from qualcode.cli.common import console, print_json, project_of
from qualcode.cli.tables import show_table

analysis_app = typer.Typer(help="The analysis set: whose codings every tally, crosstab and report counts.",
                           no_args_is_help=True)

TranscriptsArg = Annotated[list[str] | None, typer.Argument(help="Transcript ids.")]
RoleOpt = Annotated[str | None, typer.Option("--role", help="Every transcript of this role.")]
SiteOpt = Annotated[str | None, typer.Option("--site", help="Every transcript of this site.")]
AllOpt = Annotated[bool, typer.Option("--all", help="Every transcript.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def assign(ctx: typer.Context, coder: Annotated[str, typer.Argument(help="A known coder.")],
           transcripts: TranscriptsArg = None, role: RoleOpt = None, site: SiteOpt = None,
           every: AllOpt = False, as_json: JsonOpt = False) -> None:
    """Assign CODER to transcripts; the first coder assigned to a transcript is its primary coder."""

    _print(run_assign(project_of(ctx), coder, transcripts, role=role, site=site, every=every), as_json)


def unassign(ctx: typer.Context, coder: Annotated[str, typer.Argument(help="A known coder.")],
             transcripts: TranscriptsArg = None, role: RoleOpt = None, site: SiteOpt = None,
             every: AllOpt = False, as_json: JsonOpt = False) -> None:
    """Remove CODER's assignments (its codings stay in the store)."""

    _print(run_unassign(project_of(ctx), coder, transcripts, role=role, site=site, every=every), as_json)


def _print(result, as_json: bool) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    verb = "Assigned" if result.action == "assign" else "Unassigned"
    unchanged = len(result.selected) - len(result.changed)
    extra = f" ({unchanged} already {'assigned' if result.action == 'assign' else 'not assigned'})" if unchanged else ""
    console.print(f"{verb} {result.coder}: {len(result.changed)} transcript(s){extra}", markup=False)


@analysis_app.command("show")
def show(ctx: typer.Context,
         coder: Annotated[str | None, typer.Option("--coder", help="Show NAME's codings everywhere instead.")] = None,
         as_json: JsonOpt = False) -> None:
    """Per transcript: whose codings count, and how many respondent turns they cover."""
    from rich.table import Table

    aset = analysis_set(project_of(ctx), coder)
    if as_json:
        print_json(aset.to_dict())
        return
    table = Table(title="Analysis set", title_justify="left")
    for column in ("transcript", "role", "site", "counts", "source", "turns coded", "coverage", "finished", "note"):
        table.add_column(column, justify="right" if column in ("turns coded", "coverage") else "left")
    for e in aset.entries:
        share = f"{100 * e.coded_turns / e.respondent_turns:.0f}%" if e.respondent_turns else "-"
        finished = "done" if e.done else "yes" if e.finished else "-"
        table.add_row(e.transcript, e.role, e.site, e.coder or "-", e.source,
                      f"{e.coded_turns}/{e.respondent_turns}", share, finished, e.note)
    show_table(console, table)
    console.print(aset.statement(), markup=False, soft_wrap=True)
    warning = aset.coverage().warning
    if warning:
        console.print(f"Warning: {warning}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(assign)
    app.command()(unassign)
    app.add_typer(analysis_app, name="analysis-set")
