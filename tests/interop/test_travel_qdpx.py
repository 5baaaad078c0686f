"""Memos on transcripts and codes, and finish marks, survive a REFI-QDA round trip (issue 20).

Memos are REFI-QDA Notes with a NoteRef from the source or code; finish marks are a
qualcode-tagged Note per coder and transcript. The export stays valid against the XSD.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qualcode.cli.app import app as cli
from qualcode.coding.finishing import set_mark
from qualcode.coding.memos import clean_memo, set_target_memo
from qualcode.coding.session import CodingSession
from qualcode.interop.qdpx_export import export_qdpx
from qualcode.interop.qdpx_import import ImportOptions, import_project
from qualcode.interop.qdpx_notes import MARKS_TAG
from qualcode.interop.roundtrip import compare_projects
from qualcode.interop.travel import gather
from qualcode.project import Project
from qualcode.store.transcripts import load_transcript, replace_transcript
from tests.conftest import use_codebook
from tests.helpers import DATA, INTERVIEW, add_coders, add_transcript
from tests.interop.conftest import HARD_TURNS, PROJECT_XSD, fresh_project


@pytest.fixture
def noted(coded):
    """``coded`` plus memos on a transcript and on a code, and finish marks of both coders."""
    alice, bob = CodingSession(coded, "alice"), CodingSession(coded, "bob")
    set_target_memo(alice, "Short interview;\nthe respondent was rushed 😀", transcript_id="vsp-1")
    set_target_memo(bob, "Bob's view <of> this & that", transcript_id="vsp-1")
    set_target_memo(alice, "Too broad?", code_id="referral.hotline")
    set_target_memo(bob, "A grouping code memo", code_id="referral")
    set_mark(alice, "vsp-1", None, True)
    set_mark(bob, "vsp-1", 2, True)
    set_mark(bob, "vsp-1", None, True)
    return coded


def carried(project):
    with project.read() as conn:
        found = gather(conn, None)
    return sorted(found.memos, key=repr), sorted(found.marks, key=repr)


@pytest.mark.skipif(not PROJECT_XSD.is_file(), reason="../shared/refdata/refi-qda/Project.xsd not present")
@pytest.mark.parametrize("offsets", ["codepoints", "utf16"])
def test_export_with_memos_and_marks_validates_against_the_schema(noted, tmp_path, offsets):
    xmlschema = pytest.importorskip("xmlschema")
    summary = export_qdpx(noted, tmp_path / "out.qdpx", offsets=offsets)
    assert (summary.memos, summary.target_memos, summary.marks) == (1, 4, 3)
    with zipfile.ZipFile(summary.path) as archive:
        xml = archive.read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(PROJECT_XSD)).validate(xml)
    assert xml.count(MARKS_TAG) == 2 and "nothing to code: turn 2 [" in xml


@pytest.mark.parametrize("sidecar", [True, False])
def test_round_trip_keeps_memos_and_marks(noted, tmp_path, sidecar):
    export_qdpx(noted, tmp_path / "rt.qdpx", sidecar=sidecar)
    fresh = fresh_project(tmp_path)
    report = import_project(fresh, tmp_path / "rt.qdpx", ImportOptions(codebook_from_file=True))
    assert report.travel is not None
    assert (report.travel.memos_added, report.travel.marks_added, report.travel.refused) == (4, 3, ())
    assert carried(fresh) == carried(noted)
    assert not [d for d in compare_projects(noted, fresh) if "memo" in d or "mark" in d]
    again = import_project(fresh, tmp_path / "rt.qdpx", ImportOptions())
    assert again.travel is not None and (again.travel.memos_present, again.travel.marks_present) == (4, 3)


def test_stale_marks_are_left_out_and_said(noted, tmp_path):
    with noted.write() as conn:
        transcript = load_transcript(conn, "vsp-1")
        transcript.sha256 = "re-imported with other content"
        replace_transcript(conn, transcript)
    summary = export_qdpx(noted, tmp_path / "out.qdpx")
    assert (summary.marks, summary.stale_marks) == (0, 3)
    assert any("3 finish mark(s) made on content a transcript no longer has" in s for s in summary.skipped)


def test_the_commands_report_memos_and_marks(noted, tmp_path):
    runner, path = CliRunner(), tmp_path / "out.qdpx"
    done = runner.invoke(cli, ["-p", str(noted.root), "export", "qdpx", "-o", str(path)])
    assert done.exit_code == 0, done.output
    assert "1 memo on codings, 4 memos on transcripts/codes, 3 finish marks" in done.output
    fresh = fresh_project(tmp_path)
    dry = runner.invoke(cli, ["-p", str(fresh.root), "import-project", str(path), "--codebook-from-file", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "4 memo(s) on transcripts/codes and 3 finish mark(s) would be carried" in dry.output
    imported = runner.invoke(cli, ["-p", str(fresh.root), "import-project", str(path), "--codebook-from-file"])
    assert imported.exit_code == 0, imported.output
    assert "memos on transcripts/codes: 4 added, 0 already present; finish marks: 3 added" in imported.output
    as_json = runner.invoke(cli, ["-p", str(fresh.root), "import-project", str(path), "--json"])
    assert json.loads(as_json.output)["travel"]["marks_present"] == 3


MEMO_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Cn", "Co")) | st.sampled_from(["\n", "\t", " "]),
                    min_size=1, max_size=30)
TARGETS = st.sampled_from([("vsp-1", None), ("pros-1", None), (None, "referral"), (None, "challenge.housing")])


@settings(deadline=None, max_examples=10)  # two projects per example (two schemas on PostgreSQL)
@given(
    memos=st.dictionaries(st.tuples(st.sampled_from(["alice", "bob"]), TARGETS), MEMO_TEXT, max_size=4),
    marks=st.sets(st.tuples(st.sampled_from(["alice", "bob"]), st.sampled_from(["vsp-1", "pros-1"]),
                            st.sampled_from([None, 2, 4])), max_size=5),
    sidecar=st.booleans(),
)
def test_property_export_then_import_carries_exactly_the_memos_and_marks(tmp_path_factory, memos, marks, sidecar):
    """A generated project's memos and marks come back exactly (the model: what was set), with or without the sidecar."""
    project = _bare_project(tmp_path_factory.mktemp("src"))
    sessions = {c: CodingSession(project, c) for c in ("alice", "bob")}
    expected_memos = set()
    for (coder, (transcript_id, code_id)), text in memos.items():
        if set_target_memo(sessions[coder], text, transcript_id=transcript_id, code_id=code_id).group_id:
            expected_memos.add((coder, transcript_id, code_id, clean_memo(text)))
    for coder, transcript_id, ordinal in marks:
        set_mark(sessions[coder], transcript_id, ordinal, True)
    expected_marks = {(c, t, "done" if o is None else "nothing", o) for c, t, o in marks}
    path = tmp_path_factory.mktemp("rt") / "rt.qdpx"
    export_qdpx(project, path, sidecar=sidecar)
    target = fresh_project(tmp_path_factory.mktemp("dst"))
    import_project(target, path, ImportOptions(codebook_from_file=True))
    got_memos, got_marks = carried(target)
    assert {(m.coder, m.transcript_id, m.code_id, m.text) for m in got_memos} == expected_memos
    assert {(m.coder, m.transcript_id, m.kind, m.ordinal) for m in got_marks} == expected_marks
    project.close()
    target.close()


