"""``export qdpx|coder``, ``import-project`` and ``merge`` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.listing import list_codings
from qualcode.coding.session import CodingSession
from qualcode.project import Project
from tests.helpers import INTERVIEW, add_transcript
from tests.twins import assert_frozen, assert_json_is_twins, record

pytestmark = pytest.mark.coders("alice", "bob")

runner = CliRunner()


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), *args])


@pytest.fixture
def coded(project, interview):
    CodingSession(project, "alice").tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline", memo="memo")
    CodingSession(project, "bob").tag("vsp-1", 4, ["challenge.housing"])
    return project


def test_export_then_import_into_a_fresh_project(coded, tmp_path):
    out = tmp_path / "study.qdpx"
    result = run(coded, "export", "qdpx", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {out}: 1 transcript, 7 codes, 2 coders (alice, bob), 2 codings, 1 memo")
    fresh = Project.init(tmp_path / "fresh")
    refused = run(fresh, "import-project", str(out))
    assert refused.exit_code == 1
    assert "are not in the project's codebook" in refused.output and "--codebook-from-file" in refused.output
    dry = run(fresh, "import-project", str(out), "--codebook-from-file", "--dry-run")
    assert dry.exit_code == 0 and "Would import" in dry.output and "Dry run: nothing was written." in dry.output
    done = run(fresh, "import-project", str(out), "--codebook-from-file")
    assert done.exit_code == 0, done.output
    assert "vsp-1 -> transcript 'vsp-1' (new): 4 segments" in done.output
    assert "positions: codepoints (from origin; confirmed" in done.output
    assert done.output.rstrip().endswith("1 transcript, 2 codings added, 0 skipped.")
    listed = json.loads(run(fresh, "codings", "list", "--json").output)
    assert sorted((c["coder"], c["text"]) for c in listed) == [
        ("alice", "Mostly the hotline"), ("bob", "There's always a need for housing. Shelters are full.")]


def test_export_filters_and_json(coded, tmp_path):
    result = run(coded, "export", "qdpx", "-o", str(tmp_path / "b.qdpx"), "--coders", "bob", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["coders"], summary["codings"]) == (["bob"], 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "qdpx", "-o", "x.qdpx", "--coder", "zed"], "Error: No coder 'zed'; coders: alice, bob"),
        (["export", "qdpx", "-o", "x.qdpx", "--offsets", "bytes"], "Error: --offsets must be one of codepoints, utf16"),
        (["export", "coder", "zed", "-o", "z.qcb"], "Error: No coder 'zed'"),
        (["import-project", "missing.qdpx"], "File not found"),
        (["import-project", "missing.qdpx", "--offsets", "bytes"], "Unknown position model 'bytes'"),
        (["merge", "missing.qcb"], "File not found"),
    ],
)
def test_errors_are_one_line_and_exit_1(coded, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run(coded, *args)
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_import_json_report(coded, tmp_path):
    out = tmp_path / "s.qdpx"
    run(coded, "export", "qdpx", "-o", str(out))
    fresh = Project.init(tmp_path / "fresh")
    result = run(fresh, "import-project", str(out), "--codebook-from-file", "--as-coder", "carol", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["coders"] == ["carol"] and report["codings_added"] == 2
    assert report["coders_created"] == ["carol"]  # the import adds the file's coders, and says so
    assert report["sources"][0]["model"] == "codepoints"


@pytest.mark.parametrize(
    "args",
    [["--dry-run"], [], ["--as-coder", "carol"], ["--role", "other"]],
    ids=["dry run", "import", "as coder", "a skipped source"],
)
def test_import_json_is_the_twins_to_dict(coded, tmp_path, monkeypatch, args):
    """``import-project --json`` prints the frozen ImportReport's ``to_dict()``, skipped sources too."""
    from qualcode.interop import qdpx_import

    out = tmp_path / "s.qdpx"
    run(coded, "export", "qdpx", "-o", str(out))
    if "--role" in args:  # a picture source is skipped with a reason and its selections listed
        out = _with_a_picture_source(out, tmp_path / "p.qdpx")
    returned = record(monkeypatch, qdpx_import, "import_project")
    result = run(Project.init(tmp_path / "fresh"), "import-project", str(out), "--codebook-from-file", *args, "--json")
    assert result.exit_code == 0, result.output
    assert_json_is_twins(result.output, returned)
    assert ("skipped" in {s.status for s in returned[0].sources}) == ("--role" in args)


def _with_a_picture_source(qdpx, target):
    """``qdpx`` with one more source, a picture with a selection (qualcode imports text only)."""
    import zipfile

    with zipfile.ZipFile(qdpx) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    picture = (
        '<PictureSource guid="0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9" name="photo" path="internal://photo.png">'
        '<PictureSelection guid="1A2B3C4D-5E6F-4A8B-9C0D-1E2F3A4B5C6D" name="a face" firstX="0" firstY="0" '
        'secondX="5" secondY="5"/></PictureSource>'
    )
    files["project.qde"] = files["project.qde"].replace(b"</Sources>", picture.encode() + b"</Sources>", 1)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def test_export_coder_and_merge_twice(coded, tmp_path):
    bundle = tmp_path / "alice.qcb"
    made = run(coded, "export", "coder", "alice", "-o", str(bundle))
    assert made.exit_code == 0, made.output
    assert made.output.startswith(f"Wrote {bundle}: 1 coding of alice in 1 transcript (1 with memos, 0 orphaned)")
    lead = Project.init(tmp_path / "lead")
    from tests.conftest import use_codebook
    from tests.helpers import DATA

    use_codebook(lead.root, DATA / "codebooks" / "small.yaml")
    lead = Project(lead.root)
    add_transcript(lead, "vsp-1", "service_provider", INTERVIEW)
    first = run(lead, "merge", str(bundle))
    assert first.exit_code == 0, first.output
    assert "(coder alice): 1 added (0 re-anchored), 0 already present, 0 refused" in first.output
    second = run(lead, "merge", str(bundle), "--json")
    report = json.loads(second.output)[0]
    assert (len(report["added"]), len(report["already_present"])) == (0, 1)


