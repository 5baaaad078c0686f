"""Report hooks: listing quote-set files and the report section."""

from __future__ import annotations

import dataclasses

import pytest

from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.report import list_quote_sets, quote_sets_section
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import export_quote_set

pytestmark = pytest.mark.coders("ana")


def test_list_quote_sets_reads_back_codes_and_counts(study):
    reports = study.root / "reports"
    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("challenge",)))
    export_quote_set(quote_set, reports / "quotes-challenge.docx")
    export_quote_set(quote_set, reports / "quotes-challenge.md")
    (reports / "notes.md").write_text("# not a quote set\n", encoding="utf-8")
    found = list_quote_sets(study)
    assert [(f.path.name, f.format, f.codes, f.quotes) for f in found] == [
        ("quotes-challenge.docx", "docx", ["challenge"], len(quote_set.quotes)),
        ("quotes-challenge.md", "md", ["challenge"], len(quote_set.quotes)),
    ]
    assert found[0].title == "Quote set: Challenges"


def test_quote_sets_section(study):
    export_quote_set(build_quote_set(study, QuoteQuery(coder="ana", codes=("referral",))),
                     study.root / "reports" / "quotes-referral.md")
    section = quote_sets_section(study, coder="ana", per_code=1, codes=("referral", "challenge"))
    assert section.title == "Quote sets"
    text = section.markdown
    assert "`quotes-referral.md`: Referral sources" in text
    assert "### Referral sources" in text and "### Challenges" in text
    assert text.count("\n> —") == 2
    assert "le-1" not in text and "vsp-1" not in text


def test_quote_sets_section_is_a_frozen_typed_result(study):
    written = export_quote_set(build_quote_set(study, QuoteQuery(coder="ana", codes=("referral",))),
                               study.root / "reports" / "quotes-referral.md")
    section = quote_sets_section(study, coder="ana", per_code=1, codes=("referral",))
    assert section.files == (written,)
    assert section.quote_set.provenance is False  # the report's quotes carry no audit trail
    data = section.to_dict()
    assert data["files"] == [str(written)] and data["markdown"] == section.markdown
    assert "provenance" not in data["quote_set"] and data["quote_set"]["quotes"]
    assert all("transcript" not in row for row in data["quote_set"]["quotes"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        section.title = "changed"  # type: ignore[misc]
