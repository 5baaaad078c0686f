"""``qualcode tag|untag|undo|redo|log|progress``, ``qualcode codings list|orphans``,
``qualcode coders add|list`` and ``qualcode lead show|set``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from qualcode.cli.common import console, fail, plain, print_json, project_of
from qualcode.cli.tables import show_table
from qualcode.coding.actions import ActionResult
from qualcode.words import plural

codings_app = typer.Typer(help="List, import and export codings.", no_args_is_help=True)
coders_app = typer.Typer(help="Add and list coders (a coder must be added before coding).", no_args_is_help=True)
lead_app = typer.Typer(help="Show or name the project's lead (closes samples, never blind).", no_args_is_help=True)

CoderOption = Annotated[str, typer.Option("--coder", help="Your coder name.")]
SpanOption = Annotated[
    str | None, typer.Option("--span", help="START:END transcript offsets inside the segment.")
]
TextOption = Annotated[str | None, typer.Option("--text", help="An exact phrase inside the segment.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print what changed as JSON.")]


def _parse_span(span: str | None) -> tuple[int, int] | None:
    if span is None:
        return None
    start, sep, end = span.partition(":")
    if not sep or not start.strip().isdigit() or not end.strip().isdigit():
        fail(f"--span expects START:END (two offsets), got '{span}'")
    return int(start), int(end)


def _report(result: ActionResult, as_json: bool = False) -> None:
    if as_json:
        print_json(result.to_dict())
        return
    console = plain  # ids and offsets only: a coding action never needs rich
    for row in result.added:
        console.print(f"+ {row.code_id} [{row.start_offset}:{row.end_offset}] (coding {row.id})")
    for row in result.removed:
        console.print(f"- {row.code_id} [{row.start_offset}:{row.end_offset}] (coding {row.id})")
    for row in result.unchanged:
        console.print(f"= {row.code_id} already covers that text (coding {row.id})")
    for mark in result.marks:
        what = "nothing to code" if mark.mark == "nothing" else "done"
        where = mark.transcript_id if mark.ordinal is None else f"{mark.transcript_id} turn {mark.ordinal}"
        console.print(f"{'+' if mark.change == 'set' else '-'} {what}: {where}", markup=False)
    for memo in result.memos:
        where = f"transcript {memo.transcript_id}" if memo.transcript_id else f"code {memo.code_id}"
        console.print(f"memo on {where} {memo.change}", markup=False)
    for decision in result.decisions:
        what = "reopened" if decision.change == "reopened" else decision.status
        console.print(
            f"  suggestion {what}: {decision.code_id} [{decision.start_offset}:{decision.end_offset}] "
            f"({decision.source})",
            markup=False,
        )


def tag(
    ctx: typer.Context,
    transcript: Annotated[str, typer.Argument(help="Transcript id.")],
    segment: Annotated[int, typer.Argument(help="Segment ordinal (see 'transcripts show').")],
    codes: Annotated[list[str], typer.Argument(help="Code ids to apply.")],
    coder: CoderOption,
    span: SpanOption = None,
    text: TextOption = None,
    memo: Annotated[str | None, typer.Option(help="A memo on the coding.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Apply codes to a segment, or to a span or phrase inside it."""
    from qualcode.coding.session import CodingSession

    session = CodingSession(project_of(ctx), coder)
    _report(session.tag(transcript, segment, codes, span=_parse_span(span), text=text, memo=memo), as_json)


def untag(
    ctx: typer.Context,
    transcript: Annotated[str, typer.Argument(help="Transcript id.")],
    segment: Annotated[int, typer.Argument(help="Segment ordinal.")],
    codes: Annotated[list[str], typer.Argument(help="Code ids to remove.")],
    coder: CoderOption,
    span: SpanOption = None,
    text: TextOption = None,
    as_json: JsonOption = False,
) -> None:
    """Remove your codings of these codes from a segment (or the part overlapping a span)."""
    from qualcode.coding.session import CodingSession

    session = CodingSession(project_of(ctx), coder)
    _report(session.untag(transcript, segment, codes, span=_parse_span(span), text=text), as_json)


def undo(ctx: typer.Context, coder: CoderOption, as_json: JsonOption = False) -> None:
    """Undo your last action."""
    from qualcode.coding.session import CodingSession

    _report(CodingSession(project_of(ctx), coder).undo(), as_json)


def redo(ctx: typer.Context, coder: CoderOption, as_json: JsonOption = False) -> None:
    """Redo your last undone action."""
    from qualcode.coding.session import CodingSession

    _report(CodingSession(project_of(ctx), coder).redo(), as_json)


