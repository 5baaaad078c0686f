"""``export qdpx``: a valid, stable REFI-QDA archive of the project."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import event

import qualcode
from qualcode.errors import ExportError, NotFoundError
from qualcode.interop.qdpx_export import check_project_xml, export_qdpx
from qualcode.interop.xmlread import (
    attr,
    child,
    children,
    descendants,
    parse_xml,
    text_of,
)
from tests.helpers import INTERVIEW, add_transcript
from tests.interop.conftest import PROJECT_XSD


def _qde(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read("project.qde"), {n: archive.read(n) for n in archive.namelist()}


@pytest.mark.skipif(not PROJECT_XSD.is_file(), reason="../shared/refdata/refi-qda/Project.xsd not present")
@pytest.mark.parametrize("offsets", ["codepoints", "utf16"])
def test_export_validates_against_the_refi_schema(coded, tmp_path, offsets):
    xmlschema = pytest.importorskip("xmlschema")
    path = export_qdpx(coded, tmp_path / "out.qdpx", offsets=offsets).path
    xml, _ = _qde(path)
    xmlschema.XMLSchema(str(PROJECT_XSD)).validate(xml.decode("utf-8"))


def test_archive_layout_and_content(coded, tmp_path):
    summary = export_qdpx(coded, tmp_path / "out.qdpx")
    assert (summary.transcripts, summary.codings, summary.coders, summary.memos) == (2, 6, ["alice", "bob"], 1)
    xml, files = _qde(summary.path)
    root = parse_xml(xml, "project.qde")
    assert root.tag == "{urn:QDA-XML:project:1.0}Project" and attr(root, "origin").startswith("qualcode ")
    assert [attr(u, "name") for u in children(child(root, "Users"), "User")] == ["alice", "bob"]
    sources = {attr(s, "name"): s for s in children(child(root, "Sources"), "TextSource")}
    assert set(sources) == {"vsp-1", "pros-1"}
    with coded.read() as conn:
        from qualcode.store.transcripts import load_transcript

        for name, source in sources.items():
            guid = attr(source, "guid")
            assert attr(source, "plainTextPath") == f"internal://{guid}.txt"
            text = files[f"sources/{guid}.txt"].decode("utf-8")
            assert text == load_transcript(conn, name).text  # UTF-8, no BOM, LF
    assert json.loads(files["qualcode/project.json"])["format"] == 1


def test_one_selection_per_coding_with_its_coder_and_text(coded, tmp_path):
    xml, files = _qde(export_qdpx(coded, tmp_path / "out.qdpx").path)
    root = parse_xml(xml, "project.qde")
    users = {attr(u, "guid"): attr(u, "name") for u in descendants(root, "User")}
    found = []
    for source in descendants(root, "TextSource"):
        text = files[f"sources/{attr(source, 'guid')}.txt"].decode("utf-8")
        for selection in children(source, "PlainTextSelection"):
            (coding,) = children(selection, "Coding")
            start, end = int(attr(selection, "startPosition")), int(attr(selection, "endPosition"))
            found.append((users[attr(coding, "creatingUser")], text[start:end]))
    assert sorted(found) == sorted([
        ("alice", "Mostly the hotline"), ("alice", "There's always a need for housing. Shelters are full."),
        ("alice", "The hotline 🎉 helps"), ("alice", "q\u0323\u0307 and Ω"),
        ("bob", "Café 👩\u200d👩\u200d👧 hotline"), ("bob", "we need housing"),
    ])


def test_utf16_positions_count_emoji_twice(coded, tmp_path):
    xml, files = _qde(export_qdpx(coded, tmp_path / "out.qdpx", offsets="utf16").path)
    root = parse_xml(xml, "project.qde")
    assert attr(root, "origin").endswith("(positions: utf16)")
    source = next(s for s in descendants(root, "TextSource") if attr(s, "name") == "pros-1")
    units = files[f"sources/{attr(source, 'guid')}.txt"].decode("utf-8").encode("utf-16-le")
    texts = {
        units[2 * int(attr(s, "startPosition")) : 2 * int(attr(s, "endPosition"))].decode("utf-16-le")
        for s in children(source, "PlainTextSelection")
    }
    assert "The hotline 🎉 helps" in texts and "Café 👩\u200d👩\u200d👧 hotline" in texts


def test_role_site_attributes_cases_and_sets(coded, tmp_path):
    xml, _ = _qde(export_qdpx(coded, tmp_path / "out.qdpx").path)
    root = parse_xml(xml, "project.qde")
    variables = {attr(v, "guid"): attr(v, "name") for v in descendants(root, "Variable")}

    def values(element):
        return {variables[attr(child(v, "VariableRef"), "targetGUID")]: text_of(child(v, "TextValue"))
                for v in children(element, "VariableValue")}

    cases = {attr(c, "name"): values(c) for c in descendants(root, "Case")}
    assert cases == {"vsp-1": {"role": "service_provider", "site": "A"}, "pros-1": {"role": "prosecutor", "site": "B"}}
    source = next(s for s in descendants(root, "TextSource") if attr(s, "name") == "pros-1")
    assert values(source) == cases["pros-1"]
    sets = {attr(s, "name"): s for s in descendants(root, "Set")}
    prosecutor = sets["Prosecutor"]
    assert text_of(child(prosecutor, "Description")).startswith("qualcode role: prosecutor")
    assert [attr(m, "targetGUID") for m in children(prosecutor, "MemberSource")] == [attr(source, "guid")]
    charging = next(c for c in descendants(root, "Code") if attr(c, "name") == "Charging practices")
    assert "Roles: prosecutor" in text_of(child(charging, "Description"))
    assert attr(charging, "guid") in [attr(m, "targetGUID") for m in children(prosecutor, "MemberCode")]
    assert attr(charging, "guid") not in [attr(m, "targetGUID") for m in children(sets["Service provider"], "MemberCode")]


def test_memo_is_a_note_referenced_by_the_coding(coded, tmp_path):
    xml, _ = _qde(export_qdpx(coded, tmp_path / "out.qdpx").path)
    root = parse_xml(xml, "project.qde")
    (note,) = descendants(root, "Note")
    assert text_of(child(note, "PlainTextContent")) == "clear referral 👍"
    refs = [attr(r, "targetGUID") for c in descendants(root, "Coding") for r in children(c, "NoteRef")]
    assert refs == [attr(note, "guid")]


def test_guids_are_stable_across_exports(coded, tmp_path):
    first, _ = _qde(export_qdpx(coded, tmp_path / "a.qdpx").path)
    second, _ = _qde(export_qdpx(coded, tmp_path / "b.qdpx").path)
    assert first == second


@pytest.mark.parametrize(
    ("options", "transcripts", "coders", "codings"),
    [
        ({"coders": ["bob"]}, {"vsp-1", "pros-1"}, {"bob"}, 2),
        ({"transcripts": ["vsp-1"]}, {"vsp-1"}, {"alice", "bob"}, 2),
        ({"coders": ["alice"], "transcripts": ["pros-1"]}, {"pros-1"}, {"alice"}, 2),
    ],
)
def test_filters(coded, tmp_path, options, transcripts, coders, codings):
    summary = export_qdpx(coded, tmp_path / "out.qdpx", **options)
    xml, _ = _qde(summary.path)
    root = parse_xml(xml, "project.qde")
    assert {attr(s, "name") for s in descendants(root, "TextSource")} == transcripts
    assert {attr(u, "name") for u in descendants(root, "User")} == coders
    assert len(descendants(root, "PlainTextSelection")) == codings == summary.codings


def test_unknown_coder_and_offsets_are_refused(coded, tmp_path):
    with pytest.raises(NotFoundError, match="No coder 'zed'; coders: alice, bob"):
        export_qdpx(coded, tmp_path / "out.qdpx", coders=["zed"])
    with pytest.raises(ExportError, match="--offsets must be one of codepoints, utf16, got 'bytes'"):
        export_qdpx(coded, tmp_path / "out.qdpx", offsets="bytes")
    assert not (tmp_path / "out.qdpx").exists()


def test_no_sidecar(coded, tmp_path):
    _, files = _qde(export_qdpx(coded, tmp_path / "out.qdpx", sidecar=False).path)
    assert "qualcode/project.json" not in files


def test_schema_checks_catch_broken_references():
    root = parse_xml(
        b'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources><TextSource guid="not-a-guid">'
        b'<PlainTextSelection guid="6F1D2A5E-2C55-4BD8-9A3C-7B7E0F2D9C41" startPosition="9" endPosition="2">'
        b'<Coding guid="6F1D2A5E-2C55-4BD8-9A3C-7B7E0F2D9C42"><CodeRef targetGUID="6F1D2A5E-2C55-4BD8-9A3C-7B7E0F2D9C43"/>'
        b"</Coding></PlainTextSelection></TextSource></Sources></Project>",
        "p.qde",
    )
    problems = check_project_xml(root)
    assert any("guid='not-a-guid' is not a GUID" in p for p in problems)
    assert any("positions 9..2" in p for p in problems)
    assert any("which is not a code" in p for p in problems)




def _coded_corpus(project, first: int, last: int, per_transcript: int = 20) -> None:
    """Copies ``first..last-1`` of the interview with ``per_transcript`` codings each."""
    from qualcode.store.codings import ensure_coder, insert_codings
    from qualcode.store.transcripts import segment_ids

    transcripts = [add_transcript(project, f"t-{n:03d}", "service_provider", INTERVIEW) for n in range(first, last)]
    with project.write() as conn:
        ensure_coder(conn, "alice")
        rows = []
        for transcript in transcripts:
            turn = transcript.segments[1]
            segment = segment_ids(conn, transcript.id)[turn.ordinal]
            for number in range(per_transcript):
                start = turn.start + number % 10
                rows.append({
                    "transcript_id": transcript.id, "segment_id": segment, "coder": "alice",
                    "code_id": "referral.hotline", "start_offset": start, "end_offset": start + 5 + number,
                    "origin": "manual", "memo": "m" if number == 0 else None,
                })
        insert_codings(conn, rows)


def _work(project, path) -> tuple[int, int]:
    """(Python lines executed in qualcode's own modules, SQL statements) for one export."""
    package = str(Path(qualcode.__file__).parent)
    lines = statements = 0

    def local(frame, kind, arg):
        nonlocal lines
        lines += kind == "line"
        return local

    def tracer(frame, kind, arg):
        return local if frame.f_code.co_filename.startswith(package) else None

    def count(*args):
        nonlocal statements
        statements += 1

    event.listen(project.engine, "before_cursor_execute", count)
    sys.settrace(tracer)
    try:
        summary = export_qdpx(project, path)
    finally:
        sys.settrace(None)
        event.remove(project.engine, "before_cursor_execute", count)
    assert summary.codings == 20 * summary.transcripts
    return lines, statements


@pytest.mark.parametrize(("small", "factor"), [(20, 4)])
def test_export_work_grows_linearly_with_the_corpus(project, tmp_path, small, factor):
    """``factor`` times the transcripts may cost at most 1.1 x ``factor`` the work: no
    coding is visited once per transcript (counted in executed lines of qualcode's code
    and in SQL statements, never timed)."""
    _coded_corpus(project, 0, small)
    lines_small, sql_small = _work(project, tmp_path / "small.qdpx")
    _coded_corpus(project, small, factor * small)
    lines_large, sql_large = _work(project, tmp_path / "large.qdpx")
    assert lines_large <= 1.1 * factor * lines_small, (lines_small, lines_large)
    assert sql_large <= 1.1 * factor * sql_small, (sql_small, sql_large)
