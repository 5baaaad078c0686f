"""Tables at 80, 100 and 160 columns on a terminal: every number of the result is shown,
and no line is wider than the terminal (a table that does not fit becomes blocks)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from tests.cli.test_agreement_cli import study  # noqa: F401  (the fixture)
from tests.cli.test_autocode_cli import _code_everything, rules_project  # noqa: F401

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WIDTHS = (80, 100, 160)


def terminal(project, width: int, *args: str) -> str:
    env = {"COLUMNS": str(width), "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
    result = runner.invoke(app, ["-p", str(project.root), *args], env=env)
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.output)


def as_json(project, *args: str):
    result = runner.invoke(app, ["-p", str(project.root), *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def assert_fits(output: str, width: int) -> None:
    """No cell cut to "…"; table and block lines within the width (prose lines are soft-wrapped
    by the terminal itself, so they may be longer)."""
    assert "…" not in output
    tabular = [line for line in output.splitlines() if line.startswith("  ") or set(line) & set("│┃━─┏└")]
    assert tabular and max(len(line) for line in tabular) <= width


def two(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def tokens(text: str) -> set[str]:
    return set(re.findall(r"[\w.%-]+", text))


@pytest.mark.parametrize("width", WIDTHS)
def test_agreement_shows_every_number(study, width):  # noqa: F811
    project = study[0]
    out = terminal(project, width, "agreement", "--coders", "ana,ben", "--sample", "dc")
    assert_fits(out, width)
    shown = tokens(out)
    for row in as_json(project, "agreement", "--coders", "ana,ben", "--sample", "dc")["codes"]:
        if not row["defined"]:
            continue
        numbers = [row["units"], row["both"], row["only_a"], row["only_b"], row["neither"]]
        numbers += [two(row[k]) for k in ("kappa", "pabak", "alpha", "ac1")]
        assert row["code"] in shown
        assert {str(n) for n in numbers} <= shown, (width, row["code"])


@pytest.mark.parametrize("width", WIDTHS)
def test_crosstab_keeps_labels_and_counts(study, width):  # noqa: F811
    project = study[0]
    out = terminal(project, width, "crosstab", "referral", "role", "--coder", "ana")
    assert_fits(out, width)
    data = as_json(project, "crosstab", "referral", "role", "--coder", "ana")
    for row in data["rows"]:
        assert row["label"] in out
        assert {str(cell["count"]) for cell in row["cells"]} <= tokens(out)
    for column in data["columns"]:
        assert column["label"] in out


@pytest.mark.parametrize("width", WIDTHS)
def test_tally_shows_every_count(study, width):  # noqa: F811
    project = study[0]
    out = terminal(project, width, "tally", "referral", "--by", "role", "--coder", "ana")
    assert_fits(out, width)
    data = as_json(project, "tally", "referral", "--by", "role", "--coder", "ana")
    for group in data["groups"]:
        assert str(group["total"]) in tokens(out)
        for row in group["rows"]:
            assert str(row["count"]) in tokens(out)


@pytest.mark.parametrize("width", WIDTHS)
def test_transcripts_list_fits(study, width):  # noqa: F811
    project = study[0]
    out = terminal(project, width, "transcripts", "list")
    assert_fits(out, width)
    for row in as_json(project, "transcripts", "list"):
        assert row["id"] in out


@pytest.mark.coders("alice")
@pytest.mark.parametrize("width", WIDTHS)
def test_suggest_evaluate_keeps_its_code_column(rules_project, width):  # noqa: F811
    _code_everything(rules_project)
    args = ("suggest", "evaluate", "--from", "alice", "--folds", "2", "--min-positive", "1")
    out = terminal(rules_project, width, *args)
    assert_fits(out, width)
    data = as_json(rules_project, *args)
    shown = tokens(out)
    for system in data["systems"].values():
        for code, scores in system["per_code"].items():
            assert code in shown
            assert {f"{scores[k]:.2f}" for k in ("precision", "recall", "f1") if scores[k] is not None} <= shown
