"""What the study report needs from quote sets: the files written, and an appendix.

- :func:`list_quote_sets` finds the quote-set files in ``reports/`` (Markdown and Word
  written by qualcode, recognised by the record they carry) and reads back their codes
  and quote counts.
- :func:`quote_sets_section` builds a report section: the list of files and, per
  theme, its most representative quotes (fresh from the store, through the same
  redaction and leftover-identifier gate as every export).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ExportError
from qualcode.quotes.identifiers import find_identifiers
from qualcode.quotes.quoteset import build_quote_set, ensure_masked
from qualcode.quotes.redaction import load_rules
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import MARKER, sections
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.quotes.quoteset import QuoteSet

_MD_RECORD = re.compile(r"<!-- " + re.escape(MARKER) + r" (\{.*\}) -->")


@dataclass(frozen=True)
class QuoteSetFile:
    """A quote-set file on disk and what it holds."""

    path: Path
    format: str
    title: str
    codes: list[str] = field(default_factory=list)
    quotes: int = 0
    generated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "format": self.format, "title": self.title, "codes": list(self.codes),
                "quotes": self.quotes, "generated_at": self.generated_at}


def list_quote_sets(project: Project, folder: Path | None = None) -> list[QuoteSetFile]:
    """Quote-set files (.md, .docx) written by qualcode in ``folder`` (default: reports/)."""
    folder = folder or project.root / "reports"
    found = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        reader = {".md": _read_markdown, ".docx": _read_docx}.get(path.suffix.lower())
        item = reader(path) if reader else None
        if item is not None:
            found.append(item)
    return found


def _read_markdown(path: Path) -> QuoteSetFile | None:
    with path.open(encoding="utf-8") as handle:
        first, title = handle.readline(), handle.readline()
    match = _MD_RECORD.match(first.strip())
    if not match:
        return None
    record = json.loads(match.group(1))
    return QuoteSetFile(path, "md", title.lstrip("# ").strip(), record.get("codes", []),
                        record.get("quotes", 0), record.get("generated_at", ""))


def _read_docx(path: Path) -> QuoteSetFile | None:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        props = Document(str(path)).core_properties
    except (PackageNotFoundError, KeyError, ValueError):
        return None
    if props.keywords != MARKER:
        return None
    try:
        record = json.loads(props.comments or "{}")
    except json.JSONDecodeError:
        record = {}
    codes = [c.strip() for c in (props.subject or "").split(",") if c.strip()]
    return QuoteSetFile(path, "docx", props.title or path.stem, codes, record.get("quotes", 0),
                        record.get("generated_at", ""))


def check_file_names(project: Project, paths: list[Path]) -> None:
    """Refuse (ExportError) when a file name the report lists holds a likely identifier."""

    allow = load_rules(project).allow
    found = []
    for path in paths:
        words = re.sub(r"[-_.]+", " ", path.stem)
        found += [f"file name {path.name}: {f.kind} '{f.text}'" for f in find_identifiers(words, allow=allow)]
    if found:
        raise ExportError("Refusing to list quote-set files whose names hold likely identifiers; rename them "
                          "or allow the words in qualcode.toml [redaction]:\n  " + "\n  ".join(found))


@dataclass(frozen=True)
class QuoteSetsSection:
    """The report's quote-set section: its Markdown, the files it lists and the set it quotes."""

    title: str
    markdown: str
    files: tuple[Path, ...]  # the quote-set files in reports/
    quote_set: QuoteSet  # the representative quotes, masked, without provenance

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "markdown": self.markdown, "files": [str(path) for path in self.files],
                "quote_set": self.quote_set.to_dict()}


def quote_sets_section(project: Project, *, per_code: int = 3, coder: str | None = None,
                       codes: tuple[str, ...] = (), allow_unmasked: bool = False) -> QuoteSetsSection:
    """A report section (:class:`QuoteSetsSection`).

    The Markdown lists the quote-set files in reports/ and, per theme, its
    ``per_code`` most representative quotes with their attribution (no provenance).
    Raises ExportError, like any export, while likely identifiers are unmasked.
    """

    quote_set = build_quote_set(project, QuoteQuery(codes=codes, coder=coder, limit=per_code,
                                                    per_transcript=1, min_words=12, max_words=80), provenance=False)
    quote_set = ensure_masked(quote_set, allow_unmasked=allow_unmasked)
    files = list_quote_sets(project)
    if not allow_unmasked:
        check_file_names(project, [f.path for f in files])
    lines = ["## Quote sets", ""]
    if files:
        lines += ["Full quote sets by theme (Word and Markdown, in reports/):", ""]
        lines += [f"- `{f.path.name}`: {f.title.removeprefix('Quote set: ')} ({plural(f.quotes, 'quote')})" for f in files]
        lines.append("")
    for section in sections(quote_set, "code"):
        lines += [f"### {section.title}", ""]
        for quote in section.quotes + [q for child in section.children for q in child.quotes]:
            lines += [f"> {quote.text}", ">", f"> {quote.attribution}", ""]
    return QuoteSetsSection("Quote sets", "\n".join(lines), tuple(f.path for f in files), quote_set)
