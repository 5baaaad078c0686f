"""Memos on transcripts and codes, and finish marks, travel in coder bundles (issue 20).

Before, ``export coder`` + ``merge`` silently lost them. Version 2 bundles carry them;
version 1 bundles still merge; conflicts are refused and reported, never dropped silently.
"""

from __future__ import annotations

import json
import zipfile

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app as cli
from qualcode.coding.finishing import set_mark
from qualcode.coding.memos import set_target_memo, target_memo
from qualcode.coding.session import CodingSession
from qualcode.interop.bundles import export_coder_bundle, read_bundle
from qualcode.interop.merge import merge_bundle
from qualcode.store.finishing import coder_marks
from qualcode.store.transcripts import load_transcript, replace_transcript
from tests.helpers import add_coders
from tests.interop.test_merge import _project


@pytest.fixture
def laptop(tmp_path):
    """Alice coded turn 2, marked turn 4 nothing to code and the transcript done, and wrote two memos."""
    project = _project(tmp_path, "laptop")
    alice = CodingSession(project, "alice")
    alice.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline")
    set_mark(alice, "vsp-1", 4, True)
    set_mark(alice, "vsp-1", None, True)
    set_target_memo(alice, "Interview cut short.\nSecond line.", transcript_id="vsp-1")
    set_target_memo(alice, "Hotline vs. referral: unclear", code_id="referral.hotline")
    return project


def marks(project, coder="alice"):
    with project.read() as conn:
        return coder_marks(conn, coder, "vsp-1")


def memos(project, coder="alice"):
    return (target_memo(project, coder, transcript_id="vsp-1"), target_memo(project, coder, code_id="referral.hotline"))


def test_bundle_carries_memos_and_marks_and_merge_stores_them_once(laptop, tmp_path):
    summary = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb")
    assert (summary.target_memos, summary.marks, summary.stale_marks) == (2, 2, 0)
    lead = _project(tmp_path, "lead")
    report = merge_bundle(lead, summary.path)
    assert (report.travel.memos_added, report.travel.marks_added, report.travel.refused) == (2, 2, ())
    assert marks(lead) == ({4}, True)
    assert memos(lead) == ("Interview cut short.\nSecond line.", "Hotline vs. referral: unclear")
    again = merge_bundle(lead, summary.path)
    assert (again.travel.memos_added, again.travel.memos_present, again.travel.marks_added,
            again.travel.marks_present) == (0, 2, 0, 2)


def test_undo_takes_the_merged_memos_and_marks_back_with_the_codings(laptop, tmp_path):
    bundle = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path
    lead = _project(tmp_path, "lead")
    merge_bundle(lead, bundle)
    CodingSession(lead, "alice").undo()
    assert marks(lead) == (set(), False) and memos(lead) == ("", "")


def test_a_differing_memo_is_refused_and_the_projects_kept(laptop, tmp_path):
    bundle = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path
    lead = _project(tmp_path, "lead")
    add_coders(lead, "alice")
    set_target_memo(CodingSession(lead, "alice"), "written on the lead's machine", transcript_id="vsp-1")
    report = merge_bundle(lead, bundle)
    assert report.travel.memos_added == 1  # the code memo
    [refused] = report.travel.refused
    assert "memo on transcript 'vsp-1' differs from the project's; the project's is kept" in refused
    assert "cut short" not in refused  # memo text is never echoed
    assert memos(lead)[0] == "written on the lead's machine"


def test_marks_are_per_coder_and_never_conflict(laptop, tmp_path):
    bundle = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path
    lead = _project(tmp_path, "lead")
    set_mark(CodingSession(lead, "lead"), "vsp-1", None, True)  # the lead marked it done too
    report = merge_bundle(lead, bundle)
    assert report.travel.marks_added == 2 and report.travel.refused == ()
    assert marks(lead, "lead") == (set(), True) and marks(lead, "alice") == ({4}, True)


def test_marks_on_changed_text_or_a_coded_turn_are_refused(laptop, tmp_path):
    bundle = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path
    lead = _project(tmp_path, "lead")
    add_coders(lead, "alice")
    CodingSession(lead, "alice").tag("vsp-1", 4, ["challenge.housing"], text="Shelters are full.")
    report = merge_bundle(lead, bundle)
    assert [r for r in report.travel.refused if "turn 4" in r] == [
        "alice's nothing-to-code mark on turn 4 of 'vsp-1': alice has codings on that turn in the project"]
    assert marks(lead) == (set(), True)
    changed = _project(tmp_path / "x", "lead")
    with changed.write() as conn:
        transcript = load_transcript(conn, "vsp-1")
        transcript.text = transcript.text.replace("Shelters", "Hostels")
        transcript.sha256 = "edited"
        replace_transcript(conn, transcript)
    report = merge_bundle(changed, bundle)
    assert report.travel.marks_added == 0 and len(report.travel.refused) == 2
    assert all("the project's text differs from the coder's" in r for r in report.travel.refused)


def test_a_version_1_bundle_without_memos_or_marks_still_merges(laptop, tmp_path):
    document = read_bundle(export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path)
    document["version"] = 1
    del document["memos"], document["marks"]
    old = tmp_path / "old.qcb"
    with zipfile.ZipFile(old, "w") as archive:
        archive.writestr("bundle.json", json.dumps(document))
    lead = _project(tmp_path, "lead")
    report = merge_bundle(lead, old)
    assert len(report.added) == 1 and report.travel.to_dict()["memos_added"] == 0
    assert marks(lead) == (set(), False)


@pytest.mark.parametrize(("memos_value", "message"), [
    ("x", "'memos' must be a list"),
    ([{"text": "t", "transcript": "vsp-1", "code": "referral"}], "memo 1 must have a text and exactly one of"),
])
def test_bad_memos_in_a_bundle_are_refused(laptop, tmp_path, memos_value, message):
    document = read_bundle(export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path)
    document["memos"] = memos_value
    bad = tmp_path / "bad.qcb"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("bundle.json", json.dumps(document))
    with pytest.raises(Exception, match=message):
        read_bundle(bad)


def test_the_commands_say_how_many_memos_and_marks_went_through(laptop, tmp_path):
    runner, bundle = CliRunner(), tmp_path / "alice.qcb"
    done = runner.invoke(cli, ["-p", str(laptop.root), "export", "coder", "alice", "-o", str(bundle)])
    assert done.exit_code == 0, done.output
    assert "2 memos on transcripts/codes, 2 finish marks" in done.output
    lead = _project(tmp_path, "lead")
    merged = runner.invoke(cli, ["-p", str(lead.root), "merge", str(bundle)])
    assert merged.exit_code == 0, merged.output
    assert "memos on transcripts/codes: 2 added, 0 already present; finish marks: 2 added" in merged.output
    as_json = runner.invoke(cli, ["-p", str(lead.root), "merge", str(bundle), "--json"])
    assert json.loads(as_json.output)[0]["travel"]["marks_present"] == 2


def test_a_dry_run_merge_counts_memos_and_marks_and_stores_none(laptop, tmp_path):
    bundle = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path
    lead = _project(tmp_path, "lead")
    report = merge_bundle(lead, bundle, dry_run=True)
    assert (report.travel.memos_added, report.travel.marks_added) == (2, 2)
    assert marks(lead) == (set(), False)
