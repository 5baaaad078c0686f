"""The gate covers every exported field of every format: text, original_text, context,
the site in an attribution, transcript ids and collapsed duplicates (the provenance),
and the file names the report lists. Planted identifiers never reach a file."""

from __future__ import annotations

import json

import pytest

from qualcode.coding.session import CodingSession
from qualcode.errors import ExportError
from qualcode.quotes.attribution import AttributionOptions
from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import FORMATS, export_quote_set
from tests.helpers import add_transcript
from tests.quotes.study import add_redaction

pytestmark = pytest.mark.coders('ana')

PLAIN = "We help people find housing and work with the hotline every week."


def exported_text(path) -> str:
    """Everything a file holds, as text (docx: paragraphs and tables; xlsx: cells)."""
    if path.suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    return path.read_text(encoding="utf-8")


def one_quote(project, *, tid="vsp-1", site="A", answer=PLAIN, question="What do you do?", config=""):
    add_redaction(project, "[redaction]\n" + config)
    add_transcript(project, tid, "service_provider", [("Interviewer", question), ("Respondent", answer)], site=site)
    CodingSession(project, "ana").tag(tid, 2, ["referral"])


def build(project, *, site=False, context=0):
    return build_quote_set(project, QuoteQuery(coder="ana", context=context), attribution=AttributionOptions(site=site))


FIELDS = [
    # (what is planted where, build options, field the gate names, provenance needed)
    ({"answer": "Call me at 5550142298 after work."}, {}, "text", False),
    ({"question": "Is Detective Okafor your contact?"}, {"context": 1}, "context", False),
    ({"site": "Riverton", "config": "\n[quotes]\nk_anonymity = 1\n"}, {"site": True}, "site", False),
    ({"tid": "maria-gonzalez-interview"}, {}, "transcript id", True),
]


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize(("plant", "options", "field", "audit_only"), FIELDS)
def test_every_field_of_every_format_is_gated(project, tmp_path, suffix, plant, options, field, audit_only):
    plant = dict(plant)
    config = "builtin = []\n" + plant.pop("config", "")  # nothing masked: the gate alone must catch it
    one_quote(project, config=config, **plant)
    quote_set = build(project, **options)
    assert {item.field for item in quote_set.leftovers} >= {field}
    target = tmp_path / f"set.{suffix}"
    with pytest.raises(ExportError) as refused:
        export_quote_set(quote_set, target)
    assert f", {field}): " in str(refused.value) and not target.exists()
    if audit_only:  # without the provenance the transcript id is not exported
        export_quote_set(quote_set, target, provenance=False)
        assert "gonzalez" not in exported_text(target).lower()


def test_original_text_is_gated(project):
    """A note the cleaning drops stays in original_text: checked there too."""
    one_quote(project, answer="We help. [inaudible, sounds like Okafor] Then we left.", config="builtin = []\n")
    quote_set = build(project)
    assert "original_text" in {item.field for item in quote_set.leftovers}


@pytest.mark.parametrize("suffix", FORMATS)
def test_masked_identifiers_never_reach_a_file(project, tmp_path, suffix):
    answer = ("Detective okafor called 555-014-2298 about CR-2019-00421; she was born 03/03/1987 "
              "and lived at 88 oak avenue. Write to mg dot survivor at yahoo dot com.")
    one_quote(project, answer=answer, question="Did ms. gonzalez call you?")
    quote_set = build(project, context=1)
    assert quote_set.leftovers == []
    target = export_quote_set(quote_set, tmp_path / f"set.{suffix}")
    written = exported_text(target).lower()
    for planted in ("okafor", "2298", "00421", "1987", "oak avenue", "survivor", "gonzalez"):
        assert planted not in written
    for mask in ("[name]", "[phone]", "[case number]", "[date]", "[address]", "[email]"):
        assert mask in written


def test_raw_site_is_not_exported_without_site_attribution(project, tmp_path):
    one_quote(project, site="Riverton")
    quote_set = build(project)
    path = export_quote_set(quote_set, tmp_path / "set.json", provenance=False)
    assert "Riverton" not in path.read_text(encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["quotes"][0]["site"] == ""


def test_report_refuses_identifying_file_names(project):
    from qualcode.quotes.report import quote_sets_section

    one_quote(project)
    reports = project.root / "reports"
    reports.mkdir(exist_ok=True)
    export_quote_set(build(project), reports / "quotes-maria-gonzalez.md")
    with pytest.raises(ExportError, match="file name quotes-maria-gonzalez.md: name 'gonzalez'"):
        quote_sets_section(project, per_code=1)
