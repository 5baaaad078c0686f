"""What the example study produces: tallies, quote sets, the report, and the exchanges.

Every count here is the analysis set's (:func:`qualcode.demo.design_step`): alice's and
bob's hand codings on the transcripts they code, never the autocoder's first pass;
each result carries the analysis set's statement and coverage warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.analysis.analysis_set import analysis_set
from qualcode.errors import ExportError
from qualcode.interop.roundtrip import round_trip
from qualcode.project import Project
from qualcode.quotes.attribution import AttributionOptions
from qualcode.quotes.quoteset import QuoteSet, build_quote_set
from qualcode.quotes.selection import QuoteQuery, used_codes
from qualcode.quotes.writers import export_quote_set
from qualcode.report import ReportOutput, build_report
from qualcode.store import sqlite_url
from qualcode.store.copy import copy_store
from qualcode.tally.frequencies import TallyResult, tally

DEMO_TALLY = "referral"
DEMO_THEMES = "challenge"
DEMO_MIN_WORDS = 12  # a quote under this many words (after cleaning) says too little to quote
THEME_COUNTS = ("references", "transcripts", "sites")


@dataclass(frozen=True)
class TallyStep:
    """Referral streams by role, and the challenge themes counted three ways."""

    referral: TallyResult
    themes: dict[str, TallyResult]  # count type -> tally

    def to_dict(self) -> dict[str, Any]:
        return {"referral": self.referral.to_dict(), **{k: v.to_dict() for k, v in self.themes.items()}}


def tally_step(project: Project) -> TallyStep:
    referral = tally(project, DEMO_TALLY, by="role", noun="referral streams")
    themes = {kind: tally(project, DEMO_THEMES, count=kind, rollup=True) for kind in THEME_COUNTS}
    return TallyStep(referral, themes)


@dataclass(frozen=True)
class QuoteOutcome:
    """One theme's quote set: written, empty, or refused (with the gate's first line)."""

    group: str
    quotes: int
    paths: tuple[Path, ...] = ()
    refused: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "quotes": self.quotes, "paths": [str(p) for p in self.paths],
                "refused": self.refused}


@dataclass(frozen=True)
class QuotesStep:
    outcomes: tuple[QuoteOutcome, ...]
    examples: tuple[QuoteSet, ...]  # the first few written sets, to show a quote of each
    basis: QuoteSet | None  # any built set: whose codings and coverage (the same for every theme)

    @property
    def written(self) -> list[Path]:
        return [path for outcome in self.outcomes for path in outcome.paths]

    def to_dict(self) -> dict[str, Any]:
        return {"outcomes": [o.to_dict() for o in self.outcomes],
                "coverage": self.basis.coverage if self.basis else None}


def quotes_step(project: Project, examples: int = 3) -> QuotesStep:
    """A quote set per top-level theme the counted coders used, to reports/quotes-<code>.docx/.md.

    A theme whose quotes still hold likely identifiers is refused, as any export would be.
    """
    outcomes: list[QuoteOutcome] = []
    shown: list[QuoteSet] = []
    basis: QuoteSet | None = None
    for group in _themes(project):
        query = QuoteQuery(codes=(group,), limit=12, per_transcript=2, min_words=DEMO_MIN_WORDS, max_words=80,
                           context=1)
        quote_set = build_quote_set(project, query, attribution=AttributionOptions(site=True))
        basis = basis or quote_set
        if not quote_set.quotes:
            outcomes.append(QuoteOutcome(group, 0))
            continue
        try:
            paths = tuple(export_quote_set(quote_set, project.root / "reports" / f"quotes-{group}.{suffix}")
                          for suffix in ("docx", "md"))
        except ExportError as error:
            outcomes.append(QuoteOutcome(group, len(quote_set.quotes), refused=error.message.splitlines()[0]))
            continue
        outcomes.append(QuoteOutcome(group, len(quote_set.quotes), paths))
        if len(shown) < examples:
            shown.append(quote_set)
    return QuotesStep(tuple(outcomes), tuple(shown), basis)


def _themes(project: Project) -> list[str]:
    """Top-level codes (codebook order) with codings by a coder the analysis set counts."""
    used = {code for coder in analysis_set(project).coders for code in used_codes(project, coder)}
    return [c.id for c in project.codebook.top_level() if any(u == c.id or u.startswith(c.id + ".") for u in used)]


@dataclass(frozen=True)
class ReportStep:
    output: ReportOutput

    def to_dict(self) -> dict[str, Any]:
        return {"paths": [str(p) for p in self.output.paths], "charts": len(self.output.charts),
                "skipped": {s.title: s.skipped for s in self.output.sections if s.skipped}}


def report_step(project: Project) -> ReportStep:
    """The study report (Markdown, Word and the self-contained HTML page) on the analysis set."""
    return ReportStep(build_report(project, project.root / "reports", html=True))


def exchange_step(project: Project):
    """Export to reports/ecm.qdpx and read it back into a scratch project (interop.roundtrip.RoundTrip)."""
    return round_trip(project, project.root / "reports" / "ecm.qdpx")


@dataclass(frozen=True)
class StoreCopyStep:
    rows: int
    tables: int
    target: str

    def to_dict(self) -> dict[str, Any]:
        return vars(self).copy()


def store_copy_step(project: Project) -> StoreCopyStep:
    """Copy the store to a second SQLite file, check counts and content hashes, delete the copy.

    The same verified copy moves a project to PostgreSQL (``db copy --to
    postgresql+psycopg://...``); the demo stays on one machine.
    """
    target = project.root / ".qualcode" / "copy-check.db"
    target.unlink(missing_ok=True)
    report = copy_store(project.database_url, sqlite_url(target))
    for leftover in (target, target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return StoreCopyStep(report.rows, len(report.tables), target.name)
