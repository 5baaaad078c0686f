"""``qualcode search``: thin wrapper over :mod:`qualcode.search` (KWIC, counts, code the hits).

``qualcode query`` and ``qualcode matrix`` live in :mod:`qualcode.cli.query`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, err_console, fail, print_json, project_of
from qualcode.cli.tables import show_table
from qualcode.search.engine import SearchOptions
from qualcode.search.engine import search as search_corpus
from qualcode.search.index import refresh
from qualcode.search.saved import save_query
from qualcode.search.tagging import code_hits
from qualcode.search.writers import HIT_COLUMNS, check_output, write_rows
from qualcode.words import plural

if TYPE_CHECKING:
    from rich.console import Console

TABLE_LIMIT = 50

RoleOption = Annotated[list[str] | None, typer.Option("--role", help="Only transcripts of this role; repeatable.")]
SiteOption = Annotated[list[str] | None, typer.Option("--site", help="Only transcripts of this site; repeatable.")]
AttrOption = Annotated[
    list[str] | None, typer.Option("--attr", help="Only transcripts with attribute NAME=VALUE; repeatable.")
]
TranscriptOption = Annotated[
    list[str] | None, typer.Option("--transcript", help="Only this transcript (id); repeatable.")
]
SpeakerOption = Annotated[
    str, typer.Option("--speaker", help="Whose turns: respondent (default), interviewer or any.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write FILE.csv, FILE.xlsx or FILE.docx.")]
LimitOption = Annotated[
    int | None, typer.Option("--limit", help="Show at most N (default: one page in the terminal, all in files/JSON).")
]
SaveOption = Annotated[str | None, typer.Option("--save", help="Also save this search under NAME (query run NAME).")]


def search(
    ctx: typer.Context,
    pattern: Annotated[str, typer.Argument(help="Words (matched by lemma), a phrase, A NEAR/n B, or a regex.")],
    phrase: Annotated[bool, typer.Option("--phrase", help="Match the exact words, in order.")] = False,
    regex: Annotated[bool, typer.Option("--regex", help="PATTERN is a regular expression (case-insensitive).")] = False,
    fuzzy: Annotated[bool, typer.Option("--fuzzy", help="Match words within --threshold (misspelled names).")] = False,
    threshold: Annotated[int, typer.Option("--threshold", help="Fuzzy similarity 1-100.")] = 85,
    speaker: SpeakerOption = "respondent",
    role: RoleOption = None,
    site: SiteOption = None,
    attr: AttrOption = None,
    transcript: TranscriptOption = None,
    in_code: Annotated[list[str] | None, typer.Option("--in-code", help="Only hits inside CODE (or a child); repeatable.")] = None,
    not_in_code: Annotated[list[str] | None, typer.Option("--not-in-code", help="Only hits outside CODE; repeatable.")] = None,
    coder: Annotated[str | None, typer.Option("--coder", help="Whose codings --in-code reads; the coder --code codes as.")] = None,
    context: Annotated[int, typer.Option("--context", help="Characters of context on each side.")] = 40,
    limit: LimitOption = None,
    count: Annotated[bool, typer.Option("--count", help="Counts by role and site instead of hits.")] = False,
    code: Annotated[str | None, typer.Option("--code", help="Apply CODE to every hit (one undoable action).")] = None,
    span: Annotated[str, typer.Option("--span", help="What --code codes: turn, sentence or match.")] = "turn",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --code: show what would be coded, change nothing.")] = False,
    reindex: Annotated[bool, typer.Option("--reindex", help="Rebuild the whole search index first.")] = False,
    as_json: JsonOption = False,
    output: OutputOption = None,
    save: SaveOption = None,
) -> None:
    """Find PATTERN in respondents' turns: keyword-in-context lines, counts, or code every hit."""

    if sum((phrase, regex, fuzzy)) > 1:
        fail("choose one of --phrase, --regex and --fuzzy")
    if output is not None:
        check_output(output)
    mode = "phrase" if phrase else "regex" if regex else "fuzzy" if fuzzy else "lemma"
    terminal = not as_json and output is None and code is None
    options = SearchOptions(
        mode=mode, speaker=speaker, roles=tuple(role or ()), sites=tuple(site or ()), attrs=tuple(attr or ()),
        transcripts=tuple(transcript or ()), in_code=tuple(in_code or ()), not_in_code=tuple(not_in_code or ()),
        coder=coder, threshold=threshold, context=context, count=count,
        limit=limit if limit is not None else (TABLE_LIMIT if terminal else None),
    )
    project = project_of(ctx)
    refresh_index(project, rebuild=reindex)
    if save:

        save_query(project, save, "search", pattern, options.to_dict())
        console.print(f"Saved search '{save}'", markup=False, soft_wrap=True)
    if code is not None:
        _code_hits(project, pattern, options, code, coder, span, dry_run, as_json)
        return
    run_search(project, pattern, options, as_json=as_json, output=output, refreshed=True)


