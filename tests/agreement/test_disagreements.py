"""Disagreements: the units where exactly one coder applied a code, with text, and writers."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
        assert len(rows) == sum(r["only_a"] + r["only_b"] for r in table.to_dict()["codes"])


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
    assert document.paragraphs[0].text == "Disagreements: ana and ben"
    assert document.paragraphs[1].text.startswith("2 disagreements in 2 turns of 1 transcript.")
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Turn", "Text", "Code", "ana", "ben", "Decision"]
    assert [c.text for c in table.rows[2].cells][:2] == ["4", "There's always a need for housing. Shelters are full."]
    assert table.rows[2].cells[2].text == ("Housing gap\nchallenge.housing\n"
                                           "coded: \u201ca need for [...] Shelters are full.\u201d")
    assert [c.text for c in table.rows[2].cells][3:] == ["\u2713", "", ""]

    with pytest.raises(ExportError, match="written as docx, xlsx, csv"):
        write_disagreements(rows, tmp_path / "d.pdf")


def _row(segment, code, by, text, coded=""):
    from qualcode.agreement.disagreements import Disagreement

    other = "ben" if by == "ana" else "ana"
    return Disagreement("le-1", "law_enforcement", segment, 0, len(text), code, code.title(), by, other, coded, text)


def test_word_file_counts_disagreements_and_units_and_shows_each_text_once(tmp_path):
    """Three disagreements on two turns: the header counts both, the long turn's text is
    shown once (merged down its two code rows) and trimmed around the coded words."""
    from docx import Document

    long_turn = " ".join(f"w{i}" for i in range(200))
    rows = [_row(2, "a", "ana", long_turn, coded="w150 w151 w152"), _row(2, "b", "ben", long_turn),
            _row(6, "c", "ben", "Short answer.")]
    write_disagreements(rows, tmp_path / "d.docx", coders=("ana", "ben"))
    document = Document(str(tmp_path / "d.docx"))
    assert document.paragraphs[1].text.startswith("3 disagreements in 2 turns of 1 transcript.")
    assert [h.text for h in document.paragraphs if h.style.name == "Heading 2"] == [
        "le-1 (law enforcement): 3 disagreements in 2 turns"]
    table = document.tables[0]
    assert len(table.rows) == 4  # header, two code rows of turn 2, one of turn 6
    first, second = table.rows[1].cells, table.rows[2].cells
    assert first[1]._tc is second[1]._tc  # one merged text cell for the unit
    assert first[1].text == ("[\u2026 135 words] " + " ".join(f"w{i}" for i in range(135, 195))
                             + " [\u2026 5 words]")
    assert [c.text for c in second][2:] == ["B\nb", "", "\u2713", ""]
    xml = document.element.xml
    assert xml.count("w150") == 2  # once in the unit's text, once in 'coded: ...'


@pytest.mark.parametrize("unit, noun", [("segment", "turns"), ("sentence", "sentences")])
def test_summary_line_names_the_unit(unit, noun):
    from qualcode.agreement.disagreements_docx import summary_line

    rows = [_row(2, "a", "ana", "x"), _row(2, "b", "ben", "x"), _row(4, "a", "ben", "y")]
    assert summary_line(rows, unit) == f"3 disagreements in 2 {noun} of 1 transcript"


@given(words=st.integers(0, 300), focus=st.integers(0, 299), limit=st.integers(1, 80))
def test_excerpt_keeps_at_most_limit_words_and_counts_every_cut(words, focus, limit):
    """Every word of the text is either shown or counted in a '[… N words]' marker, in order."""
    import re

    from qualcode.agreement.disagreements_docx import excerpt

    text = " ".join(f"w{i}" for i in range(words))
    shown = excerpt(text, f"w{focus}", limit)
    cuts = [int(n) for n in re.findall(r"\[\u2026 (\d+) words?\]", shown)]
    kept = re.sub(r"\[\u2026 \d+ words?\]", "", shown).split()
    assert len(kept) == min(words, limit) and sum(cuts) + len(kept) == words
    if kept:
        start = int(kept[0][1:])
        assert kept == [f"w{i}" for i in range(start, start + len(kept))]
        if words > limit and focus < words:
            assert f"w{focus}" in kept  # the coded words are always in view
