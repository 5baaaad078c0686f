"""The structure every quote-set document shares: sections, title, provenance, audit rows.

Used by the Markdown/CSV/JSON/XLSX writers (:mod:`writers`) and the Word writer
(:mod:`docx_writer`), which both import it (neither imports the other's internals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.quotes.quoteset import Quote, QuoteSet

MARKER = "qualcode quote set"


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
