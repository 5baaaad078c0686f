"""Writing tallies and crosstabs as text tables, CSV, Markdown, XLSX and JSON.

Every writer returns the text it wrote (XLSX returns None: it is binary and needs a
file). Under every table the command that reproduces it is printed, so each number
can be traced back.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.tally.selection import TallyError

if TYPE_CHECKING:
    from qualcode.tally.crosstab import CrosstabResult
    from qualcode.tally.frequencies import TallyResult

FORMATS = ("table", "csv", "md", "xlsx", "json")
SUFFIX_FORMATS = {".csv": "csv", ".md": "md", ".xlsx": "xlsx", ".json": "json", ".txt": "table"}


def check_format(fmt: str | None, output: Path | None) -> str:
    """The format asked for, or the one the output file's suffix implies (else table)."""
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(output.suffix.lower(), "table") if output else "table"
    if fmt not in FORMATS:
        raise TallyError(f"Unknown format '{fmt}'; formats: {', '.join(FORMATS)}")
    if fmt == "xlsx" and output is None:
        raise TallyError("--format xlsx writes a file: add -o FILE.xlsx")
    return fmt


def _xlsx_file(output: Path | None) -> Path:
    if output is None:  # check_format refuses this first
        raise TallyError("--format xlsx writes a file: add -o FILE.xlsx")
    return output


