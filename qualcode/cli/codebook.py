"""``qualcode codebook validate|show|export|import|diff|snapshot|rename|versions``.

Thin: each command parses its arguments, calls one function of
:mod:`qualcode.codebook.operations` and renders what it returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qualcode.cli.common import console, err_console, fail, print_json, project_of
from qualcode.errors import ValidationFailed
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.codebook.operations import CodeRow

app = typer.Typer(
    help="Validate, show, export, import and version the role-keyed codebook.", no_args_is_help=True
)


def _report_problems(error: ValidationFailed) -> None:
    """Every problem on its own line (file:line:col: message), then exit 1."""
    for problem in error.problems:
        err_console.print(str(problem), markup=False, soft_wrap=True)
    count = len(error.problems)
    where = f" in {error.file_name}" if error.file_name else ""
    err_console.print(
        f"Error: {count} problem{'s' if count != 1 else ''}{where}", markup=False, soft_wrap=True
    )
    raise typer.Exit(1)


def _codebook_path(ctx: typer.Context, file: Path | None) -> Path:
    return file if file is not None else project_of(ctx).codebook_path


@app.command()
def validate(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Argument(help="Codebook YAML (default: the project's codebook).")
    ] = None,
) -> None:
    """Check a codebook; list every problem as file:line:col: message (exit 1)."""
    from qualcode.codebook.operations import validate_codebook_file

    path = _codebook_path(ctx, file)
    try:
        summary = validate_codebook_file(path)
    except ValidationFailed as error:
        _report_problems(error)
    console.print(f"{path}: valid", markup=False, soft_wrap=True)
    console.print(
        f"{len(summary.roles)} roles, {plural(summary.codes, 'code')} ({summary.codable} codable, "
        f"{summary.top_level} top-level, {summary.with_rules} with autocode rules)",
        markup=False,
        soft_wrap=True,
    )
    for key, count in summary.per_role.items():
        console.print(f"  {key} ({summary.roles[key]}): {plural(count, 'code')}", markup=False)


@app.command()
def show(
    ctx: typer.Context,
    role: Annotated[
        str | None, typer.Option(help="Only codes that apply to this role (key, label or alias).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Flat JSON list instead of a tree.")] = False,
) -> None:
    """The code tree with counts of codings per code."""
    from qualcode.codebook.operations import project_code_rows

    project = project_of(ctx)
    try:
        rows = project_code_rows(project, role)
    except ValidationFailed as error:
        _report_problems(error)
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    _print_tree(project.codebook, rows)


def _print_tree(codebook, rows: list[CodeRow]) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    everyone = set(codebook.roles)
    tree = Tree(escape(codebook.title or "Codebook"))
    nodes: dict[str, Any] = {}
    for row in rows:
        label = f"{escape(row.name)} [dim]{escape(row.id)}[/dim]"
        if not row.codable:
            label = f"[italic]{label}[/italic]"
        if set(row.roles) != everyone:
            label += f" [cyan]({escape(', '.join(row.roles))})[/cyan]"
        if row.codings:
            label += f" [bold]{row.codings}[/bold]"
        nodes[row.id] = (nodes.get(row.parent, tree) if row.parent else tree).add(label)
    console.print(tree)


@app.command("export")
def export_(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="qdc (REFI-QDA), csv, md or docx.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="Codebook YAML (default: the project's).")
    ] = None,
) -> None:
    """Write the codebook as REFI-QDA .qdc, CSV, Markdown or Word."""
    from qualcode.codebook import load_codebook
    from qualcode.codebook.operations import EXPORT_FORMATS, export_codebook

    if fmt not in EXPORT_FORMATS:
        fail(f"unknown format '{fmt}'. Formats: {', '.join(EXPORT_FORMATS)}")
    try:
        codebook = load_codebook(_codebook_path(ctx, file))
    except ValidationFailed as error:
        _report_problems(error)
    written = export_codebook(codebook, fmt, output)
    console.print(f"Wrote {plural(len(codebook.codes), 'code')} to {written}", markup=False, soft_wrap=True)


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="A .qdc, .qde, .qdpx (REFI-QDA) or .csv codebook.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="YAML codebook to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Convert a REFI-QDA or CSV codebook (NVivo, ATLAS.ti, MAXQDA, Taguette...) to YAML."""
    from qualcode.codebook.operations import import_codebook

    try:
        codebook = import_codebook(source, output, overwrite=force)
    except ValidationFailed as error:
        _report_problems(error)
    console.print(
        f"Wrote {output}: {plural(len(codebook.codes), 'code')}, {len(codebook.roles)} roles "
        f"(run 'qualcode codebook validate {output}')",
        markup=False,
        soft_wrap=True,
    )


