"""What a report is made of: sections holding paragraphs, tables and charts.

Section functions build these plain objects; the writers (Markdown, Word, HTML) only
lay them out. Every table carries the command that reproduces its numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.project import Project


@dataclass
class Table:
    """A table: ``header`` and string ``rows``; ``numeric_from`` is the first numeric column."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    command: str | list[str] = ""
    note: str = ""
    numeric_from: int = 1
    bold_last_row: bool = False

    @property
    def commands(self) -> list[str]:
        """The command(s) that reproduce the table, one per line."""
        return [self.command] if isinstance(self.command, str) and self.command else list(self.command or [])


@dataclass
class Chart:
    """A chart already drawn to ``path`` (PNG, so Word can embed it)."""

    caption: str
    path: Path
    command: str = ""

    @property
    def commands(self) -> list[str]:
        return [self.command] if self.command else []


@dataclass
class Quote:
    """A quotation with its attribution ("—Prosecutor"), set off as a block."""

    text: str
    attribution: str = ""


@dataclass
class Section:
    """One report section: blocks (paragraphs, tables, charts) in reading order.

    ``skipped`` says why a section has no content (its input is absent); the writers
    print it as a note so a reader sees what is missing and why.
    """

    title: str
    blocks: list[str | Table | Chart | Quote] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)
    skipped: str | None = None
    name: str = ""

    def add(self, *blocks: str | Table | Chart | Quote) -> Section:
        self.blocks.extend(blocks)
        return self

    @property
    def paragraphs(self) -> list[str]:
        return [b for b in self.blocks if isinstance(b, str)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self._all_blocks() if isinstance(b, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [b for b in self._all_blocks() if isinstance(b, Chart)]

    def _all_blocks(self) -> list:
        found = list(self.blocks)
        for sub in self.subsections:
            found.extend(sub._all_blocks())
        return found


def skipped(title: str, reason: str) -> Section:
    """A section whose input is absent: kept in the report as a note, never silently."""
    return Section(title=title, skipped=reason)


@dataclass
class ReportContext:
    """What every section function receives."""

    project: Project
    coder: str | None  # a coder named for every transcript; None: the analysis set
    out_dir: Path
    chart_dir: Path
    settings: dict[str, Any] = field(default_factory=dict)
    charts: list[Path] = field(default_factory=list)
    analysis: Any = None  # the AnalysisSet counted; None when the project has no codings

    @property
    def counted(self) -> bool:
        return self.analysis is not None

    def chart_path(self, stem: str) -> Path:
        """A fresh PNG path under the report's chart folder (recorded for the summary)."""
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem)
        path = self.chart_dir / f"{safe}.png"
        self.charts.append(path)
        return path


@dataclass
class Report:
    title: str
    subtitle: str
    sections: list[Section]
