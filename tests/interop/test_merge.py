"""Coder bundles and merge: nothing lost, nothing duplicated, everything reported."""

from __future__ import annotations

import json
import zipfile

import pytest

from qualcode.coding.listing import event_log, list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import InteropError, NotFoundError
from qualcode.interop.bundles import export_coder_bundle, read_bundle
from qualcode.interop.merge import merge_bundle
from qualcode.project import Project
from qualcode.store.transcripts import load_transcript, replace_transcript
from tests.conftest import use_codebook
from tests.helpers import DATA, INTERVIEW, add_coders, add_transcript


def _project(tmp_path, name: str, turns=INTERVIEW) -> Project:
    root = tmp_path / name
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    project = Project(root)
    add_transcript(project, "vsp-1", "service_provider", turns)
    add_coders(project, "alice" if name == "laptop" else "lead")  # the bundle brings alice to the lead
    return project


@pytest.fixture
def laptop(tmp_path) -> Project:
    """Alice's copy of the project, coded offline."""
    project = _project(tmp_path, "laptop")
    alice = CodingSession(project, "alice")
    alice.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline", memo="from the hotline")
    alice.tag("vsp-1", 2, ["referral.law_enforcement"], text="Police also bring us clients.")
    alice.tag("vsp-1", 4, ["challenge.housing"], text="Shelters are full.")
    return project


@pytest.fixture
def bundle(laptop, tmp_path):
    return export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path


def _triples(project, coder="alice"):
    return sorted((c.code, c.text, c.memo) for c in list_codings(project, coder=coder))


def test_bundle_carries_codings_hashes_and_events(laptop, tmp_path):
    summary = export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb")
    assert (summary.codings, summary.memos, summary.events, summary.transcripts) == (3, 1, 3, 1)
    document = read_bundle(summary.path)
    assert document["coder"] == "alice" and document["codebook"]["hash"] == laptop.codebook.hash
    entry = document["transcripts"]["vsp-1"]
    with laptop.read() as conn:
        assert entry["text"] == load_transcript(conn, "vsp-1").text
    assert {c["text"] for c in document["codings"]} == {"Mostly the hotline", "Police also bring us clients.", "Shelters are full."}
    assert all(len(c["uuid"]) == 36 for c in document["codings"])


def test_unknown_coder_is_refused(laptop, tmp_path):
    with pytest.raises(NotFoundError, match="No coder 'zed'; coders: alice"):
        export_coder_bundle(laptop, "zed", tmp_path / "z.qcb")


def test_merge_adds_everything_then_is_idempotent(laptop, bundle, tmp_path):
    lead = _project(tmp_path, "lead")
    CodingSession(lead, "lead").tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline")
    first = merge_bundle(lead, bundle)
    assert (len(first.added), len(first.already_present), first.refused) == (3, 0, [])
    assert first.events_added == 3
    assert "coder 'alice' was not in the project; the merge adds it" in first.notes
    assert _triples(lead) == _triples(laptop)
    assert _triples(lead, "lead") == [("referral.hotline", "Mostly the hotline", None)]
    second = merge_bundle(lead, bundle)
    assert (len(second.added), len(second.already_present), second.events_added, second.events_present) == (0, 3, 0, 3)
    assert not any("merge adds it" in note for note in second.notes)
    assert len(list_codings(lead)) == 4
    assert [e.action for e in event_log(lead, coder="alice")].count("merge") == 3


def test_undo_takes_the_merge_back(bundle, tmp_path):
    lead = _project(tmp_path, "lead")
    CodingSession(lead, "lead").tag("vsp-1", 4, ["challenge.housing"])
    merge_bundle(lead, bundle)
    undone = CodingSession(lead, "alice").undo()
    assert len(undone.removed) == 3
    assert list_codings(lead, coder="alice") == [] and len(list_codings(lead, coder="lead")) == 1


def test_dry_run_changes_nothing(bundle, tmp_path):
    lead = _project(tmp_path, "lead")
    report = merge_bundle(lead, bundle, dry_run=True)
    assert len(report.added) == 3 and report.dry_run
    assert list_codings(lead) == [] and event_log(lead) == []


