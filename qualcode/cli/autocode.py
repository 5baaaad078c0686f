"""``qualcode autocode`` and ``qualcode suggest train|predict|list|evaluate``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import console, err_console, fail, print_json, project_of
from qualcode.cli.progress import progress_bar
from qualcode.cli.tables import show_table
from qualcode.words import plural

suggest_app = typer.Typer(help="Learned suggestions: train, predict, list, evaluate.", no_args_is_help=True)

ORDERS = ("uncertain", "confident")
SOURCES = ("rules", "model")


def autocode_command(
    ctx: typer.Context,
    transcripts: Annotated[list[str] | None, typer.Argument(help="Transcript ids (default: all).")] = None,
    codes: Annotated[str | None, typer.Option("--codes", help="Only this code and its descendants.")] = None,
    as_coder: Annotated[
        str | None, typer.Option("--as", help="Store as this coder's codings (origin rules), not suggestions.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be coded; write nothing.")] = False,
    processes: Annotated[
        int | None, typer.Option("--processes", min=1, help="Matching processes (default: 2 for large jobs).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the proposals and summary as JSON.")] = False,
) -> None:
    """Apply the codebook's rules to respondent turns (as suggestions, or as a coder's codings)."""
    from qualcode.coding.autocode import autocode

    project = project_of(ctx)
    with progress_bar("Autocoding", "words") as advance:
        result = autocode(
            project,
            transcripts or None,
            codes=codes,
            as_coder=as_coder,
            dry_run=dry_run,
            progress=advance,
            processes=processes,
        )
    if as_json:
        print_json(result.to_dict())
        return
    if dry_run:
        print_proposals(result)
    print_role_summary(result)
    console.print(_outcome_line(result), markup=False, soft_wrap=True)


def _outcome_line(result) -> str:
    turns, transcripts = len(result.units), len(result.transcripts)
    base = f"{plural(len(result.proposals), 'code')} on {turns} respondent turns of {plural(transcripts, 'transcript')}"
    if result.off_topic_dropped:
        n = result.off_topic_dropped
        base += f" ({n} passing mention{'s' if n != 1 else ''} of other topics left out of crowded turns)"
    speed = f" ({result.words:,} words, {result.seconds:.1f} s)"
    if result.dry_run:
        return f"Dry run: {base} would be applied; nothing written{speed}."
    if result.coder:
        created = f" (created the built-in coder {result.coder})" if result.coder_created else ""
        return f"Coded as {result.coder}{created}: {base}; {result.codings_added} new codings{speed}."
    kept = f", {result.kept_decided} already decided by a coder" if result.kept_decided else ""
    return f"Stored {result.stored} rule suggestions ({result.replaced} open ones replaced{kept}): {base}{speed}."


def print_proposals(result) -> None:
    for p in result.proposals:
        console.print(
            f"{p.transcript_id} {p.ordinal:>3} {p.code_id:<40} {p.summary}", markup=False, soft_wrap=True
        )


def print_role_summary(result, out=None) -> None:
    from rich.table import Table

    table = Table(title="Rule codes per respondent turn, by role")
    for column in ("Role", "Turns", "Coded", "Codes", "Distinct", "Mean/turn", "Max/turn"):
        table.add_column(column, justify="left" if column == "Role" else "right", no_wrap=column == "Role")
    for row in result.role_summary():
        table.add_row(
            row.role,
            str(row.turns),
            str(row.turns_coded),
            str(row.references),
            str(row.distinct_codes),
            f"{row.mean_codes_per_turn:.2f}",
            str(row.max_codes_per_turn),
        )
    show_table(out or console, table)


# -- suggest ---------------------------------------------------------------------


@suggest_app.command("train")
def train_command(
    ctx: typer.Context,
    coder: Annotated[str, typer.Option("--from", help="Learn from this coder's codings and rejections.")],
    min_positive: Annotated[
        int, typer.Option("--min-positive", min=1, help="Fewest positive turns per code.")
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the training report as JSON.")] = False,
) -> None:
    """Fit the suggestion model on a coder's coded turns and store it in the project."""
    from qualcode.coding.learn import train

    with progress_bar("Training", "steps") as advance:
        result = train(project_of(ctx), coder, min_positive=min_positive, progress=advance)
    if as_json:
        print_json(result.to_dict())
        return
    report = result.report
    console.print(
        f"Model {result.model_id} trained from {coder}: {plural(report.turns, 'turn')} in {report.transcripts} "
        f"transcripts, {plural(len(report.trained), 'code')} learned, {report.rejected_negatives} rejected "
        f"suggestions used as negatives.",
        markup=False,
    )
    if report.too_few_examples:
        few = ", ".join(f"{c} ({n})" for c, n in sorted(report.too_few_examples.items()))
        console.print(f"Left to the rules (fewer than {min_positive} positive turns): {few}", markup=False)
    console.print(f"Stored {result.stored_suggestions} open model suggestions.", markup=False)


