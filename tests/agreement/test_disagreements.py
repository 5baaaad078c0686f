"""Disagreements: the units where exactly one coder applied a code, with text, and writers."""

from __future__ import annotations

import csv

import pytest

from qualcode.agreement.disagreements import find_disagreements, write_disagreements
from qualcode.agreement.project import project_agreement
from qualcode.coding.session import CodingSession
from qualcode.errors import AgreementError, ExportError
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

TURNS = [("Interviewer", "Where from?"), ("Respondent", "Mostly the hotline. Police also bring us clients."),
         ("Interviewer", "Housing?"), ("Respondent", "There's always a need for housing. Shelters are full.")]


@pytest.fixture
def coded(project):
    add_transcript(project, "vsp-1", "service_provider", TURNS)
    ana, ben = CodingSession(project, "ana"), CodingSession(project, "ben")
    ana.tag("vsp-1", 2, ["referral.hotline"], text="the hotline")
    ben.tag("vsp-1", 2, ["referral.hotline", "referral.law_enforcement"])
    ana.tag("vsp-1", 4, ["challenge.housing"], text="Shelters are full.")
    ana.tag("vsp-1", 4, ["challenge.housing"], text="a need for")
    return project


def test_turn_disagreements_with_text(coded):
    rows = find_disagreements(coded, ["ana", "ben"])
    assert [(r.segment, r.code, r.applied_by, r.not_applied_by) for r in rows] == [
        (2, "referral.law_enforcement", "ben", "ana"), (4, "challenge.housing", "ana", "ben")]
    assert rows[0].coded_text == "" and rows[0].unit_text.startswith("Mostly the hotline.")
    assert rows[1].coded_text == "a need for [...] Shelters are full."
    assert rows[1].code_name == "Housing gap" and rows[1].role == "service_provider"


def test_disagreements_match_the_only_a_and_only_b_counts(coded):
    for unit in ("segment", "sentence"):
        rows = find_disagreements(coded, ["ana", "ben"], unit=unit)
        table = project_agreement(coded, ["ana", "ben"], unit=unit)
        assert len(rows) == sum(r["only_a"] + r["only_b"] for r in table["codes"])


def test_sentence_disagreements_and_code_filter(coded):
    rows = find_disagreements(coded, ["ana", "ben"], unit="sentence", code="referral")
    # ben coded the whole turn 2: both sentences; ana only the hotline phrase in the first.
    assert [(r.unit_text, r.code, r.applied_by) for r in rows] == [
        ("Mostly the hotline.", "referral.law_enforcement", "ben"),
        ("Police also bring us clients.", "referral.hotline", "ben"),
        ("Police also bring us clients.", "referral.law_enforcement", "ben"),
    ]
    assert rows[0].coded_text == ""  # ben coded all of it
    ana_only = find_disagreements(coded, ["ben", "ana"], unit="sentence", code="challenge")
    assert [(r.unit_text, r.coded_text) for r in ana_only] == [
        ("There's always a need for housing.", "a need for"), ("Shelters are full.", "")]
    with pytest.raises(AgreementError, match="per segment or sentence"):
        find_disagreements(coded, ["ana", "ben"], unit="character")


def test_writers(coded, tmp_path):
    rows = find_disagreements(coded, ["ana", "ben"])
    write_disagreements(rows, tmp_path / "d.csv", coders=("ana", "ben"))
    with (tmp_path / "d.csv").open(encoding="utf-8-sig") as handle:
        written = list(csv.DictReader(handle))
    assert [(r["code"], r["applied_by"], r["decision"]) for r in written] == [
        ("referral.law_enforcement", "ben", ""), ("challenge.housing", "ana", "")]

    write_disagreements(rows, tmp_path / "d.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "d.xlsx").active
    assert [c.value for c in sheet[1]][-1] == "decision" and sheet.max_row == 3

    write_disagreements(rows, tmp_path / "d.docx", coders=("ana", "ben"))
    from docx import Document

    document = Document(str(tmp_path / "d.docx"))
    assert document.paragraphs[0].text == "Disagreements: ana vs ben"
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Turn", "Code", "Applied by", "Text", "Decision"]
    assert table.rows[2].cells[1].text == "challenge.housing\nHousing gap"
    assert "Coded: \u201ca need for [...] Shelters are full.\u201d" in table.rows[2].cells[3].text

    with pytest.raises(ExportError, match="written as docx, xlsx, csv"):
        write_disagreements(rows, tmp_path / "d.pdf")
