"""``qualcode codings import FILE`` and ``qualcode codings export``: codings as spreadsheets.

The commands join the ``codings`` group defined in :mod:`qualcode.cli.coding`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import console, err_console, print_json, project_of
from qualcode.words import plural


def import_codings(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file: transcript, coder, code, segment or start/end.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import codings from a spreadsheet, all rows or none (every problem is listed)."""
    from qualcode.errors import ValidationFailed
    from qualcode.interop.spreadsheets import import_codings as run_import

    try:
        summary = run_import(project_of(ctx), file)
    except ValidationFailed as failed:
        for problem in failed.problems:
            err_console.print(f"Error: {problem}", markup=False, soft_wrap=True)
        err_console.print(f"Nothing imported: {len(failed.problems)} problem"
                          f"{'s' if len(failed.problems) != 1 else ''} in {file.name}.", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if as_json:
        print_json(summary.to_dict())
        return
    coders = ", ".join(f"{coder} {count}" for coder, count in summary.by_coder.items())
    console.print(f"Imported {plural(summary.rows, 'row')} from {file.name} ({coders}): {summary.added} new codings, "
                  f"{summary.merged} merged into overlapping ones, {summary.unchanged} already present.",
                  markup=False, soft_wrap=True)


def export_codings(
    ctx: typer.Context,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or xlsx (default: from -o, else csv).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write (CSV default: stdout).")] = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Only this coder's codings.")] = None,
    matrix: Annotated[bool, typer.Option(
        "--matrix", help="One row per coder and respondent turn, one 0/1 column per code.")] = False,
) -> None:
    """Export codings as CSV or XLSX (or the turn x code 0/1 matrix for R or SPSS)."""
    import sys

    from qualcode.interop.spreadsheets import export_codings as run_export

    text = run_export(project_of(ctx), path=output, fmt=fmt, coder=coder, matrix=matrix)
    if text is not None:
        sys.stdout.write(text)
    else:
        err_console.print(f"Wrote {output}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    from qualcode.cli.coding import codings_app

    codings_app.command("import")(import_codings)
    codings_app.command("export")(export_codings)