def percent_cell(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def text_table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    """A plain fixed-width table (left-aligned labels, right-aligned numbers)."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells) -> str:
        out = [
            str(c).rjust(w) if i >= numeric_from else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def markdown_table(header: list[str], rows: list[list[str]], numeric_from: int = 1) -> str:
    def escape(cell) -> str:
        return str(cell).replace("|", "\\|")

    align = ["---" if i < numeric_from else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(escape(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# -- tallies ----------------------------------------------------------------------


def tally_header(result: TallyResult) -> list[str]:
    unit = {"references": "References", "transcripts": "Transcripts", "sites": "Sites"}[result.count_type]
    return [result.name, unit, "Percent"]


def tally_rows(result: TallyResult, group) -> list[list[str]]:
    """A group's table body: its rows, the others beyond --top, and the total."""
    rows = [[r.name, str(r.count), percent_cell(r.percent)] for r in group.rows]
    if group.other_codes:
        share = 100 * group.other_count / group.total if group.total and result.count_type == "references" else None
        rows.append([f"Other ({group.other_codes} codes)", str(group.other_count), percent_cell(share)])
    if result.count_type == "references":
        rows.append(["Total", str(group.total), "100.0" if group.total else ""])
    else:
        rows.append([f"Any of the {result.noun} (base {group.total})", str(group.mentioning),
                     percent_cell(100 * group.mentioning / group.total if group.total else None)])
    return rows


def _whose(label: str) -> str:
    return label if label == "analysis set" else f"coder {label}"


def analysis_lines(result) -> list[str]:
    """Whose codings count, and the coverage warning when the figures rest on less than the selection."""
    lines = [result.analysis] if getattr(result, "analysis", "") else []
    warning = getattr(result, "warning", "")
    return lines + ([f"Warning: {warning}"] if warning else [])


def tally_text(result: TallyResult, markdown: bool = False) -> str:
    blocks = []
    for group in result.groups:
        table = (markdown_table if markdown else text_table)(tally_header(result), tally_rows(result, group))
        heading = f"### {group.label}" if markdown else group.label
        blocks.append(f"{heading}\n\n{group.statement}\n\n{table}\n\n{group.summary}")
    title = f"{result.name} ({result.code}): {result.count_type}, {_whose(result.coder)}"
    head = f"## {title}" if markdown else title
    notes = analysis_lines(result) + [f"Note: {n}" for n in result.notes]
    command = f"Command: `{result.command}`" if markdown else f"Command: {result.command}"
    return "\n\n".join([head, *blocks, *notes, command]) + "\n"


def tally_csv(result: TallyResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["group", "code", "name", "count", "percent", "base"])
    for group in result.groups:
        for r in group.rows:
            writer.writerow([group.label, r.code, r.name, r.count, percent_cell(r.percent), group.total])
    return buffer.getvalue()


def tally_xlsx(result: TallyResult, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "tally"
    sheet.append(["group", "code", "name", "count", "percent", "base"])
    for group in result.groups:
        for r in group.rows:
            sheet.append([group.label, r.code, r.name, r.count, _rounded(r.percent), group.total])
    sentences = book.create_sheet("sentences")
    sentences.append(["group", "statement", "summary"])
    for group in result.groups:
        sentences.append([group.label, group.statement, group.summary])
    sentences.append(["command", result.command, ""])
    for line in analysis_lines(result):
        sentences.append(["coverage", line, ""])
    _bold_header(book)
    book.save(path)


def write_tally(result: TallyResult, fmt: str, output: Path | None = None) -> str | None:
    """Render a tally in ``fmt``; write it to ``output`` when given. Returns the text."""
    return _write(fmt, output, {
        "table": lambda: tally_text(result),
        "md": lambda: tally_text(result, markdown=True),
        "csv": lambda: tally_csv(result),
        "json": lambda: json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n",
        "xlsx": lambda: tally_xlsx(result, _xlsx_file(output)),
    })


# -- crosstabs --------------------------------------------------------------------


def crosstab_grids(result: CrosstabResult) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for the counts, row-percent and column-percent tables."""
    header = [_axis_title(result), *(c.label for c in result.columns), "Total"]
    counts = [
        [r.label, *(str(n) for n in result.counts[i]), str(result.row_totals[i])]
        for i, r in enumerate(result.rows)
    ]
    counts.append(["Total", *(str(n) for n in result.column_totals), str(result.grand_total)])
    row_pct = [
        [r.label, *(percent_cell(result.row_percent(i, j)) for j in range(len(result.columns))),
         str(result.row_bases[i])]
        for i, r in enumerate(result.rows)
    ]
    column_pct = [
        [r.label, *(percent_cell(result.column_percent(i, j)) for j in range(len(result.columns))), ""]
        for i, r in enumerate(result.rows)
    ]
    column_pct.append(["Base", *(str(b) for b in result.column_bases), ""])
    return [
        (f"Counts ({result.measure})", header, counts),
        ("Row percentages (of the row's total)", [*header[:-1], "Base"], row_pct),
        ("Column percentages (of the column's base)", header, column_pct),
    ]


def _axis_title(result: CrosstabResult) -> str:
    return f"{result.row_spec} \\ {result.column_spec}"


def crosstab_text(result: CrosstabResult, markdown: bool = False) -> str:
    render = markdown_table if markdown else text_table
    blocks = []
    for title, header, rows in crosstab_grids(result):
        blocks.append(f"### {title}" if markdown else title)
        blocks.append(render(header, rows))
    who = f", {_whose(result.coder)}" if result.coder else ""
    head = f"Crosstab {result.row_spec} x {result.column_spec}: {result.measure}{who}"
    command = f"Command: `{result.command}`" if markdown else f"Command: {result.command}"
    notes = analysis_lines(result) + [f"Note: {n}" for n in result.notes]
    return "\n\n".join([f"## {head}" if markdown else head, *blocks, *notes, command]) + "\n"


def crosstab_csv(result: CrosstabResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "row_label", "column", "column_label", "count", "row_percent", "column_percent"])
    for i, r in enumerate(result.rows):
        for j, c in enumerate(result.columns):
            writer.writerow([r.key, r.label, c.key, c.label, result.counts[i][j],
                             percent_cell(result.row_percent(i, j)), percent_cell(result.column_percent(i, j))])
    return buffer.getvalue()


def crosstab_xlsx(result: CrosstabResult, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for (title, header, rows), name in zip(crosstab_grids(result), ("counts", "row %", "column %"), strict=True):
        sheet = book.create_sheet(name)
        sheet.append([title])
        sheet.append(header)
        for row in rows:
            sheet.append([_number(cell) for cell in row])
    command = book.create_sheet("command")
    command.append([result.command])
    for line in analysis_lines(result):
        command.append([line])
    book.save(path)


def write_crosstab(result: CrosstabResult, fmt: str, output: Path | None = None) -> str | None:
    """Render a crosstab in ``fmt``; write it to ``output`` when given. Returns the text."""
    return _write(fmt, output, {
        "table": lambda: crosstab_text(result),
        "md": lambda: crosstab_text(result, markdown=True),
        "csv": lambda: crosstab_csv(result),
        "json": lambda: json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n",
        "xlsx": lambda: crosstab_xlsx(result, _xlsx_file(output)),
    })


# -- helpers ----------------------------------------------------------------------


def _write(fmt: str, output: Path | None, renderers) -> str | None:
    fmt = check_format(fmt, output)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    text = renderers[fmt]()
    if text is not None and output is not None:
        output.write_text(text, encoding="utf-8")
    return text


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _number(cell: str):
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell


def _bold_header(book) -> None:
    from openpyxl.styles import Font

    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
