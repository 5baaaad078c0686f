"""`qualcode search` (and `query`, `matrix`) through typer's CliRunner."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from tests.search.study import add_coder, build_study

runner = CliRunner()


@pytest.fixture
def study(project):
    return build_study(project)


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), *args], env={"COLUMNS": "80"})


def test_kwic_table_fits_80_columns(study):
    result = run(study, "search", "housing")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines), lines
    assert sum("housing" in line.casefold() for line in lines) >= 4
    assert "4 hits for 'housing' (lemma, respondent turns)" in result.output


def test_table_shows_a_page_and_says_so(study):
    result = run(study, "search", "housing", "--limit", "1")
    assert result.exit_code == 0
    assert "1 of 4 hits" in result.output


def test_json_shape(study):
    result = run(study, "search", "three years", "--phrase", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (hit,) = data["hits"]
    assert {k: hit[k] for k in ("transcript", "segment", "matched")} == {
        "transcript": "vsp-1", "segment": 2, "matched": "three years"}
    assert hit["end"] - hit["start"] == len("three years")
    assert "context" in hit and data["total"] == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".docx"])
def test_output_files(study, tmp_path, suffix):
    path = tmp_path / f"hits{suffix}"
    result = run(study, "search", "housing", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert "Wrote 4 hits" in result.output
    if suffix == ".csv":
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert sorted(r["transcript"] for r in rows) == ["le-1", "le-1", "pros-1", "vsp-1"]
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path).active
        assert sheet.max_row == 5
    else:
        from docx import Document

        bold = [r.text for p in Document(path).paragraphs for r in p.runs if r.bold]
        assert sorted(bold) == ["Housing", "house", "housing", "housing"]


def test_counts(study):
    result = run(study, "search", "housing", "--count")
    assert result.exit_code == 0
    assert "law_enforcement" in result.output and "4 hits" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "a(", "--regex"], "bad regular expression: position 2"),
        (["search", "x", "--regex", "--fuzzy"], "choose one of"),
        (["search", "x", "-o", "out.pdf"], "suffix must be one of"),
        (["search", "x", "--transcript", "nope"], "No transcript 'nope'"),
        (["search", "housing", "--code", "challenge.housing"], "--code needs --coder"),
        (["search", "housing", "--code", "challenge.housing", "--coder", "zed"], "No coder 'zed'"),
    ],
)
def test_errors_are_one_line(study, args, message):
    result = run(study, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_code_the_hits_then_undo(study):
    add_coder(study, "ana")
    preview = run(study, "search", "housing", "--code", "challenge.housing", "--coder", "ana", "--dry-run")
    assert preview.exit_code == 0 and "Dry run: would code 4 turn spans" in preview.output
    done = run(study, "search", "housing", "--code", "challenge.housing", "--coder", "ana", "--span", "sentence")
    assert done.exit_code == 0, done.output
    assert "Coded 4 sentence spans" in done.output
    listed = run(study, "codings", "list", "--coder", "ana", "--json")
    assert len(json.loads(listed.stdout)) == 4
    assert run(study, "undo", "--coder", "ana").exit_code == 0
    assert json.loads(run(study, "codings", "list", "--coder", "ana", "--json").stdout) == []


@pytest.fixture
def coded(study):
    from tests.search.study import code_study

    return code_study(study)


def test_query_passages_and_counts(coded):
    result = run(coded, "query", "challenge.housing AND challenge.case_length")
    assert result.exit_code == 0, result.output
    assert "le-1:1 (law_enforcement, B)" in result.output
    assert "1 passage for 'challenge.housing AND challenge.case_length' (respondent turns, coder ana)" in result.output
    counted = run(coded, "query", "challenge", "--count", "--json")
    data = json.loads(counted.stdout)
    assert data["total"] == 5
    assert {r["group"]: r["hits"] for r in data["by_site"]} == {"A": 3, "B": 2}


def test_query_errors(coded):
    result = run(coded, "query", "challenge AND")
    assert result.exit_code == 1
    assert "Error: query position 14: expected a code" in result.output


def test_saved_queries_round_trip(coded, tmp_path):
    assert run(coded, "query", "save", "housing-trust", "challenge.housing OR \"trust\"", "--site", "B").exit_code == 0
    assert run(coded, "search", "shelter", "--save", "shelters", "--speaker", "any").exit_code == 0
    assert run(coded, "matrix", "challenge", "role", "--save", "by-role").exit_code == 0
    listed = json.loads(run(coded, "query", "list", "--json").stdout)
    assert [(q["name"], q["kind"]) for q in listed] == [
        ("by-role", "matrix"), ("housing-trust", "query"), ("shelters", "search")]
    ran = json.loads(run(coded, "query", "run", "housing-trust", "--json").stdout)
    assert [(p["transcript"], p["segment"]) for p in ran["passages"]] == [("le-1", 1), ("le-1", 3)]
    assert json.loads(run(coded, "query", "run", "shelters", "--json").stdout)["total"] == 3
    matrix = json.loads(run(coded, "query", "run", "by-role", "--json").stdout)
    assert matrix["rows_axis"] == "challenge"
    assert run(coded, "query", "delete", "shelters").exit_code == 0
    missing = run(coded, "query", "run", "shelters")
    assert missing.exit_code == 1 and "No saved query 'shelters'; saved: by-role, housing-trust" in missing.output
    bad = run(coded, "query", "save", "no spaces", "challenge")
    assert bad.exit_code == 1 and "not allowed" in bad.output
    unparsed = run(coded, "query", "save", "broken", "challenge AND")
    assert unparsed.exit_code == 1 and "query position 14" in unparsed.output
    assert "broken" not in run(coded, "query", "list").output


def test_matrix_table_cell_and_workbook(coded, tmp_path):
    table = run(coded, "matrix", "challenge", "role")
    assert table.exit_code == 0, table.output
    assert "Housing gap" in table.output
    cell = run(coded, "matrix", "challenge", "role", "--cell", "challenge.housing,law_enforcement", "--json")
    data = json.loads(cell.stdout)
    assert data["count"] == 2 and [p["segment"] for p in data["passages"]] == [1, 3]
    path = tmp_path / "m.xlsx"
    assert run(coded, "matrix", "challenge", "role", "-o", str(path)).exit_code == 0
    from openpyxl import load_workbook

    book = load_workbook(path)
    assert book.sheetnames[0] == "matrix"
    # five non-empty cells, each its own sheet of passages
    assert len(book.sheetnames) == 6
    sheet = book["challenge.housing x law_enforce"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [1, 3]
    refused = run(coded, "matrix", "challenge", "role", "-o", str(tmp_path / "m.csv"))
    assert refused.exit_code == 1 and "written as .xlsx" in refused.output


@pytest.mark.parametrize("args", [("query", "challenge.housing"),
                                  ("matrix", "challenge", "role", "--cell", "challenge.housing,law_enforcement")],
                         ids=["query", "matrix-cell"])
def test_passages_to_a_working_file_say_it_is_not_de_identified(coded, tmp_path, args):
    path = tmp_path / "passages.csv"
    result = run(coded, *args, "-o", str(path))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["transcript"], r["segment"]) for r in rows][:2] == [("le-1", "1"), ("le-1", "3")]
    assert f"Wrote {len(rows)} passages to" in result.output and "(working file, not de-identified)" in result.output


def test_first_search_says_it_indexes(study):
    first = run(study, "search", "housing")
    assert "Indexing 3 transcripts for search" in first.output
    assert "Indexing" not in run(study, "search", "housing").output
    assert "Indexing 3 transcripts" in run(study, "search", "housing", "--reindex").output


def test_query_kwic_fits_80_columns(coded):
    result = run(coded, "query", "challenge.housing", "--kwic")
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.output.splitlines())
    assert "le-1:3" in result.output and "3 hits for 'challenge.housing' (query" in result.output
