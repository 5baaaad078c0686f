"""Tables in and out as CSV or XLSX files: the generic reading and writing.

Shared by the codings spreadsheets (:mod:`qualcode.interop.spreadsheets`) and the
reconciliation decisions (:mod:`qualcode.agreement.decisions`), so it sits at the
bottom, below every feature. Reading returns the header (lower-cased) and the non-empty
rows with their spreadsheet row numbers (row 1 is the header); a workbook's sheet named
``codings`` is read if present, else its first sheet. Writing makes the file private
(0600) first, since these tables carry coded text, and writes CSV with a BOM so that
Excel reads it as UTF-8.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from qualcode.errors import ExportError, NotFoundError, Problem, ValidationFailed
from qualcode.privacy import private_file

FORMATS = ("csv", "xlsx")


def format_of(path: Path, fmt: str | None = None) -> str:
    """``csv`` or ``xlsx``: the explicit format, else the file's suffix."""
    chosen = (fmt or Path(path).suffix.lstrip(".") or "csv").lower()
    if chosen not in FORMATS:
        raise ExportError(f"unknown spreadsheet format '{chosen}'; formats: {', '.join(FORMATS)}", file=str(path))
    return chosen


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (lower-cased) and ``(row number, {column: text})`` for each non-empty row."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no such file: {path}", file=str(path))
    grid = _xlsx_grid(path) if format_of(path) == "xlsx" else _csv_grid(path)
    if not grid:
        raise ValidationFailed(problems=[Problem("row 1: the file is empty; expected a header row", file=path.name)])
    header = [str(cell).strip().lower() for cell in grid[0]]
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        values = {name: _cell_text(cells[i]) if i < len(cells) else "" for i, name in enumerate(header) if name}
        if any(values.values()):
            rows.append((number, values))
    return header, rows


def _csv_grid(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed(problems=[Problem(
            f"row 1: the file is not UTF-8 ({error.reason} at byte {error.start}); save it as 'CSV UTF-8'",
            file=path.name)]) from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [row for row in csv.reader(io.StringIO(text, newline=""), dialect)]


def _xlsx_grid(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        problem = Problem(f"row 1: cannot read the workbook: {error}", file=path.name)
        raise ValidationFailed(problems=[problem]) from None
    try:
        sheet = workbook["codings"] if "codings" in workbook.sheetnames else workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 3 as 3.0
    return str(value).strip()


def write_table(columns: list[str], records: list[dict[str, Any]], path: Path | None, fmt: str) -> str | None:
    """Write records as CSV (to ``path``, or returned as text when ``path`` is None) or XLSX."""
    if path is not None:
        private_file(Path(path))  # codings tables carry the coded text: 0600 before writing
    if fmt == "xlsx":
        if path is None:
            raise ExportError("an XLSX export needs a file: pass -o FILE.xlsx")
        _write_xlsx(columns, records, Path(path))
        return None
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in records)
    if path is None:
        return buffer.getvalue()
    # A BOM makes Excel read the file as UTF-8; import strips it again.
    Path(path).write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return None


def _write_xlsx(columns: list[str], records: list[dict[str, Any]], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("codings")
    sheet.append(columns)
    for record in records:
        sheet.append([record.get(column) for column in columns])
    try:
        workbook.save(path)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror}", file=str(path)) from None
