"""The disagreements as a Word document a lead can read in a reconciliation meeting.

Compact by design (the first version ran to 97 pages for the example's 79
disagreements): one heading per transcript, one table row group per **unit**, the
unit's text shown once (trimmed to :data:`EXCERPT_WORDS` words around what was
coded, the cut said as "[… N words]"), and under it one row per disputed code with a
tick in the column of the coder who applied it and an empty Decision cell (keep or
drop, the choices ``qualcode reconcile`` offers). The header counts disagreements and
units separately: "79 disagreements in 57 turns of 13 transcripts".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.agreement.disagreements import Disagreement

EXCERPT_WORDS = 60  # a unit's text beyond this is trimmed around the coded words
CODED_WORDS = 20  # what a coder coded inside a unit, shown under the code
MARGIN_INCHES = 0.6
# Turn | Text | Code | coder A | coder B | Decision, on a Letter page less the margins (7.3")
WIDTHS_INCHES = (0.5, 3.25, 1.6, 0.5, 0.5, 0.95)
TICK = "\u2713"
UNIT_NOUNS = {"segment": "turn", "sentence": "sentence"}


def unit_key(row: Disagreement) -> tuple[str, int, int, int]:
    return row.transcript, row.segment, row.start, row.end


def summary_line(rows: Sequence[Disagreement], unit: str = "segment") -> str:
    """'79 disagreements in 57 turns of 13 transcripts' (both counted, never confused)."""
    units = len({unit_key(r) for r in rows})
    transcripts = len({r.transcript for r in rows})
    noun = UNIT_NOUNS.get(unit, "unit")
    return f"{plural(len(rows), 'disagreement')} in {plural(units, noun)} of {plural(transcripts, 'transcript')}"


def excerpt(text: str, focus: str = "", limit: int = EXCERPT_WORDS) -> str:
    """``text`` whole when it has at most ``limit`` words, else ``limit`` words around the
    first words of ``focus`` (or from the start), with each cut counted: '[… 40 words]'."""
    words = text.split()
    if len(words) <= limit:
        return " ".join(words)
    start = _focus_index(words, focus.split())
    start = max(0, min(start - limit // 4, len(words) - limit))
    end = start + limit
    before = f"[\u2026 {plural(start, 'word')}] " if start else ""
    after = f" [\u2026 {plural(len(words) - end, 'word')}]" if end < len(words) else ""
    return before + " ".join(words[start:end]) + after


def _focus_index(words: list[str], focus: list[str]) -> int:
    """Index of the first word of ``focus`` in ``words`` (0 when absent or empty)."""
    if not focus:
        return 0
    bare = [re.sub(r"\W", "", w).lower() for w in words]
    wanted = [re.sub(r"\W", "", w).lower() for w in focus[:3]]
    for i in range(len(bare) - len(wanted) + 1):
        if bare[i:i + len(wanted)] == wanted:
            return i
    return 0


def write_disagreements_docx(rows: Sequence[Disagreement], path: Path, coders: tuple[str, ...],
                             unit: str = "segment") -> None:
    from docx import Document

    document = Document()
    _page_setup(document)
    a, b = (coders + ("A", "B"))[:2]
    document.add_heading(f"Disagreements: {a} and {b}", level=1)
    document.add_paragraph(
        f"{summary_line(rows, unit)}. A disagreement is a code one coder applied to a "
        f"{UNIT_NOUNS.get(unit, 'unit')} and the other did not ({TICK} marks who applied it). Each "
        f"{UNIT_NOUNS.get(unit, 'unit')}'s text is shown once, trimmed to about {EXCERPT_WORDS} words around the "
        "coded words (cuts are marked [\u2026 N words]). Write keep (the code applies) or drop in the Decision "
        "column; 'qualcode reconcile --decisions FILE' records the same decisions from a CSV.")
    for transcript, group in groupby(rows, key=lambda r: r.transcript):
        mine = list(group)
        role = mine[0].role.replace("_", " ")
        document.add_heading(f"{transcript} ({role}): {summary_line(mine, unit).rsplit(' of ', 1)[0]}", level=2)
        _transcript_table(document, mine, (a, b))
    document.save(str(path))


def _page_setup(document) -> None:
    from docx.shared import Inches, Pt

    for section in document.sections:
        section.left_margin = section.right_margin = Inches(MARGIN_INCHES)
        section.top_margin = section.bottom_margin = Inches(MARGIN_INCHES)
    document.styles["Normal"].font.size = Pt(9)


def _transcript_table(document, rows: list[Disagreement], coders: tuple[str, str]) -> None:
    table = document.add_table(rows=1, cols=len(WIDTHS_INCHES))
    table.style = "Table Grid"
    table.autofit = False
    _fill(table.rows[0].cells, ["Turn", "Text", "Code", *coders, "Decision"], bold=True)
    _repeat_header(table.rows[0])
    for _, group in groupby(rows, key=unit_key):
        _unit_rows(table, list(group), coders)
    _set_widths(table)


def _unit_rows(table, rows: list[Disagreement], coders: tuple[str, str]) -> None:
    """One row per disputed code; the turn and text cells merged down the unit's rows."""
    first = len(table.rows)
    for row in rows:
        added = table.add_row()
        _keep_together(added)
        cells = added.cells
        _code_cell(cells[2], row)
        ticks = [TICK if row.applied_by == coder else "" for coder in coders]
        _fill(cells[3:5], ticks, center=True)
    top, bottom = table.rows[first].cells, table.rows[len(table.rows) - 1].cells
    turn, text = top[0].merge(bottom[0]), top[1].merge(bottom[1])
    turn.paragraphs[0].add_run(str(rows[0].segment))
    focus = next((r.coded_text.split(" [...] ")[0] for r in rows if r.coded_text), "")
    text.paragraphs[0].add_run(excerpt(rows[0].unit_text, focus))


def _code_cell(cell, row: Disagreement) -> None:
    from docx.shared import Pt, RGBColor

    paragraph = cell.paragraphs[0]
    paragraph.add_run(row.code_name)
    code_id = paragraph.add_run(f"\n{row.code}")
    code_id.font.size, code_id.font.color.rgb = Pt(7), RGBColor(0x59, 0x59, 0x59)
    if row.coded_text:  # the applying coder coded only part of the unit: show which part
        coded = paragraph.add_run(f"\ncoded: \u201c{excerpt(row.coded_text, limit=CODED_WORDS)}\u201d")
        coded.italic, coded.font.size = True, Pt(8)


def _fill(cells, values: list[str], *, bold: bool = False, center: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for cell, value in zip(cells, values, strict=True):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(value).bold = bold
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _set_widths(table) -> None:
    from docx.shared import Inches

    for column, width in zip(table.columns, WIDTHS_INCHES, strict=True):
        column.width = Inches(width)
        for cell in column.cells:
            cell.width = Inches(width)  # Word reads the cell widths, LibreOffice the grid


def _keep_together(row) -> None:
    """A row never breaks across pages (a unit's text is read whole)."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row) -> None:
    """The header row repeats at the top of every page a long table runs over."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)
