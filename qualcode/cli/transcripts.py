"""``qualcode import`` and ``qualcode transcripts list|show|set|remove|restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import console, fail, plain, print_json, project_of
from qualcode.cli.tables import show_table
from qualcode.words import plural

transcripts_app = typer.Typer(help="List, read, correct and remove imported transcripts.", no_args_is_help=True)


EXIT_SKIPPED = 3  # --skip-bad imported the good files but skipped at least one bad one


def import_(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Transcript files (.docx .txt .md .vtt .srt) or folders (searched recursively)."),
    ] = None,
    role: Annotated[str | None, typer.Option(help="Stakeholder role (key, label or alias).")] = None,
    site: Annotated[str | None, typer.Option(help="Site (e.g. task force letter).")] = None,
    attr: Annotated[list[str] | None, typer.Option(help="Attribute key=value; repeatable.")] = None,
    transcript_id: Annotated[str | None, typer.Option("--id", help="Transcript id (one file only).")] = None,
    manifest: Annotated[Path | None, typer.Option(help="CSV with file,role,site[,attributes...].")] = None,
    replace: Annotated[bool, typer.Option(help="Replace changed transcripts (codings re-anchored).")] = False,
    skip_bad: Annotated[
        bool, typer.Option(help=f"Import the good files and list the bad ones (exit code {EXIT_SKIPPED} if any).")
    ] = False,
    interviewer: Annotated[
        str | None, typer.Option(help="Speaker label of the interviewer (several: separate with ';').")
    ] = None,
    speaker: Annotated[
        str | None,
        typer.Option(help="For documents without speaker labels: all text is NAME's, a turn per paragraph.",
                     metavar="NAME"),
    ] = None,
    glob: Annotated[
        str | None, typer.Option(help="Files to take from folder arguments (default: every transcript suffix).",
                                 metavar="PATTERN"),
    ] = None,
    allow_duplicate: Annotated[
        bool, typer.Option(help="Import content already imported under another id (warns).")
    ] = False,
) -> None:
    """Import transcripts with their role and site, all or nothing."""
    from qualcode.transcripts.importing import BatchImportError, import_transcripts

    project = project_of(ctx)
    requests = _requests(files, role, site, attr, transcript_id, manifest, glob)
    for request in requests:
        request.speaker = speaker
    from qualcode.cli.progress import progress_bar

    try:
        with progress_bar("Importing", "files") as advance:
            outcomes = import_transcripts(
                project, requests, replace=replace, skip_bad=skip_bad, interviewer=interviewer,
                allow_duplicate=allow_duplicate, progress=advance,
            )
    except BatchImportError as error:
        for each in error.errors:
            typer.echo(f"Error: {each}", err=True)
        fail(f"nothing imported: {len(error.errors)} of {error.total} files are bad; fix them, "
             "or pass --skip-bad to import the good ones")
    _print_outcomes(outcomes)
    skipped = sum(1 for o in outcomes if o.status == "failed")
    if skipped:
        typer.echo(f"Skipped {skipped} bad file{'s' if skipped > 1 else ''} (exit code {EXIT_SKIPPED}).", err=True)
        raise typer.Exit(EXIT_SKIPPED)


def _requests(files, role, site, attr, transcript_id, manifest, glob):
    from qualcode.transcripts.importing import (
        ImportRequest,
        expand_paths,
        parse_attributes,
        read_manifest,
    )

    if manifest is not None:
        if files:
            fail("give either FILES or --manifest, not both")
        return read_manifest(manifest)
    if not files:
        fail("no files given; pass FILES --role ROLE --site SITE, or --manifest FILE.csv")
    if not role or not site:
        fail("--role and --site are required with FILES (or use --manifest)")
    if glob and not any(path.is_dir() for path in files):
        fail(f"--glob '{glob}' picks files inside folders, but no folder was given")
    paths = expand_paths(files, glob)
    if transcript_id and len(paths) > 1:
        fail(f"--id names one transcript; give one file with it ({len(paths)} given)")
    attributes = parse_attributes(attr or [])
    return [ImportRequest(path, role, site, attributes, transcript_id) for path in paths]


def _print_outcomes(outcomes) -> None:
    """One line a file, without markup: ids and messages are printed as they are (and
    plainly, without rich: ~50 ms of a 200-file import)."""
    from collections import Counter

    for o in outcomes:
        if o.status == "failed":
            typer.echo(f"Error: {o.message}", err=True)
        elif o.status == "unchanged":
            plain.print(f"{o.transcript_id}: {o.message}")
        else:
            plain.print(f"{o.transcript_id}: {o.status} ({plural(o.turns, 'turn')}, {o.words} words)")
            if o.message:  # corrections, duplicate warnings, re-anchoring counts
                plain.print(f"  {o.message}")
        for note in o.notes if o.status != "failed" else []:
            plain.print(f"  {o.transcript_id}: {note}")
    tally = Counter(o.status for o in outcomes)
    plain.print(", ".join(f"{n} {status}" for status, n in tally.items()))


@transcripts_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON array instead of a table.")] = False,
) -> None:
    """Imported transcripts: id, role, site, turns, words."""
    from qualcode.transcripts.reading import list_transcripts

    rows = list_transcripts(project_of(ctx))
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    from rich.table import Table

    table = Table(title=f"{plural(len(rows), 'transcript')}")
    for column in ("id", "role", "site", "format", "turns", "words"):
        table.add_column(column, justify="right" if column in ("turns", "words") else "left")
    for row in rows:
        table.add_row(*(str(v) for v in (row.id, row.role, row.site, row.format, row.turns, row.words)))
    show_table(console, table)


@transcripts_app.command("show")
def show(
    ctx: typer.Context,
    transcript_id: Annotated[str, typer.Argument(metavar="ID", help="Transcript id.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON with segments and offsets.")] = False,
) -> None:
    """A transcript's turns with speakers; interviewer turns dimmed."""
    from qualcode.transcripts.reading import show_transcript

    shown = show_transcript(project_of(ctx), transcript_id)
    if as_json:
        print_json(shown.to_dict())
        return
    console.print(f"[bold]{shown.title}[/bold]  role={shown.role} site={shown.site}")
    if shown.preamble:
        console.print("[dim]preamble (before the first speaker label; not coded):[/dim]")
        console.print(shown.preamble, style="dim", markup=False)
    for seg in shown.segments:
        style = "dim" if seg.is_interviewer else ""
        label = f"[{style or 'bold'}]{seg.ordinal:>3} {seg.speaker}:[/]"
        console.print(label, end=" ")
        console.print(seg.text, style=style or None, markup=False)


