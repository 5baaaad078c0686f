"""CSV codebooks: export, round trip, and every row problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.codebook import load_codebook
from qualcode.codebook.csvfile import codebook_to_csv, read_csv_codebook
from qualcode.codebook.diff import diff_codebooks
from qualcode.errors import InteropError, ValidationFailed

ECM = Path(__file__).resolve().parents[2] / "codebooks" / "ecm.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_ecm_round_trips_through_csv_exactly(tmp_path):
    ecm = load_codebook(ECM)
    back = read_csv_codebook(write(tmp_path, codebook_to_csv(ecm)))
    assert diff_codebooks(ecm, back).is_empty
    assert (
        back.get("challenge.labor_trafficking.deportation_fear").rules
        == ecm.get("challenge.labor_trafficking.deportation_fear").rules
    )


def test_csv_header_and_applies_to():
    ecm = load_codebook(ECM)
    lines = codebook_to_csv(ecm).splitlines()
    assert lines[0] == (
        "id,name,parent,roles,applies_to,definition,include,exclude,examples,color,codable,exclusive,rules"
    )
    row = next(line for line in lines if line.startswith("prosecution.length,"))
    assert ",prosecution,prosecutor,prosecutor," in row


def test_minimal_csv_needs_only_names(tmp_path):
    book = read_csv_codebook(
        write(tmp_path, "name,parent,id\nReferral sources,,ref\nHotlines,ref,\nSelf,ref,\n")
    )
    assert list(book.codes) == ["ref", "ref.hotlines", "ref.self"]


def test_every_row_problem_at_once(tmp_path):
    text = (
        "id,name,parent,roles,codable,rules\n"
        "a,A,,,,\n"
        "b,,a,,,\n"
        "c,C,zzz,,,\n"
        "d,D,e,,,\n"
        "e,E,d,,,\n"
        "f,F,,Law Enforcement,maybe,{bad json\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        read_csv_codebook(write(tmp_path, text))
    found = [(p.line, p.message.split("; ")[0]) for p in caught.value.problems]
    assert found == [
        (3, "Row has an empty 'name'"),
        (4, "Parent 'zzz' of code 'C' is not an id in this file"),
        (5, "Code 'd' is its own ancestor (parent cycle: d -> e -> d)"),
        (6, "Code 'e' is its own ancestor (parent cycle: e -> d -> e)"),
        (7, "'codable' must be true or false"),
        (7, "'rules' must be JSON (Expecting property name enclosed in double quotes)"),
        (
            7,
            "Invalid role key 'Law Enforcement' in 'roles': use keys like service_provider, separated by ';'",
        ),
    ]


def test_csv_without_name_column(tmp_path):
    with pytest.raises(InteropError, match="needs a 'name' column; found columns: code, label"):
        read_csv_codebook(write(tmp_path, "code,label\nx,y\n"))
