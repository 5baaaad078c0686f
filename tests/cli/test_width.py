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
from tests.helpers import INTERVIEW

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


def fractions(text: str) -> set[str]:
    """The "coded/total" cells of ``text``."""
    return set(re.findall(r"\d+/\d+", text))


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
@pytest.mark.parametrize("command", ["crosstab", "matrix"])
def test_crosstab_and_matrix_keep_labels_and_counts(study, width, command):  # noqa: F811
    project = study[0]
    out = terminal(project, width, command, "referral", "role", "--coder", "ana")
    assert_fits(out, width)
    data = as_json(project, command, "referral", "role", "--coder", "ana")
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


# -- the other table-printing commands (every value of --json is on the terminal) -------------

LONG = "alexandra-montgomery-whitfield"  # a coder name that makes the tables wide


@pytest.fixture
def wide_study(study):  # noqa: F811
    """The agreement study plus a coder with a long name, assigned and coding, so that the
    progress, coders and analysis-set tables need more than 80 columns."""
    from qualcode.coding.session import CodingSession
    from tests.helpers import add_coders

    project, _, first, second = study
    add_coders(project, LONG)
    others = [t for t in as_json(project, "transcripts", "list") if t["id"] not in (first, second)][:3]
    for transcript in others:
        CodingSession(project, LONG).tag(transcript["id"], 2, ["referral.hotline"])
        assert terminal(project, 160, "assign", LONG, transcript["id"])
    return study


@pytest.mark.parametrize("width", WIDTHS)
def test_progress_shows_every_count(wide_study, width):
    project = wide_study[0]
    out = terminal(project, width, "progress")
    assert_fits(out, width)
    shown = tokens(out)
    for row in as_json(project, "progress"):
        assert {row["coder"], row["transcript"], str(row["coded"]), str(row["total"])} <= shown, row


@pytest.mark.parametrize("width", WIDTHS)
def test_sample_show_keeps_every_coder_column(wide_study, width):
    project = wide_study[0]
    out = terminal(project, width, "sample", "show", "dc")
    assert_fits(out, width)
    data = as_json(project, "sample", "show", "dc")
    for row in data["transcripts"]:
        assert {row["transcript"], row["stratum"]} <= tokens(out)
        for coder, done in row["progress"].items():
            assert coder in out and f"{done['coded']}/{done['total']}" in fractions(out)
    for done in data["progress"].values():
        assert f"{done['coded']}/{done['total']}" in fractions(out)


@pytest.mark.parametrize("width", WIDTHS)
def test_sample_create_allocation_keeps_every_stratum(project, width):
    from tests.helpers import add_coders, add_transcript

    add_coders(project, LONG, "ben")
    for role, count in {"law_enforcement": 3, "service_provider": 2, "prosecutor": 1}.items():
        for i in range(count):
            add_transcript(project, f"{role[:3]}-{i:02d}", role, INTERVIEW)
    args = ("sample", "create", "dc", "--fraction", "0.5", "--coders", f"{LONG},ben", "--stratify", "role",
            "--seed", "1")
    out = terminal(project, width, *args)
    assert_fits(out, width)
    data = as_json(project, "sample", "show", "dc")
    for row in data["allocation"]:
        assert {row["stratum"], str(row["population"]), str(row["drawn"])} <= tokens(out), row


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", [("search", "housing", "--count"),
                                  ("query", "referral.hotline", "--count", "--coder", "ana")], ids=["search", "query"])
def test_search_and_query_counts_show_every_group(study, width, args):  # noqa: F811
    project = study[0]
    out = terminal(project, width, *args)
    assert_fits(out, width)
    data = as_json(project, *args)
    assert data["by_role"] and data["by_site"]
    for row in [*data["by_role"], *data["by_site"]]:
        assert {row["group"], str(row["hits"]), str(row["turns"]), str(row["transcripts"])} <= tokens(out), row


@pytest.mark.parametrize("width", WIDTHS)
def test_analysis_set_show_keeps_every_column(wide_study, width):
    project = wide_study[0]
    out = terminal(project, width, "analysis-set", "show")
    assert_fits(out, width)
    data = as_json(project, "analysis-set", "show")
    for row in data["transcripts"]:
        assert {row["transcript"], row["role"]} <= tokens(out), row
        assert f"{row['coded_turns']}/{row['respondent_turns']}" in fractions(out), row
        assert row["coder"] is None or row["coder"] in tokens(out)
        assert " ".join(row["note"].split()) in " ".join(out.split()), row


@pytest.mark.parametrize("width", WIDTHS)
def test_coders_list_shows_every_coder(wide_study, width):
    project = wide_study[0]
    out = terminal(project, width, "coders", "list")
    for row in as_json(project, "coders", "list"):
        assert {row["name"], str(row["codings"])} <= tokens(out), row
    assert "…" not in out and max(len(line) for line in out.splitlines()) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_agreement_by_transcript_keeps_every_number(study, width):  # noqa: F811
    project = study[0]
    args = ("agreement", "--coders", "ana,ben", "--sample", "dc", "--by-transcript")
    out = terminal(project, width, *args)
    assert_fits(out, width)
    shown = tokens(out)
    for row in as_json(project, *args)["by_transcript"]:
        assert {row["transcript"], row["role"], str(row["units"]), two(row["pooled_kappa"])} <= shown, row
        assert f"{row['below_min_kappa_count']} of {row['codes_defined']}" in out


@pytest.mark.parametrize("width", WIDTHS)
def test_disagreements_name_every_code_and_coder(study, width):  # noqa: F811
    project = study[0]
    out = terminal(project, width, "disagreements", "--coders", "ana,ben", "--sample", "dc")
    assert "…" not in out
    data = as_json(project, "disagreements", "--coders", "ana,ben", "--sample", "dc")
    assert data
    for row in data:
        assert {row["transcript"], row["code"], row["applied_by"]} <= tokens(out), row


@pytest.mark.coders("alice")
@pytest.mark.parametrize("width", WIDTHS)
def test_suggest_list_keeps_every_column(rules_project, width):  # noqa: F811
    assert terminal(rules_project, 160, "autocode")
    out = terminal(rules_project, width, "suggest", "list")
    assert_fits(out, width)
    rows = as_json(rules_project, "suggest", "list")
    assert rows
    for row in rows:
        assert {str(row["id"]), row["transcript"], row["code"], f"{row['score']:.2f}"} <= tokens(out), row


@pytest.mark.coders("alice")
@pytest.mark.parametrize("width", WIDTHS)
def test_autocode_role_summary_keeps_every_column(rules_project, width):  # noqa: F811
    out = terminal(rules_project, width, "autocode", "--as", "alice")
    assert_fits(out, width)
    assert {"Turns", "Coded", "Codes", "Distinct"} <= tokens(out)
    for role in ("service_provider", "prosecutor"):
        assert role in out


@pytest.mark.parametrize("width", WIDTHS)
def test_search_hits_keep_the_whole_transcript_id(project, width):
    from tests.helpers import add_transcript

    long_id = "vsp-riverside-community-outreach-2026-01"
    add_transcript(project, long_id, "service_provider", INTERVIEW)
    out = terminal(project, width, "search", "hotline")
    assert long_id in "".join(line.split(" ")[0] for line in out.splitlines() if line.strip())
