"""Rendering of ``qualcode demo``: each stage calls the core and prints its result."""

from __future__ import annotations

from pathlib import Path

from qualcode.cli.common import console


def run_demo(workdir: Path | None) -> None:
    from qualcode.demo import example_project_root, import_example_transcripts, prepare_demo_project

    source = example_project_root()
    project = prepare_demo_project(source, workdir)
    console.print(f"[bold]qualcode demo[/bold]: example study from {source}")
    console.print(f"Scratch project: {project.root}\n")
    outcomes = import_example_transcripts(project)
    console.print(f"Imported {sum(o.status == 'imported' for o in outcomes)} transcripts.\n")
    print_corpus_summary(project)


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
    console.print(table)
    console.print(
        f"{summary.total} transcripts, {summary.respondent_turns} respondent turns, "
        f"{summary.words:,} words."
    )
