"""``qualcode sample create|show|list``, ``agreement``, ``disagreements`` and ``reconcile``.

Thin wrappers: the work is in :mod:`qualcode.agreement` (sampling, project,
disagreements, reconcile); this module parses options, prompts and prints.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, fail, print_json, project_of
from qualcode.cli.tables import show_table
from qualcode.words import plural

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from qualcode.agreement.project_result import (
        AgreementResult,
        CodeAgreement,
        IntervalSettings,
        TranscriptAgreement,
    )

sample_app = typer.Typer(help="Double-coding samples: draw one, show its progress.", no_args_is_help=True)

CodersOption = Annotated[str, typer.Option("--coders", help="Two coders, comma-separated: A,B.")]
SampleOption = Annotated[str | None, typer.Option("--sample", help="Only this sample's transcripts.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
MinPerStratumOption = Annotated[int, typer.Option(
    "--min-per-stratum", help="0: exactly the target size (default); 1: at least one per stratum (may draw more).")]
# Landis & Koch bands, worst to best.
BAND_STYLES = {"poor": "bold red", "slight": "red", "fair": "dark_orange", "moderate": "yellow",
               "substantial": "green", "almost perfect": "bold green", "undefined": "dim"}


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


# -- sample --------------------------------------------------------------------------


@sample_app.command("create")
def sample_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the sample, e.g. double-coding.")],
    coders: CodersOption,
    fraction: Annotated[float, typer.Option("--fraction", help="Share of transcripts to double-code.")] = 0.10,
    stratify: Annotated[str | None, typer.Option(
        "--stratify", help="Strata: role, site or attribute names, comma-separated.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: a fresh one, reported).")] = None,
    min_per_stratum: MinPerStratumOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Draw a stratified double-coding sample (exactly the target size by default) and assign it."""
    from qualcode.agreement.sampling import create_sample

    sample = create_sample(project_of(ctx), name, fraction=fraction, coders=_split(coders),
                           stratify=_split(stratify), seed=seed, min_per_stratum=min_per_stratum)
    if as_json:
        print_json(sample.to_dict())
        return
    print_sample(sample, console)


@sample_app.command("delete")
def sample_delete(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The sample.")],
    by: Annotated[str | None, typer.Option("--by", help="Who (for the event log; default: login name).")] = None,
) -> None:
    """Delete a sample (codings stay); recorded in the event log."""
    from qualcode.agreement.sampling import delete_sample

    sample = delete_sample(project_of(ctx), name, by=by)
    console.print(f"Deleted sample {sample.name} ({len(sample.transcripts)} transcripts); codings are kept "
                  "and the deletion is in the event log.", markup=False, soft_wrap=True)


