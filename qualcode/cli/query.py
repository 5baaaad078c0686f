"""``qualcode query`` (coding queries, saved queries) and ``qualcode matrix``.

Thin wrappers over :mod:`qualcode.search.query`, :mod:`qualcode.search.matrix` and
:mod:`qualcode.search.saved`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qualcode.cli.common import console, fail, print_json, project_of
from qualcode.cli.search import (
    AttrOption,
    JsonOption,
    LimitOption,
    OutputOption,
    RoleOption,
    SaveOption,
    SiteOption,
    SpeakerOption,
    TranscriptOption,
    print_counts,
    refresh_index,
    run_search,
)
from qualcode.search.engine import SearchOptions, SearchResult
from qualcode.search.matrix import MatrixSpec, all_cells, open_cell
from qualcode.search.matrix import matrix as run_matrix
from qualcode.search.query import evidence_hits, run_query
from qualcode.search.saved import delete_query, list_queries, load_query, save_query
from qualcode.search.writers import (
    PASSAGE_COLUMNS,
    check_output,
    write_rows,
    write_sheets,
)

if TYPE_CHECKING:
    from rich.console import Console

PASSAGE_LIMIT = 20
VERBS = ("save", "run", "list", "delete")
CoderOption = Annotated[str | None, typer.Option("--coder", help="Whose codings (default: consensus, else the only coder).")]


def query(
    ctx: typer.Context,
    words: Annotated[list[str], typer.Argument(
        help="EXPRESSION, e.g. 'challenge.housing AND \"trust\"'; or: save NAME EXPRESSION | run NAME | list | delete NAME.",
        metavar="EXPRESSION|VERB ...")],
    speaker: SpeakerOption = "respondent",
    role: RoleOption = None,
    site: SiteOption = None,
    attr: AttrOption = None,
    transcript: TranscriptOption = None,
    coder: CoderOption = None,
    limit: LimitOption = None,
    count: Annotated[bool, typer.Option("--count", help="Passages and transcripts by role and site.")] = False,
    kwic: Annotated[bool, typer.Option("--kwic", help="Show each piece of evidence in context, not whole turns.")] = False,
    as_json: JsonOption = False,
    output: OutputOption = None,
) -> None:
    """Coding queries: codes joined by AND, OR, NOT, NEAR/n, with "text" and NAME=VALUE; passages and counts."""

    project = project_of(ctx)
    verb = words[0] if words[0] in VERBS else None
    if verb == "list":
        _list(project, as_json)
        return
    if verb in ("run", "delete") and len(words) != 2:
        fail(f"query {verb} takes one NAME, got {len(words) - 1} words")
    if verb == "delete":

        delete_query(project, words[1])
        console.print(f"Deleted saved query '{words[1]}'", markup=False, soft_wrap=True)
        return
    if verb == "run":
        _run_saved(project, words[1], as_json=as_json, output=output)
        return
    if verb == "save" and len(words) < 3:
        fail("query save takes NAME and the EXPRESSION")
    expression = " ".join(words[2:] if verb == "save" else words)
    terminal = not as_json and output is None
    options = SearchOptions(
        speaker=speaker, roles=tuple(role or ()), sites=tuple(site or ()), attrs=tuple(attr or ()),
        transcripts=tuple(transcript or ()), coder=coder, count=count,
        limit=limit if limit is not None else (PASSAGE_LIMIT if terminal else None),
    )
    if verb == "save":
        _save(project, words[1], "query", expression, options.to_dict())
        return
    refresh_index(project)
    render_query(project, expression, options, as_json=as_json, output=output, kwic=kwic)


def render_query(project, expression: str, options, *, as_json: bool = False, output: Path | None = None,
                 kwic: bool = False) -> None:

    if output is not None:

        check_output(output)
    result = run_query(project, expression, options)
    if as_json:
        print_json(result.to_dict())
    elif output is not None:

        _write_passages(output, result.passages, f"Query: {expression}", result.total)
    elif options.count:
        print_counts(_as_counts(result), console)
    elif kwic:
        from qualcode.cli.search import print_kwic

        hits = evidence_hits(result.passages)
        print_kwic(SearchResult(expression, "query", result.speaker, len(hits), hits), console)
    else:
        print_passages(result.passages, console)
        shown = f"{len(result.passages)} of {result.total}" if len(result.passages) < result.total else str(result.total)
        who = f", coder {result.coder}" if result.coder else ""
        noun = "passage" if result.total == 1 else "passages"
        console.print(f"{shown} {noun} for '{expression}' ({result.speaker} turns{who})", markup=False,
                      soft_wrap=True)


def _write_passages(output: Path, passages, title: str, total: int) -> None:
    """Passages to a CSV, XLSX or DOCX working file, said to be not de-identified."""
    write_rows(output, [p.to_dict() for p in passages], PASSAGE_COLUMNS, title)
    console.print(f"Wrote {total} passages to {output} (working file, not de-identified)", markup=False, soft_wrap=True)


def _as_counts(result):
    from types import SimpleNamespace

    return SimpleNamespace(notes=(), pattern=result.query, by_role=result.by_role, by_site=result.by_site,
                           total=result.total, mode="query", speaker=result.speaker)


def print_passages(passages, out: Console) -> None:
    """Each passage: where it is, then the turn with its evidence highlighted."""
    from rich.text import Text

    for p in passages:
        out.print(f"{p.transcript}:{p.segment} ({p.role}, {p.site})", style="dim", markup=False)
        body = Text(p.text)
        for start, end in p.evidence:
            body.stylize("bold yellow", start - p.start, end - p.start)
        out.print(body)
        out.print()


def _save(project, name: str, kind: str, text: str, options: dict) -> None:

    replaced = save_query(project, name, kind, text, options)
    console.print(f"{'Replaced' if replaced else 'Saved'} {kind} '{name}': {text}", markup=False, soft_wrap=True)


def _list(project, as_json: bool) -> None:

    saved = list_queries(project)
    if as_json:
        print_json([q.to_dict() for q in saved])
        return
    if not saved:
        console.print("No saved queries yet (query save NAME EXPRESSION, search ... --save NAME)", markup=False)
    for q in saved:
        console.print(f"{q.name}  [{q.kind}]  {q.text}", markup=False, soft_wrap=True)


def _run_saved(project, name: str, *, as_json: bool, output: Path | None) -> None:

    saved = load_query(project, name)
    if saved.kind == "matrix":

        matrix_options: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.options.items()}
        spec = MatrixSpec(**matrix_options)
        render_matrix(project, spec, None, as_json=as_json, output=output)
        return
    refresh_index(project)
    options = SearchOptions.from_dict(saved.options)
    if as_json or output is not None:
        from dataclasses import replace

        options = replace(options, limit=None)
    if saved.kind == "search":
        run_search(project, saved.text, options, as_json=as_json, output=output, refreshed=True)
    else:
        render_query(project, saved.text, options, as_json=as_json, output=output)


def matrix(
    ctx: typer.Context,
    rows: Annotated[str, typer.Argument(help="Rows: CODE (its children) or code:CODE.")],
    columns: Annotated[str, typer.Argument(help="Columns: role, site, attr:NAME, or CODE (codes x codes).")],
    count: Annotated[str | None, typer.Option("--count", help="references (default) | transcripts | sites.")] = None,
    rollup: Annotated[bool, typer.Option("--rollup", help="Count deeper codes under the child above them.")] = False,
    role: RoleOption = None,
    site: SiteOption = None,
    coder: CoderOption = None,
    cell: Annotated[str | None, typer.Option("--cell", help="Open one cell: ROW,COLUMN (keys or labels).")] = None,
    as_json: JsonOption = False,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="FILE.xlsx: the matrix, then one sheet per cell's passages; with --cell also .csv/.docx.")] = None,
    save: SaveOption = None,
) -> None:
    """A code matrix (counts as in crosstab) whose cells open to their passages."""

    spec = MatrixSpec(rows, columns, count, rollup, tuple(role or ()), tuple(site or ()), coder)
    if save:
        _save(project_of(ctx), save, "matrix", f"{rows} x {columns}", spec.to_dict())
    render_matrix(project_of(ctx), spec, cell, as_json=as_json, output=output)


def render_matrix(project, spec, cell: str | None, *, as_json: bool = False, output: Path | None = None) -> None:

    if output is not None and (check_output(output) != ".xlsx" and cell is None):
        fail(f"Cannot write '{output.name}': a whole matrix is written as .xlsx (or use --cell with .csv/.docx)")
    result = run_matrix(project, spec)
    if cell is not None:
        opened = open_cell(project, spec, cell, result)
        if as_json:
            print_json(opened.to_dict())
        elif output is not None:
            _write_passages(output, opened.passages, f"{opened.row} x {opened.column}", len(opened.passages))
        else:
            print_passages(opened.passages, console)
            console.print(f"{opened.row} x {opened.column}: {result.count_type} {opened.count}, "
                          f"{len(opened.passages)} passages", markup=False, soft_wrap=True)
        return
    if as_json:
        print_json(result.to_dict())
    elif output is not None:
        _write_workbook(output, result, all_cells(project, spec, result), PASSAGE_COLUMNS)
        console.print(f"Wrote {output} (working file, not de-identified)", markup=False, soft_wrap=True)
    else:
        from qualcode.cli.tally import print_crosstab

        print_crosstab(result, console)


def _write_workbook(path: Path, result, cells, passage_columns) -> None:

    header = ("row", *(c.key for c in result.columns))
    grid = [{"row": r.key, **{c.key: result.counts[i][j] for j, c in enumerate(result.columns)}}
            for i, r in enumerate(result.rows)]
    sheets = [("matrix", grid, header)]
    sheets += [(f"{c.row} x {c.column}", [p.to_dict() for p in c.passages], passage_columns) for c in cells]
    write_sheets(path, sheets)


def register(app: typer.Typer) -> None:
    app.command()(query)
    app.command()(matrix)
