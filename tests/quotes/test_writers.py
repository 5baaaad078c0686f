"""Markdown, CSV, XLSX and JSON exports; the gate runs before any file is written."""

from __future__ import annotations

import csv
import json

import pytest

from qualcode.errors import ExportError
from qualcode.quotes.quoteset import build_quote_set, ensure_masked
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import (
    export_quote_set,
    format_of,
    quote_rows,
    render_markdown,
    sections,
)
from tests.quotes.study import add_redaction

pytestmark = pytest.mark.coders("ana")

ROW_KEYS = ["code", "transcript", "segment", "role", "site", "attribution", "text", "original_text", "start", "end"]


@pytest.fixture
def quote_set(study):
    return build_quote_set(study, QuoteQuery(coder="ana", codes=("referral", "challenge"), order="transcript"))


def test_json_rows(quote_set, tmp_path):
    path = export_quote_set(quote_set, tmp_path / "set.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["quotes"]
    assert list(rows[0])[: len(ROW_KEYS)] == ROW_KEYS
    first = rows[0]
    assert (first["code"], first["transcript"], first["segment"], first["role"], first["site"]) == (
        "referral.hotline", "le-1", 2, "law_enforcement", "")  # the site goes out only in an attribution
    assert first["attribution"] == "—Law enforcement official"
    assert "[agency]" in first["text"] and first["start"] < first["end"]
    assert data["provenance"]["coder"] == "ana" and data["provenance"]["codes"] == ["referral", "challenge"]


def test_no_provenance_drops_the_audit_fields(quote_set, tmp_path):
    path = export_quote_set(quote_set, tmp_path / "set.json", provenance=False)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "provenance" not in data
    assert not {"transcript", "segment", "start", "end", "coder"} & set(data["quotes"][0])
    assert "vsp-1" not in path.read_text(encoding="utf-8")


def test_csv_and_xlsx(quote_set, tmp_path):
    from openpyxl import load_workbook

    rows = list(csv.DictReader((export_quote_set(quote_set, tmp_path / "s.csv")).open(encoding="utf-8")))
    assert len(rows) == len(quote_set.quotes) and rows[0]["segment"] == "2"
    book = load_workbook(export_quote_set(quote_set, tmp_path / "s.xlsx"))
    assert book.sheetnames == ["Quotes", "Provenance"]
    sheet = book["Quotes"]
    assert [c.value for c in sheet[1]][: len(ROW_KEYS)] == ROW_KEYS
    assert sheet.max_row == len(quote_set.quotes) + 1


def test_markdown_structure(quote_set):
    text = render_markdown(quote_set)
    assert text.startswith("<!-- qualcode quote set {")
    assert "\n# Quote set: Referral sources, Challenges\n" in text
    assert "\n## Referral sources\n\n*Where cases come from.*\n" in text
    assert "\n### Hotlines and tip lines\n" in text
    assert "> —Service provider\n" in text
    assert "\n## Provenance\n" in text and "| 1 | referral.hotline | le-1 | 2 |" in text
    assert "## Provenance" not in render_markdown(quote_set, provenance=False)


def test_sections_by_role(quote_set):
    titles = [s.title for s in sections(quote_set, "role")]
    assert titles == ["Law enforcement official", "Prosecutor", "Service provider"]
    provider = sections(quote_set, "role")[2]
    assert [c.title for c in provider.children] == ["Referral sources", "Challenges"]


def test_gate_refuses_before_writing(study, tmp_path):
    add_redaction(study, "[redaction]\nbuiltin = []\n")
    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("referral",)))
    target = tmp_path / "set.md"
    with pytest.raises(ExportError, match="Refusing to export"):
        export_quote_set(quote_set, target)
    assert not target.exists()
    export_quote_set(quote_set, target, allow_unmasked=True)
    text = target.read_text(encoding="utf-8")
    assert "Exported with --allow-unmasked" in text and "'Tasha'" in text
    rows = quote_rows(ensure_masked(quote_set, allow_unmasked=True))  # the set the export wrote
    assert any("Tasha" in row["unmasked_allowed"] for row in rows)
    assert not any(row["unmasked_allowed"] for row in quote_rows(quote_set))  # frozen: the given set unchanged


@pytest.mark.parametrize(
    ("name", "format", "expected"),
    [("a.docx", None, "docx"), ("a.MD", None, "md"), ("a.txt", "markdown", "md"), ("a.out", "xlsx", "xlsx")],
)
def test_format_of(tmp_path, name, format, expected):
    assert format_of(tmp_path / name, format) == expected


def test_unknown_format(tmp_path):
    with pytest.raises(ExportError, match="formats: docx, md, csv, xlsx, json"):
        format_of(tmp_path / "a.pdf", None)
