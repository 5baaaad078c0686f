"""``qualcode quotes``: themed quote sets, printed or exported (docx, md, csv, xlsx, json)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, err_console, fail, project_of

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


def quotes(
    ctx: typer.Context,
    codes: Annotated[ListOption, typer.Argument(help="Codes (with descendants); none: every top-level code used.")] = None,
    all_of: Annotated[ListOption, typer.Option("--all-of", help="Only turns also coded with these codes; repeatable or comma-separated.")] = None,
    role: Annotated[ListOption, typer.Option(help="Stakeholder role (key, label or alias); repeatable.")] = None,
    site: Annotated[ListOption, typer.Option(help="Site; repeatable.")] = None,
    attr: Annotated[ListOption, typer.Option(help="Transcript attribute key=value; repeatable.")] = None,
    coder: Annotated[str | None, typer.Option(help="Whose codings (default: consensus, else the only coder).")] = None,
    min_words: Annotated[int | None, typer.Option(help="Leave out quotes shorter than this (cleaned).")] = None,
    max_words: Annotated[int, typer.Option(help="Trim longer quotes at a sentence (with --no-trim: leave them out).")] = 100,
    limit: Annotated[int | None, typer.Option(help="At most this many quotes per code.")] = None,
    per_transcript: Annotated[int | None, typer.Option(help="At most this many quotes per transcript and code.")] = None,
    order: Annotated[str, typer.Option(help="representative | length | transcript | random.")] = "representative",
    seed: Annotated[int, typer.Option(help="Seed for --order random.")] = 0,
    context: Annotated[int, typer.Option(help="Add the N preceding interviewer questions.")] = 0,
    keep_disfluencies: Annotated[bool, typer.Option("--keep-disfluencies", help="Keep um, uh, stutters, repeats.")] = False,
    keep_tags: Annotated[bool, typer.Option("--keep-tags", help="Keep [inaudible], [crosstalk], [laughs]...")] = False,
    no_trim: Annotated[bool, typer.Option("--no-trim", help="Never trim; leave out quotes over --max-words.")] = False,
    with_site: Annotated[bool, typer.Option("--with-site", help="Attribution adds the site: —Prosecutor, site C.")] = False,
    with_respondent: Annotated[bool, typer.Option("--with-respondent", help="Attribution adds a pseudonymous id: R07.")] = False,
    format: Annotated[str | None, typer.Option("--format", help="docx | md | csv | xlsx | json (default: from -o).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file instead of the terminal.")] = None,
    by: Annotated[str, typer.Option(help="Group by code or role.")] = "code",
    no_provenance: Annotated[bool, typer.Option("--no-provenance", help="Leave out the audit appendix (for circulation).")] = False,
    allow_unmasked: Annotated[bool, typer.Option("--allow-unmasked", help="Export despite likely identifiers (recorded).")] = False,
    timings: Annotated[bool, typer.Option("--timings", help="Print the time each stage took (stderr).")] = False,
) -> None:
    """Quotes by theme and role, de-identified, cleaned and attributed ("—Prosecutor")."""
    from qualcode.quotes.attribution import AttributionOptions
    from qualcode.quotes.cleaning import CleaningOptions
    from qualcode.quotes.quoteset import build_quote_set
    from qualcode.quotes.selection import QuoteQuery

    query = QuoteQuery(
        codes=_values(codes), all_of=_values(all_of), roles=_values(role), sites=_values(site),
        attributes=_attributes(attr), coder=coder, min_words=min_words, max_words=max_words,
        limit=limit, per_transcript=per_transcript, order=order, seed=seed, context=context,
    )
    cleaning = CleaningOptions(disfluencies=not keep_disfluencies, tags=not keep_tags, trim=not no_trim)
    quote_set = build_quote_set(
        project_of(ctx), query, cleaning, AttributionOptions(site=with_site, respondent=with_respondent)
    )
    _emit(quote_set, output, format, by, not no_provenance, allow_unmasked)
    if timings:
        err_console.print(timing_line(quote_set))


def _emit(quote_set: QuoteSet, output: Path | None, format: str | None, by: str, provenance: bool,
          allow_unmasked: bool) -> None:
    from qualcode.quotes.writers import export_quote_set, render_csv, render_json, render_markdown

    if output is not None:
        path = export_quote_set(quote_set, output, format=format, by=by, provenance=provenance,
                                allow_unmasked=allow_unmasked)
        console.print(f"Wrote {len(quote_set.quotes)} quotes to {path}", markup=False)
        return
    if format is None:
        print_quote_set(quote_set, by)
        return
    renderers = {"md": render_markdown, "markdown": render_markdown, "json": render_json, "csv": render_csv}
    if format.lower() not in renderers:
        fail(f"--format {format} needs -o FILE; to the terminal: md, json or csv")
    from qualcode.quotes.quoteset import ensure_masked

    ensure_masked(quote_set, allow_unmasked=allow_unmasked)  # stdout is often redirected to a file
    typer.echo(renderers[format.lower()](quote_set, by=by, provenance=provenance), nl=False)


def print_quote_set(quote_set: QuoteSet, by: str = "code", *, limit: int | None = None) -> None:
    """Headings and block quotes on the terminal; likely identifiers shown in red."""
    from qualcode.quotes.writers import sections

    flagged: dict[int, list[str]] = {}
    for item in quote_set.leftovers:
        flagged.setdefault(item.quote, []).append(item.text)
    shown = 0
    for section in sections(quote_set, by):
        shown = _print_section(section, flagged, level=1, shown=shown, limit=limit)
    if not quote_set.quotes:
        console.print("No quotes match.")
    if quote_set.leftovers:
        err_console.print(
            f"[yellow]{len(quote_set.leftovers)} likely identifier(s) unmasked (red); a file export would be "
            "refused until they are masked or allowed in qualcode.toml [redaction].[/yellow]"
        )


def _print_section(section, flagged, *, level: int, shown: int, limit: int | None) -> int:
    from rich.text import Text

    if limit is not None and shown >= limit:
        return shown
    console.print(Text(section.title, style="bold underline" if level == 1 else "bold"))
    if section.definition:
        console.print(Text(section.definition.strip(), style="dim italic"))
    console.print()
    for quote in section.quotes:
        if limit is not None and shown >= limit:
            return shown
        body = Text()
        for line in quote.context:
            body.append(line + "\n", style="dim")
        body.append(quote.text, style="italic")
        body.highlight_words(flagged.get(quote.number, []), style="bold red", case_sensitive=True)
        console.print(BlockQuote(body))
        console.print(Text(quote.attribution, justify="right"))
        console.print()
        shown += 1
    for child in section.children:
        shown = _print_section(child, flagged, level=level + 1, shown=shown, limit=limit)
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


# -- demo -----------------------------------------------------------------------------

DEMO_QUERY = {"limit": 12, "per_transcript": 2, "min_words": 12, "max_words": 80, "context": 1}


def demo_step(project, console=console) -> list[Path]:
    """Write a quote set per top-level theme with codings to reports/quotes-<code>.docx/.md.

    Needs the example study imported and coded (the demo codes it with the rule
    autocoder as coder "autocoder" first). A theme whose quotes still hold likely
    identifiers is refused, as any export would be, and the refusal is printed.
    """
    from qualcode.errors import ExportError
    from qualcode.quotes.attribution import AttributionOptions
    from qualcode.quotes.coders import default_coder
    from qualcode.quotes.quoteset import build_quote_set
    from qualcode.quotes.selection import QuoteQuery, resolve_groups
    from qualcode.quotes.writers import export_quote_set

    coder = default_coder(project)
    written: list[Path] = []
    examples = []
    console.print(f"[bold]Quote sets[/bold] (coder {coder}), one per theme, in {project.root / 'reports'}:")
    for group in resolve_groups(project, QuoteQuery(), coder):
        quote_set = build_quote_set(project, QuoteQuery(codes=(group,), coder=coder, **DEMO_QUERY),
                                    attribution=AttributionOptions(site=True))
        try:
            for suffix in ("docx", "md"):
                written.append(export_quote_set(quote_set, project.root / "reports" / f"quotes-{group}.{suffix}"))
        except ExportError as error:
            console.print(f"  [yellow]{group}: refused[/yellow] {error.message.splitlines()[0]}", soft_wrap=True)
            continue
        console.print(f"  {group}: {len(quote_set.quotes)} quotes -> quotes-{group}.docx, quotes-{group}.md")
        if quote_set.quotes and len(examples) < 3:
            examples.append(quote_set)
    console.print()
    for quote_set in examples:
        print_quote_set(quote_set, limit=1)
    return written


def register(app: typer.Typer) -> None:
    app.command("quotes")(quotes)
