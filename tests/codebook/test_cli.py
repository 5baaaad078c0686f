"""``qualcode codebook ...`` through typer's CliRunner: exit codes and messages."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qualcode.cli.codebook import app
from qualcode.codebook.operations import (
    diff_project,
    rename_project_code,
    snapshot_project,
    validate_codebook_file,
)
from qualcode.coding.session import CodingSession

pytestmark = pytest.mark.coders("ana")

REPO = Path(__file__).resolve().parents[2]
ECM = REPO / "codebooks" / "ecm.yaml"
REFDATA = REPO.parent / "shared" / "refdata" / "refi-qda"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), prog_name="qualcode codebook")


@pytest.fixture
def in_project(project, monkeypatch):
    monkeypatch.chdir(project.root)
    return project


def test_validate_ecm_passes_with_a_summary():
    result = run("validate", str(ECM))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{ECM}: valid"
    assert lines[1].startswith("4 roles, 72 codes (69 codable, 11 top-level, 69 with autocode rules)")
    assert "  prosecutor (Prosecutor): 53 codes" in lines


def test_validate_lists_every_problem_and_exits_1(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "codes:\n  - id: a\n    name: A\n    defintion: x\n  - id: a\n    name: ''\n    roles: [cop]\n",
        encoding="utf-8",
    )
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        (
            f"{path}:4:5: Unknown key 'defintion' in code 'a' (did you mean 'definition'?). Allowed keys: id, "
            "name, definition, include, exclude, examples, roles, color, exclusive, codable, rules, children"
        ),
        f"{path}:5:9: Duplicate code id 'a' (first defined at line 2); ids must be unique",
        f"{path}:6:11: Code 'a' has an empty name; every code needs a non-empty 'name'",
        (
            f"{path}:7:13: Code 'a' names role 'cop', which is not declared. Roles: law_enforcement, "
            "prosecutor, service_provider, other"
        ),
        f"Error: 4 problems in {path}",
    ]


def test_validate_defaults_to_the_project_codebook(in_project):
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("small.yaml: valid")


def test_show_json_resolves_roles(in_project):
    result = run("show", "--json", "--role", "DA")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["id"] for r in rows][-1] == "pros.charging"
    charging = rows[-1]
    assert charging == {
        "id": "pros.charging", "name": "Charging practices", "parent": None, "roles": ["prosecutor"],
        "definition": "How charges are chosen.", "include": "Charges filed.", "exclude": "Evidence.",
        "examples": ["We charged promoting prostitution."], "codable": True, "codings": 0,
    }  # fmt: skip
    assert rows[0]["roles"] == ["law_enforcement", "prosecutor", "service_provider", "other"]
    le = json.loads(run("show", "--json", "--role", "police").output)
    assert "pros.charging" not in [r["id"] for r in le]


def test_show_tree_counts_codings(in_project, interview):
    CodingSession(in_project, "ana").tag("vsp-1", 2, ["referral.hotline"], text="the hotline")
    result = run("show")
    assert result.exit_code == 0, result.output
    assert "Hotlines and tip lines referral.hotline 1" in result.output
    assert "Charging practices pros.charging (prosecutor)" in result.output


def test_show_unknown_role(in_project):
    result = run("show", "--role", "cop")
    assert result.exit_code != 0
    assert "Unknown role 'cop'" in str(result.exception) + result.output


@pytest.mark.parametrize("fmt", ["qdc", "csv", "md", "docx"])
def test_export_each_format(tmp_path, fmt):
    out = tmp_path / f"ecm.{fmt}"
    result = run("export", "--format", fmt, "-o", str(out), "--file", str(ECM))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote 72 codes to {out}"
    assert out.stat().st_size > 1000


def test_export_unknown_format(tmp_path):
    result = run("export", "--format", "pdf", "-o", str(tmp_path / "x.pdf"), "--file", str(ECM))
    assert result.exit_code == 1
    assert "Error: unknown format 'pdf'. Formats: qdc, csv, md, docx" in result.output


@pytest.mark.parametrize("fmt", ["qdc", "csv"])
def test_export_then_import_round_trip(tmp_path, fmt):
    exported = tmp_path / f"ecm.{fmt}"
    assert run("export", "-f", fmt, "-o", str(exported), "--file", str(ECM)).exit_code == 0
    back = tmp_path / "back.yaml"
    result = run("import", str(exported), "-o", str(back))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Wrote {back}: 72 codes, 4 roles")
    assert run("validate", str(back)).exit_code == 0
    again = run("import", str(exported), "-o", str(back))
    assert again.exit_code != 0 and "already exists; pass --force" in str(again.exception)


@pytest.mark.skipif(not (REFDATA / "samples").is_dir(), reason="../shared/refdata not present")
def test_import_taguette_sample(tmp_path):
    out = tmp_path / "taguette.yaml"
    result = run("import", str(REFDATA / "samples" / "taguette-1.4.1_codebook.qdc"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "3 codes" in result.output
    assert "name: xsd:element name" in out.read_text(encoding="utf-8")


def test_diff_snapshot_rename_versions(in_project, interview):
    CodingSession(in_project, "ana").tag("vsp-1", 4, ["challenge.housing"])
    assert run("diff").output.strip() == "No changes since version 1."
    path = in_project.codebook_path
    path.write_text(
        path.read_text(encoding="utf-8").replace("- id: challenge.housing\n", "- id: challenge.shelter\n")
    )
    result = run("diff")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "Changes since version 1:",
        "  + challenge.shelter  Housing gap",
        "  - challenge.housing  Housing gap  (1 coding)",
    ]
    refused = run("snapshot")
    assert refused.exit_code != 0
    assert "removes codes that have codings: challenge.housing (1 coding)" in str(refused.exception)
    path.write_text(
        path.read_text(encoding="utf-8").replace("- id: challenge.shelter\n", "- id: challenge.housing\n")
    )
    in_project.reload_codebook()
    renamed = run("rename", "challenge", "barrier")
    assert renamed.exit_code == 0, renamed.output
    assert renamed.output.splitlines() == [
        "challenge -> barrier",
        "challenge.case_length -> barrier.case_length",
        "challenge.housing -> barrier.housing",
        "Renamed 3 code ids; 1 coding and 0 suggestions updated",
    ]
    assert "id: barrier.housing" in path.read_text(encoding="utf-8")
    rows = json.loads(run("versions", "--json").output)
    assert [(r["id"], r["codings"]) for r in rows] == [(1, 1), (2, 0)]


def test_codebook_modules_load_no_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import qualcode.cli.codebook, qualcode.codebook, qualcode.codebook.operations\n"
        "from qualcode.codebook import load_codebook\n"
        f"load_codebook({str(ECM)!r})\n"
        "heavy = ('spacy', 'sklearn', 'pandas', 'docx', 'matplotlib', 'textual', 'sqlalchemy')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_registered_as_qualcode_codebook(project):
    from qualcode.cli.app import app as root

    result = runner.invoke(root, ["-p", str(project.root), "codebook", "validate", str(ECM)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"{ECM}: valid"


EDITS = {  # codebook file edit -> what diff shows
    "unchanged": ("", ""),
    "a coded code removed": ("- id: challenge.housing\n", "- id: challenge.shelter\n"),
    "a name changed": ("name: Housing gap", "name: Shelter gap"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_diff_json_is_the_twins_to_dict(in_project, interview, edit):
    """``codebook diff --json`` prints ``diff_project(...).to_dict()``, the frozen twin's shape."""
    CodingSession(in_project, "ana").tag("vsp-1", 4, ["challenge.housing"])
    old, new = EDITS[edit]
    path = in_project.codebook_path
    path.write_text(path.read_text(encoding="utf-8").replace(old, new) if old else path.read_text(encoding="utf-8"))
    in_project.reload_codebook()
    result = run("diff", "--json")
    assert result.exit_code == 0, result.output
    twin = diff_project(in_project)
    assert json.loads(result.output) == json.loads(json.dumps(twin.to_dict()))
    assert twin.diff.is_empty == (edit == "unchanged")
    with pytest.raises(dataclasses.FrozenInstanceError):
        twin.diff.added = []  # type: ignore[misc]


def test_validate_snapshot_and_rename_twins_are_frozen_with_to_dict(in_project, interview):
    summary = validate_codebook_file(ECM)
    assert summary.to_dict()["codes"] == summary.codes == 72 and summary.to_dict()["per_role"] == summary.per_role
    stored = snapshot_project(in_project)
    assert stored.to_dict() == {"version": stored.version, "created": stored.created}
    renamed = rename_project_code(in_project, "challenge", "barrier")
    data = renamed.to_dict()
    assert data["mapping"]["challenge.housing"] == "barrier.housing"
    assert (data["codings_updated"], data["snapshot_id"]) == (renamed.codings_updated, renamed.snapshot_id)
    for result in (summary, stored, renamed):
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.path = "x"  # type: ignore[misc,union-attr]
