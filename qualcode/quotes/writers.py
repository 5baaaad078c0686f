"""Writing quote sets: Markdown, CSV, XLSX and JSON here; Word in :mod:`docx_writer`.

Every writer goes through :func:`export_quote_set`, which runs the leftover-identifier
gate first. ``provenance=False`` (``--no-provenance``) leaves out the audit trail —
transcript ids, segments, offsets, coders — for a set meant for circulation.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ExportError
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.quotes.quoteset import Quote, QuoteSet

FORMATS = ("docx", "md", "csv", "xlsx", "json")
GROUPINGS = ("code", "role")
ROW_FIELDS = ("code", "transcript", "segment", "role", "site", "attribution", "text", "original_text",
              "start", "end")
AUDIT_FIELDS = ("transcript", "segment", "start", "end")
MARKER = "qualcode quote set"


@dataclass
class Section:
    """A heading with its definition, its quotes and sub-sections."""

    title: str
    definition: str = ""
    quotes: list[Quote] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


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
    from qualcode.quotes.quoteset import ensure_masked

    chosen = format_of(path, format)
    if by not in GROUPINGS:
        raise ExportError(f"Unknown grouping '{by}'; --by accepts: {', '.join(GROUPINGS)}")
    ensure_masked(quote_set, allow_unmasked=allow_unmasked, target=str(path), provenance=provenance)
    path.parent.mkdir(parents=True, exist_ok=True)
    from qualcode.privacy import private_file

    try:
        private_file(path)  # 0600 before any quote is written
        if chosen == "docx":
            from qualcode.quotes.docx_writer import write_docx

            write_docx(quote_set, path, by=by, provenance=provenance)
        elif chosen == "xlsx":
            write_xlsx(quote_set, path, provenance=provenance)
        else:
            render = {"md": render_markdown, "csv": render_csv, "json": render_json}[chosen]
            path.write_text(render(quote_set, by=by, provenance=provenance), encoding="utf-8")
    except OSError as error:
        raise ExportError(f"Cannot write {path}: {error.strerror or error}", file=str(path)) from None
    return path


# -- structure shared by the document writers -------------------------------------


def sections(quote_set: QuoteSet, by: str = "code") -> list[Section]:
    """Headings for the set: per requested code (sub-codes below), or per role (codes below)."""
    if by == "role":
        result = []
        for role, label in quote_set.role_labels.items():
            quotes = [q for q in quote_set.quotes if q.role == role]
            if quotes:
                children = [] if len(quote_set.groups) == 1 else _code_sections(quote_set, quotes, "group")
                result.append(Section(label, quotes=quotes if not children else [], children=children))
        return result
    result = []
    for group in quote_set.groups:
        quotes = [q for q in quote_set.quotes if q.group == group]
        name, definition = quote_set.code_names.get(group, (group, ""))
        # Quotes coded with the requested code itself sit under its heading, sub-codes below.
        direct = [q for q in quotes if q.code == group]
        below = [q for q in quotes if q.code != group]
        result.append(Section(name, definition, direct, _code_sections(quote_set, below, "code")))
    return result


def _code_sections(quote_set: QuoteSet, quotes: list[Quote], attribute: str) -> list[Section]:
    result = []
    for code_id, (name, definition) in quote_set.code_names.items():
        picked = [q for q in quotes if getattr(q, attribute) == code_id]
        if picked:
            result.append(Section(name, definition, picked))
    return result


def title_of(quote_set: QuoteSet) -> str:
    names = [quote_set.code_names.get(g, (g, ""))[0] for g in quote_set.groups]
    return "Quote set: " + (", ".join(names) if len(names) <= 3 else f"{len(names)} themes")


def provenance_record(quote_set: QuoteSet) -> dict:
    """How the set was made: selection, cleaning, redaction, overrides (no identifiers)."""
    query, cleaning = quote_set.query, quote_set.cleaning
    return {
        "project": quote_set.project,
        "generated_at": quote_set.generated_at,
        "coder": quote_set.coder,
        "codes": quote_set.groups,
        "quotes": len(quote_set.quotes),
        "selection": {
            "all_of": list(query.all_of), "roles": list(query.roles), "sites": list(query.sites),
            "attributes": dict(query.attributes), "min_words": query.min_words, "max_words": query.max_words,
            "limit": query.limit, "per_transcript": query.per_transcript, "order": query.order,
            "seed": query.seed, "context": query.context, "near_duplicate_threshold": query.similarity,
            "candidates": quote_set.candidates,
        },
        "cleaning": {"disfluencies": cleaning.disfluencies, "tags": cleaning.tags, "trim": cleaning.trim},
        "redaction": quote_set.redaction,
        "attribution": {"site": quote_set.attribution.site, "respondent": quote_set.attribution.respondent,
                        "k_anonymity": quote_set.k_anonymity, "notes": list(quote_set.attribution_notes)},
        "unmasked_allowed": [
            {"quote": item.quote, "kind": item.kind, "text": item.text, "field": item.field}
            for item in quote_set.allowed_unmasked
        ],
    }


def provenance_lines(quote_set: QuoteSet) -> list[str]:
    """The provenance record as short human-readable lines."""
    record = provenance_record(quote_set)
    selection = {k: v for k, v in record["selection"].items() if v not in (None, [], {}, 0) or k == "seed"}
    lines = [
        f"Project: {record['project']}; generated {record['generated_at']} by qualcode.",
        f"Coder: {record['coder']}. Codes (with descendants): {', '.join(record['codes'])}.",
        "Selection: " + "; ".join(f"{k.replace('_', ' ')} = {v}" for k, v in selection.items()) + ".",
        "Cleaning: " + ", ".join(f"{k} {'on' if v else 'off'}" for k, v in record["cleaning"].items()) + ".",
        "Redaction (qualcode.toml [redaction]): " + ", ".join(f"{k} {v}" for k, v in record["redaction"].items()) + ".",
    ]
    if quote_set.attribution_notes:
        lines.append(f"Attribution (k-anonymity, k = {quote_set.k_anonymity:d}): " + "; ".join(quote_set.attribution_notes) + ".")
    if quote_set.allowed_unmasked:
        lines.append(unmasked_note(quote_set) + " " + "; ".join(str(item) for item in quote_set.allowed_unmasked))
    return lines


def unmasked_note(quote_set: QuoteSet) -> str:
    return (f"Exported with --allow-unmasked: {len(quote_set.allowed_unmasked)} likely identifier(s) "
            f"were left unmasked on purpose.")


def document_order(quote_set: QuoteSet, by: str = "code") -> list[Quote]:
    """The quotes in the order a document lays them out (sections depth first)."""
    ordered: list[Quote] = []

    def visit(section: Section) -> None:
        ordered.extend(section.quotes)
        for child in section.children:
            visit(child)

    for section in sections(quote_set, by):
        visit(section)
    return ordered


def audit_rows(quote_set: QuoteSet, by: str = "code") -> list[list[str]]:
    """Header + one row per quote, in document order, mapping it to transcript, segment,
    offsets and coder. ``#`` is the quote's rank in the selection order (the number the
    leftover check reports)."""
    rows = [["#", "Code", "Transcript", "Segment", "Span", "Coder", "Origin", "Opening words", "Collapsed duplicates"]]
    for q in document_order(quote_set, by):
        rows.append([str(q.number), q.code, q.transcript, str(q.segment), f"{q.start}:{q.end}", q.coder,
                     q.origin, " ".join(q.text.split()[:8]), "; ".join(q.collapsed)])
    return rows


# -- Markdown ---------------------------------------------------------------------


def render_markdown(quote_set: QuoteSet, *, by: str = "code", provenance: bool = True) -> str:
    """The set as Markdown: headings, block quotes with attribution lines, provenance table."""
    meta = {"codes": quote_set.groups, "quotes": len(quote_set.quotes), "by": by,
            "generated_at": quote_set.generated_at, "provenance": provenance}
    out = [f"<!-- {MARKER} {json.dumps(meta)} -->", f"# {title_of(quote_set)}", ""]
    out += [f"*{plural(len(quote_set.quotes), 'quote')}, identifiers masked per the project's redaction rules.*", ""]
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


def quote_rows(quote_set: QuoteSet, *, provenance: bool = True) -> list[dict]:
    """One dict per quote: ``{code, transcript, segment, role, site, attribution, text,
    original_text, start, end}`` plus coder, group, context, words (and, when provenance
    is off, without transcript, segment and offsets)."""
    allowed: dict[int, list[str]] = {}
    for item in quote_set.allowed_unmasked:
        allowed.setdefault(item.quote, []).append(item.text)
    rows = []
    for q in quote_set.quotes:
        row = {
            "code": q.code, "transcript": q.transcript, "segment": q.segment, "role": q.role,
            "site": q.shown_site, "attribution": q.attribution, "text": q.text, "original_text": q.original_text,
            "start": q.start, "end": q.end, "group": q.group, "coder": q.coder, "words": q.words,
            "context": "\n".join(q.context), "unmasked_allowed": "; ".join(allowed.get(q.number, [])),
        }
        if not provenance:
            for key in (*AUDIT_FIELDS, "coder"):
                row.pop(key)
        rows.append(row)
    return rows


def render_json(quote_set: QuoteSet, *, by: str = "code", provenance: bool = True) -> str:
    data: dict = {"quotes": quote_rows(quote_set, provenance=provenance)}
    if provenance:
        data["provenance"] = provenance_record(quote_set)
    elif quote_set.allowed_unmasked:
        data["note"] = unmasked_note(quote_set)
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


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
