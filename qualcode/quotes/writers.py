"""Writing quote sets: Markdown, CSV, XLSX and JSON here; Word in :mod:`docx_writer`.

Every writer goes through :func:`export_quote_set`, which runs the leftover-identifier
gate first. ``provenance=False`` (``--no-provenance``) leaves out the audit trail —
transcript ids, segments, offsets, coders — for a set meant for circulation.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ExportError
from qualcode.privacy import private_file
from qualcode.quotes.docx_writer import write_docx
from qualcode.quotes.layout import (  # noqa: F401 (writers.sections, writers.quote_rows, ... as before)
    AUDIT_FIELDS,
    MARKER,
    Section,
    audit_rows,
    basis_lines,
    document_order,
    provenance_lines,
    provenance_record,
    quote_rows,
    quote_set_data,
    sections,
    title_of,
    unmasked_note,
)
from qualcode.quotes.quoteset import ensure_masked
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.quotes.quoteset import QuoteSet

FORMATS = ("docx", "md", "csv", "xlsx", "json")
GROUPINGS = ("code", "role")
ROW_FIELDS = ("code", "transcript", "segment", "role", "site", "attribution", "text", "original_text",
              "start", "end")


def format_of(path: Path | None, format: str | None) -> str:
    """The explicit format, else the file's suffix; ExportError lists the formats."""
    chosen = (format or (path.suffix.lstrip(".").lower() if path else "") or "").lower()
    chosen = {"markdown": "md", "word": "docx", "excel": "xlsx"}.get(chosen, chosen)
    if chosen not in FORMATS:
        got = format or (path.name if path else "nothing")
        raise ExportError(f"Cannot tell the export format from '{got}'; formats: {', '.join(FORMATS)}")
    return chosen


def export_quote_set(quote_set: QuoteSet, path: Path, *, format: str | None = None, by: str = "code",
                     provenance: bool = True, allow_unmasked: bool = False) -> Path:
    """Write the set to ``path`` after the leftover-identifier gate; return the path."""
    chosen = format_of(path, format)
    if by not in GROUPINGS:
        raise ExportError(f"Unknown grouping '{by}'; --by accepts: {', '.join(GROUPINGS)}")
    quote_set = ensure_masked(quote_set, allow_unmasked=allow_unmasked, target=str(path), provenance=provenance)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        private_file(path)  # 0600 before any quote is written
        if chosen == "docx":
            write_docx(quote_set, path, by=by, provenance=provenance)
        elif chosen == "xlsx":
            write_xlsx(quote_set, path, provenance=provenance)
        else:
            render = {"md": render_markdown, "csv": render_csv, "json": render_json}[chosen]
            path.write_text(render(quote_set, by=by, provenance=provenance), encoding="utf-8")
    except OSError as error:
        raise ExportError(f"Cannot write {path}: {error.strerror or error}", file=str(path)) from None
    return path


# -- Markdown ---------------------------------------------------------------------


def render_markdown(quote_set: QuoteSet, *, by: str = "code", provenance: bool = True) -> str:
    """The set as Markdown: headings, block quotes with attribution lines, provenance table."""
    meta = {"codes": quote_set.groups, "quotes": len(quote_set.quotes), "by": by,
            "generated_at": quote_set.generated_at, "provenance": provenance}
    out = [f"<!-- {MARKER} {json.dumps(meta)} -->", f"# {title_of(quote_set)}", ""]
    out += [f"*{plural(len(quote_set.quotes), 'quote')}, identifiers masked per the project's redaction rules.*", ""]
    out += [line for text in basis_lines(quote_set, provenance=provenance) for line in (f"> {text}", "")]
    if quote_set.allowed_unmasked and not provenance:
        out += [f"*{unmasked_note(quote_set)}*", ""]
    for section in sections(quote_set, by):
        _markdown_section(out, section, level=2)
    if provenance:
        out += ["## Provenance", ""] + [f"- {line}" for line in provenance_lines(quote_set)] + [""]
        rows = audit_rows(quote_set, by)
        out.append("| " + " | ".join(rows[0]) + " |")
        out.append("|" + "---|" * len(rows[0]))
        out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows[1:]]
        out.append("")
    return "\n".join(out)


def _markdown_section(out: list[str], section: Section, level: int) -> None:
    out += [f"{'#' * level} {section.title}", ""]
    if section.definition:
        out += [f"*{section.definition.strip()}*", ""]
    for quote in section.quotes:
        out += [f"> *{line}*" for line in quote.context] + ([">"] if quote.context else [])
        out += [f"> {quote.text}", ">", f"> {quote.attribution}", ""]
    for child in section.children:
        _markdown_section(out, child, level + 1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# -- rows: CSV, JSON, XLSX -----------------------------------------------------------


def render_json(quote_set: QuoteSet, *, by: str = "code", provenance: bool = True) -> str:
    """The set's JSON shape with this provenance option (``quote_set.to_dict()`` for a set
    built with it); ``by`` changes nothing here, rows follow the selection order."""
    return json.dumps(quote_set_data(quote_set, provenance=provenance), ensure_ascii=False, indent=2) + "\n"


def render_csv(quote_set: QuoteSet, *, by: str = "code", provenance: bool = True) -> str:
    rows = quote_rows(quote_set, provenance=provenance)
    buffer = io.StringIO()
    fields = list(rows[0]) if rows else [f for f in ROW_FIELDS if provenance or f not in AUDIT_FIELDS]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_xlsx(quote_set: QuoteSet, path: Path, *, provenance: bool = True) -> None:
    """Sheet "Quotes" (one row per quote) and, with provenance, sheet "Provenance"."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Quotes"
    rows = quote_rows(quote_set, provenance=provenance)
    header = list(rows[0]) if rows else list(ROW_FIELDS)
    sheet.append(header)
    for row in rows:
        sheet.append([row[h] for h in header])
    if provenance:
        info = book.create_sheet("Provenance")
        for line in provenance_lines(quote_set):
            info.append([line])
    book.save(path)
