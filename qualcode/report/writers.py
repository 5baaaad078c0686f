"""Laying a report out as Markdown, Word (.docx) and HTML.

Tables and figures are numbered in reading order; each is followed by the command
that reproduces it. Word documents get real tables and the charts embedded as PNG.
The HTML page is self-contained: its CSS is inline and its charts are embedded as
``data:`` URIs, so the one file can be mailed or opened anywhere and still shows
every figure (no ``src``/``href`` points outside it).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.report.model import Chart, Quote, Table

if TYPE_CHECKING:
    from qualcode.report.model import Report, Section

CHART_WIDTH_INCHES = 6.0
CHART_MAX_HEIGHT_INCHES = 8.5


class _Numbers:
    """Running table and figure numbers."""

    def __init__(self) -> None:
        self.table = 0
        self.figure = 0

    def next_table(self) -> int:
        self.table += 1
        return self.table

    def next_figure(self) -> int:
        self.figure += 1
        return self.figure


def walk(report: Report):
    """(level, section) in reading order; level 1 for top sections."""
    def visit(section: Section, level: int):
        yield level, section
        for sub in section.subsections:
            yield from visit(sub, level + 1)

    for section in report.sections:
        yield from visit(section, 1)


# -- Markdown -------------------------------------------------------------------------


def write_markdown(report: Report, path: Path) -> Path:
    from qualcode.tally.formats import markdown_table

    numbers = _Numbers()
    lines = [f"# {report.title}", "", report.subtitle, ""]
    for level, section in walk(report):
        lines += [f"{'#' * (level + 1)} {section.title}", ""]
        if section.skipped:
            lines += [f"> Not included: {section.skipped}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                lines += [f"**Table {numbers.next_table()}. {block.caption}**", "",
                          markdown_table(block.header, block.rows, block.numeric_from), ""]
                lines += [f"*{block.note}*", ""] if block.note else []
                lines += _markdown_commands(block)
            elif isinstance(block, Chart):
                caption = f"Figure {numbers.next_figure()}. {block.caption}"
                lines += [f"![{caption}]({_relative(block.path, path.parent)})", "", f"*{caption}*", ""]
                lines += _markdown_commands(block)
            elif isinstance(block, Quote):
                lines += [f"> {block.text}", ">", f"> {block.attribution}", ""]
            else:
                lines += [block, ""]
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


def _markdown_commands(block) -> list[str]:
    commands = block.commands
    if not commands:
        return []
    if len(commands) == 1:
        return [f"Command: `{commands[0]}`", ""]
    return ["Commands:", "", *(f"- `{c}`" for c in commands), ""]


def _relative(target: Path, folder: Path) -> str:
    try:
        return target.relative_to(folder).as_posix()
    except ValueError:
        return target.as_posix()


# -- Word -----------------------------------------------------------------------------


def write_docx(report: Report, path: Path) -> Path:
    from docx import Document

    document = Document()
    document.core_properties.title = report.title[:255]  # Word's limit for a core property
    document.core_properties.subject = report.subtitle[:255]
    document.add_heading(report.title, level=0)
    document.add_paragraph(report.subtitle)
    numbers = _Numbers()
    for level, section in walk(report):
        document.add_heading(section.title, level=min(level, 4))
        if section.skipped:
            document.add_paragraph().add_run(f"Not included: {section.skipped}").italic = True
        for block in section.blocks:
            _docx_block(document, block, numbers)
    document.save(str(path))
    return path


def _docx_block(document, block, numbers: _Numbers) -> None:
    from docx.shared import Inches

    if isinstance(block, Table):
        _caption(document, f"Table {numbers.next_table()}. {block.caption}")
        _docx_table(document, block)
        if block.note:
            document.add_paragraph().add_run(block.note).italic = True
        _command(document, block.commands)
    elif isinstance(block, Chart):
        document.add_picture(str(block.path), width=Inches(_chart_width(block.path)))
        _caption(document, f"Figure {numbers.next_figure()}. {block.caption}")
        _command(document, block.commands)
    elif isinstance(block, Quote):
        _style_or_plain(document, block.text, "Quote")
        document.add_paragraph(block.attribution).alignment = 2  # right
    else:
        document.add_paragraph(block)


def _chart_width(path: Path) -> float:
    """Inches: the page width, narrower for tall charts so they fit on one page."""
    from docx.image.image import Image

    image = Image.from_file(str(path))
    aspect = image.px_height / image.px_width if image.px_width else 1.0
    return min(CHART_WIDTH_INCHES, CHART_MAX_HEIGHT_INCHES / aspect)


TABLE_WIDTH_INCHES = 6.5  # a Letter/A4 page's text width
CHAR_INCHES = 0.085  # one (bold, serif) character at the table's 9 pt, rendered in Word and LibreOffice
CELL_PADDING_INCHES = 0.2  # the cell margins of the Table Grid style, and a little air


def column_widths(header: list[str], rows: list[list[str]], total: float = TABLE_WIDTH_INCHES,
                  char: float = CHAR_INCHES) -> list[float]:
    """Inches per column, sized to content: each column gets room for its longest word
    (so no label breaks mid-word) and a share of the rest in proportion to its longest
    cell; the table never exceeds the page width.

    >>> [round(w, 2) for w in column_widths(["Role", "N"], [["Law enforcement", "12"]])]
    [1.48, 0.37]
    """
    columns = len(header)
    cells = [[str(v) for v in row] + [""] * (columns - len(row)) for row in [header, *rows]]
    longest_word = [max((len(w) for row in cells for w in row[c].split()), default=1) for c in range(columns)]
    longest_cell = [max((len(row[c]) for row in cells), default=1) for c in range(columns)]
    floor = [CELL_PADDING_INCHES + char * n for n in longest_word]
    want = [CELL_PADDING_INCHES + char * n for n in longest_cell]
    if sum(want) <= total:
        return want
    if sum(floor) >= total:  # even whole words do not fit: shrink in proportion
        return [total * f / sum(floor) for f in floor]
    spare, extra = total - sum(floor), [w - f for w, f in zip(want, floor, strict=True)]
    return [f + spare * e / sum(extra) for f, e in zip(floor, extra, strict=True)]


def _docx_table(document, block: Table) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt

    table = document.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = "Table Grid"
    table.autofit = False
    size = _font_size(block)
    widths = column_widths(block.header, block.rows, char=CHAR_INCHES * size / 9)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Inches(width)
    for row_index, values in enumerate([block.header, *block.rows]):
        bold = row_index == 0 or (block.bold_last_row and row_index == len(block.rows))
        for column, value in enumerate(values):
            cell = table.rows[row_index].cells[column]
            cell.width = Inches(widths[column])  # Word reads the cell widths, LibreOffice the grid
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(str(value))
            run.bold, run.font.size = bold, Pt(size)
            if column >= block.numeric_from and row_index > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _font_size(block: Table) -> int:
    """9 pt, or 8 pt for a wide table whose words would not fit whole at 9 pt."""
    cells = [[str(v) for v in row] for row in [block.header, *block.rows]]
    words = [max((len(w) for row in cells if c < len(row) for w in row[c].split()), default=1)
             for c in range(len(block.header))]
    needed = sum(CELL_PADDING_INCHES + CHAR_INCHES * n for n in words)
    return 9 if needed <= TABLE_WIDTH_INCHES else 8


def _caption(document, text: str) -> None:
    paragraph = _style_or_plain(document, "", "Caption")
    paragraph.add_run(text).bold = True


def _command(document, commands: list[str]) -> None:
    """The reproducing command(s) under a table or figure, in a small monospace font."""
    from docx.shared import Pt

    for command in commands:
        paragraph = document.add_paragraph()
        paragraph.add_run("Command: ").font.size = Pt(8)
        run = paragraph.add_run(command)
        run.font.name = "Courier New"
        run.font.size = Pt(8)


def _style_or_plain(document, text: str, style: str):
    try:
        return document.add_paragraph(text, style=style)
    except KeyError:  # a template without that style
        return document.add_paragraph(text)


# -- HTML -----------------------------------------------------------------------------

HTML_STYLE = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #999;padding:.2rem .5rem}
td.n{text-align:right}tr.total td{font-weight:bold}code{font-size:.85em}img{max-width:100%}
.note{font-style:italic}blockquote{margin-left:1.5rem;color:#333}"""


