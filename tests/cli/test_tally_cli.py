"""`qualcode tally`, `crosstab` and `report` through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from tests.tally.seed_study import CODER, build_seed_project

runner = CliRunner()


@pytest.fixture
def seed_project(tmp_path):
    project = build_seed_project(tmp_path / "seed")
    yield project
    project.close()


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), *args])


def test_tally_table_prints_statement_summary_and_command(seed_project):
    result = run(seed_project, "tally", "referral", "--role", "VSP", "--top", "4", "--coder", CODER,
                 "--noun", "referral streams")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())  # rich wraps long lines
    assert "Referral streams were cited 151 times in the service provider interviews." in text
    assert ("The four most frequently cited referral streams were other law enforcement agencies (20.5 percent);"
            in text)
    assert "Command: qualcode tally referral --role VSP --top 4 --coder autocoder" in text


def test_tally_json_has_the_documented_shape(seed_project):
    result = run(seed_project, "tally", "referral", "--by", "role", "--coder", CODER, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["code"], data["count_type"], data["coder"]) == ("referral", "references", CODER)
    provider = next(g for g in data["groups"] if g["group"] == "Service provider")
    assert provider["total"] == 151
    assert provider["rows"][0] == {"code": "referral.law_enforcement", "name": "Other law enforcement agencies",
                                   "count": 31, "percent": pytest.approx(100 * 31 / 151)}


def test_tally_counts_sites(seed_project):
    result = run(seed_project, "tally", "challenge", "--rollup", "--count", "sites", "--coder", CODER,
                 "--format", "csv")
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert (rows["challenge.resources"]["count"], rows["challenge.resources"]["base"]) == ("8", "10")


def test_tally_writes_files_and_charts(seed_project, tmp_path):
    xlsx, chart = tmp_path / "t.xlsx", tmp_path / "t.svg"
    result = run(seed_project, "tally", "referral", "--by", "role", "--coder", CODER, "-o", str(xlsx),
                 "--chart", str(chart))
    assert result.exit_code == 0, result.output
    assert f"Wrote {xlsx}" in result.output and xlsx.stat().st_size > 0
    assert "<svg" in chart.read_text(encoding="utf-8")[:500]


@pytest.mark.parametrize(("args", "message"), [
    (["tally", "referral"], "The analysis set counts no codings"),
    (["tally", "referal", "--coder", CODER], "Unknown code 'referal'; did you mean 'referral'"),
    (["tally", "referral", "--coder", CODER, "--count", "words"], "Unknown count 'words'"),
    (["tally", "referral", "--coder", CODER, "--format", "xlsx"], "--format xlsx writes a file"),
    (["tally", "referral", "--coder", CODER, "--chart", "out.pdf"], "should end in .png or .svg"),
    (["tally", "referral", "--coder", CODER, "--by", "region"], "No transcript has an attribute 'region'"),
    (["crosstab", "referral", "nowhere", "--coder", CODER], "'nowhere' is not an axis"),
    (["crosstab", "role", "site", "--count", "references"], "counts transcripts or sites"),
    (["report", "--section", "nope"], "Unknown report section nope"),
])
def test_errors_are_one_line_and_exit_1(seed_project, args, message):
    result = run(seed_project, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_crosstab_json_and_heatmap(seed_project, tmp_path):
    chart = tmp_path / "h.png"
    result = run(seed_project, "crosstab", "referral", "challenge", "--rollup", "--coder", CODER,
                 "--format", "json", "--chart", str(chart), "--values", "row")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[: result.output.rindex("}") + 1])
    assert data["measure"] == "co-occurring segments"
    assert data["command"] == "qualcode crosstab referral challenge --rollup --coder autocoder"
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_crosstab_table(seed_project):
    result = run(seed_project, "crosstab", "role", "site")
    assert result.exit_code == 0, result.output
    assert "Counts (transcripts)" in result.output and "Column percentages" in result.output
    assert "Command: qualcode crosstab role site" in result.output


def test_report_command_writes_the_files(seed_project, tmp_path):
    result = run(seed_project, "report", "-o", str(tmp_path / "out"), "--coder", CODER, "--html")
    assert result.exit_code == 0, result.output
    for name in ("study-report.md", "study-report.docx", "study-report.html"):
        assert (tmp_path / "out" / name).is_file()
        assert name in result.output
    assert "6 charts" in result.output
    assert "skipped Double-coded sample" in " ".join(result.output.split())


@pytest.mark.parametrize("command", ["tally", "crosstab", "report"])
def test_docs_cover_every_option(command):
    import typer.main

    from tests.helpers import REPO

    docs = (REPO / "docs" / "tally.md").read_text(encoding="utf-8")
    click_command = typer.main.get_command(app).commands[command]
    options = [name for param in click_command.params for name in param.opts if name.startswith("--")]
    assert options
    missing = [name for name in options if name not in docs and name != "--help"]
    assert missing == []


def _twins():
    from qualcode.tally.crosstab import crosstab
    from qualcode.tally.frequencies import tally

    return {  # command -> its plain-Python twin's to_dict()
        "tally referral --by role": lambda p: tally(p, "referral", by="role", coder=CODER).to_dict(),
        "tally challenge --count transcripts --top 3 --rollup": lambda p: tally(
            p, "challenge", count="transcripts", top=3, rollup=True, coder=CODER).to_dict(),
        "tally referral --role VSP --noun streams": lambda p: tally(
            p, "referral", roles=["VSP"], noun="streams", coder=CODER).to_dict(),
        "crosstab referral role": lambda p: crosstab(p, "referral", "role", coder=CODER).to_dict(),
        "crosstab challenge referral --count transcripts": lambda p: crosstab(
            p, "challenge", "referral", count="transcripts", coder=CODER).to_dict(),
    }


@pytest.mark.parametrize("command", ["tally referral --by role", "tally challenge --count transcripts --top 3 --rollup",
                                     "tally referral --role VSP --noun streams", "crosstab referral role",
                                     "crosstab challenge referral --count transcripts"])
def test_json_is_the_twins_to_dict(seed_project, command):
    """``--format json`` prints the twin's typed result's ``to_dict()``."""
    result = run(seed_project, *command.split(), "--coder", CODER, "--format", "json")
    assert result.exit_code == 0, result.output
    expected = json.loads(json.dumps(_twins()[command](seed_project), ensure_ascii=False))
    assert json.loads(result.output) == expected and expected