@suggest_app.command("predict")
def predict_command(
    ctx: typer.Context,
    transcripts: Annotated[list[str] | None, typer.Argument(help="Transcript ids (default: all).")] = None,
) -> None:
    """Refresh the stored model suggestions with the latest model (refused if it is stale)."""
    from qualcode.coding.learn import predict_and_store

    stored = predict_and_store(project_of(ctx), transcripts or None)
    console.print(f"Stored {stored} open model suggestions.", markup=False)


@suggest_app.command("list")
def list_command(
    ctx: typer.Context,
    transcript: Annotated[str | None, typer.Argument(help="Only this transcript.")] = None,
    order: Annotated[
        str, typer.Option("--order", help="uncertain (p nearest 0.5 first) or confident.")
    ] = "uncertain",
    coder: Annotated[
        str | None, typer.Option("--coder", help="Hide turns this coder coded (default: the model's coder).")
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="rules or model (default: both).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Show at most N.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open suggestions for uncoded turns, most uncertain (or most confident) first."""
    from qualcode.coding.review_queue import list_suggestions

    if order not in ORDERS:
        fail(f"--order must be one of {', '.join(ORDERS)}; got '{order}'")
    if source is not None and source not in SOURCES:
        fail(f"--source must be one of {', '.join(SOURCES)}; got '{source}'")
    rows = list_suggestions(project_of(ctx), transcript, order=order, coder=coder, source=source)[:limit]
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    from rich.table import Table

    table = Table(title=f"Open suggestions ({order} first)")
    for column in ("Id", "Transcript", "Seg", "Code", "Source", "Score", "Evidence"):
        table.add_column(column, justify="right" if column in ("Id", "Seg", "Score") else "left")
    for r in rows:
        table.add_row(
            str(r.id),
            r.transcript,
            str(r.segment),
            r.code,
            r.source,
            f"{r.score:.2f}" if r.score is not None else "",
            r.evidence,
        )
    show_table(console, table)
    console.print(f"{plural(len(rows), 'suggestion')}.")


@suggest_app.command("evaluate")
def evaluate_command(
    ctx: typer.Context,
    coder: Annotated[
        str | None, typer.Option("--from", help="Reference coder (their codings in the project).")
    ] = None,
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Reference CSV: transcript,segment,coder,code.")
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", min=2, help="Cross-validation folds (grouped by transcript).")
    ] = 5,
    min_positive: Annotated[
        int, typer.Option("--min-positive", min=1, help="Fewest positive turns per code.")
    ] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Cross-validated precision, recall and F1 of rules, model and both, against a reference coder."""
    from qualcode.coding.evaluate import evaluate, reference_from_coder, reference_from_csv

    if coder is None and gold is None:
        fail("give the reference: --from CODER (codings in the project) or --gold FILE.csv")
    project = project_of(ctx)
    reference = reference_from_csv(project, gold, coder) if gold else reference_from_coder(project, coder or "")
    with err_console.status("Evaluating"):
        result = evaluate(project, reference, folds=folds, min_positive=min_positive)
    if as_json:
        print_json(result.to_dict())
        return
    print_evaluation(result)


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def print_evaluation(result, *, per_code: bool = True, out=None) -> None:
    """The evaluation as a rich table: per code, then micro and macro rows."""
    from rich.table import Table

    out = out or console

    from rich import box

    folds = f", {result.folds}-fold CV by transcript for the model" if "model" in result.systems else ""
    table = Table(
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        title=f"Autocoding vs {result.reference} ({plural(result.turns, 'turn')}, {plural(result.transcripts, 'transcript')}{folds})",
    )
    table.add_column("Code", overflow="fold", min_width=12)
    table.add_column("N", justify="right", no_wrap=True)
    for system in result.systems:
        for measure in ("P", "R", "F1"):
            table.add_column(f"{system}\n{measure}", justify="right", no_wrap=True)
    if per_code:
        for code_id in result.codes():
            support = max(s.per_code[code_id].support for s in result.systems.values() if code_id in s.per_code)
            cells = []
            for system in result.systems.values():
                s = system.per_code.get(code_id)
                cells += [_cell(s.precision), _cell(s.recall), _cell(s.f1)] if s else ["—"] * 3
            table.add_row(code_id, str(support), *cells)
        table.add_section()
    micro = [
        c
        for s in result.systems.values()
        for c in (_cell(s.micro.precision), _cell(s.micro.recall), _cell(s.micro.f1))
    ]
    table.add_row("micro", str(next(iter(result.systems.values())).micro.support), *micro, style="bold")
    macro = [_cell(s.macro(m)[0]) for s in result.systems.values() for m in ("precision", "recall", "f1")]
    table.add_row("macro", "", *macro, style="bold")
    show_table(out, table)
    per_turn = ", ".join(f"{n} {s.predictions / s.turns:.2f}" for n, s in result.systems.items() if s.turns)
    out.print(f"Codes per turn: reference {result.reference_codes_per_turn:.2f}, {per_turn}.", markup=False)
    for note in result.notes:
        out.print(f"Note: {note}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("autocode")(autocode_command)
    app.add_typer(suggest_app, name="suggest")
