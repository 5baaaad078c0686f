"""Word quote sets a writer can paste from.

Layout: a title; per section a heading (level 1, sub-codes level 2) and the code's
definition in italics; each quote a paragraph in Word's built-in "Quote" style followed
by its attribution line in the same style, right-aligned; the question that prompted
it (``--context``) above it in the "Quote" style too, prefixed "Q:". A provenance
appendix on a new page maps each quote number to transcript, segment, offsets and
coder. The document's core properties carry a small JSON record (codes, count, date)
that :func:`qualcode.quotes.report.list_quote_sets` reads back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.quotes.layout import (
    MARKER,
    Section,
    audit_rows,
    basis_lines,
    provenance_lines,
    sections,
    title_of,
    unmasked_note,
)
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.quotes.quoteset import Quote, QuoteSet

QUOTE_STYLE = "Quote"
APPENDIX_TITLE = "Provenance (for audit; omit with --no-provenance before circulating)"


def write_docx(quote_set: QuoteSet, path: Path, *, by: str = "code", provenance: bool = True) -> None:
    from docx import Document

    document = Document()
    _properties(document, quote_set, by, provenance)
    document.add_heading(title_of(quote_set), level=0)
    intro = document.add_paragraph(
        f"{plural(len(quote_set.quotes), 'quote')}. Names, places and agencies are masked per the project's "
        "redaction rules; quotes are cleaned of disfluencies and transcriber notes."
    )
    intro.runs[0].italic = True
    for line in basis_lines(quote_set, provenance=provenance):  # whose codings, and any coverage warning
        document.add_paragraph().add_run(line).bold = line.startswith("Warning: ")
    if quote_set.allowed_unmasked and not provenance:
        document.add_paragraph(unmasked_note(quote_set))
    for section in sections(quote_set, by):
        _section(document, section, level=1)
    if provenance:
        _appendix(document, quote_set, by)
    document.save(str(path))


def _properties(document, quote_set: QuoteSet, by: str, provenance: bool) -> None:
    props = document.core_properties
    props.title = title_of(quote_set)
    # Word caps each core property at 255 characters: codes in the subject, the rest as JSON.
    props.subject = ", ".join(quote_set.groups)[:255]
    props.keywords = MARKER
    props.author = "qualcode"
    props.comments = json.dumps({"quotes": len(quote_set.quotes), "by": by,
                                 "generated_at": quote_set.generated_at, "provenance": provenance})


def _section(document, section: Section, level: int) -> None:
    document.add_heading(section.title, level=min(level, 9))
    if section.definition:
        paragraph = document.add_paragraph(section.definition.strip())
        for run in paragraph.runs:
            run.italic = True
    for quote in section.quotes:
        _quote(document, quote)
    for child in section.children:
        _section(document, child, level + 1)


def _quote(document, quote: Quote) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for line in quote.context:
        document.add_paragraph(line, style=QUOTE_STYLE)
    document.add_paragraph(quote.text, style=QUOTE_STYLE)
    attribution = document.add_paragraph(quote.attribution, style=QUOTE_STYLE)
    attribution.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _appendix(document, quote_set: QuoteSet, by: str) -> None:
    document.add_page_break()
    document.add_heading(APPENDIX_TITLE, level=1)
    for line in provenance_lines(quote_set):
        document.add_paragraph(line, style="List Bullet")
    rows = audit_rows(quote_set, by)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
            if r == 0:
                for run in table.cell(r, c).paragraphs[0].runs:
                    run.bold = True