@transcripts_app.command("set")
def set_(
    ctx: typer.Context,
    transcript_id: Annotated[str, typer.Argument(metavar="ID", help="Transcript id.")],
    role: Annotated[str | None, typer.Option(help="New role (key, label or alias).")] = None,
    site: Annotated[str | None, typer.Option(help="New site.")] = None,
    attr: Annotated[list[str] | None, typer.Option(help="Attribute key=value (key= removes it); repeatable.")] = None,
    new_id: Annotated[str | None, typer.Option("--id", help="Rename the transcript to this id.")] = None,
    by: Annotated[str | None, typer.Option(help="Your name for the event log (default: login name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON of what changed.")] = False,
) -> None:
    """Correct a transcript's role, site, attributes or id (recorded in the event log)."""
    from qualcode.transcripts.corrections import set_transcript
    from qualcode.transcripts.importing import parse_attributes

    result = set_transcript(
        project_of(ctx), transcript_id, role=role, site=site, attributes=parse_attributes(attr or []),
        new_id=new_id, by=by,
    )
    if as_json:
        print_json(result.to_dict())
        return
    console.print(result.summary(), markup=False, soft_wrap=True)
    for note in result.notes:
        console.print(f"note: {note}", markup=False, soft_wrap=True)


@transcripts_app.command("remove")
def remove(
    ctx: typer.Context,
    transcript_id: Annotated[str, typer.Argument(metavar="ID", help="Transcript id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (scripts).")] = False,
    by: Annotated[str | None, typer.Option(help="Your name for the event log (default: login name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON of what was removed.")] = False,
) -> None:
    """Delete a transcript with its codings, after confirmation; recorded in the event log."""
    from qualcode.transcripts.corrections import describe_removal, remove_transcript

    project = project_of(ctx)
    if not yes:
        preview = describe_removal(project, transcript_id)
        question = (
            f"Remove transcript '{preview.transcript_id}' ({preview.role}, site {preview.site}, "
            f"{plural(preview.turns, 'turn')}) with its {plural(preview.codings, 'coding')}"
            f"{' by ' + ', '.join(preview.coders) if preview.coders else ''}"
            f"{' and from sample(s) ' + ', '.join(preview.samples) if preview.samples else ''}"
            f"{' and its assignments of ' + ', '.join(preview.assigned) if preview.assigned else ''}?"
        )
        if not _confirmed(question):
            fail("not confirmed; nothing removed (pass --yes to skip the question in scripts)")
    result = remove_transcript(project, transcript_id, by=by)
    if as_json:
        print_json(result.to_dict())
        return
    console.print(
        f"removed '{result.transcript_id}' with {plural(result.codings, 'coding')}"
        f"{' and the assignments of ' + ', '.join(result.assigned) if result.assigned else ''}; recorded in the event log "
        f"(group {result.event_group}); 'qualcode transcripts restore {result.transcript_id}' undoes it",
        markup=False, soft_wrap=True,
    )


@transcripts_app.command("restore")
def restore(
    ctx: typer.Context,
    transcript_id: Annotated[str, typer.Argument(metavar="ID", help="Id of a removed transcript.")],
    by: Annotated[str | None, typer.Option(help="Your name for the event log (default: login name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON of what was restored.")] = False,
) -> None:
    """Undo the last removal of a transcript, with its codings, from the event log."""
    from qualcode.transcripts.corrections import restore_transcript

    result = restore_transcript(project_of(ctx), transcript_id, by=by)
    if as_json:
        print_json(result.to_dict())
        return
    gone = f"; sample(s) {', '.join(result.samples_gone)} no longer exist" if result.samples_gone else ""
    gone += (f"; coder(s) {', '.join(result.assigned_gone)} no longer exist and were not re-assigned"
             if result.assigned_gone else "")
    assigned = f" and the assignments of {', '.join(result.assigned)}" if result.assigned else ""
    console.print(
        f"restored '{result.transcript_id}' ({plural(result.turns, 'turn')}) with "
        f"{plural(result.codings, 'coding')}{assigned}{gone}",
        markup=False, soft_wrap=True,
    )


def _confirmed(question: str) -> bool:
    try:
        return typer.confirm(question, default=False)
    except typer.Abort:  # no answer (end of input, Ctrl-C)
        typer.echo("")
        return False


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.add_typer(transcripts_app, name="transcripts")