@sample_app.command("redraw")
def sample_redraw(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The sample.")],
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed (default: a fresh one).")] = None,
    fraction: Annotated[float | None, typer.Option("--fraction", help="New share (default: as before).")] = None,
    min_per_stratum: MinPerStratumOption = 0,
    by: Annotated[str | None, typer.Option("--by", help="Who (for the event log; default: login name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Draw a sample again (refused once its coders have coded it); old and new are recorded."""
    from qualcode.agreement.sampling import redraw_sample

    sample = redraw_sample(project_of(ctx), name, seed=seed, fraction=fraction, min_per_stratum=min_per_stratum,
                           by=by)
    if as_json:
        print_json(sample.to_dict())
        return
    print_sample(sample, console)


def print_sample(sample, out: Console) -> None:
    from rich.markup import escape
    from rich.table import Table

    by = escape(", ".join(sample.stratify)) or "nothing (one stratum)"
    out.print(f"Sample [bold]{escape(sample.name)}[/bold]: {len(sample.transcripts)} of {sample.population} "
              f"transcripts (fraction {sample.fraction:g} -> {sample.target}), stratified by {by}, seed {sample.seed}.",
              soft_wrap=True)
    table = Table(title="Allocation (largest remainder, at least one per stratum)")
    for column in ("stratum", "transcripts", "quota", "drawn"):
        table.add_column(column, justify="left" if column == "stratum" else "right")
    for row in sample.allocation:
        mark = " (minimum)" if row.raised_to_minimum else ""
        table.add_row(row.stratum, str(row.population), f"{row.quota:.2f}", f"{row.drawn}{mark}")
    show_table(out, table)
    for note in sample.notes:
        out.print(f"Note: {note}.", soft_wrap=True)
    out.print("Transcripts: " + ", ".join(f"{t} ({s})" for t, s in sample.transcripts), markup=False, soft_wrap=True)
    out.print(f"Assigned to {', '.join(sample.coders)}: they code these transcripts blind.", soft_wrap=True)


@sample_app.command("show")
def sample_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The sample's name.")],
    as_json: JsonOption = False,
) -> None:
    """The sample's transcripts and each coder's progress (respondent turns coded / total)."""
    from rich.table import Table

    from qualcode.agreement.sampling import sample_progress

    shown = sample_progress(project_of(ctx), name)
    if as_json:
        print_json(shown.to_dict())
        return
    sample = shown.sample
    table = Table(title=f"Sample {sample.name} (seed {sample.seed}, fraction {sample.fraction:g})")
    table.add_column("transcript")
    table.add_column("stratum")
    for coder in sample.coders:
        table.add_column(coder, justify="right")
    for row in shown.transcripts:
        cells = [f"{p.coded}/{p.total}" for p in row.progress.values()]
        table.add_row(row.transcript, row.stratum, *cells)
    totals = [f"{p.coded}/{p.total}" for p in shown.totals.values()]
    table.add_row("total", "", *totals, style="bold")
    show_table(console, table)


@sample_app.command("close")
def sample_close(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The sample's name.")],
    as_json: JsonOption = False,
) -> None:
    """End blind coding of a sample (the lead only: QUALCODE_CODER must name qualcode.toml's lead)."""
    from qualcode.coding.blind import close_sample

    closed = close_sample(project_of(ctx), name)
    if as_json:
        print_json(closed.to_dict())
        return
    console.print(f"Closed sample {closed.name} ({closed.closed_by}, {closed.closed_at}): its coders now see "
                  "each other's codings; agreement and exports show them to everyone.", markup=False, soft_wrap=True)


@sample_app.command("list")
def sample_list(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The project's samples."""
    from qualcode.agreement.sampling import get_sample, sample_names

    project = project_of(ctx)
    with project.read() as conn:
        names = sample_names(conn)
    samples = [get_sample(project, name) for name in names]
    if as_json:
        print_json([sample.to_dict() for sample in samples])
        return
    for sample in samples:
        state = "open (blind)" if sample.closed_at is None else f"closed by {sample.closed_by} at {sample.closed_at}"
        console.print(f"{sample.name}: {plural(len(sample.transcripts), 'transcript')}, coders "
                      f"{', '.join(sample.coders)}, seed {sample.seed}, {state}", markup=False, soft_wrap=True)
    if not samples:
        console.print("No samples yet (qualcode sample create).", soft_wrap=True)


# -- agreement -------------------------------------------------------------------------


def agreement(
    ctx: typer.Context,
    coders: CodersOption,
    sample: SampleOption = None,
    unit: Annotated[str, typer.Option("--unit", help="segment (respondent turn), sentence or character.")] = "segment",
    codes: Annotated[str | None, typer.Option("--codes", help="Only this code and its descendants.")] = None,
    rollup: Annotated[bool, typer.Option("--rollup", help="A coding also counts for its ancestor codes.")] = False,
    by_transcript: Annotated[bool, typer.Option("--by-transcript", help="Also per transcript.")] = False,
    ci: Annotated[str, typer.Option("--ci", help="asymptotic (Fleiss-Cohen-Everitt SE) or bootstrap.")] = "asymptotic",
    replicates: Annotated[int, typer.Option("--replicates", help="Bootstrap replicates.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 2026,
    resample: Annotated[str, typer.Option(
        "--resample", help="Bootstrap over transcripts or segments.")] = "transcripts",
    characters: Annotated[str, typer.Option(
        "--characters", help="Character units: respondent (turn text) or all (every character).")] = "respondent",
    min_kappa: Annotated[float, typer.Option("--min-kappa", help="Count codes below this kappa.")] = 0.6,
    min_units: Annotated[int, typer.Option(
        "--min-units", help="Flag codes applied (by either coder) in fewer units than this.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Per-code intercoder agreement of two coders (kappa, PABAK, alpha, AC1), worst first."""
    from qualcode.agreement.project import project_agreement

    result = project_agreement(
        project_of(ctx), _split(coders), sample, unit, codes=codes, rollup=rollup, by_transcript=by_transcript,
        ci=ci, replicates=replicates, seed=seed, resample=resample, min_kappa=min_kappa, characters=characters,
        min_units=min_units,
    )
    if as_json:
        print_json(result.to_dict())
        return
    print_agreement(result, console)


def _unit_description(result: AgreementResult) -> str:
    if result.unit == "character":
        return f"character ({result.characters} text)"
    return {"segment": "segment (respondent turn)", "sentence": "sentence of a respondent turn"}[result.unit]


def _sorted_worst_first(rows: Sequence[CodeAgreement]) -> list[CodeAgreement]:
    return sorted(rows, key=lambda r: (not r.defined, r.kappa if r.defined else 0.0, r.code))


def print_agreement(result: AgreementResult, out: Console) -> None:
    """The agreement table (worst first, Landis-Koch colours) and the overall figures."""
    from rich.markup import escape

    a, b = result.coders
    where = f"sample '{escape(result.sample)}'" if result.sample else "the transcripts both coded"
    out.print(f"Agreement of [bold]{escape(a)}[/bold] and [bold]{escape(b)}[/bold] on {where} "
              f"({plural(len(result.transcripts), 'transcript')}); unit: {_unit_description(result)}, "
              f"{result.units:,} units.", soft_wrap=True)
    _print_table(out, lambda width: _code_table(result.codes, a, b, result.ci, width))
    out.print("N: units where the code applies (codes limited to some roles count only those roles' turns); "
              "coded: units either coder applied it to; both: units both applied it to.",
              soft_wrap=True, highlight=False, markup=False)
    too_few = result.too_few_units
    if too_few:
        out.print(f"[yellow]Too few units:[/yellow] {len(too_few)} of {result.summary.codes_defined} "
                  f"codes were applied in fewer than {result.min_units} units; their kappa is unstable "
                  f"(--min-units): {', '.join(too_few)}", soft_wrap=True, highlight=False)
    _print_undefined(result, out)
    _print_overall(result, out)
    if result.by_transcript is not None:
        show_table(out, _transcript_table(result.by_transcript))
    for warning in result.warnings:
        out.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False, soft_wrap=True)


WIDE_TABLE = 150  # characters the full per-code table needs


def _print_table(out: Console, table_of) -> None:
    """Every column, as a table when it fits and as per-code blocks when it does not."""
    from qualcode.cli.tables import show_table

    show_table(out, table_of(WIDE_TABLE))


def _code_table(rows: Sequence[CodeAgreement], a: str, b: str, ci: IntervalSettings, width: int):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    level = f"{ci.confidence * 100:g}% CI"
    extra = width >= WIDE_TABLE
    table = Table(title=Text(f"Per code, worst first (A = {a}, B = {b}; {level} {ci.method})"), box=box.SIMPLE_HEAD,
                  caption=None if extra else "PABAK, alpha and AC1: widen the terminal or use --json")
    columns = ["code", "N", "coded", "both", "A", "B", "neither", "agree%", "kappa", level]
    columns += ["PABAK", "alpha", "AC1"] if extra else []
    for column in [*columns, "strength"]:
        table.add_column(column, justify="left" if column in ("code", "strength") else "right",
                         no_wrap=column in ("code", "strength"))
    for row in _sorted_worst_first([r for r in rows if r.defined]):
        interval = f"{row.kappa_ci[0]:.2f} to {row.kappa_ci[1]:.2f}" if row.kappa_ci else "not estimable"
        agree = None if row.percent_agreement is None else 100 * row.percent_agreement
        coded = f"{row.coded_units}" + (" too few" if row.too_few_units else "")
        cells = [row.code, str(row.units), coded, str(row.both), str(row.only_a), str(row.only_b),
                 str(row.neither), _number(agree, 1), _number(row.kappa), interval]
        cells += [_number(row.pabak), _number(row.alpha), _number(row.ac1)] if extra else []
        table.add_row(*cells, row.label, style=BAND_STYLES.get(row.label, ""))
    return table


def _print_undefined(result: AgreementResult, out: Console) -> None:
    by_reason: dict[str | None, list[str]] = {}
    for row in result.undefined:
        by_reason.setdefault(row.reason, []).append(row.code)
    for reason, codes in by_reason.items():
        out.print(f"[dim]Kappa undefined for {len(codes)} code{'s' if len(codes) > 1 else ''} ({reason}): "
                  f"{', '.join(codes)}[/dim]", highlight=False, soft_wrap=True)


def _print_overall(result: AgreementResult, out: Console) -> None:
    summary = result.summary
    pooled, mean, weighted = summary.pooled, summary.mean, summary.weighted_mean
    out.print(f"Pooled kappa (de Vries et al. 2008, {plural(pooled.codes_used, 'code')} with units): "
              f"{_number(pooled.value, 3)}", soft_wrap=True)
    out.print(f"Mean kappa, unweighted ({plural(mean.codes_used, 'code')} with a defined kappa): "
              f"{_number(mean.value, 3)}", soft_wrap=True)
    out.print(f"Mean kappa, weighted by prevalence: {_number(weighted.value, 3)}", soft_wrap=True)
    below = summary.below_min_kappa
    out.print(f"Codes with kappa below {summary.min_kappa:g}: {len(below)} of "
              f"{summary.codes_defined}" + (f" ({', '.join(below)})" if below else ""), soft_wrap=True)


def _transcript_table(rows: Sequence[TranscriptAgreement]):
    from rich.table import Table

    table = Table(title="Per transcript")
    for column in ("transcript", "role", "units", "pooled kappa", "mean kappa", "codes below"):
        table.add_column(column, justify="left" if column in ("transcript", "role") else "right")
    for row in rows:
        summary = row.summary
        table.add_row(row.transcript, row.role, str(row.units), _number(summary.pooled.value),
                      _number(summary.mean.value), f"{len(summary.below_min_kappa)} of {summary.codes_defined}")
    return table


# -- disagreements and reconciliation ----------------------------------------------------------


def disagreements(
    ctx: typer.Context,
    coders: CodersOption,
    sample: SampleOption = None,
    code: Annotated[str | None, typer.Option("--code", help="Only this code and its descendants.")] = None,
    unit: Annotated[str, typer.Option("--unit", help="segment or sentence.")] = "segment",
    fmt: Annotated[str, typer.Option("--format", help="table, docx, xlsx or csv.")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File for docx/xlsx/csv.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every unit where the two coders differ on a code, with its text."""
    from qualcode.agreement.disagreements import find_disagreements, write_disagreements
    from qualcode.agreement.disagreements_docx import summary_line

    pair = _split(coders)
    rows = find_disagreements(project_of(ctx), pair, sample=sample, code=code, unit=unit)
    if as_json:
        print_json([row.to_dict() for row in rows])
        return
    if fmt != "table":
        if output is None:
            fail(f"--format {fmt} writes a file: pass -o FILE.{fmt}")
        write_disagreements(rows, output, fmt, coders=pair, unit=unit)
        console.print(f"Wrote {summary_line(rows, unit)} to {output}", markup=False, soft_wrap=True)
        return
    _print_disagreements(rows)


def _print_disagreements(rows) -> None:
    """One block per unit: the codes only one coder applied, then the unit's text."""
    from itertools import groupby

    from rich.markup import escape

    units = 0
    for (transcript, segment, start, _), group in groupby(rows, key=lambda r: (r.transcript, r.segment, r.start,
                                                                               r.end)):
        units += 1
        members = list(group)
        console.print(f"[bold]{transcript}[/bold] turn {segment} ({escape(members[0].role)}, offset {start})",
                      soft_wrap=True)
        for row in members:
            coded = f" on \u201c{escape(row.coded_text)}\u201d" if row.coded_text else ""
            console.print(f"  {escape(row.applied_by)} only: {escape(row.code)} ({escape(row.code_name)}){coded}",
                          soft_wrap=True)
        console.print(f"  [dim]{escape(members[0].unit_text)}[/dim]\n", soft_wrap=True)
    console.print(f"{plural(len(rows), 'disagreement')} in {plural(units, 'unit')}.", markup=False, soft_wrap=True)


CHOICES = ("keep", "drop", "skip", "quit")


def _ask(row) -> str:
    """Prompt until the answer is one of CHOICES (typer.prompt, so CliRunner input works)."""
    while True:
        answer = typer.prompt(f"Keep the code ({row.applied_by} applied it) or drop it? keep, drop, skip or quit"
                              ).strip().lower()
        if answer in CHOICES:
            return answer
        console.print(f"Answer one of: {', '.join(CHOICES)}", markup=False, soft_wrap=True)


def reconcile(
    ctx: typer.Context,
    coders: CodersOption,
    into: Annotated[str, typer.Option("--into", help="The consensus coder to write.")] = "consensus",
    sample: SampleOption = None,
    code: Annotated[str | None, typer.Option("--code", help="Only this code and its descendants.")] = None,
    decisions: Annotated[Path | None, typer.Option(
        "--decisions", help="Apply a filled decisions file (CSV or XLSX: decision keep|drop, reason).")] = None,
    template: Annotated[Path | None, typer.Option(
        "--template", help="Write the pending disagreements as a decisions file to fill in (CSV or XLSX).")] = None,
) -> None:
    """Decide each disagreement (keep or drop the code); agreed codings are copied to --into.

    Interactive by default (resumable; nothing is written before the first decision), or
    from a decisions file: --template FILE writes it, --decisions FILE applies it.
    """
    from qualcode.agreement import decisions as decisions_file

    project, pair = project_of(ctx), _split(coders)
    if decisions is not None and template is not None:
        raise typer.BadParameter("give --template or --decisions, not both")
    if template is not None:
        count = decisions_file.write_template(project, pair, template, into=into, sample=sample, code=code)
        console.print(f"Wrote {plural(count, 'pending disagreement')} to {template}; fill in decision (keep or drop) and "
                      f"reason, then run reconcile --decisions {template.name}", markup=False, soft_wrap=True)
        return
    if decisions is not None:
        done = decisions_file.apply_decisions(project, pair, decisions, into=into, sample=sample, code=code)
        console.print(f"Decided {done.decided} (skipped {done.skipped} blank rows); {done.agreed_units} agreed "
                      f"turn/code pairs copied to {into}; {done.codings_written} consensus codings written; "
                      f"{done.pending} still to decide.", markup=False, soft_wrap=True)
        return
    _reconcile_interactively(project, pair, into, sample, code)


def _reconcile_interactively(project, pair, into: str, sample, code) -> None:
    from qualcode.agreement.reconcile import apply_decision, copy_agreements, list_disagreements

    pending = list_disagreements(project, pair, into, sample=sample, code=code)
    console.print(f"{plural(len(pending), 'disagreement')} to decide.", markup=False, soft_wrap=True)
    counts = {"decided": 0, "skipped": 0}
    for position, row in enumerate(pending, start=1):
        _show_disagreement(row, position, len(pending))
        choice = _ask(row)
        if choice == "quit":
            break
        if choice == "skip":
            counts["skipped"] += 1
            continue
        reason = typer.prompt("Reason (optional)", default="", show_default=False)
        if not counts["decided"]:
            # Agreed units are copied only once a decision is made, so quitting at the
            # first prompt leaves the store as it was.
            copied = copy_agreements(project, pair, into, sample=sample, code=code)
            if copied.coder_created:
                console.print(f"Created coder {into} (the consensus coder).", markup=False, soft_wrap=True)
            console.print(f"{copied.agreed_units} agreed turn/code pairs copied to {into} "
                          f"({copied.codings_written} codings written).", markup=False, soft_wrap=True)
        done = apply_decision(project, row, choice, into=into, coders=pair, reason=reason)
        counts["decided"] += 1
        console.print(f"  -> {choice}: {done.codings_written} consensus codings written", markup=False,
                      soft_wrap=True)
    left = len(list_disagreements(project, pair, into, sample=sample, code=code))
    console.print(f"Decided {counts['decided']}, skipped {counts['skipped']}; {left} still to decide "
                  f"(run the command again to resume).", markup=False, soft_wrap=True)


def _show_disagreement(row, position: int, total: int) -> None:
    from rich.panel import Panel
    from rich.text import Text

    body = Text(row.unit_text)
    if row.coded_text:
        body.append(f"\n\nCoded by {row.applied_by}: \u201c{row.coded_text}\u201d", style="italic")
    title = f"{position}/{total}  {row.transcript} turn {row.segment}  {row.code} ({row.code_name})"
    subtitle = f"applied by {row.applied_by}, not by {row.not_applied_by}"
    console.print(Panel(body, title=title, subtitle=subtitle, title_align="left"))


def register(app: typer.Typer) -> None:
    app.add_typer(sample_app, name="sample")
    app.command()(agreement)
    app.command()(disagreements)
    app.command()(reconcile)