def write_html(report: Report, path: Path) -> Path:
    numbers = _Numbers()
    e = html.escape
    head = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{e(report.title)}</title>")
    parts = [head,
             f"<style>{HTML_STYLE}</style></head><body>", f"<h1>{e(report.title)}</h1>", f"<p>{e(report.subtitle)}</p>"]
    for level, section in walk(report):
        tag = f"h{min(level + 1, 6)}"
        parts.append(f"<{tag}>{e(section.title)}</{tag}>")
        if section.skipped:
            parts.append(f"<p class='note'>Not included: {e(section.skipped)}</p>")
        for block in section.blocks:
            parts.append(_html_block(block, numbers))
    parts.append("</body></html>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path


def _data_uri(path: Path) -> str:
    """The chart as a ``data:`` URI (charts are PNG; an SVG chart keeps its own type)."""
    kind = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _html_block(block, numbers: _Numbers) -> str:
    e = html.escape
    command = "".join(f"<p>Command: <code>{e(c)}</code></p>" for c in getattr(block, "commands", []))
    if isinstance(block, Table):
        head = "".join(f"<th>{e(h)}</th>" for h in block.header)
        body = []
        for index, row in enumerate(block.rows):
            total = " class='total'" if block.bold_last_row and index == len(block.rows) - 1 else ""
            cells = "".join(f"<td{' class=n' if i >= block.numeric_from else ''}>{e(c)}</td>" for i, c in enumerate(row))
            body.append(f"<tr{total}>{cells}</tr>")
        note = f"<p class='note'>{e(block.note)}</p>" if block.note else ""
        caption = f"<caption>Table {numbers.next_table()}. {e(block.caption)}</caption>"
        return f"<table>{caption}<tr>{head}</tr>{''.join(body)}</table>{note}{command}"
    if isinstance(block, Chart):
        caption = f"Figure {numbers.next_figure()}. {block.caption}"
        return (f"<figure><img src='{_data_uri(block.path)}' alt='{e(caption)}'>"
                f"<figcaption>{e(caption)}</figcaption></figure>{command}")
    if isinstance(block, Quote):
        return f"<blockquote><p>{e(block.text)}</p><p>{e(block.attribution)}</p></blockquote>"
    return f"<p>{e(block)}</p>"
