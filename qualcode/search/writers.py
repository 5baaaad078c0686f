"""Hits and passages to CSV, XLSX or DOCX, chosen by the output file's suffix.

These are the study team's *working files*: they hold transcript text as it is, not
de-identified (the CLI says so when it writes one). Text for a write-up goes through
``qualcode quotes``, which applies the redaction rules and the identifier gate: code
the hits (``search --code``), then pull the quote set for that code.

Every writer takes rows of plain dicts (``Hit.to_dict()``, ``Passage.to_dict()``) and
the column order, so search, query and matrix passages share them. A matrix writes
one XLSX sheet per cell (:func:`write_sheets`).
"""

from __future__ import annotations

import csv
from pathlib import Path

from qualcode.privacy import private_file
from qualcode.search.index import SearchError

SUFFIXES = (".csv", ".xlsx", ".docx")
HIT_COLUMNS = ("transcript", "segment", "start", "end", "role", "site", "left", "matched", "right")
PASSAGE_COLUMNS = ("transcript", "segment", "start", "end", "role", "site", "text")
SHEET_NAME_LIMIT = 31  # Excel's limit
NOT_DEIDENTIFIED = ("Working file: transcript text as recorded, NOT de-identified. "
                    "For quotes in a write-up use 'qualcode quotes', which applies the redaction rules.")


def check_output(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SearchError(f"Cannot write '{path.name}': the output suffix must be one of {', '.join(SUFFIXES)}")
    return suffix


def write_rows(path: Path, rows: list[dict], columns, title: str) -> Path:
    """Write ``rows`` (dicts) with ``columns`` to a file of the suffix's format."""
    suffix = check_output(path)
    private_file(path)  # 0600 before any transcript text is written (docs/security.md)
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows([[row.get(c, "") for c in columns] for row in rows])
    elif suffix == ".xlsx":
        write_sheets(path, [(title, rows, columns)])
    else:
        _docx(path, rows, title)
    return path


def write_sheets(path: Path, sheets: list[tuple[str, list[dict], tuple]]) -> Path:
    """One sheet per ``(name, rows, columns)``; names cut to Excel's 31 characters, kept unique."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, rows, columns in sheets:
        sheet = book.create_sheet(_sheet_name(name, used))
        sheet.append(list(columns))
        for row in rows:
            sheet.append([row.get(c, "") for c in columns])
    private_file(path)
    book.save(path)
    return path


def _sheet_name(name: str, used: set[str]) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:SHEET_NAME_LIMIT] or "sheet"
    candidate, n = cleaned, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = cleaned[: SHEET_NAME_LIMIT - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _docx(path: Path, rows: list[dict], title: str) -> None:
    """A heading, then one paragraph per row: where, then the text with the match bold."""
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(NOT_DEIDENTIFIED)
    for row in rows:
        where = f"{row['transcript']}, turn {row['segment']} ({row.get('role', '')}, {row.get('site', '')})"
        document.add_paragraph(where, style="Heading 3")
        paragraph = document.add_paragraph()
        if "matched" in row:
            paragraph.add_run(row["left"])
            paragraph.add_run(row["matched"]).bold = True
            paragraph.add_run(row["right"])
        else:
            paragraph.add_run(row.get("text", ""))
    document.save(str(path))
