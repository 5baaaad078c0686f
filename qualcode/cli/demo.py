"""Rendering of ``qualcode demo``: the example study end to end.

Each stage calls the core through its command module's ``demo_step`` and prints the
result; the stages run in the order a study does: import, autocode, double-code and
measure agreement, tally, pull quotes, exchange, and finally the report.
"""

from __future__ import annotations

import time
from pathlib import Path

from qualcode.cli.common import console
from qualcode.cli.tables import show_table
from qualcode.words import plural


def _stages():
    from qualcode.cli import agreement, autocode, code, interop, quotes, tally

    return [
        ("Autocoding the example study with the codebook's rules", autocode.demo_step),
        ("Double-coding sample and intercoder agreement", agreement.demo_step),
        ("Tallies of coded references", tally.demo_step),
        ("Quote sets by theme, de-identified", quotes.demo_step),
        ("The coding screen (headless screenshot)", code.demo_step),
        ("REFI-QDA export and round trip", interop.demo_step),
        ("The study report", tally.demo_report),
    ]


def run_demo(workdir: Path | None) -> None:
    from qualcode.demo import example_project_root, import_example_transcripts, prepare_demo_project

    source = example_project_root()
    project = prepare_demo_project(source, workdir)
    console.print(f"[bold]qualcode demo[/bold]: the example study from {source}")
    console.print(f"Scratch project: {project.root} (your checkout is not changed)\n")
    console.rule("Importing the example transcripts")
    outcomes = import_example_transcripts(project)
    console.print(f"Imported {plural(sum(o.status == 'imported' for o in outcomes), 'transcript')}.\n")
    print_corpus_summary(project)
    for title, step in _stages():
        console.print()
        console.rule(title)
        started = time.perf_counter()
        step(project, console)
        console.print(f"[dim]({time.perf_counter() - started:.1f} s)[/dim]")
    console.print(f"\nEverything the demo wrote is in {project.root / 'reports'}")


def print_corpus_summary(project) -> None:
    from rich.table import Table

    from qualcode.transcripts.reading import corpus_summary

    summary = corpus_summary(project)
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
    show_table(console, table)
    console.print(
        f"{plural(summary.total, 'transcript')}, {summary.respondent_turns} respondent turns, "
        f"{summary.words:,} words."
    )