def log(
    ctx: typer.Context,
    coder: Annotated[str | None, typer.Option(help="Only this coder's events.")] = None,
    since: Annotated[str | None, typer.Option(help="Only events at or after this ISO date/time.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The audit trail of every coding change.

    A bulk run (autocode --as, a codings import) stores up to 2,000 codings as one event:
    its lines are numbered ID.1, ID.2, ... (--json: "part" of "parts", both null for an
    event of one change).
    """
    from qualcode.coding.listing import event_log

    when = None
    if since:
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            fail(f"--since expects an ISO date or date-time such as 2026-11-28 or 2026-11-28T14:00, got '{since}'")
    rows = event_log(project_of(ctx), coder=coder, since=when)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        mark = " (undone)" if r.undone else ""
        detail = f" {r.detail}" if r.detail else ""
        span = list(r.span) if r.span is not None else None  # shown as [start, end]
        what = " ".join(str(part) for part in (r.transcript, r.code, span) if part is not None)
        console.print(
            f"{r.label:>6} {str(r.at)[:19]} {r.coder:<10} {r.action:<7} {r.change:<8} "
            f"{what}{detail}{mark}",
            markup=False, soft_wrap=True,
        )


def progress(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """Per coder and transcript: respondent turns coded, handled (coded or nothing to code) / total, done."""
    from qualcode.coding.listing import progress as progress_rows

    rows = progress_rows(project_of(ctx))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    from rich.table import Table

    table = Table(title="Coding progress (respondent turns)")
    numbers = ("coded", "handled", "total", "%")
    for column in ("coder", "transcript", "assigned", *numbers, "done"):
        table.add_column(column, justify="right" if column in numbers else "left")
    for r in rows:
        done = "done" if r.done else "finished" if r.finished else "-"
        table.add_row(r.coder, r.transcript, r.assigned or "-", str(r.coded), str(r.handled),
                      str(r.total), f"{r.percent:.0f}", done)
    show_table(console, table)
    stale = sum(r.stale_marks for r in rows)
    if stale:
        console.print(f"{plural(stale, 'finish mark')} made before a re-import changed the transcript: kept, "
                      "not counted (mark those turns again)", markup=False)


@codings_app.command("list")
def list_(
    ctx: typer.Context,
    coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
    transcript: Annotated[str | None, typer.Option(help="Only this transcript.")] = None,
    code: Annotated[str | None, typer.Option(help="Only this code and its descendants.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Codings with their text."""
    from qualcode.coding.listing import list_codings

    rows = list_codings(project_of(ctx), coder=coder, transcript=transcript, code=code)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        snippet = r.text if len(r.text) < 70 else r.text[:67] + "..."
        console.print(f"{r.transcript}#{r.segment} {r.coder} {r.code}: {snippet}", markup=False)
    console.print(f"{plural(len(rows), 'coding')}")


@codings_app.command("orphans")
def orphans(
    ctx: typer.Context,
    coder: Annotated[str | None, typer.Option(help="Only this coder.")] = None,
    transcript: Annotated[str | None, typer.Option(help="Only this transcript.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Codings whose text vanished when a transcript was replaced, with their old text."""
    from qualcode.coding.listing import list_orphans

    rows = list_orphans(project_of(ctx), coder=coder, transcript=transcript)
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        memo = f" memo: {r.memo!r}" if r.memo else ""
        console.print(
            f"coding {r.id} {r.transcript} {r.coder} {r.code} ({r.origin}): {r.text!r}{memo}",
            markup=False, soft_wrap=True,
        )
    console.print(f"{len(rows)} orphaned codings")


@coders_app.command("add")
def coders_add(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The new coder's name.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Add a coder. Names: a letter first, then letters, digits, '_', '-' or '.' (at most 40)."""
    from qualcode.coding.coders import add_coder

    added = add_coder(project_of(ctx), name)
    if as_json:
        print_json(added.to_dict())
        return
    console.print(f"Added coder {added.name}" if added.created else f"Coder {added.name} already exists; nothing changed",
                  markup=False)


@coders_app.command("list")
def coders_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The project's coders with their number of codings."""
    from qualcode.coding.coders import list_coders

    rows = list_coders(project_of(ctx))
    if as_json:
        print_json([r.to_dict() for r in rows])
        return
    for r in rows:
        console.print(f"{r.name:<20} {r.codings:>6} codings  added {r.created_at}", markup=False)
    console.print(f"{plural(len(rows), 'coder')}")


@lead_app.command("show")
def lead_show(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The lead named in qualcode.toml ([project] lead), and whether it is a known coder."""
    from qualcode.coding.lead import show_lead

    info = show_lead(project_of(ctx))
    if as_json:
        print_json(info.to_dict())
    elif info.lead is None:
        console.print(f"No lead is named in {info.config}; name one with 'qualcode lead set NAME'", markup=False,
                      soft_wrap=True)
    else:
        known = "" if info.known_coder else " (not a coder of this project: 'qualcode coders add' adds one)"
        console.print(f"Lead: {info.lead}{known}", markup=False, soft_wrap=True)


@lead_app.command("set")
def lead_set(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="A known coder (qualcode coders list).")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Name the lead in qualcode.toml; changing a named lead is the lead's (QUALCODE_CODER)."""
    from qualcode.coding.lead import set_lead

    done = set_lead(project_of(ctx), name)
    if as_json:
        print_json(done.to_dict())
    elif not done.changed:
        console.print(f"{done.lead} is already the lead; nothing changed", markup=False)
    else:
        was = f" (was {done.previous})" if done.previous else ""
        console.print(f"Lead: {done.lead}{was}; written to qualcode.toml", markup=False)


def register(app: typer.Typer) -> None:
    for command in (tag, untag, undo, redo, log, progress):
        app.command()(command)
    app.add_typer(codings_app, name="codings")
    app.add_typer(coders_app, name="coders")
    app.add_typer(lead_app, name="lead")
