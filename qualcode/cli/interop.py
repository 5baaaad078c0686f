"""``qualcode export qdpx|coder``, ``qualcode import-project`` and ``qualcode merge``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, print_json, project_of
from qualcode.words import plural

if TYPE_CHECKING:  # the interop modules load when a command runs (startup time)
    from qualcode.interop.merge import KeptItem, MergeItem, MergeReport

export_app = typer.Typer(help="Export the project (REFI-QDA .qdpx) or one coder's work (.qcb).", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
SHOWN_REASONS = 20


def _split(values: list[str] | None) -> list[str] | None:
    """``--coders a,b --coders c`` -> ``[a, b, c]`` (None when not given)."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@export_app.command("qdpx")
def export_qdpx_command(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="The .qdpx file to write.")],
    coders: Annotated[list[str] | None, typer.Option("--coders", "--coder", help="Only these coders (comma-separated or repeated).")] = None,
    transcripts: Annotated[list[str] | None, typer.Option("--transcripts", "--transcript", help="Only these transcripts (comma-separated or repeated).")] = None,
    offsets: Annotated[str, typer.Option("--offsets", help="Selection positions: codepoints (the standard) or utf16 (as NVivo counts).")] = "codepoints",
    no_sidecar: Annotated[bool, typer.Option("--no-sidecar", help="Leave out qualcode/project.json (rules, segments, origins).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA, QualCoder..."""
    from qualcode.cli.progress import progress_bar
    from qualcode.interop.qdpx_export import export_qdpx

    with progress_bar("Exporting", "steps") as advance:
        summary = export_qdpx(
            project_of(ctx), output, coders=_split(coders), transcripts=_split(transcripts), offsets=offsets,
            sidecar=not no_sidecar, progress=advance,
        )
    if as_json:
        print_json(summary.to_dict())
        return
    console.print(
        f"Wrote {summary.path}: {plural(summary.transcripts, 'transcript')}, {plural(summary.codes, 'code')}, "
        f"{plural(len(summary.coders), 'coder')} ({', '.join(summary.coders) or 'none'}), {plural(summary.codings, 'coding')}, "
        f"{plural(summary.memos, 'memo')} on codings, {plural(summary.target_memos, 'memo')} on transcripts/codes, "
        f"{plural(summary.marks, 'finish mark')} (positions: {summary.offsets}).", markup=False, soft_wrap=True,
    )
    _reasons("Not exported", summary.skipped, verbose=True)


@export_app.command("coder")
def export_coder_command(
    ctx: typer.Context,
    coder: Annotated[str, typer.Argument(help="The coder whose work to bundle.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The bundle file to write (e.g. alice.qcb).")],
    as_json: JsonOption = False,
) -> None:
    """Bundle one coder's codings, memos and events for 'qualcode merge' in the lead's project."""
    from qualcode.interop.bundles import export_coder_bundle

    summary = export_coder_bundle(project_of(ctx), coder, output)
    if as_json:
        print_json(summary.to_dict())
        return
    console.print(
        f"Wrote {summary.path}: {plural(summary.codings, 'coding')} of {summary.coder} in {plural(summary.transcripts, 'transcript')} "
        f"({summary.memos} with memos, {summary.orphaned} orphaned), {plural(summary.events, 'event')}, "
        f"{plural(summary.target_memos, 'memo')} on transcripts/codes, {plural(summary.marks, 'finish mark')}.",
        markup=False, soft_wrap=True,
    )
    if summary.stale_marks:
        console.print(f"  Not bundled: {plural(summary.stale_marks, 'finish mark')} made on content a transcript "
                      "no longer has (stale, not counted).", markup=False, soft_wrap=True)


def import_project_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project: .qdpx (or a bare .qde).")],
    as_coder: Annotated[str | None, typer.Option("--as-coder", help="Credit every imported coding to this coder.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be imported; write nothing.")] = False,
    role: Annotated[str | None, typer.Option("--role", help="Role for sources without a role variable or case.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Site for sources without a site variable or case.")] = None,
    codebook_from_file: Annotated[bool, typer.Option("--codebook-from-file", help="Write the file's codebook to codebooks/ and make it the project's.")] = False,
    offsets: Annotated[str | None, typer.Option("--offsets", help="Force a position model: codepoints, codepoints-lf, utf16, utf8.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every skipped selection.")] = False,
    allow_consensus: Annotated[bool, typer.Option("--allow-consensus", help="Accept codings credited to the 'consensus' coder (lead only).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Import a REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder, qualcode...) in one transaction."""
    from qualcode.interop.offsets import check_model
    from qualcode.interop.qdpx_import import ImportOptions, import_project

    options = ImportOptions(
        as_coder=as_coder, role=role, site=site, codebook_from_file=codebook_from_file, dry_run=dry_run,
        offsets=check_model(offsets) if offsets else None, allow_consensus=allow_consensus,
    )
    report = import_project(project_of(ctx), file, options)
    if as_json:
        print_json(report.to_dict())
        return
    _print_import(report, verbose)


def _print_import(report, verbose: bool) -> None:
    verb = "Would import" if report.dry_run else "Imported"
    console.print(f"{verb} {report.path} (origin: {report.origin})", markup=False, soft_wrap=True)
    console.print(f"Codebook: {report.codebook_source}; {report.codebook_action}.", markup=False, soft_wrap=True)
    console.print(f"Coders: {', '.join(report.coders) or 'none'}", markup=False)
    if report.coders_created:
        console.print(f"New coders added to the project: {', '.join(report.coders_created)}", markup=False)
    for source in report.sources:
        if source.status == "skipped":
            console.print(f"  {source.name}: skipped — {source.reason}", markup=False, soft_wrap=True)
            continue
        console.print(
            f"  {source.name} -> transcript '{source.transcript_id}' ({source.status}): {plural(source.segments, 'segment')} "
            f"({source.segmentation}); {plural(len(source.codings), 'coding')}, {source.already_present} already present, "
            f"{len(source.skipped)} skipped", markup=False, soft_wrap=True,
        )
        console.print(f"    positions: {source.model_reason}", markup=False, soft_wrap=True)
    if report.travel is not None:
        console.print(f"  {report.travel.summary}.", markup=False, soft_wrap=True)
        for reason in report.travel.refused:
            console.print(f"  refused {reason}", markup=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"Note: {note}", markup=False, soft_wrap=True)
    reasons = [reason for source in report.sources for reason in source.skipped]
    _reasons("Skipped", reasons, verbose)
    kept = sum(source.status != "skipped" for source in report.sources)
    tail = " Dry run: nothing was written." if report.dry_run else ""
    console.print(
        f"{plural(kept, 'transcript')}, {plural(report.codings_added, 'coding')} {'to add' if report.dry_run else 'added'}, "
        f"{report.codings_skipped} skipped.{tail}", markup=False,
    )


def _reasons(title: str, reasons: list[str], verbose: bool) -> None:
    if not reasons:
        return
    console.print(f"{title} ({len(reasons)}):", markup=False)
    shown = reasons if verbose else reasons[:SHOWN_REASONS]
    for reason in shown:
        console.print(f"  - {reason}", markup=False, soft_wrap=True)
    if len(shown) < len(reasons):
        console.print(f"  ... and {len(reasons) - len(shown)} more (--verbose lists all)", markup=False)


def merge_command(
    ctx: typer.Context,
    bundles: Annotated[list[Path], typer.Argument(help="Coder bundles (.qcb) made with 'qualcode export coder'.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be merged; write nothing.")] = False,
    allow_consensus: Annotated[bool, typer.Option("--allow-consensus", help="Accept a bundle of the 'consensus' coder (lead only).")] = False,
    as_json: JsonOption = False,
) -> None:
    """Merge coder bundles into this project: idempotent, nothing renamed or dropped."""
    from qualcode.interop.merge import merge_bundle

    project = project_of(ctx)
    reports = [merge_bundle(project, bundle, dry_run=dry_run, allow_consensus=allow_consensus) for bundle in bundles]
    if as_json:
        print_json([report.to_dict() for report in reports])
        return
    for report in reports:
        _print_merge(report)


def _print_merge(report: MergeReport) -> None:
    verb = "Would merge" if report.dry_run else "Merged"
    console.print(
        f"{verb} {report.bundle} (coder {report.coder}): {len(report.added)} added "
        f"({len(report.reanchored)} re-anchored), {len(report.already_present)} already present, "
        f"{len(report.refused)} refused; {plural(len(report.memos_added), 'memo')} added; "
        f"{plural(report.events_added, 'event')} added, {report.events_present} already present.",
        markup=False, soft_wrap=True,
    )
    for moved in report.reanchored:
        console.print(f"  re-anchored {_where(moved)} -> [{moved.to[0]}:{moved.to[1]}]", markup=False)
    for refused in report.refused:
        console.print(f"  refused {_where(refused)}: {refused.reason}", markup=False, soft_wrap=True)
    for kept in report.not_in_bundle:
        console.print(f"  not in bundle (kept): {_where(kept)} (coding {kept.id})", markup=False)
    console.print(f"  {report.travel.summary}.", markup=False, soft_wrap=True)
    for reason in report.travel.refused:
        console.print(f"  refused {reason}", markup=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"  Note: {note}", markup=False, soft_wrap=True)


def _where(item: MergeItem | KeptItem) -> str:
    return f"{item.transcript} {item.code} [{item.start}:{item.end}]"


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.command("import-project")(import_project_command)
    app.command("merge")(merge_command)