def _bare_project(root):
    """Two uncoded transcripts (respondent turns 2 and 4) and coders alice and bob."""
    Project.init(root / "p").close()
    use_codebook(root / "p", DATA / "codebooks" / "small.yaml")
    project = Project(root / "p")
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW, site="A")
    add_transcript(project, "pros-1", "prosecutor", HARD_TURNS, site="B")
    add_coders(project, "alice", "bob")
    return project


@settings(deadline=None, max_examples=10)  # two projects per example (two schemas on PostgreSQL)
@given(
    memos=st.dictionaries(st.tuples(st.sampled_from(["alice", "bob"]), TARGETS), MEMO_TEXT, max_size=4),
    marks=st.sets(st.tuples(st.sampled_from(["alice", "bob"]), st.sampled_from(["vsp-1", "pros-1"]),
                            st.sampled_from([None, 2, 4])), max_size=5),
)
def test_property_coder_bundles_then_merge_carry_exactly_the_memos_and_marks(tmp_path_factory, memos, marks):
    """The same model through ``export coder`` + ``merge`` of each coder's bundle."""
    from qualcode.interop.bundles import export_coder_bundle
    from qualcode.interop.merge import merge_bundle

    project = _bare_project(tmp_path_factory.mktemp("laptop"))
    sessions = {c: CodingSession(project, c) for c in ("alice", "bob")}
    for (coder, (transcript_id, code_id)), text in memos.items():
        set_target_memo(sessions[coder], text, transcript_id=transcript_id, code_id=code_id)
    for coder, transcript_id, ordinal in marks:
        set_mark(sessions[coder], transcript_id, ordinal, True)
    lead = _bare_project(tmp_path_factory.mktemp("lead"))
    folder = tmp_path_factory.mktemp("bundles")
    for coder in ("alice", "bob"):
        report = merge_bundle(lead, export_coder_bundle(project, coder, folder / f"{coder}.qcb").path)
        assert report.travel.refused == ()
    assert carried(lead) == carried(project)
    project.close()
    lead.close()


