"""Writers: text, CSV, Markdown, XLSX and JSON for tallies and crosstabs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from qualcode.tally import TallyError, crosstab, tally, write_crosstab, write_tally
from qualcode.tally.formats import check_format
from tests.tally.seed_study import CODER


@pytest.fixture
def result(seed_project):
    return tally(seed_project, "referral", by="role", coder=CODER, top=4)


def test_csv_rows_round_trip(result):
    rows = list(csv.DictReader(io.StringIO(write_tally(result, "csv"))))
    provider = [r for r in rows if r["group"] == "Service provider"]
    assert [(r["code"], r["count"], r["percent"]) for r in provider] == [
        ("referral.law_enforcement", "31", "20.5"), ("referral.service_provider", "23", "15.2"),
        ("referral.medical", "19", "12.6"), ("referral.community", "18", "11.9")]
    assert {r["base"] for r in provider} == {"151"}


def test_markdown_has_statement_table_summary_and_command(result):
    text = write_tally(result, "md")
    assert "### Service provider" in text
    assert "| Other law enforcement agencies | 31 | 20.5 |" in text
    assert "| Other (8 codes) | 60 | 39.7 |" in text
    assert "| Total | 151 | 100.0 |" in text
    assert "Command: `qualcode tally referral --by role --top 4 --coder autocoder`" in text


def test_json_is_the_result_dict(result):
    assert json.loads(write_tally(result, "json")) == json.loads(json.dumps(result.to_dict()))


def test_xlsx_opens_with_the_rows(result, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "tally.xlsx"
    assert write_tally(result, "xlsx", path) is None
    book = load_workbook(path)
    values = list(book["tally"].iter_rows(values_only=True))
    assert values[0] == ("group", "code", "name", "count", "percent", "base")
    assert ("Service provider", "referral.law_enforcement", "Other law enforcement agencies", 31, 20.5, 151) in values
    assert book["sentences"]["B4"].value.startswith("Referral sources were cited 151 times")


def test_writing_to_a_file_returns_and_writes_the_text(result, tmp_path):
    path = tmp_path / "out" / "tally.md"
    text = write_tally(result, "md", path)
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(("fmt", "output", "chosen"), [
    (None, None, "table"), (None, Path("a.csv"), "csv"), (None, Path("a.XLSX"), "xlsx"),
    (None, Path("a.unknown"), "table"), ("json", Path("a.txt"), "json"),
])
def test_format_from_option_or_suffix(fmt, output, chosen):
    assert check_format(fmt, output) == chosen


@pytest.mark.parametrize(("fmt", "output", "message"), [
    ("pdf", None, "Unknown format 'pdf'; formats: table, csv, md, xlsx, json"),
    ("xlsx", None, "--format xlsx writes a file: add -o FILE.xlsx"),
])
def test_bad_formats(fmt, output, message):
    with pytest.raises(TallyError, match=message):
        check_format(fmt, output)


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_crosstab_formats(seed_project, fmt):
    table = crosstab(seed_project, "referral", "role", coder=CODER)
    text = write_crosstab(table, fmt)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {"row": "referral.law_enforcement", "column": "service_provider", "count": "31"}.items() <= next(
            r for r in rows if r["row"] == "referral.law_enforcement" and r["column"] == "service_provider").items()
    elif fmt == "json":
        assert json.loads(text)["grand_total"] == 311
    else:
        assert "Other law enforcement agencies" in text and "qualcode crosstab referral role --coder autocoder" in text


def test_crosstab_xlsx(seed_project, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "x.xlsx"
    write_crosstab(crosstab(seed_project, "role", "site"), "xlsx", path)
    book = load_workbook(path)
    assert book.sheetnames == ["counts", "row %", "column %", "command"]
    assert book["counts"]["B2"].value == "A"
