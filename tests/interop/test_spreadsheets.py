"""Codings in and out as CSV/XLSX: validation with row numbers, all-or-nothing, merging, export."""

from __future__ import annotations

import csv
import io

import pytest

from qualcode.coding.listing import event_log, list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import ExportError, ValidationFailed
from qualcode.interop.spreadsheets import (
    EXPORT_COLUMNS,
    export_codings,
    import_codings,
    matrix_records,
    read_rows,
)

pytestmark = pytest.mark.coders("ana", "ben")


def write_csv(path, rows, header=("transcript", "coder", "code", "segment", "memo")):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path, rows, header=("transcript", "coder", "code", "segment")):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def test_import_csv_whole_segments_with_origin_memo_and_one_group_per_coder(project, interview, tmp_path):
    path = write_csv(tmp_path / "codings.csv", [
        ("vsp-1", "ana", "referral.hotline", "2", "a memo"),
        ("vsp-1", "ana", "challenge.housing", "4", ""),
        ("vsp-1", "ben", "challenge.housing", "4", ""),
    ])
    summary = import_codings(project, path)
    assert (summary.rows, summary.added, summary.merged, summary.unchanged) == (3, 3, 0, 0)
    assert summary.by_coder == {"ana": 2, "ben": 1}
    codings = list_codings(project)
    assert {(c.coder, c.segment, c.code, c.origin) for c in codings} == {
        ("ana", 2, "referral.hotline", "import"), ("ana", 4, "challenge.housing", "import"),
        ("ben", 4, "challenge.housing", "import")}
    assert [c.memo for c in codings if c.code == "referral.hotline"] == ["a memo"]
    segment = interview.segment(2)
    hotline = [(c.start, c.end) for c in codings if c.code == "referral.hotline"]
    assert hotline == [(segment.start, segment.end)]
    log = event_log(project)
    assert {e.action for e in log} == {"import"}
    assert len({e.group for e in log if e.coder == "ana"}) == 1
    # Undo takes back one coder's whole import and leaves the other's.
    CodingSession(project, "ana").undo()
    assert {c.coder for c in list_codings(project)} == {"ben"}


def test_import_spans_merge_with_overlapping_codings(project, interview, tmp_path):
    turn = interview.segment(2)
    start = turn.start
    path = write_csv(tmp_path / "spans.csv", [
        ("vsp-1", "ana", "referral.hotline", "", start, start + 10),
        ("vsp-1", "ana", "referral.hotline", "2", start + 5, start + 20),
        ("vsp-1", "ana", "referral.hotline", "", start, start + 10),
    ], header=("transcript", "coder", "code", "segment", "start", "end"))
    summary = import_codings(project, path)
    assert (summary.added, summary.merged, summary.unchanged) == (1, 1, 1)
    assert [(c.start, c.end) for c in list_codings(project)] == [(start, start + 20)]


def test_import_xlsx(project, interview, tmp_path):
    path = write_xlsx(tmp_path / "codings.xlsx", [("vsp-1", "ana", "challenge.housing", 4)])
    assert import_codings(project, path).added == 1
    assert [(c.segment, c.code) for c in list_codings(project)] == [(4, "challenge.housing")]


def test_every_problem_is_reported_with_its_row_and_nothing_is_written(project, interview, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [
        ("vsp-1", "ana", "referral.hotline", "2", ""),      # row 2: fine
        ("vsp-9", "ana", "referral.hotline", "2", ""),      # row 3: unknown transcript
        ("vsp-1", "ana", "referal.hotline", "2", ""),       # row 4: unknown code
        ("vsp-1", "ana", "pros.charging", "2", ""),         # row 5: not for this role
        ("vsp-1", "", "referral.hotline", "two", ""),       # row 6: empty coder, bad segment
        ("vsp-1", "ana", "referral.hotline", "9", ""),      # row 7: no such segment
    ])
    with pytest.raises(ValidationFailed) as raised:
        import_codings(project, path)
    messages = [str(p) for p in raised.value.problems]
    assert messages[0] == "bad.csv: row 3: no transcript 'vsp-9' in the project"
    assert messages[1].startswith("bad.csv: row 4: Unknown code 'referal.hotline'; did you mean 'referral.hotline'")
    assert messages[2].startswith("bad.csv: row 5: Code 'pros.charging' does not apply to service_provider")
    assert messages[3] == "bad.csv: row 6: 'coder' is empty"
    assert messages[4] == "bad.csv: row 6: 'segment' must be a whole number; received 'two'"
    assert messages[5] == "bad.csv: row 7: transcript 'vsp-1' has no segment 9; segments are 1..4"
    assert len(messages) == 6
    assert list_codings(project) == []


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("vsp-1", "ana", "referral.hotline", "", "5", ""), "give both 'start' and 'end'"),
        (("vsp-1", "ana", "referral.hotline", "", "", ""), "give 'segment' (the turn's number) or 'start' and 'end'"),
        (("vsp-1", "ana", "referral.hotline", "", "0", "5"), "does not lie inside one segment"),
        (("vsp-1", "ana", "referral.hotline", "", "5", "3"), "is not a span of 'vsp-1'"),
        (("vsp-1", "ana", "referral.hotline", "4", "{s2}", "{e2}"), "is in segment 2, not segment 4"),
        (("vsp-1", "ana", "referral", "2", "", "", "2"), "'confidence' must be a number between 0 and 1"),
    ],
)
def test_span_problems(project, interview, tmp_path, row, message):
    turn = interview.segment(2)
    row = tuple(str(v).format(s2=turn.start, e2=turn.end) for v in row)
    header = ("transcript", "coder", "code", "segment", "start", "end", "confidence")[: len(row)]
    path = write_csv(tmp_path / "span.csv", [row], header=header)
    with pytest.raises(ValidationFailed) as raised:
        import_codings(project, path)
    assert message in str(raised.value.problems[0])
    assert "row 2:" in str(raised.value.problems[0])