def test_another_tools_notes_on_a_source_and_a_code_become_memos(tmp_path):
    """As NVivo/MAXQDA (document memos) and OpenQDA (code memos) carry them: NoteRef from the TextSource / Code."""
    from tests.interop.refi_builders import Src, gid, project_xml

    text = "Interviewer: Hello.\nRespondent: The hotline helps.\n"
    xml = project_xml([Src("iv", text, [], {"role": "other"})], origin="NVivo for Windows 14")
    note = gid("n:doc")
    code_note, marks_note = gid("n:code"), gid("n:marks")
    xml = xml.replace("</TextSource>", f'<NoteRef targetGUID="{note}"/><NoteRef targetGUID="{marks_note}"/></TextSource>', 1)
    xml = xml.replace(f'guid="{gid("c:Hotline")}" name="Hotline" isCodable="true" color="#FF0000"/>',
                      f'guid="{gid("c:Hotline")}" name="Hotline" isCodable="true" color="#FF0000">'
                      f'<NoteRef targetGUID="{code_note}"/></Code>')
    users = f'creatingUser="{gid("u:ben")}"'
    xml = xml.replace("</Project>", (
        f'<Notes><Note guid="{note}" {users}><PlainTextContent>Long pauses throughout.</PlainTextContent></Note>'
        f'<Note guid="{code_note}" {users}><PlainTextContent>Calls only.</PlainTextContent></Note>'
        f'<Note guid="{marks_note}" {users}><Description>{MARKS_TAG}</Description>'
        "<PlainTextContent>done\nfinished, honest</PlainTextContent></Note></Notes></Project>"))
    path = tmp_path / "nvivo.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", xml)
        archive.writestr(f"sources/{gid('s:iv')}.txt", text)
    fresh = fresh_project(tmp_path)
    report = import_project(fresh, path, ImportOptions(codebook_from_file=True))
    memos, marks = carried(fresh)
    assert {(m.coder, m.transcript_id, m.code_id, m.text) for m in memos} == {
        ("ben", "iv", None, "Long pauses throughout."), ("ben", None, "hotline", "Calls only.")}
    assert [(m.coder, m.kind) for m in marks] == [("ben", "done")]
    assert report.travel is not None and report.travel.memos_added == 2
    assert "finish marks of ben on 'iv', line 2: not a mark qualcode writes" in report.notes
