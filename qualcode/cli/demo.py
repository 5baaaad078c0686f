"""Rendering of ``qualcode demo``: the example study end to end.

The scenario lives in :mod:`qualcode.demo` (plain-Python steps returning typed
results); this module runs the steps in a study's order and prints each result with
the commands' own renderers. The one stage here is the coding screen's headless
screenshot, which drives the Textual app (a UI concern, so it stays in the CLI); it
runs after the report so its one coded turn is not counted in it.
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from qualcode import demo
from qualcode.cli.agreement import print_agreement, print_sample
from qualcode.cli.autocode import print_evaluation, print_role_summary
from qualcode.cli.common import console
from qualcode.cli.quotes import print_quote_set
from qualcode.cli.tables import show_table
from qualcode.cli.tally import print_report_summary, print_tally
from qualcode.coding.coders import add_coder
from qualcode.coding.listing import list_codings
from qualcode.project import Project
from qualcode.quotes.quoteset import basis_lines
from qualcode.report.tallies import theme_rows, theme_sentence
from qualcode.tally.wording import series
from qualcode.words import plural

SCREEN_CODER = "demo"


def run_demo(workdir: Path | None) -> None:
    source = demo.example_project_root()
    project = demo.prepare_demo_project(source, workdir)
    console.print(f"[bold]qualcode demo[/bold]: the example study from {source}")
    console.print(f"Scratch project: {project.root} (your checkout is not changed)\n")
    state: dict = {}
    for title, stage in STAGES:
        console.rule(title)
        started = time.perf_counter()
        stage(project, console, state)
        console.print(f"[dim]({time.perf_counter() - started:.1f} s)[/dim]\n")
    console.print(f"Everything the demo wrote is in {project.root / 'reports'}")


def _import(project: Project, out: Console, state: dict) -> None:
    step = demo.import_example_transcripts(project)
    out.print(f"Imported {plural(step.imported, 'transcript')}.\n")
    print_corpus_summary(step.corpus, project, out)


def _autocode(project: Project, out: Console, state: dict) -> None:
    step = demo.autocode_step(project)
    result = step.result
    out.print(f"Autocoded {len(result.units)} respondent turns ({result.words:,} words) as '{demo.MACHINE_CODER}': "
              f"{plural(result.codings_added, 'coding')} in {result.seconds:.1f} s. A machine's first pass: "
              "it counts in tallies and the report only where the lead names it.", markup=False, soft_wrap=True)
    print_role_summary(result, out)
    if step.evaluation is None:
        out.print("No reference coding found (coder 'alice' or tests/data/gold/ecm_gold.csv): evaluation skipped.")
        return
    out.print(f"Evaluating the rules against {step.reference} (hand-coded reference) ...", markup=False)
    print_evaluation(step.evaluation, per_code=False, out=out)


def _double_coding(project: Project, out: Console, state: dict) -> None:
    step = demo.double_coding_step(project)
    state["sample"] = step.sample
    print_sample(step.sample, out)
    for loaded in step.loaded:
        out.print(f"Loaded {plural(loaded.rows, 'coding')} from {loaded.name} ({', '.join(loaded.coders)}).",
                  markup=False, soft_wrap=True)
    if step.closed_by:
        out.print(f"Both coders are done: the lead ({step.closed_by}) closed the sample, so blind coding ends.",
                  markup=False, soft_wrap=True)
    print_agreement(step.agreement, out)


def _design(project: Project, out: Console, state: dict) -> None:
    step = demo.design_step(project, state["sample"])
    for transcript, (primary, second) in step.assignments:
        out.print(f"  {transcript}: primary coder {primary}, second coder {second}", markup=False)
    out.print(f"(qualcode assign {demo.DEMO_CODERS[0]} ...; the first coder assigned is the primary.) The example has "
              f"hand codings for these {plural(len(step.hand_coded), 'transcript')} only; the other transcripts "
              f"carry only the autocoder's first pass, which is not counted.", markup=False, soft_wrap=True)
    out.print(step.analysis.statement(), markup=False, soft_wrap=True)
    warning = step.analysis.coverage().warning
    if warning:
        out.print(f"Warning: {warning}", markup=False, soft_wrap=True, style="bold")


def _tallies(project: Project, out: Console, state: dict) -> None:
    step = demo.tally_step(project)
    print_tally(step.referral, out)
    refs, respondents, sites = (step.themes[k].groups[0] for k in demo.outputs.THEME_COUNTS)
    references = step.themes["references"]
    _print_themes(references.name, theme_rows(refs, respondents, sites), out)
    out.print(respondents.statement, theme_sentence(references.noun, respondents, sites), markup=False, soft_wrap=True)
    for kind in ("transcripts", "sites"):
        out.print(f"Command: {step.themes[kind].command}", markup=False, style="dim", soft_wrap=True)


def _print_themes(name: str, rows: list[list[str]], out: Console) -> None:
    table = Table(title=f"{name}: respondents and sites", title_justify="left")
    for index, heading in enumerate([name, "References", "Respondents", "% of respondents", "Sites"]):
        table.add_column(heading, justify="right" if index else "left")
    for row in rows:
        table.add_row(*row)
    show_table(out, table)


def _quotes(project: Project, out: Console, state: dict) -> None:
    step = demo.quotes_step(project)
    out.print(f"[bold]Quote sets[/bold] (the analysis set), one per theme, in {project.root / 'reports'}:",
              soft_wrap=True)
    for outcome in step.outcomes:
        if outcome.refused:
            out.print(f"  {outcome.group}: refused {outcome.refused}", markup=False, style="yellow", soft_wrap=True)
        elif not outcome.paths:
            out.print(f"  {outcome.group}: no quotes of {demo.outputs.DEMO_MIN_WORDS}+ words", markup=False)
        else:
            names = series([p.name for p in outcome.paths])
            out.print(f"  {outcome.group}: {plural(outcome.quotes, 'quote')} -> {names}", markup=False, soft_wrap=True)
    for line in basis_lines(step.basis) if step.basis else []:
        out.print(line, markup=False, soft_wrap=True, style="bold" if line.startswith("Warning") else "")
    out.print()
    for quote_set in step.examples:
        print_quote_set(quote_set, limit=1, out=out)


def _report(project: Project, out: Console, state: dict) -> None:
    step = demo.report_step(project)
    print_report_summary(step.output, out)


def _screen(project: Project, out: Console, state: dict) -> None:
    screen_step(project, out)


def screen_step(project: Project, out: Console) -> None:
    """Drive the coding screen headless on the demo project: code a turn, save a screenshot.

    Needs the ECM codebook and at least one imported service-provider transcript.
    """
    from qualcode.tui.run import (
        run_headless,  # Textual: loaded only when the screen runs
    )

    # A coder is added deliberately before coding, as 'qualcode coders add demo' does.
    if add_coder(project, SCREEN_CODER).created:
        out.print(f"Added coder '{SCREEN_CODER}' (qualcode coders add {SCREEN_CODER})", markup=False)
    target = project.root / "reports" / "coding-screen.svg"
    # Find "hotline" and apply it, then code one sentence of the next turn as a challenge.
    keys = ("slash", *"hotline", "enter", "n", "s", "l", "slash", *"case length", "enter")
    app = run_headless(project, SCREEN_CODER, keys=keys, screenshot=str(target))
    rows = list_codings(project, coder=SCREEN_CODER, transcript=app.state.transcript.id)
    out.print(f"Coding screen (headless) on {app.state.transcript.id} as coder '{SCREEN_CODER}':", markup=False)
    for row in rows:
        snippet = " ".join(row.text.split())
        shown = snippet if len(snippet) <= 70 else snippet[:69] + "…"
        out.print(f"  turn {row.segment}: {row.code} on “{shown}”", markup=False, soft_wrap=True)
    out.print(f"Screenshot: {target}", markup=False, soft_wrap=True)


def _exchange(project: Project, out: Console, state: dict) -> None:
    out.print(f"REFI-QDA export: {demo.exchange_step(project).summary()}", markup=False, soft_wrap=True)


def _store_copy(project: Project, out: Console, state: dict) -> None:
    step = demo.store_copy_step(project)
    out.print(f"db copy: {plural(step.rows, 'row')} in {plural(step.tables, 'table')} copied to {step.target}; "
              "counts and content hashes match", markup=False, soft_wrap=True)


def print_corpus_summary(summary, project: Project, out: Console = console) -> None:
    labels = {key: role.label for key, role in project.codebook.roles.items()}
    table = Table(title="Transcripts by stakeholder role and site")
    table.add_column("Role")
    for site in summary.sites:
        table.add_column(site, justify="right")
    table.add_column("Total", justify="right")
    table.add_column("%", justify="right")
    for role in summary.roles:
        cells = [str(summary.counts.get((role, s), 0)) for s in summary.sites]
        share = 100 * summary.role_total(role) / summary.total
        table.add_row(labels.get(role, role), *cells, str(summary.role_total(role)), f"{share:.0f}%")
    table.add_row(
        "Total", *(str(summary.site_total(s)) for s in summary.sites), str(summary.total), "100%",
        style="bold",
    )
    show_table(out, table)
    out.print(f"{plural(summary.total, 'transcript')}, {summary.respondent_turns} respondent turns, "
              f"{summary.words:,} words.")


STAGES = [
    ("Importing the example transcripts", _import),
    ("Autocoding the example study with the codebook's rules", _autocode),
    ("Double-coding sample and intercoder agreement", _double_coding),
    ("Who codes what: assignments and the analysis set", _design),
    ("Tallies of coded references", _tallies),
    ("Quote sets by theme, de-identified", _quotes),
    ("The study report", _report),
    ("The coding screen (headless screenshot)", _screen),
    ("REFI-QDA export and round trip", _exchange),
    ("A verified copy of the store", _store_copy),
]
