"""One vocabulary for every command, checked by walking every command's --help from the app."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.cli.conventions import ACTING_CODER, NO_PROJECT, OLD_SPELLINGS
from qualcode.cli.reference import walk

runner = CliRunner()

# Commands that print no data (so need no --json), and why.
NO_JSON = {
    "init": "creates a project", "demo": "a guided tour", "import": "prints what it imported, line by line",
    "sample delete": "an action",
    "code": "the full-screen coding screen", "reconcile": "interactive",
    "report": "writes the report's files", "codebook validate": "problems as FILE:LINE:COL lines",
    "codebook export": "writes a file", "codebook import": "writes a file", "codebook snapshot": "an action",
    "codebook rename": "an action", "codings export": "writes a file (CSV to stdout)",
    "suggest predict": "an action", "db upgrade": "an action", "db grant": "an action (--sql prints SQL)",
}


def root():
    import typer.main

    return typer.main.get_command(app)


LEAVES = [(" ".join(path), command) for path, command in walk(root()) if path and not hasattr(command, "commands")]


def options(command) -> dict[str, object]:
    return {o: p for p in command.params if p.param_type_name == "option" for o in p.opts}


def help_of(name: str) -> str:
    result = runner.invoke(app, [*name.split(), "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("name", "command"), LEAVES, ids=[n for n, _ in LEAVES])
def test_command_follows_the_conventions(name, command):
    opts = options(command)
    text = help_of(name)
    assert ("--json" in opts) != (name in NO_JSON), f"{name}: --json on every data command (or say why not)"
    if "--format" in opts:
        assert "-o" in opts, f"{name}: --format is for files, so it comes with -o"
    for old, new in OLD_SPELLINGS.items():
        if new in opts:
            assert old not in text.split(), f"{name}: shows the old spelling {old} (use {new})"
    if "--coder" in opts:
        acting = tuple(name.split()) in ACTING_CODER
        assert ("QUALCODE_CODER" in text) == acting, f"{name}: QUALCODE_CODER only where --coder is who acts"
    if tuple(name.split()) not in NO_PROJECT:
        assert "-p" in opts and "--project" in opts, f"{name}: -p/--project after the command"
    if "-o" in opts:
        assert "--output" in opts


def test_every_exemption_names_a_command():
    assert set(NO_JSON) - {n for n, _ in LEAVES} == set()


@pytest.mark.coders("ana", "ben")
def test_output_folders_are_created(project, interview, tmp_path):
    for coder, code in (("ana", "referral"), ("ben", "challenge")):
        tagged = runner.invoke(app, ["-p", str(project.root), "tag", "vsp-1", "2", code, "--coder", coder])
        assert tagged.exit_code == 0, tagged.output
    target = tmp_path / "new" / "deeper" / "disagreements.csv"
    result = runner.invoke(app, ["-p", str(project.root), "disagreements", "--coders", "ana,ben",
                                 "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.exists()


@pytest.mark.coders("ana")
def test_json_shorthand_matches_format_json(project):
    base = ["-p", str(project.root), "crosstab", "role", "site", "--coder", "ana"]
    via_format = runner.invoke(app, [*base, "--format", "json"])
    via_flag = runner.invoke(app, [*base, "--json"])
    assert via_flag.exit_code == 0, via_flag.output
    assert json.loads(via_flag.output) == json.loads(via_format.output)
    both = runner.invoke(app, [*base, "--json", "--format", "csv"])
    assert both.exit_code == 1 and "--json" in both.output


@pytest.mark.coders("ana")
def test_old_spelling_still_works(project, interview):
    old = runner.invoke(app, ["-p", str(project.root), "autocode", "--dry-run", "--codes", "referral", "--json"])
    new = runner.invoke(app, ["-p", str(project.root), "autocode", "--dry-run", "--code", "referral", "--json"])
    assert old.exit_code == new.exit_code == 0, old.output
    drop = lambda out: {k: v for k, v in json.loads(out).items() if "seconds" not in k}  # noqa: E731
    assert drop(old.output) == drop(new.output)
    unknown = runner.invoke(app, ["-p", str(project.root), "autocode", "--dry-run", "--codes", "nope"])
    assert unknown.exit_code == 1  # the old spelling reaches the same option


@pytest.mark.coders("ana")
def test_qualcode_coder_is_the_default_coder(project):
    result = runner.invoke(app, ["-p", str(project.root), "undo"], env={"QUALCODE_CODER": "ana"})
    assert "Missing option" not in result.output
    assert "ana" in result.output or result.exit_code == 0, result.output


def test_postgres_hint_is_the_readme_install_command():
    from qualcode.store.engine import POSTGRES_INSTALL
    from tests.helpers import REPO

    assert f"`{POSTGRES_INSTALL}`" in (REPO / "README.md").read_text(encoding="utf-8")
    assert f"`{POSTGRES_INSTALL}`" in (REPO / "docs" / "team.md").read_text(encoding="utf-8")
