"""``qualcode quotes``: themed quote sets, printed or exported (docx, md, csv, xlsx, json)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, err_console, fail, project_of
from qualcode.quotes.attribution import AttributionOptions
from qualcode.quotes.cleaning import CleaningOptions
from qualcode.quotes.layout import basis_lines
from qualcode.quotes.quoteset import build_quote_set, ensure_masked
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import (
    GROUPINGS,
    export_quote_set,
    render_csv,
    render_json,
    render_markdown,
    sections,
)
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.quotes.quoteset import QuoteSet

ListOption = list[str] | None
GUTTER = "\u258c "  # the block-quote bar rich's Markdown uses


def _values(items: ListOption) -> tuple[str, ...]:
    """Repeated options, each possibly comma-separated: --role LE --role DA,VSP."""
    return tuple(v.strip() for item in items or () for v in item.split(",") if v.strip())


def _attributes(items: ListOption) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--attr expects key=value, got '{item}'")
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


CodesArgument = Annotated[
    ListOption, typer.Argument(metavar="CODE", help="Codes (with descendants); none: every top-level code used.")
]
AllOf = Annotated[ListOption, typer.Option("--all-of", metavar="CODE", help="Only turns also coded with these codes; repeatable or comma-separated.")]
RoleOption = Annotated[ListOption, typer.Option("--role", metavar="ROLE", help="Stakeholder role (key, label or alias); repeatable.")]
SiteOption = Annotated[ListOption, typer.Option("--site", metavar="SITE", help="Site; repeatable.")]
AttrOption = Annotated[ListOption, typer.Option("--attr", metavar="KEY=VALUE", help="Transcript attribute key=value; repeatable.")]
CoderOption = Annotated[
    str | None, typer.Option(metavar="NAME", help="Quote NAME's codings on every transcript (default: the analysis set).")
]
MinWords = Annotated[int | None, typer.Option(metavar="N", help="Leave out quotes shorter than this (cleaned).")]
MaxWords = Annotated[int, typer.Option(metavar="N", help="Trim longer quotes at a sentence (with --no-trim: leave them out).")]
Limit = Annotated[int | None, typer.Option(metavar="N", help="At most this many quotes per code.")]
PerTranscript = Annotated[int | None, typer.Option(metavar="N", help="At most this many quotes per transcript and code.")]
Seed = Annotated[int, typer.Option(metavar="N", help="Seed for --order random.")]
Context = Annotated[int, typer.Option(metavar="N", help="Add the N preceding interviewer questions.")]
OrderOption = Annotated[str, typer.Option(metavar="ORDER", help="representative | length | transcript | random.")]
FormatOption = Annotated[
    str | None, typer.Option("--format", metavar="FORMAT", help="docx | md | csv | xlsx | json (default: from -o).")
]
OutputOption = Annotated[
    Path | None, typer.Option("-o", "--output", metavar="FILE", help="Write to this file instead of the terminal.")
]
ByOption = Annotated[str, typer.Option(metavar="code|role", help="Group by code or role.")]
KeepDisfluenciesFlag = Annotated[bool, typer.Option("--keep-disfluencies", help="Keep um, uh, stutters, repeats.")]
KeepTagsFlag = Annotated[bool, typer.Option("--keep-tags", help="Keep [inaudible], [crosstalk], [laughs]...")]
NoTrimFlag = Annotated[bool, typer.Option("--no-trim", help="Never trim; leave out quotes over --max-words.")]
WithSiteFlag = Annotated[bool, typer.Option("--with-site", help="Attribution adds the site (—Prosecutor, site C) where >= k respondents share it.")]
WithRespondentFlag = Annotated[bool, typer.Option("--with-respondent", help="Attribution adds a pseudonymous id: R07.")]
NoProvenanceFlag = Annotated[bool, typer.Option("--no-provenance", help="Leave out the audit appendix (for circulation).")]
AllowUnmaskedFlag = Annotated[bool, typer.Option("--allow-unmasked", help="Export despite likely identifiers (recorded).")]
TimingsFlag = Annotated[bool, typer.Option("--timings", help="Print the time each stage took (stderr).")]


def quotes(
    ctx: typer.Context,
    codes: CodesArgument = None,
    all_of: AllOf = None,
    role: RoleOption = None,
    site: SiteOption = None,
    attr: AttrOption = None,
    coder: CoderOption = None,
    min_words: MinWords = None,
    max_words: MaxWords = 100,
    limit: Limit = None,
    per_transcript: PerTranscript = None,
    order: OrderOption = "representative",
    seed: Seed = 0,
    context: Context = 0,
    keep_disfluencies: KeepDisfluenciesFlag = False,
    keep_tags: KeepTagsFlag = False,
    no_trim: NoTrimFlag = False,
    with_site: WithSiteFlag = False,
    with_respondent: WithRespondentFlag = False,
    format: FormatOption = None,
    output: OutputOption = None,
    by: ByOption = "code",
    no_provenance: NoProvenanceFlag = False,
    allow_unmasked: AllowUnmaskedFlag = False,
    timings: TimingsFlag = False,
) -> None:
    """Quotes by theme and role, de-identified, cleaned and attributed ("—Prosecutor")."""

    if by not in GROUPINGS:
        fail(f"Unknown grouping '{by}'; --by accepts: {', '.join(GROUPINGS)}")
    query = QuoteQuery(
        codes=_values(codes), all_of=_values(all_of), roles=_values(role), sites=_values(site),
        attributes=_attributes(attr), coder=coder, min_words=min_words, max_words=max_words,
        limit=limit, per_transcript=per_transcript, order=order, seed=seed, context=context,
    )
    cleaning = CleaningOptions(disfluencies=not keep_disfluencies, tags=not keep_tags, trim=not no_trim)
    quote_set = build_quote_set(
        project_of(ctx), query, cleaning, AttributionOptions(site=with_site, respondent=with_respondent),
        provenance=not no_provenance,
    )
    for note in quote_set.attribution_notes:
        err_console.print(f"Attribution: {note}", markup=False, soft_wrap=True)
    _emit(quote_set, output, format, by, not no_provenance, allow_unmasked)
    print_basis(quote_set)  # after: a refused export's error stays the first line
    if timings:
        err_console.print(timing_line(quote_set))


def _emit(quote_set: QuoteSet, output: Path | None, format: str | None, by: str, provenance: bool,
          allow_unmasked: bool) -> None:

    if output is not None:
        path = export_quote_set(quote_set, output, format=format, by=by, provenance=provenance,
                                allow_unmasked=allow_unmasked)
        console.print(f"Wrote {plural(len(quote_set.quotes), 'quote')} to {path}", markup=False, soft_wrap=True)
        return
    if format is None:
        print_quote_set(quote_set, by)
        return
    renderers = {"md": render_markdown, "markdown": render_markdown, "json": render_json, "csv": render_csv}
    if format.lower() not in renderers:
        fail(f"--format {format} needs -o FILE; to the terminal: md, json or csv")

    quote_set = ensure_masked(quote_set, allow_unmasked=allow_unmasked, provenance=provenance)  # stdout: often a file
    typer.echo(renderers[format.lower()](quote_set, by=by, provenance=provenance), nl=False)


def print_basis(quote_set: QuoteSet, out=None) -> None:
    """Whose codings the quotes rest on, and the coverage warning when there is one (stderr:
    stdout may be the quote set itself)."""
    for line in basis_lines(quote_set):
        style = "yellow" if line.startswith("Warning: ") else "dim"
        (out or err_console).print(line, style=style, markup=False, soft_wrap=True)


def print_quote_set(quote_set: QuoteSet, by: str = "code", *, limit: int | None = None, out=None) -> None:
    """Headings and block quotes on the terminal (``limit`` quotes at most); likely
    identifiers shown in red."""

    out = out or console
    flagged: dict[int, list[str]] = {}
    for item in quote_set.leftovers:
        flagged.setdefault(item.quote, []).append(item.text)
    shown = 0
    for section in sections(quote_set, by):
        shown = _print_section(out, section, flagged, level=1, shown=shown, limit=limit)
    if not quote_set.quotes:
        out.print("No quotes match.")
    if quote_set.leftovers:
        err_console.print(
            f"[yellow]{len(quote_set.leftovers)} likely identifier(s) unmasked (red); a file export would be "
            "refused until they are masked or allowed in qualcode.toml [redaction].[/yellow]"
        )


def _print_section(out, section, flagged, *, level: int, shown: int, limit: int | None) -> int:
    from rich.text import Text

    if limit is not None and shown >= limit:
        return shown
    out.print(Text(section.title, style="bold underline" if level == 1 else "bold"))
    if section.definition:
        out.print(Text(section.definition.strip(), style="dim italic"))
    out.print()
    for quote in section.quotes:
        if limit is not None and shown >= limit:
            return shown
        body = Text()
        for line in quote.context:
            body.append(line + "\n", style="dim")
        body.append(quote.text, style="italic")
        body.highlight_words(flagged.get(quote.number, []), style="bold red", case_sensitive=True)
        out.print(BlockQuote(body))
        out.print(Text(quote.attribution, justify="right"))
        out.print()
        shown += 1
    for child in section.children:
        shown = _print_section(out, child, flagged, level=level + 1, shown=shown, limit=limit)
    return shown


class BlockQuote:
    """A renderable with a bar down its left side, like a block quote."""

    def __init__(self, body) -> None:
        self.body = body

    def __rich_console__(self, console, options):
        from rich.segment import Segment

        inner = options.update(width=max(options.max_width - len(GUTTER), 10))
        for line in console.render_lines(self.body, inner, pad=False):
            yield Segment(GUTTER, console.get_style("cyan"))
            yield from line
            yield Segment.line()


def timing_line(quote_set: QuoteSet) -> str:
    parts = ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in quote_set.timings.items())
    return f"Timings: {parts}"


def register(app: typer.Typer) -> None:
    app.command("quotes")(quotes)
