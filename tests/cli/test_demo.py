"""The README's main job: `qualcode demo` runs the whole example study end to end."""

from __future__ import annotations

import pytest
from docx import Document
from typer.testing import CliRunner

from qualcode.cli.app import app
from tests.helpers import REPO


@pytest.mark.sqlite_only  # one end-to-end run is enough; the stages are tested on both back ends
def test_demo_runs_the_example_study_end_to_end(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    workdir = tmp_path / "demo"
    result = CliRunner().invoke(app, ["demo", "--workdir", str(workdir)])
    assert result.exit_code == 0, result.output
    for stage in ("Transcripts by stakeholder role and site", "Agreement of alice and bob",
                  "Referral streams were cited", "round trip exact", "study-report.docx"):
        assert stage in result.output
    reports = workdir / "reports"
    report = Document(str(reports / "study-report.docx"))
    assert len(report.tables) >= 5 and report.inline_shapes  # tables and embedded charts
    assert sorted(reports.glob("quotes-*.docx")) and (reports / "study-report.html").is_file()
    # the real design: alice and bob are the sample's primary coders; the report counts
    # them, not the autocoder, and says how little of the corpus their hand codings cover
    output = " ".join(result.output.split())
    assert "le-c-01: primary coder alice, second coder bob" in output
    assert "Analysis set: 4 transcripts count their assigned primary coder; 30 transcripts count no coder." in output
    assert "4 of 34 transcripts have counted codings" in output
    assert "machine coder" not in output
    subtitle = report.paragraphs[1].text
    assert "tallies of the analysis set" in subtitle and "machine coder" not in subtitle
    assert "Warning: Coverage: these figures rest on less than the whole selection (4 of 34" in subtitle


@pytest.mark.parametrize("where", ["a study", "no project", "the example"])
def test_demo_finds_the_example_from_anywhere(project, tmp_path, where):
    """Inside another project (a real study) the demo copies the example from the checkout,
    instead of failing on the study's missing manifest."""
    from qualcode.demo import example_project_root

    start = {"a study": project.root, "no project": tmp_path, "the example": REPO / "transcripts"}[where]
    assert example_project_root(start) == REPO
