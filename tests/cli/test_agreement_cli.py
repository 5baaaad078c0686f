"""End to end through the CLI: sample, codings import/export, agreement, disagreements, reconcile."""

from __future__ import annotations

import csv
import json
import re
import shutil

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from tests.helpers import INTERVIEW, REPO, add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

runner = CliRunner()
CORPUS = {"law_enforcement": 10, "service_provider": 6, "prosecutor": 3, "other": 1}


def run(project, *args, input=None):
    return runner.invoke(app, ["-p", str(project.root), *args], input=input)


def write_codings(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["transcript", "coder", "code", "segment", "start", "end"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def study(project, tmp_path, monkeypatch):
    from tests.helpers import set_lead

    set_lead(project, "lead")
    monkeypatch.setenv("QUALCODE_CODER", "lead")  # the lead reads agreement on an open sample
    """20 transcripts in four roles, a 30% sample stratified by role, two coders from CSV."""
    transcripts = {}
    for role, count in CORPUS.items():
        for i in range(count):
            transcripts[f"{role[:3]}-{i:02d}"] = add_transcript(project, f"{role[:3]}-{i:02d}", role, INTERVIEW)
    created = run(project, "sample", "create", "dc", "--fraction", "0.3", "--coders", "ana,ben",
                  "--stratify", "role", "--seed", "7", "--min-per-stratum", "1", "--json")
    assert created.exit_code == 0, created.output
    sample = json.loads(created.output)
    sampled = [t["transcript"] for t in sample["transcripts"]]
    first, second = sampled[0], sampled[1]
    turn = transcripts[first].segment(2)
    ana = [{"transcript": t, "coder": "ana", "code": c, "segment": s} for t in sampled
           for s, c in ((2, "referral.hotline"), (4, "challenge.housing"))]
    ana += [{"transcript": second, "coder": "ana", "code": "referral.law_enforcement", "segment": 2},
            # Two overlapping spans of the same code by one coder: they merge into one coding.
            {"transcript": first, "coder": "ana", "code": "referral.hotline", "start": turn.start,
             "end": turn.start + 6},
            {"transcript": first, "coder": "ana", "code": "referral.hotline", "start": turn.start + 3,
             "end": turn.start + 12}]
    ben = [{"transcript": t, "coder": "ben", "code": c, "segment": s} for t in sampled
           for s, c in ((2, "referral.hotline"), (4, "challenge.case_length" if t == first else "challenge.housing"))]
    for name, rows in (("ana", ana), ("ben", ben)):
        done = run(project, "codings", "import", str(write_codings(tmp_path / f"{name}.csv", rows)))
        assert done.exit_code == 0, done.output
    return project, sample, first, second


def test_sample_allocation_by_largest_remainder_with_minimum_one(study):
    _, sample, _, _ = study
    # 30% of 20 = 6 places. Quotas: LE 3.0, VSP 1.8, prosecutor 0.9, other 0.3. The last two
    # are below one and get one each; LE and VSP share the 4 places left: quotas 2.5 and
    # 1.5, floors 2 and 1, and the tie for the last place goes to the larger stratum (LE).
    drawn = {row["stratum"]: row["drawn"] for row in sample["allocation"]}
    assert drawn == {"law_enforcement": 3, "other": 1, "prosecutor": 1, "service_provider": 1}
    assert len(sample["transcripts"]) == sample["target"] == 6 and sample["seed"] == 7
    assert sorted(t["stratum"] for t in sample["transcripts"]).count("law_enforcement") == 3


def test_sample_create_table_and_show(study):
    project, _, first, _ = study
    shown = run(project, "sample", "show", "dc", "--json")
    progress = {row["transcript"]: row["progress"] for row in json.loads(shown.output)["transcripts"]}
    assert progress[first] == {"ana": {"coded": 2, "total": 2}, "ben": {"coded": 2, "total": 2}}
    table = run(project, "sample", "show", "dc")
    assert table.exit_code == 0 and "total" in table.output and "12/12" in table.output
    again = run(project, "sample", "create", "dc", "--coders", "ana,ben")
    assert again.exit_code == 1 and "a sample named 'dc' exists" in again.output
    missing = run(project, "sample", "show", "dd")
    assert missing.exit_code == 1 and "No sample 'dd'; samples: dc" in missing.output


def test_import_reports_merges(project, tmp_path):
    transcript = add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    turn = transcript.segment(2)
    path = write_codings(tmp_path / "c.csv", [
        {"transcript": "vsp-1", "coder": "ana", "code": "referral.hotline", "start": turn.start, "end": turn.start + 6},
        {"transcript": "vsp-1", "coder": "ana", "code": "referral.hotline", "start": turn.start + 3,
         "end": turn.start + 12}])
    done = run(project, "codings", "import", str(path))
    assert done.exit_code == 0
    assert "Imported 2 rows from c.csv (ana 2): 1 new codings, 1 merged into overlapping ones" in done.output


def test_agreement_json_shape(study):
    project, _, _, _ = study
    result = run(project, "agreement", "--coders", "ana,ben", "--sample", "dc", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"unit", "coders", "sample", "codes", "pooled_kappa", "mean_kappa", "weighted_mean_kappa"} <= set(data)
    assert (data["unit"], data["coders"], data["sample"], data["units"]) == ("segment", ["ana", "ben"], "dc", 12)
    rows = {row["code"]: row for row in data["codes"]}
    for row in rows.values():
        assert {"code", "units", "both", "only_a", "only_b", "neither", "percent_agreement", "kappa",
                "kappa_ci", "pabak", "alpha", "ac1", "defined"} <= set(row)
    housing = rows["challenge.housing"]
    assert (housing["both"], housing["only_a"], housing["only_b"], housing["neither"]) == (5, 1, 0, 6)
    assert housing["kappa"] == pytest.approx((11 / 12 - 0.5) / 0.5)
    hotline = rows["referral.hotline"]  # the merged overlapping spans count once
    assert (hotline["both"], hotline["only_a"], hotline["kappa"]) == (6, 0, 1.0)
    assert rows["referral"]["kappa"] is None and rows["referral"]["defined"] is False
    assert "neither coder applied the code" in rows["referral"]["reason"]
    assert rows["pros.charging"]["units"] == 2  # the prosecutor transcript's two turns
    assert data["below_min_kappa"] == ["referral.law_enforcement", "challenge.case_length"]


def test_agreement_table_is_worst_first_with_overall_lines(study):
    project, _, _, _ = study
    result = run(project, "agreement", "--coders", "ana,ben", "--sample", "dc")
    assert result.exit_code == 0, result.output
    text = result.output
    order = [code for code in ("challenge.case_length", "referral.law_enforcement", "challenge.housing",
                               "referral.hotline") if code in text]
    assert sorted(order, key=text.index) == order
    assert "unit: segment (respondent turn), 12 units" in text
    assert re.search(r"Pooled kappa \(de Vries et al\. 2008, \d+ codes with units\): \d\.\d{3}", text)
    assert "Mean kappa, unweighted" in text and "Mean kappa, weighted by prevalence" in text
    assert "Codes with kappa below 0.6: 2 of 4" in text
    assert "Kappa undefined for" in text and "referral" in text


@pytest.mark.parametrize("unit", ["sentence", "character"])
def test_other_units_and_bootstrap(study, unit):
    project, _, _, _ = study
    result = run(project, "agreement", "--coders", "ana,ben", "--sample", "dc", "--unit", unit, "--json",
                 "--ci", "bootstrap", "--replicates", "200", "--resample", "segments", "--by-transcript")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["unit"] == unit and data["ci"]["replicates"] == 200 and len(data["by_transcript"]) == 6


def test_agreement_errors(study):
    project, _, _, _ = study
    bad = run(project, "agreement", "--coders", "ana", "--sample", "dc")
    assert bad.exit_code == 1 and "agreement compares two different coders" in bad.output
    bad = run(project, "agreement", "--coders", "ana,ben", "--unit", "word")
    assert bad.exit_code == 1 and "--unit must be one of segment, sentence, character" in bad.output


def test_disagreements_table_json_and_files(study, tmp_path):
    project, _, first, second = study
    table = run(project, "disagreements", "--coders", "ana,ben", "--sample", "dc")
    assert table.exit_code == 0
    assert f"{first} turn 4" in table.output and "ben only: challenge.case_length" in table.output
    assert "3 disagreements in 2 units." in table.output
    rows = json.loads(run(project, "disagreements", "--coders", "ana,ben", "--json").output)
    assert sorted((r["transcript"], r["code"], r["applied_by"]) for r in rows) == sorted([
        (first, "challenge.case_length", "ben"), (first, "challenge.housing", "ana"),
        (second, "referral.law_enforcement", "ana")])
    out = tmp_path / "d.xlsx"
    written = run(project, "disagreements", "--coders", "ana,ben", "--format", "xlsx", "-o", str(out))
    assert written.exit_code == 0 and out.exists()
    no_file = run(project, "disagreements", "--coders", "ana,ben", "--format", "docx")
    assert no_file.exit_code == 1 and "pass -o FILE.docx" in no_file.output


def test_reconcile_through_prompts_and_resume(study):
    project = study[0]
    # Quitting at the first prompt writes nothing (no consensus coder, no copies).
    quit_now = run(project, "reconcile", "--coders", "ana,ben", "--into", "consensus", input="quit\n")
    assert quit_now.exit_code == 0 and "copied" not in quit_now.output
    assert "consensus" not in run(project, "coders", "list").output
    # Three disagreements; answer an invalid choice, then keep (with a reason), skip, then quit.
    result = run(project, "reconcile", "--coders", "ana,ben", "--into", "consensus",
                 input="maybe\nkeep\nclear referral\nskip\nquit\n")
    assert result.exit_code == 0, result.output
    assert "11 agreed turn/code pairs copied to consensus" in result.output
    assert "3 disagreements to decide." in result.output
    assert "Answer one of: keep, drop, skip, quit" in result.output
    assert "keep, drop, skip or quit" in result.output and "both" not in result.output
    assert "Decided 1, skipped 1; 2 still to decide" in result.output
    # Resuming asks only the two undecided ones.
    again = run(project, "reconcile", "--coders", "ana,ben", "--into", "consensus", input="drop\n\nkeep\n\n")
    assert again.exit_code == 0, again.output
    assert "2 disagreements to decide." in again.output and "0 still to decide" in again.output
    codings = json.loads(run(project, "codings", "list", "--coder", "consensus", "--json").output)
    assert all(c["origin"] == "consensus" for c in codings)
    agreement = json.loads(run(project, "agreement", "--coders", "ana,consensus", "--json").output)
    assert agreement["transcripts"] and agreement["pooled_kappa"] is not None
    log = json.loads(run(project, "log", "--coder", "consensus", "--json").output)
    assert {e["action"] for e in log} == {"reconcile"}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_reconcile_from_a_decisions_file(study, tmp_path, suffix):
    from qualcode.sheets import read_rows, write_table

    project = study[0]
    path = tmp_path / f"decisions.{suffix}"
    made = run(project, "reconcile", "--coders", "ana,ben", "--template", str(path))
    assert made.exit_code == 0 and "Wrote 3 pending disagreements" in made.output
    header, rows = read_rows(path)
    assert header[:7] == ["transcript", "turn", "code", "applied_by", "not_applied_by", "decision", "reason"]
    records = [dict(values) for _, values in rows]
    records[0].update(decision="keep", reason="the hotline is named")
    records[1].update(decision="drop", reason="not a challenge")
    bad = [dict(r) for r in records]
    bad[2].update(decision="both")
    write_table(header, bad, path, suffix)
    refused = run(project, "reconcile", "--coders", "ana,ben", "--decisions", str(path))
    assert refused.exit_code == 1 and "row 4: decision must be keep or drop" in refused.output
    assert "consensus" not in run(project, "coders", "list").output  # nothing written
    write_table(header, records, path, suffix)
    done = run(project, "reconcile", "--coders", "ana,ben", "--decisions", str(path))
    assert done.exit_code == 0, done.output
    assert "Decided 2 (skipped 1 blank rows)" in done.output and "1 still to decide" in done.output
    again = run(project, "reconcile", "--coders", "ana,ben", "--decisions", str(path))
    assert again.exit_code == 1 and "is not a pending disagreement" in again.output
    from sqlalchemy import select

    from qualcode.store.schema import events
    with project.read() as conn:
        payloads = [p for p in conn.execute(select(events.c.after).where(events.c.coding_id.is_(None))).scalars()]
    assert sorted(p["reason"] for p in payloads) == ["not a challenge", "the hotline is named"]


def test_import_errors_list_every_row(project, tmp_path):
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    path = write_codings(tmp_path / "bad.csv", [
        {"transcript": "vsp-1", "coder": "ana", "code": "pros.charging", "segment": 2},
        {"transcript": "vsp-1", "coder": "ana", "code": "referral", "segment": 2},
        {"transcript": "vsp-x", "coder": "ana", "code": "referral", "segment": 2}])
    result = run(project, "codings", "import", str(path))
    assert result.exit_code == 1
    assert "Error: bad.csv: row 2: Code 'pros.charging' does not apply to service_provider" in result.output
    assert "Error: bad.csv: row 4: no transcript 'vsp-x' in the project" in result.output
    assert "Nothing imported: 2 problems in bad.csv." in result.output
    assert json.loads(run(project, "codings", "list", "--json").output) == []


def test_export_csv_to_stdout_and_matrix_to_xlsx(study, tmp_path):
    project, _, first, _ = study
    text = run(project, "codings", "export", "--coder", "ben").output
    rows = list(csv.DictReader(text.splitlines()))
    assert {r["coder"] for r in rows} == {"ben"} and len(rows) == 12
    out = tmp_path / "matrix.xlsx"
    done = run(project, "codings", "export", "--matrix", "-o", str(out))
    assert done.exit_code == 0 and out.exists()
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["transcript", "role", "site", "segment", "coder"] and sheet.max_row == 1 + 24
    row = [c.value for c in sheet[2]]
    assert (row[0], row[3], row[4], row[header.index("referral.hotline")]) == (first, 2, "ana", 1)


# -- the example study -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    if not (REPO / "transcripts" / "manifest.csv").is_file() or not (REPO / "codebooks" / "ecm.yaml").is_file():
        pytest.skip("the example study is not in this checkout")
    from qualcode.demo import import_example_transcripts, prepare_demo_project

    project = prepare_demo_project(REPO, tmp_path_factory.mktemp("demo"))
    import_example_transcripts(project)
    yield project
    project.close()


def test_demo_step_draws_the_sample_loads_the_csvs_and_prints_agreement(example):
    from rich.console import Console

    from qualcode.cli.agreement import print_agreement, print_sample
    from qualcode.demo import double_coding_step

    console = Console(record=True, width=160)
    step = double_coding_step(example)
    print_sample(step.sample, console)
    print_agreement(step.agreement, console)
    assert [f.name for f in step.loaded] == ["alice.csv", "bob.csv"] and step.to_dict()["sample"] == "double-coding"
    result = step.agreement
    assert result.to_dict()["transcripts"] == ["le-c-01", "oth-h-01", "pros-c-01", "vsp-e-02"]
    assert result.units == 87
    assert 0.6 < result.to_dict()["pooled_kappa"] < 0.9
    kappas = [row["kappa"] for row in result.to_dict()["codes"] if row["defined"]]
    assert sum(k >= 0.6 for k in kappas) > 0.7 * len(kappas)  # most codes agree well
    assert sum(k < 0.4 for k in kappas) >= 2  # and a few do not
    text = console.export_text()
    assert "Sample double-coding: 4 of 34 transcripts" in text and "Pooled kappa" in text


def test_demo_refuses_csvs_coded_for_another_sample(tmp_path):
    from qualcode.demo import check_demo_codings
    from qualcode.errors import AgreementError

    source = REPO / "transcripts" / "double-coding" / "alice.csv"
    if not source.is_file():
        pytest.skip("the example study is not in this checkout")
    copy = tmp_path / "alice.csv"
    shutil.copy(source, copy)
    check_demo_codings([copy], ["le-c-01", "oth-h-01", "pros-c-01", "vsp-e-02"])
    with pytest.raises(AgreementError, match="hand-coded for another sample: it codes le-c-01 outside"):
        check_demo_codings([copy], ["le-a-01", "oth-h-01", "pros-c-01", "vsp-e-02"])


def test_sample_close_by_the_lead_lifts_blind_mode(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from qualcode.cli.app import app
    from qualcode.coding.session import CodingSession
    from qualcode.project import Project
    from tests.helpers import INTERVIEW, add_coders, add_transcript, set_lead

    root = tmp_path / "p"
    project = Project.init(root)
    add_coders(project, "ana", "ben")
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    set_lead(project, "lead")
    CodingSession(project, "ben").tag("vsp-1", 2, ["referral"])
    project.close()
    run = CliRunner()
    base = ["-p", str(root)]
    assert run.invoke(app, [*base, "sample", "create", "irr", "--coders", "ana,ben", "--fraction", "1"]).exit_code == 0
    listed = run.invoke(app, [*base, "codings", "list", "--coder", "ben"], env={"QUALCODE_CODER": "ana"})
    assert listed.exit_code == 1 and "which ana codes blind" in listed.output and "Traceback" not in listed.output
    refused = run.invoke(app, [*base, "sample", "close", "irr"], env={"QUALCODE_CODER": "ana"})
    assert refused.exit_code == 1 and "only the lead (lead) closes a sample; you are ana" in refused.output
    closed = run.invoke(app, [*base, "sample", "close", "irr"], env={"QUALCODE_CODER": "lead"})
    assert closed.exit_code == 0 and "Closed sample irr (lead," in closed.output
    listed = run.invoke(app, [*base, "codings", "list", "--coder", "ben"], env={"QUALCODE_CODER": "ana"})
    assert listed.exit_code == 0 and "referral" in listed.output
    samples = run.invoke(app, [*base, "sample", "list"])
    assert "irr: 1 transcript, coders ana, ben, seed" in samples.output and ", closed by lead at " in samples.output
    logged = json.loads(run.invoke(app, [*base, "log", "--json"]).output)
    closing = [e for e in logged if e["action"] == "sample:close"]
    assert [(e["coder"], e["detail"]) for e in closing] == [("lead", "sample irr")]
    assert "sample:close" in run.invoke(app, [*base, "log"]).output and "sample irr" in run.invoke(app, [*base, "log"]).output
    again = run.invoke(app, [*base, "sample", "close", "irr"], env={"QUALCODE_CODER": "lead"})
    assert again.exit_code == 1 and "already closed" in again.output
    assert [e["action"] for e in json.loads(run.invoke(app, [*base, "log", "--json"]).output)].count("sample:close") == 1


def _as_json(data):
    """What print_json writes, read back."""
    return json.loads(json.dumps(data, default=str))


def _twins():
    from qualcode.agreement.disagreements import find_disagreements
    from qualcode.agreement.project import project_agreement
    from qualcode.agreement.sampling import get_sample, sample_names, sample_progress

    def listed(p):
        with p.read() as conn:
            return [get_sample(p, name).to_dict() for name in sample_names(conn)]

    return {  # command -> its plain-Python twin's to_dict() output
        "sample show dc": lambda p: sample_progress(p, "dc").to_dict(),
        "sample list": listed,
        "agreement --coders ana,ben --sample dc": lambda p: project_agreement(p, ("ana", "ben"), "dc").to_dict(),
        "agreement --coders ana,ben --sample dc --unit sentence --by-transcript --rollup":
            lambda p: project_agreement(p, ("ana", "ben"), "dc", "sentence", rollup=True,
                                        by_transcript=True).to_dict(),
        "disagreements --coders ana,ben --sample dc":
            lambda p: [row.to_dict() for row in find_disagreements(p, ("ana", "ben"), sample="dc")],
    }


TWIN_COMMANDS = ["sample show dc", "sample list", "agreement --coders ana,ben --sample dc",
                 "agreement --coders ana,ben --sample dc --unit sentence --by-transcript --rollup",
                 "disagreements --coders ana,ben --sample dc"]


@pytest.mark.parametrize("command", TWIN_COMMANDS)
def test_json_is_the_twins_to_dict(study, command):
    """The CLI renders its twin's typed result: --json is exactly ``to_dict()``."""
    project = study[0]
    result = run(project, *command.split(), "--json")
    assert result.exit_code == 0, result.output
    shown, expected = json.loads(result.output), _as_json(_twins()[command](project))
    assert shown and shown == expected


@pytest.mark.parametrize(("minimum", "stratify"), [(0, "role"), (1, "role"), (1, "")])
def test_sample_create_and_redraw_json_is_the_stored_samples_to_dict(project, minimum, stratify):
    """What create/redraw print is the typed Sample, and it reads back from the store unchanged
    (allocation rows included)."""
    from qualcode.agreement.sampling import AllocationRow, create_sample, get_sample

    for role, count in CORPUS.items():
        for i in range(count):
            add_transcript(project, f"{role[:3]}-{i:02d}", role, INTERVIEW)
    options = ["--stratify", stratify] if stratify else []
    created = run(project, "sample", "create", "s2", "--coders", "ana,ben", "--seed", "3",
                  "--min-per-stratum", str(minimum), *options, "--json")
    assert created.exit_code == 0, created.output
    stored = get_sample(project, "s2")
    assert json.loads(created.output) == _as_json(stored.to_dict())
    assert stored.allocation and all(isinstance(row, AllocationRow) for row in stored.allocation)
    twin = create_sample(project, "s3", fraction=0.1, coders=("ana", "ben"), stratify=(stratify,) if stratify else (),
                         seed=3, min_per_stratum=minimum)
    assert {**_as_json(twin.to_dict()), "name": "s2"} == json.loads(created.output)
    redrawn = run(project, "sample", "redraw", "s2", "--seed", "4", "--min-per-stratum", str(minimum), "--json")
    assert redrawn.exit_code == 0, redrawn.output
    assert json.loads(redrawn.output) == _as_json(get_sample(project, "s2").to_dict())
