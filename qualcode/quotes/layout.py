"""The structure every quote-set document shares: sections, title, provenance, audit rows,
the basis lines, one row per quote and the JSON shape (:func:`quote_set_data`).

Used by the Markdown/CSV/JSON/XLSX writers (:mod:`writers`), the Word writer
(:mod:`docx_writer`) and ``QuoteSet.to_dict`` (:mod:`quoteset`), which all import it
(none imports the others' internals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.quotes.quoteset import Quote, QuoteSet

MARKER = "qualcode quote set"
AUDIT_FIELDS = ("transcript", "segment", "start", "end")


@dataclass
class Section:
    """A heading with its definition, its quotes and sub-sections."""

    title: str
    definition: str = ""
    quotes: list[Quote] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


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
        "analysis_set": quote_set.analysis,
        "coverage": quote_set.coverage,
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
        lines.append(f"Attribution (k-anonymity, k = {quote_set.k_anonymity}): " + "; ".join(quote_set.attribution_notes) + ".")
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


def basis_lines(quote_set: QuoteSet, *, provenance: bool = True) -> list[str]:
    """Whose codings the quotes rest on and, when that is less than the whole selection
    or a machine's, a warning. Without provenance (a set for circulation) the lines name
    no coder and no transcript, only counts."""
    coverage = quote_set.coverage
    if provenance:
        lines = [quote_set.analysis] if quote_set.analysis else []
        warning = quote_set.warning.replace("these figures", "these quotes", 1)
        return lines + ([f"Warning: {warning}"] if warning else [])
    lines = []
    if quote_set.machine_coders:
        lines.append("Warning: some of these quotes were selected from a machine coder's codings (keyword rules "
                     "or a learned model), not a person's: read the selection as a first pass.")
    if quote_set.warning:
        pending = coverage.get("pending_reconciliation") or 0
        lines.append(f"Warning: drawn from less than the whole selection: {coverage.get('transcripts_coded')} of "
                     f"{coverage.get('transcripts')} transcripts have counted codings"
                     + (f"; reconciliation is pending on {pending} double-coded transcript(s)" if pending else "")
                     + ".")
    return lines


def quote_rows(quote_set: QuoteSet, *, provenance: bool = True) -> list[dict[str, Any]]:
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


def quote_set_data(quote_set: QuoteSet, *, provenance: bool = True) -> dict[str, Any]:
    """The JSON shape of a set (``qualcode quotes --format json``): its warnings, one row
    per quote and, with provenance, the record of how it was made (without: the
    --allow-unmasked note, when there is one)."""
    data: dict[str, Any] = {
        "warnings": [line for line in basis_lines(quote_set, provenance=provenance) if line.startswith("Warning: ")],
        "quotes": quote_rows(quote_set, provenance=provenance),
    }
    if provenance:
        data["provenance"] = provenance_record(quote_set)
    elif quote_set.allowed_unmasked:
        data["note"] = unmasked_note(quote_set)
    return data
