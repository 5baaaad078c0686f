"""The demo's steps as plain Python (qualcode.demo): typed results, the analysis set
counted by default, and the example's design (alice and bob as primary coders)."""

from __future__ import annotations

import csv

import pytest

from qualcode import demo
from qualcode.analysis.assignments import assign
from qualcode.tally.frequencies import tally
from tests.helpers import REPO
from tests.tally.seed_study import CODER


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    if not (REPO / "transcripts" / "manifest.csv").is_file() or not (REPO / "codebooks" / "ecm.yaml").is_file():
        pytest.skip("the example study is not in this checkout")
    project = demo.prepare_demo_project(REPO, tmp_path_factory.mktemp("demo"))
    step = demo.import_example_transcripts(project)
    assert step.imported == step.corpus.total == 34
    coding = demo.double_coding_step(project)
    design = demo.design_step(project, coding.sample)
    project.steps = {"coding": coding, "design": design}
    yield project
    project.close()


def _hand_counts(project, family: str) -> dict[str, int]:
    """References per child code of ``family``, counted from the CSVs: each transcript's
    primary coder's rows, one per (turn, code)."""
    primary = {t: coders[0] for t, coders in project.steps["design"].assignments}
    seen = set()
    for coder in demo.DEMO_CODERS:
        with (project.root / "transcripts" / "double-coding" / f"{coder}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = row["code"]
                if primary.get(row["transcript"]) == coder and code.startswith(family + ".") and code.count(".") == 1:
                    seen.add((row["transcript"], row["segment"], code))
    counts: dict[str, int] = {}
    for _, _, code in seen:
        counts[code] = counts.get(code, 0) + 1
    return counts


def test_design_makes_alice_and_bob_the_sample_primaries(example):
    design = example.steps["design"]
    assert design.assignments == (("le-c-01", ("alice", "bob")), ("oth-h-01", ("bob", "alice")),
                                  ("pros-c-01", ("alice", "bob")), ("vsp-e-02", ("bob", "alice")))
    aset = design.analysis
    assert aset.coders == ["alice", "bob"] and aset.machine_coders == () and aset.machine_warning == ""
    coverage = aset.coverage()
    assert (coverage.transcripts, coverage.transcripts_coded, len(coverage.not_covered)) == (34, 4, 30)
    assert "4 of 34 transcripts have counted codings" in coverage.warning  # honest: hand codings cover 4
    assert design.to_dict()["assignments"]["oth-h-01"] == ["bob", "alice"]


def test_tallies_equal_a_hand_count_of_the_primaries_codings(example):
    step = demo.tally_step(example)
    counted: dict[str, int] = {}
    for group in step.referral.groups:
        for row in group.rows:
            if row.count:
                counted[row.code] = counted.get(row.code, 0) + row.count
    assert counted == _hand_counts(example, "referral")
    assert "machine coder" not in step.referral.analysis and "4 of 34" in step.referral.warning
    assert set(step.to_dict()) == {"referral", "references", "transcripts", "sites"}


def test_report_counts_people_and_says_what_it_rests_on(example):
    from docx import Document

    step = demo.report_step(example)
    assert [p.name for p in step.output.paths] == ["study-report.md", "study-report.docx", "study-report.html"]
    text = "\n".join(p.text for p in Document(str(step.output.docx)).paragraphs)
    assert "machine coder" not in text and "autocoder" not in text.split("Methods")[0]
    assert "4 of 34 transcripts" in text
    # shares of respondents say how many of their 34 transcripts anyone has coded
    assert "(n = 34 transcripts, of which only 4 have counted codings)" in text
    subtitle = Document(str(step.output.docx)).paragraphs[1].text
    assert "Warning: Coverage: these figures rest on less than the whole selection (4 of 34" in subtitle


def test_quotes_step_draws_on_the_analysis_set_with_its_coverage(example):
    step = demo.quotes_step(example)
    assert step.written and all(p.parent == example.root / "reports" and p.is_file() for p in step.written)
    quoted = {q.transcript for s in step.examples for q in s.quotes}
    assert quoted and quoted <= {"le-c-01", "oth-h-01", "pros-c-01", "vsp-e-02"}
    assert step.basis.coverage["transcripts_coded"] == 4 and step.basis.machine_coders == []
    assert step.to_dict()["coverage"]["transcripts"] == 34


def test_tally_step_on_a_named_machine_coder_carries_the_warning(seed_project):
    assign(seed_project, CODER, every=True)  # the lead names the autocoder for every transcript
    step = demo.tally_step(seed_project)
    provider = next(g for g in step.referral.groups if g.label == "Service provider")
    assert provider.statement == "Referral streams were cited 151 times in the service provider interviews."
    assert step.themes["sites"].to_dict()["groups"][0]["total"] == 10
    assert "Warning: autocoder is a machine coder" in step.referral.analysis
    assert tally(seed_project, "referral", by="role", noun="referral streams").to_dict() == step.referral.to_dict()
