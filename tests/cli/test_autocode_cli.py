"""``qualcode autocode`` and ``qualcode suggest ...`` through the CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.session import CodingSession
from qualcode.store.schema import codings, suggestions
from tests.coding.autocode_helpers import add_corpus, use_rules_codebook
from tests.twins import assert_json_is_twins, record

pytestmark = pytest.mark.coders("alice", "robot")

runner = CliRunner()


@pytest.fixture
def rules_project(project):
    reopened = use_rules_codebook(project)
    add_corpus(reopened)
    yield reopened
    reopened.close()


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), *args])


def count(project, table) -> int:
    with project.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_dry_run_prints_and_writes_nothing(rules_project):
    result = run(rules_project, "autocode", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "vsp-1   2 referral.hotline" in result.output
    assert "phrase 'hotline' -> \"hotline\"" in result.output
    assert (
        "Dry run: 5 codes on 5 respondent turns of 2 transcripts would be applied; nothing written"
        in result.output
    )
    assert count(rules_project, suggestions) == 0 and count(rules_project, codings) == 0


def test_outcome_counts_mentions_left_out_of_crowded_turns(project):
    from tests.coding.test_autocode_runner import FOCUS_CODEBOOK, FOCUS_TURNS
    from tests.helpers import add_transcript

    focused = use_rules_codebook(project, FOCUS_CODEBOOK)
    add_transcript(focused, "le-1", "law_enforcement", FOCUS_TURNS)
    text = run(focused, "autocode", "--dry-run")
    assert text.exit_code == 0
    assert "(1 passing mention of other topics left out of crowded turns)" in text.output
    as_json = json.loads(run(focused, "autocode", "--dry-run", "--json").output)
    assert as_json["off_topic_dropped"] == 1
    focused.close()


def test_autocode_stores_suggestions_then_replaces_them(rules_project):
    first = run(rules_project, "autocode")
    assert first.exit_code == 0 and "Stored 5 rule suggestions (0 open ones replaced)" in first.output
    second = run(rules_project, "autocode", "vsp-1", "--codes", "referral")
    assert "Stored 2 rule suggestions (2 open ones replaced)" in second.output
    assert count(rules_project, suggestions) == 5


def test_autocode_as_coder(rules_project):
    result = run(rules_project, "autocode", "--as", "robot")
    assert result.exit_code == 0 and "Coded as robot" in result.output and "5 new codings" in result.output
    assert count(rules_project, codings) == 5 and count(rules_project, suggestions) == 0


def test_autocode_json(rules_project):
    result = run(rules_project, "autocode", "--dry-run", "--json")
    data = json.loads(result.output)
    assert data["dry_run"] is True and len(data["proposals"]) == 5
    assert {r["role"] for r in data["roles"]} == {"prosecutor", "service_provider"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["autocode", "nope"], "No transcript 'nope'"),
        (["autocode", "--codes", "chargin"], "did you mean 'charging'"),
        (["suggest", "list", "--order", "random"], "--order must be one of uncertain, confident"),
        (["suggest", "evaluate"], "give the reference"),
        (["suggest", "train", "--from", "nobody"], "'nobody' has no codings"),
        (["suggest", "predict"], "No trained model"),
    ],
)
def test_errors_are_one_line_and_exit_1(rules_project, args, message):
    result = run(rules_project, *args)
    assert result.exit_code == 1
    assert message in result.output


def _code_everything(project):
    session = CodingSession(project, "alice")
    session.tag("vsp-1", 2, ["referral.hotline"])
    session.tag("vsp-1", 4, ["housing_gap"])
    session.tag("pros-1", 2, ["charging"])


def test_train_list_and_evaluate(rules_project):
    _code_everything(rules_project)
    trained = run(rules_project, "suggest", "train", "--from", "alice", "--min-positive", "1", "--json")
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.output)["report"]
    assert set(report["trained"]) == {"referral.hotline", "housing_gap", "charging"}
    listed = run(rules_project, "suggest", "list", "--json", "--coder", "nobody", "--source", "model")
    rows = json.loads(listed.output)
    assert rows and all(r["source"] == "model" for r in rows)
    evaluated = run(
        rules_project, "suggest", "evaluate", "--from", "alice", "--folds", "2", "--min-positive", "1", "--json"
    )
    data = json.loads(evaluated.output)
    assert data["folds"] == 2 and data["turns"] == 5 and set(data["systems"]) == {"rules", "model", "union"}
    table = run(rules_project, "suggest", "evaluate", "--from", "alice", "--folds", "2")
    assert table.exit_code == 0 and "micro" in table.output and "macro" in table.output


@pytest.mark.parametrize(
    ("command", "module", "twin"),
    [
        (["suggest", "train", "--from", "alice", "--min-positive", "1"], "qualcode.coding.learn", "train"),
        (["suggest", "evaluate", "--from", "alice", "--folds", "2", "--min-positive", "1"],
         "qualcode.coding.evaluate", "evaluate"),
    ],
    ids=["suggest train", "suggest evaluate"],
)
def test_json_is_the_twins_to_dict(rules_project, monkeypatch, command, module, twin):
    """The command prints its twin's frozen result as ``to_dict()``; the text reads its attributes."""
    from importlib import import_module

    _code_everything(rules_project)
    returned = record(monkeypatch, import_module(module), twin)
    result = run(rules_project, *command, "--json")
    assert result.exit_code == 0, result.output
    assert_json_is_twins(result.output, returned)
    if twin == "train":
        from qualcode.coding.learn import CodeTraining, TrainingReport

        report = returned[0].report
        assert isinstance(report, TrainingReport) and report.trained
        assert all(isinstance(counts, CodeTraining) for counts in report.trained.values())
        text = run(rules_project, *command)
        assert text.exit_code == 0, text.output
        assert f"turns in {report.transcripts} transcripts, {len(report.trained)} codes learned" in text.output