def test_missing_columns_are_reported_on_the_header_row(project, tmp_path):
    path = write_csv(tmp_path / "cols.csv", [("vsp-1", "ana")], header=("transcript", "coder"))
    with pytest.raises(ValidationFailed) as raised:
        import_codings(project, path)
    assert str(raised.value.problems[0]).startswith(
        "cols.csv: row 1: missing columns code, segment (or start and end); found: transcript, coder")


def test_semicolon_csv_with_bom_is_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufefftranscript;coder;code;segment\r\nvsp-1;ana;referral;2\r\n\r\n".encode())
    header, rows = read_rows(path)
    assert header == ["transcript", "coder", "code", "segment"]
    assert rows == [(2, {"transcript": "vsp-1", "coder": "ana", "code": "referral", "segment": "2"})]


def test_export_csv_round_trips_through_import(project, interview, tmp_path):
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"], text="the hotline", memo="m")
    text = export_codings(project)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert (rows[0]["coder"], rows[0]["code"], rows[0]["text"], rows[0]["memo"]) == (
        "ana", "referral.hotline", "the hotline", "m")
    exported = tmp_path / "out.csv"
    export_codings(project, path=exported)
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    summary = import_codings(project, exported)
    assert summary.unchanged == 1 and len(list_codings(project)) == 1


def test_export_xlsx_needs_a_file_and_can_be_read_back(project, interview, tmp_path):
    CodingSession(project, "ana").tag("vsp-1", 4, ["challenge.housing"])
    with pytest.raises(ExportError, match="needs a file"):
        export_codings(project, fmt="xlsx")
    path = tmp_path / "out.xlsx"
    export_codings(project, path=path)
    header, rows = read_rows(path)
    assert header == list(EXPORT_COLUMNS)
    assert rows[0][1]["code"] == "challenge.housing" and rows[0][1]["segment"] == "4"


def test_matrix_has_one_row_per_coder_and_respondent_turn(project, interview):
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline", "challenge.case_length"])
    CodingSession(project, "ben").tag("vsp-1", 4, ["challenge.housing"])
    columns, records = matrix_records(project)
    assert columns[:5] == ["transcript", "role", "site", "segment", "coder"]
    assert columns[5:] == [c.id for c in project.codebook.codes.values() if c.codable]
    assert [(r["coder"], r["segment"]) for r in records] == [("ana", 2), ("ana", 4), ("ben", 2), ("ben", 4)]
    assert records[0]["referral.hotline"] == 1 and records[0]["challenge.case_length"] == 1
    assert records[0]["challenge.housing"] == 0 and records[3]["challenge.housing"] == 1
    only_ben = matrix_records(project, coder="ben")[1]
    assert [(r["coder"], r["segment"]) for r in only_ben] == [("ben", 2), ("ben", 4)]


def test_unknown_format_is_refused(project, tmp_path):
    with pytest.raises(ExportError, match="formats: csv, xlsx"):
        export_codings(project, path=tmp_path / "out.ods")


def test_rows_on_interviewer_turns_are_refused_unless_the_project_codes_them(project, interview, tmp_path):
    from tests.helpers import code_interviewer_turns

    path = write_csv(tmp_path / "iv.csv", [("vsp-1", "ana", "referral", "1", "")])
    with pytest.raises(ValidationFailed, match="row 2: segment 1 of 'vsp-1' is an interviewer turn"):
        import_codings(project, path)
    code_interviewer_turns(project)
    assert import_codings(project, path).added == 1
