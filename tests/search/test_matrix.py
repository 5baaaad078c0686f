"""Matrix queries: crosstab's counts, and cells that open to the passages counted."""

from __future__ import annotations

import pytest

from qualcode.search.index import SearchError
from qualcode.search.matrix import MatrixSpec, all_cells, matrix, open_cell


def grid(result):
    return {(r.key, c.key): result.counts[i][j] for i, r in enumerate(result.rows) for j, c in enumerate(result.columns)}


def test_codes_by_role_counts_and_cells(coded):
    spec = MatrixSpec("challenge", "role")
    result = matrix(coded, spec)
    assert grid(result) == {
        ("challenge.case_length", "law_enforcement"): 1, ("challenge.case_length", "prosecutor"): 1,
        ("challenge.case_length", "service_provider"): 1, ("challenge.housing", "law_enforcement"): 2,
        ("challenge.housing", "prosecutor"): 0, ("challenge.housing", "service_provider"): 1,
    }
    cell = open_cell(coded, spec, "challenge.housing,law_enforcement", result)
    assert [(p.transcript, p.segment) for p in cell.passages] == [("le-1", 1), ("le-1", 3)]
    assert cell.passages[0].text == ("We house victims in hotels. The T visa process takes years. "
                                     "Detective Rodriguez handles the referrals.")
    by_label = open_cell(coded, spec, "Housing gap, Law enforcement official", result)
    assert by_label.passages == cell.passages


@pytest.mark.parametrize(("rows", "columns"), [("challenge", "role"), ("challenge", "site"),
                                               ("referral", "attr:region"), ("challenge", "referral")])
def test_every_reference_cell_opens_to_as_many_passages(coded, rows, columns):
    spec = MatrixSpec(rows, columns)
    result = matrix(coded, spec)
    cells = all_cells(coded, spec, result)
    assert cells, "the study has codings in every matrix"
    for cell in cells:
        assert len(cell.passages) == cell.count, (cell.row, cell.column)


def test_codes_by_codes_opens_to_turns_coded_with_both(coded):
    spec = MatrixSpec("challenge", "referral")
    cell = open_cell(coded, spec, "challenge.case_length,referral.hotline")
    assert [(p.transcript, p.segment) for p in cell.passages] == [("vsp-1", 2)]
    cell = open_cell(coded, spec, "challenge.housing,referral.law_enforcement")
    assert [(p.transcript, p.segment) for p in cell.passages] == [("le-1", 3)]


def test_transcript_counts_open_to_the_counted_transcripts(coded):
    spec = MatrixSpec("challenge", "site", count="transcripts")
    cell = open_cell(coded, spec, "challenge.case_length,A")
    assert cell.count == 2 == len({p.transcript for p in cell.passages})


@pytest.mark.parametrize(
    ("spec", "cell", "message"),
    [
        (MatrixSpec("challenge", "role"), "challenge.housing", "not ROW,COLUMN"),
        (MatrixSpec("challenge", "role"), "nope,prosecutor", "No row 'nope'.*challenge.case_length"),
        (MatrixSpec("challenge", "role"), "challenge.housing,nowhere", "No column 'nowhere'"),
        (MatrixSpec("role", "site"), "prosecutor,A", "no passages"),
    ],
)
def test_bad_cells(coded, spec, cell, message):
    with pytest.raises(SearchError, match=message):
        open_cell(coded, spec, cell)