def test_corrected_transcript_is_reanchored_or_refused(bundle, tmp_path):
    corrected = [
        ("Interviewer", "Where do your cases come from?"),
        ("Respondent", "Well. Mostly the hotline. The police also bring us clients. It takes three years to trial."),
        ("Interviewer", "And housing?"),
        ("Respondent", "There's always a need for housing. Shelters are overflowing."),
    ]
    lead = _project(tmp_path, "lead", corrected)
    report = merge_bundle(lead, bundle)
    assert sorted(r.code for r in report.reanchored) == ["referral.hotline", "referral.law_enforcement"]
    assert [(r.code, "words under the coding changed" in r.reason) for r in report.refused] == [("challenge.housing", True)]
    assert _triples(lead) == [("referral.hotline", "Mostly the hotline", "from the hotline"),
                              ("referral.law_enforcement", "police also bring us clients.", None)]


def test_refusals_name_their_reason(laptop, tmp_path):
    add_transcript(laptop, "pros-9", "prosecutor", [("Interviewer", "Q?"), ("Respondent", "Charged it.")])
    CodingSession(laptop, "alice").tag("pros-9", 2, ["pros.charging"])
    path = export_coder_bundle(laptop, "alice", tmp_path / "a.qcb").path
    lead = _project(tmp_path, "lead")
    report = merge_bundle(lead, path)
    assert [r.reason for r in report.refused] == ["transcript 'pros-9' is not in the project"]
    assert len(report.added) == 3


def test_codings_only_in_the_project_are_reported_and_kept(laptop, bundle, tmp_path):
    lead = _project(tmp_path, "lead")
    merge_bundle(lead, bundle)
    CodingSession(laptop, "alice").untag("vsp-1", 4, ["challenge.housing"])
    newer = export_coder_bundle(laptop, "alice", tmp_path / "newer.qcb").path
    report = merge_bundle(lead, newer)
    assert [(r.code, r.start) for r in report.not_in_bundle] == [("challenge.housing", report.not_in_bundle[0].start)]
    assert len(list_codings(lead, coder="alice")) == 3  # nothing dropped
    assert report.events_added == 1  # only the untag is new history


def test_memo_is_added_to_an_existing_coding(laptop, tmp_path):
    lead = _project(tmp_path, "lead")
    merge_bundle(lead, export_coder_bundle(laptop, "alice", tmp_path / "a.qcb").path)
    row = next(c for c in list_codings(laptop) if c.code == "challenge.housing")
    CodingSession(laptop, "alice").set_memo(row.id, "added later")
    report = merge_bundle(lead, export_coder_bundle(laptop, "alice", tmp_path / "b.qcb").path)
    assert [m.code for m in report.memos_added] == ["challenge.housing"]
    assert ("challenge.housing", "Shelters are full.", "added later") in _triples(lead)


def test_codes_missing_from_the_lead_codebook_are_refused(bundle, tmp_path):
    lead = _project(tmp_path, "lead")
    text = lead.codebook_path.read_text(encoding="utf-8")
    start = text.index("      - id: referral.law_enforcement")
    end = text.index("  - id: challenge\n")
    lead.codebook_path.write_text(text[:start] + text[end:], encoding="utf-8")
    lead.reload_codebook()
    report = merge_bundle(lead, bundle)
    assert [r.reason for r in report.refused] == ["code 'referral.law_enforcement' is not in the project's codebook"]
    assert "another codebook version" in report.notes[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"bundle.json": b"{not json"}, "is not valid JSON"),
        ({"other.json": b"{}"}, "is not a qualcode coder bundle"),
        ({"bundle.json": json.dumps({"format": "x"}).encode()}, "'format' is not 'qualcode-coder-bundle'"),
        ({"bundle.json": b"{}", "../evil": b"x"}, "is unsafe"),
    ],
)
def test_bad_bundles_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.qcb"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    lead = _project(tmp_path, "lead")
    with pytest.raises(InteropError, match=message):
        merge_bundle(lead, path)
    assert list_codings(lead) == []


def test_bundle_positions_are_checked(bundle, tmp_path):
    document = read_bundle(bundle)
    document["codings"][0]["start"] = -3
    path = tmp_path / "tampered.qcb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bundle.json", json.dumps(document))
    with pytest.raises(InteropError, match="coding 1 has positions -3"):
        read_bundle(path)


def test_merge_after_transcript_replaced_with_same_text(laptop, bundle, tmp_path):
    lead = _project(tmp_path, "lead")
    with lead.write() as conn:
        transcript = load_transcript(conn, "vsp-1")
        transcript.sha256 = "different-file-same-text"
        replace_transcript(conn, transcript)
    report = merge_bundle(lead, bundle)
    assert len(report.added) == 3 and report.reanchored == []
