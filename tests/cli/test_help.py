"""`qualcode --help` and every command's --help: persona panels, examples that parse,
--version, -p after the command, the generated docs/cli.md."""

from __future__ import annotations

import shlex

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import PERSONAS, app
from qualcode.cli.examples import EXAMPLES
from qualcode.cli.reference import DOCS, docs_source, full_group, walk

runner = CliRunner()
PATHS = [path for path, command in walk(full_group()) if path and not command.hidden]


def root_command():
    import typer.main

    return typer.main.get_command(app)


def parse(args: list[str]):
    """The command ``qualcode ARGS`` names, after parsing ARGS with its options (not run)."""
    command = root_command()
    ctx = command.make_context("qualcode", list(args))
    while hasattr(command, "commands"):
        name, command, rest = command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        ctx = command.make_context(name, rest, parent=ctx)
    return command, ctx


def test_root_help_groups_commands_by_persona():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    positions = [result.output.index(f"\n{title}:") for title, _ in PERSONAS]
    assert positions == sorted(positions)
    assert "Other commands" not in result.output


def test_every_command_is_in_a_persona_panel():
    top = {path[0] for path in PATHS}
    assigned = {name for _, names in PERSONAS for name in names}
    assert top - assigned == set(), "add the new commands to PERSONAS in qualcode/cli/app.py"
    assert assigned - top == set()


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help_ends_with_examples_that_parse(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # -o examples create their folders here
    examples = EXAMPLES.get(" ".join(path))
    assert examples, f"add examples for '{' '.join(path)}' to qualcode/cli/examples.py"
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert result.output.rstrip().endswith(examples[-1])
    for example in examples:
        words = shlex.split(example)
        while "=" in words[0]:  # an environment assignment before the command
            words.pop(0)
        assert words[0] == "qualcode"
        assert words[1:1 + len(path)] == list(path)
        parse(words[1:])  # raises on an unknown option or a missing argument


def test_no_example_names_a_missing_command():
    assert set(EXAMPLES) - {" ".join(p) for p in PATHS} == set()


def test_version():
    from qualcode import __version__

    result = runner.invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, f"qualcode {__version__}\n")


@pytest.mark.parametrize("where", ["before", "after", "env"])
def test_project_option_before_or_after_the_command(project, tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)  # not inside the project: only -p can find it
    args = {"before": ["-p", str(project.root), "coders", "list"],
            "after": ["coders", "list", "-p", str(project.root)], "env": ["coders", "list"]}[where]
    env = {"QUALCODE_PROJECT": str(project.root)} if where == "env" else {}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "coders" in result.output


def test_no_project_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["coders", "list", "-p", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "not a qualcode project" in result.output


def test_docs_cli_md_is_current():
    assert DOCS.read_text(encoding="utf-8") == docs_source(), (
        "docs/cli.md is out of date: run python -m qualcode.cli.reference --write"
    )