CORRECTED = [  # the lead's corrected vsp-1: turn 2 re-anchors, turn 4's words changed
    ("Interviewer", "Where do your cases come from?"),
    ("Respondent", "Well. Mostly the hotline. The police also bring us clients. It takes three years to trial."),
    ("Interviewer", "And housing?"),
    ("Respondent", "There's always a need for housing. Shelters are overflowing."),
]


def _lead(tmp_path, turns=INTERVIEW) -> Project:
    from tests.conftest import use_codebook
    from tests.helpers import DATA

    root = tmp_path / "lead"
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    lead = Project(root)
    add_transcript(lead, "vsp-1", "service_provider", turns)
    return lead


def test_export_coder_json_is_the_twins_to_dict(coded, tmp_path, monkeypatch):
    from qualcode.interop import bundles

    returned = record(monkeypatch, bundles, "export_coder_bundle")
    result = run(coded, "export", "coder", "alice", "-o", str(tmp_path / "alice.qcb"), "--json")
    assert result.exit_code == 0, result.output
    assert_json_is_twins(result.output, returned)


SHOWN = {
    "reanchored": "  re-anchored vsp-1 referral.hotline [57:75] -> [63:81]\n",
    "refused": "  refused vsp-1 challenge.housing [213:231]: the transcript's text differs from the coder's",
    "not_in_bundle": "  not in bundle (kept): vsp-1 challenge.housing [213:231] (coding 2)\n",
}


@pytest.mark.parametrize(
    ("case", "args", "listed"),
    [
        ("same text", [], {"added": 2}),
        ("same text", ["--dry-run"], {"added": 2}),
        ("corrected", [], {"added": 1, "reanchored": 1, "refused": 1}),
        ("merged before", [], {"already_present": 1, "memos_added": 1, "not_in_bundle": 1}),
    ],
    ids=["added", "dry run", "re-anchored and refused", "present, memo added, not in bundle"],
)
def test_merge_json_is_the_twins_to_dict(coded, tmp_path, monkeypatch, case, args, listed):
    """``merge --json`` prints, per bundle, the frozen MergeReport's ``to_dict()``; its items
    are frozen dataclasses too (the CLI reads their attributes)."""
    from qualcode.interop import merge

    alice = CodingSession(coded, "alice")
    alice.tag("vsp-1", 4, ["challenge.housing"], text="Shelters are full.")
    bundle = tmp_path / "alice.qcb"
    run(coded, "export", "coder", "alice", "-o", str(bundle))
    lead = _lead(tmp_path, CORRECTED if case == "corrected" else INTERVIEW)
    if case == "merged before":  # then alice drops one coding and memos the other
        merge.merge_bundle(lead, bundle)
        alice.untag("vsp-1", 4, ["challenge.housing"])
        hotline = next(c for c in list_codings(lead, coder="alice") if c.code == "referral.hotline")
        CodingSession(lead, "alice").set_memo(hotline.id, None)
        run(coded, "export", "coder", "alice", "-o", str(bundle))
    shown = run(lead, "merge", str(bundle), "--dry-run").output  # the same report, rendered from attributes
    for name in set(listed) & set(SHOWN):
        assert SHOWN[name] in shown, shown
    returned = record(monkeypatch, merge, "merge_bundle")
    result = run(lead, "merge", str(bundle), *args, "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert isinstance(printed, list) and len(printed) == 1
    assert_json_is_twins(json.dumps(printed[0]), returned)
    report = returned[0]
    for name, count in listed.items():
        items = getattr(report, name)
        assert len(items) == count, (name, items)
        for index, item in enumerate(items):
            assert_frozen(item, f"{name}[{index}]")


def test_demo_step_prints_one_line(coded):
    from io import StringIO

    from rich.console import Console

    from qualcode.cli.demo import STAGES

    buffer = StringIO()
    dict(STAGES)["REFI-QDA export and round trip"](coded, Console(file=buffer, width=300), {})
    lines = buffer.getvalue().strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == "REFI-QDA export: ecm.qdpx: 1 transcript, 7 codes, 2 coders, 2 codings; round trip exact"
    assert (coded.root / "reports" / "ecm.qdpx").is_file()


def test_every_command_and_option_is_documented():
    from typer.main import get_command

    from tests.helpers import REPO

    doc = (REPO / "docs" / "interop.md").read_text(encoding="utf-8")
    group = get_command(app)
    for path in (["export", "qdpx"], ["export", "coder"], ["import-project"], ["merge"]):
        command = group
        for name in path:
            command = command.commands[name]
        assert f"qualcode {' '.join(path)}" in doc
        for option in (o for param in command.params for o in param.opts if o.startswith("--")):
            assert f"`{option}`" in doc or f"{option} " in doc or f"{option}]" in doc, (path, option)