def refresh_index(project, *, rebuild: bool = False) -> None:
    """Bring the search index up to date, saying so when there is work to do."""

    def announce(count: int) -> None:
        err_console.print(f"Indexing {count} transcript{'s' if count != 1 else ''} for search "
                          "(once, for what changed since it was built)...", markup=False, soft_wrap=True)

    refresh(project, rebuild=rebuild, announce=announce)


def run_search(project, pattern: str, options, *, as_json: bool = False, output: Path | None = None,
               refreshed: bool = False) -> None:
    """Run and render a search (also for ``query run NAME`` of a saved search)."""

    result = search_corpus(project, pattern, options, refreshed=refreshed)
    if as_json:
        print_json(result.to_dict())
    elif output is not None:

        write_rows(output, [h.to_dict() for h in result.hits], HIT_COLUMNS, f"Search: {pattern}")
        console.print(f"Wrote {result.total} hits to {output} (working file, not de-identified)", markup=False,
                      soft_wrap=True)
    elif options.count:
        print_counts(result, console)
    else:
        print_kwic(result, console)


def _code_hits(project, pattern, options, code, coder, span, dry_run, as_json) -> None:

    if not coder:
        fail("--code needs --coder NAME (an existing coder)")
    result = code_hits(project, pattern, options, code=code, coder=coder, span=span, dry_run=dry_run)
    if as_json:
        print_json(result.to_dict())
        return
    for s in result.spans[:TABLE_LIMIT]:
        console.print(f"  {s.transcript} turn {s.segment} [{s.start}:{s.end}]", markup=False, soft_wrap=True)
    if len(result.spans) > TABLE_LIMIT:
        console.print(f"  ... and {len(result.spans) - TABLE_LIMIT} more (--json lists all)", markup=False)
    spans = f"{len(result.spans)} {span} span{'s' if len(result.spans) != 1 else ''}"
    if result.dry_run:
        console.print(f"Dry run: would code {spans} ({result.hits} hits) with {code} as {coder}; nothing changed",
                      markup=False, soft_wrap=True)
    elif not result.spans:
        console.print("No hits; nothing coded", markup=False)
    else:
        console.print(
            f"Coded {spans} ({result.hits} hits) with {code} as {coder}: {result.added} codings added or "
            f"extended, {result.unchanged} already covered, {result.merged_away} merged into others. "
            f"One action: 'qualcode undo --coder {coder}' reverts it all.", markup=False, soft_wrap=True)


# -- rendering -------------------------------------------------------------------------


def print_kwic(result, out: Console) -> None:
    """A KWIC table that stays readable at 80 columns: where | left | MATCH | right."""
    from rich.table import Table

    for note in result.notes:
        out.print(f"Note: {note}", markup=False, soft_wrap=True)
    if not result.hits:
        out.print(f"No hits for '{result.pattern}' ({result.mode}, {result.speaker} turns)", markup=False, soft_wrap=True)
        return
    width = max(out.width, 80)
    where = [f"{h.transcript}:{h.segment}" for h in result.hits]
    where_w = min(max(len(w) for w in where), 22)
    match_w = min(max(len(h.matched) for h in result.hits), 24)
    side = max((width - where_w - match_w - 4) // 2, 10)
    table = Table(show_header=False, box=None, pad_edge=False, padding=(0, 1))
    table.add_column(style="dim", width=where_w, overflow="fold")  # a long id wraps, never cut
    table.add_column(no_wrap=True, justify="right", width=side)
    table.add_column(no_wrap=True, style="bold yellow", width=match_w, overflow="ellipsis")
    table.add_column(no_wrap=True, width=side, overflow="ellipsis")
    for label, hit in zip(where, result.hits, strict=True):
        table.add_row(label, _tail(hit.left.rstrip(), side), hit.matched, hit.right.lstrip())
    out.print(table)
    shown = f"{len(result.hits)} of {result.total}" if result.truncated else str(result.total)
    more = " (--limit N, --json or -o FILE for more)" if result.truncated else ""
    out.print(f"{shown} hit{'s' if result.total != 1 else ''} for '{result.pattern}' ({result.mode}, "
              f"{result.speaker} turns){more}", markup=False, soft_wrap=True)


def _tail(text: str, width: int) -> str:
    """The end of the left context (what sits next to the match), cut on the left."""
    return text if len(text) <= width else "…" + text[-(width - 1):]


def print_counts(result, out: Console) -> None:
    from rich.table import Table

    for note in result.notes:
        out.print(f"Note: {note}", markup=False, soft_wrap=True)
    for title, rows in (("Role", result.by_role), ("Site", result.by_site)):
        table = Table(title=f"'{result.pattern}' by {title.lower()}", title_justify="left")
        for index, heading in enumerate((title, "Hits", "Turns", "Transcripts")):
            table.add_column(heading, justify="right" if index else "left")
        for row in rows:
            table.add_row(row.group, str(row.hits), str(row.turns), str(row.transcripts))
        show_table(out, table)
    out.print(f"{plural(result.total, 'hit')} ({result.mode}, {result.speaker} turns)", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(search)