@app.command()
def diff(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of text.")] = False,
) -> None:
    """Changes from the latest stored version to the codebook file."""
    from qualcode.codebook.operations import diff_project

    try:
        report = diff_project(project_of(ctx))
    except ValidationFailed as error:
        _report_problems(error)
    if as_json:
        print_json(report.to_dict())
        return
    _print_diff(report)


def _print_diff(report) -> None:
    diff = report.diff
    base = f"version {report.snapshot_id}" if report.snapshot_id else "nothing stored yet"
    if diff.is_empty:
        console.print(f"No changes since {base}.", markup=False)
        return
    lines = [f"Changes since {base}:"]
    lines += [f"  + {c.id}  {c.name}" for c in diff.added]
    for code in diff.removed:
        count = report.removed_codings.get(code.id, 0)
        lines.append(f"  - {code.id}  {code.name}" + (f"  ({plural(count, 'coding')})" if count else ""))
    lines += [f"  renamed {r.id}: '{r.old_name}' -> '{r.new_name}'" for r in diff.renamed]
    lines += [f"  moved {m.id}: {m.old_parent or '(top)'} -> {m.new_parent or '(top)'}" for m in diff.moved]
    lines += [f"  changed {c.id}: {', '.join(c.fields)}" for c in diff.changed]
    lines += [f"  + role {r}" for r in diff.roles_added] + [f"  - role {r}" for r in diff.roles_removed]
    for line in lines:
        console.print(line, markup=False, soft_wrap=True)


@app.command()
def snapshot(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Store it even if it drops codes that have codings.")
    ] = False,
) -> None:
    """Store the codebook file's current version (coding does this automatically)."""
    from qualcode.codebook.operations import snapshot_project

    try:
        stored = snapshot_project(project_of(ctx), force=force)
    except ValidationFailed as error:
        _report_problems(error)
    console.print(f"{'Stored' if stored.created else 'Already stored:'} codebook version {stored.version}",
                  markup=False)


@app.command()
def rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="Current code id.")],
    new: Annotated[str, typer.Argument(help="New code id.")],
) -> None:
    """Rename a code id (and OLD.* children) in the file and in every coding, at once."""
    from qualcode.codebook.operations import rename_project_code

    try:
        result = rename_project_code(project_of(ctx), old, new)
    except ValidationFailed as error:
        _report_problems(error)
    for before, after in result.mapping.items():
        console.print(f"{before} -> {after}", markup=False)
    console.print(
        f"Renamed {len(result.mapping)} code id{'s' if len(result.mapping) != 1 else ''}; "
        f"{plural(result.codings_updated, 'coding')} and {plural(result.suggestions_updated, 'suggestion')} updated",
        markup=False,
        soft_wrap=True,
    )


@app.command()
def versions(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table.")] = False,
) -> None:
    """Stored codebook versions: id, hash, date, codes, codings made under each."""
    from qualcode.codebook.operations import list_versions

    rows = list_versions(project_of(ctx))
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    if not rows:
        console.print("No codebook version stored yet (one is stored at the first coding).", markup=False)
    for row in rows:
        # a version whose stored text no longer validates has no code count
        codes = plural(row.codes, "code") if row.codes is not None else "codes unknown (no longer valid)"
        console.print(
            f"{row.id:>4}  {row.hash[:12]}  {row.created_at[:19]}  "
            f"{codes}  {plural(row.codings, 'coding')}  {row.path}",
            markup=False,
            soft_wrap=True,
        )


def register(root: typer.Typer) -> None:
    """Add this group to the root app as ``qualcode codebook``."""
    root.add_typer(app, name="codebook")
