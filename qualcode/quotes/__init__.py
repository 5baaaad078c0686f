"""Quote sets: selection, cleaning, redaction, attribution and export.

``build_quote_set`` selects and prepares a set (the plain-Python twin of
``qualcode quotes``); ``export_quote_set`` writes it after the leftover-identifier
gate. Nothing heavy is imported here: python-docx and openpyxl load only when a Word
or Excel file is written. See docs/quotes.md.
"""

from qualcode.quotes.attribution import (
    AttributionOptions,
    attribution_line,
    respondent_ids,
)
from qualcode.quotes.cleaning import CleaningOptions, clean_quote
from qualcode.quotes.coders import default_coder
from qualcode.quotes.identifiers import find_identifiers
from qualcode.quotes.quoteset import (
    Leftover,
    Quote,
    QuoteSet,
    build_quote_set,
    ensure_masked,
)
from qualcode.quotes.redaction import RedactionRules, Redactor, load_rules
from qualcode.quotes.report import list_quote_sets, quote_sets_section
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import export_quote_set, quote_rows, render_markdown

__all__ = [
    "AttributionOptions", "CleaningOptions", "Leftover", "Quote", "QuoteQuery", "QuoteSet", "RedactionRules",
    "Redactor", "attribution_line", "build_quote_set", "clean_quote", "default_coder", "ensure_masked",
    "export_quote_set", "find_identifiers", "list_quote_sets", "load_rules", "quote_rows",
    "quote_sets_section", "render_markdown", "respondent_ids",
]