def test_evaluate_against_a_gold_csv(rules_project, tmp_path):
    gold = tmp_path / "gold.csv"
    gold.write_text(
        "transcript,segment,coder,code\nvsp-1,2,gold,referral.hotline\nvsp-1,4,gold,\n", encoding="utf-8"
    )
    result = run(rules_project, "suggest", "evaluate", "--gold", str(gold), "--json")
    assert result.exit_code == 0, result.output
    rules = json.loads(result.output)["systems"]["rules"]["per_code"]
    assert rules["referral.hotline"]["tp"] == 1 and rules["referral.medical"]["fp"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("transcript,segment,code\n", "lacks column(s) coder"),
        ("transcript,segment,coder,code\nvsp-1,1,g,\n", "row 2"),
        (
            "transcript,segment,coder,code\npros-1,2,g,charging\nvsp-1,2,g,charging\n",
            "does not apply to service_provider",
        ),
    ],
)
def test_bad_gold_csv_is_reported_with_its_row(rules_project, tmp_path, body, message):
    gold = tmp_path / "gold.csv"
    gold.write_text(body, encoding="utf-8")
    result = run(rules_project, "suggest", "evaluate", "--gold", str(gold))
    assert result.exit_code == 1 and message in result.output


def test_demo_step_autocodes_and_evaluates(rules_project):
    from rich.console import Console

    from qualcode.cli.autocode import print_evaluation, print_role_summary
    from qualcode.demo import autocode_step

    _code_everything(rules_project)
    step = autocode_step(rules_project)
    assert step.result.codings_added == 5 and step.to_dict()["codings_added"] == 5
    console = Console(record=True, width=120)
    print_role_summary(step.result, console)
    print_evaluation(step.evaluation, per_code=False, out=console)
    text = console.export_text()
    assert "Rule codes per respondent turn, by role" in text
    assert "Autocoding vs coder alice" in text and "micro" in text
    assert count(rules_project, codings) == 8  # alice's 3 + the autocoder's 5


def test_autocode_as_the_builtin_autocoder_creates_it_and_says_so(rules_project):
    result = run(rules_project, "autocode", "--as", "autocoder")
    assert result.exit_code == 0, result.output
    assert "Coded as autocoder (created the built-in coder autocoder)" in result.output
    again = run(rules_project, "autocode", "--as", "autocoder", "--json")
    assert json.loads(again.output)["coder_created"] is False


def test_autocode_as_an_unknown_coder_is_refused_before_matching(rules_project):
    result = run(rules_project, "autocode", "--as", "robbot")
    assert result.exit_code == 1 and "Unknown coder 'robbot'; did you mean 'robot'?" in result.output
    assert count(rules_project, codings) == 0
