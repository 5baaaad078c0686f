"""The analysis set: assignments, consensus on reconciled sample transcripts, coverage.

The study below is the issue's "done when" design: a primary coder on 90 % of 20
transcripts, a 10 % double-coded sample (two coders), a reconciliation decided on
one of its two transcripts only, and autocoder codings everywhere. Every figure is
checked against a hand count.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.analysis.analysis_set import analysis_set
from qualcode.analysis.assignments import assign, next_assignment, unassign
from qualcode.cli.app import app
from qualcode.errors import CodingError, NotFoundError, QualcodeError
from tests.helpers import INTERVIEW, add_transcript

IDS = [f"t{n:02d}" for n in range(1, 21)]


def _tag(project, coder, transcript, ordinal, codes, origin="manual"):
    from qualcode.coding.session import CodingSession

    CodingSession(project, coder).tag(transcript, ordinal, codes)


@pytest.fixture
def study(project, monkeypatch):
    """The lead's view (the lead is never blind): reconciliation, tallies and the report
    read the sample coders' codings while the sample is open."""
    from qualcode.agreement.reconcile import apply_decision, copy_agreements, list_disagreements
    from qualcode.agreement.sampling import create_sample
    from qualcode.coding.coders import add_coder
    from tests.helpers import set_lead

    set_lead(project, "lead")
    monkeypatch.setenv("QUALCODE_CODER", "lead")

    for coder in ("ana", "ben", "cara", "autocoder"):
        add_coder(project, coder)
    for n, tid in enumerate(IDS):
        add_transcript(project, tid, "service_provider" if n % 2 else "law_enforcement", INTERVIEW, site=f"S{n % 3}")
    sample = create_sample(project, "rel", fraction=0.1, coders=("ben", "cara"), seed=7)
    double = sorted(sample.transcript_ids)
    single = [t for t in IDS if t not in double]
    assign(project, "ana", single)
    assign(project, "ben", double)
    assign(project, "cara", double)
    for i, tid in enumerate(single):
        _tag(project, "ana", tid, 2, ["referral.hotline"])
        if i % 2 == 0:
            _tag(project, "ana", tid, 4, ["referral.law_enforcement"])
    for tid in double:
        _tag(project, "ben", tid, 2, ["referral.hotline"])
        _tag(project, "cara", tid, 2, ["referral.law_enforcement"])
        for coder in ("ben", "cara"):
            _tag(project, coder, tid, 4, ["challenge.housing"])
    for tid in IDS:  # machine codings: never counted unless named
        _tag(project, "autocoder", tid, 2, ["referral.law_enforcement"])
        _tag(project, "autocoder", tid, 4, ["referral.law_enforcement"])
    copy_agreements(project, ("ben", "cara"), "consensus", sample="rel")
    first = double[0]
    for row in list_disagreements(project, ("ben", "cara"), "consensus", sample="rel"):
        if row.transcript == first:
            decision = "a" if row.code == "referral.hotline" else "neither"
            apply_decision(project, row, decision, into="consensus", coders=("ben", "cara"))
    project.study = {"single": single, "double": double, "reconciled": first, "pending": double[1]}
    return project


def test_analysis_set_follows_assignments_and_reconciliation(study):
    aset = analysis_set(study)
    coder_for, s = aset.coder_for, study.study
    assert all(coder_for[t] == "ana" for t in s["single"])
    assert coder_for[s["reconciled"]] == "consensus"
    assert coder_for[s["pending"]] == "ben"  # the primary until reconciled
    assert "autocoder" not in aset.coders
    coverage = aset.coverage()
    # respondent turns: 2 per transcript; ana codes turn 2 always, turn 4 on every other one
    assert coverage.respondent_turns == 40
    assert coverage.turns_coded == 18 + 9 + 2 + 2  # ana's turns, consensus (turns 2 and 4), ben (2 and 4)
    assert coverage.pending_reconciliation == 1
    assert "reconciliation is partial" in coverage.warning


def test_tally_equals_a_hand_count_with_the_warning(study):
    from qualcode.tally.frequencies import tally

    result = tally(study, "referral")
    counts = {row.code: row.count for row in result.groups[0].rows}
    # hand count: ana 18 hotline + 9 law enforcement; consensus on the reconciled
    # transcript kept ben's hotline and dropped cara's law enforcement; the pending
    # one counts ben (hotline). The autocoder's 40 law-enforcement references are out.
    assert counts == {"referral.hotline": 20, "referral.law_enforcement": 9}
    assert "reconciliation is partial" in result.warning
    data = result.to_dict()
    assert data["coverage"]["respondent_turns"] == 40 and data["coverage"]["pending_reconciliation"] == 1
    named = tally(study, "referral", coder="autocoder")
    assert {r.code: r.count for r in named.groups[0].rows}["referral.law_enforcement"] == 40


def test_crosstab_and_report_count_the_analysis_set(study, tmp_path):
    from qualcode.report import build_report
    from qualcode.tally.crosstab import crosstab

    result = crosstab(study, "referral", "role")
    assert sum(result.row_totals) == 29 and result.coder == "analysis set"
    assert "reconciliation is partial" in result.warning
    written = build_report(study, tmp_path / "out")
    text = written.markdown.read_text(encoding="utf-8")
    assert "Analysis set:" in text and "reconciliation is partial" in text
    assert "31 of 40 respondent turns" in text  # turns, not references
    # The report's tables equal a hand count on the analysis set, per role.
    s, role = study.study, {tid: ("service_provider" if n % 2 else "law_enforcement") for n, tid in enumerate(IDS)}
    for key, label in (("law_enforcement", "law enforcement official"), ("service_provider", "service provider")):
        hotline = sum(role[t] == key for t in s["single"] + s["double"])  # ana, consensus (kept), ben (pending)
        enforcement = sum(role[t] == key for i, t in enumerate(s["single"]) if i % 2 == 0)
        table = text.split(f"Referral sources: {label} interviews**")[1].split("Command:")[0]
        assert f"| Hotlines and tip lines | {hotline} |" in table
        assert f"| Law enforcement | {enforcement} |" in table


def test_reconciling_the_rest_lifts_the_warning(study):
    from qualcode.agreement.reconcile import apply_decision, list_disagreements
    from qualcode.tally.frequencies import tally

    for row in list_disagreements(study, ("ben", "cara"), "consensus", sample="rel"):
        apply_decision(study, row, "b", into="consensus", coders=("ben", "cara"))
    result = tally(study, "referral")
    assert result.warning == ""
    counts = {row.code: row.count for row in result.groups[0].rows}
    assert counts == {"referral.hotline": 19, "referral.law_enforcement": 10}


def test_unassign_and_next_assignment(study):
    s = study.study
    assert next_assignment(study, "ana") == s["single"][1]  # the first with turn 4 uncoded
    changed = unassign(study, "ana", s["single"][:1])
    assert changed.changed == (s["single"][0],)
    entry = next(e for e in analysis_set(study).entries if e.transcript == s["single"][0])
    assert (entry.coder, entry.source) == ("ana", "inferred")  # ana is its only human coder
    assert next_assignment(study, "nobody") is None


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({}, QualcodeError, "exactly one way"),
    ({"transcripts": ["t01"], "every": True}, QualcodeError, "exactly one way"),
    ({"transcripts": ["nope"]}, NotFoundError, "Unknown transcript 'nope'"),
    ({"site": "Z9"}, NotFoundError, "No transcript of site 'Z9'"),
])
def test_assign_refuses_bad_selections(project, kwargs, error, message):
    from qualcode.coding.coders import add_coder

    add_coder(project, "ana")
    add_transcript(project, "t01", "service_provider", INTERVIEW)
    with pytest.raises(error, match=message):
        assign(project, "ana", **kwargs)


def test_assign_refuses_an_unknown_coder(project):
    add_transcript(project, "t01", "service_provider", INTERVIEW)
    with pytest.raises(CodingError, match="Unknown coder 'zed'"):
        assign(project, "zed", every=True)


def test_cli_assign_show_and_progress(study):
    runner = CliRunner()
    root = str(study.root)
    result = runner.invoke(app, ["-p", root, "assign", "ana", "--role", "law_enforcement"])
    assert result.exit_code == 0 and "Assigned ana:" in result.output
    shown = runner.invoke(app, ["-p", root, "analysis-set", "show", "--json"])
    assert shown.exit_code == 0
    data = json.loads(shown.output)
    assert data["coverage"]["pending_reconciliation"] == 1
    assert {e["transcript"]: e["source"] for e in data["transcripts"]}[study.study["reconciled"]] == "consensus"
    text = runner.invoke(app, ["-p", root, "analysis-set", "show"]).output
    assert "Warning: Coverage" in text
    progress = json.loads(runner.invoke(app, ["-p", root, "progress", "--json"]).output)
    roles = {(r["coder"], r["transcript"]): r["assigned"] for r in progress}
    assert roles[("cara", study.study["pending"])] == "second"
    bad = runner.invoke(app, ["-p", root, "assign", "ana"])
    assert bad.exit_code == 1 and "exactly one way" in bad.output
    tallied = runner.invoke(app, ["-p", root, "tally", "referral"])
    assert tallied.exit_code == 0 and "Warning: Coverage" in tallied.output
    assert "referral): references, analysis set" in tallied.output
    reported = runner.invoke(app, ["-p", root, "report", "-o", str(study.root / "out")])
    assert reported.exit_code == 0 and "Report (analysis set):" in reported.output


@pytest.mark.parametrize("fmt", ["md", "table"])
def test_file_formats_carry_the_statement_and_warning(study, fmt):
    from qualcode.tally.crosstab import crosstab
    from qualcode.tally.formats import write_crosstab, write_tally
    from qualcode.tally.frequencies import tally

    for text in (write_tally(tally(study, "referral"), fmt), write_crosstab(crosstab(study, "referral", "role"), fmt)):
        assert "analysis set" in text and "Analysis set:" in text
        assert "Warning: Coverage" in text and "reconciliation is partial" in text


@pytest.mark.coders("ana")
def test_renaming_a_transcript_carries_its_assignment_and_removing_drops_it(project):
    from qualcode.analysis.assignments import assignments
    from qualcode.transcripts.corrections import remove_transcript, set_transcript

    add_transcript(project, "t01", "service_provider", INTERVIEW)
    assign(project, "ana", ["t01"])
    set_transcript(project, "t01", new_id="t01-renamed", by="lead")
    assert assignments(project) == {"t01-renamed": ["ana"]}
    remove_transcript(project, "t01-renamed", by="lead")
    assert assignments(project) == {}


@pytest.mark.coders("ana", "autocoder")
def test_a_report_on_a_machine_coder_says_so(project):
    from qualcode.coding.session import CodingSession
    from qualcode.report.build import _subtitle

    add_transcript(project, "t01", "service_provider", INTERVIEW)
    CodingSession(project, "ana").tag("t01", 2, ["referral.hotline"])
    CodingSession(project, "autocoder").tag("t01", 4, ["challenge.housing"])
    machine, person = analysis_set(project, "autocoder"), analysis_set(project, "ana")
    assert machine.machine and not person.machine
    assert "tallies of the codings of autocoder. Warning: autocoder is a machine coder" in _subtitle(project, machine)
    assert "Warning" not in _subtitle(project, person)
    assert "Warning: autocoder is a machine coder" in machine.statement()  # tally/crosstab print it


@pytest.mark.coders("ana", "ben")
@pytest.mark.parametrize("ana_turns", [[1], [1, 3], [1, 2]])
def test_interviewer_turn_codings_count_for_inference_as_they_do_in_tallies(project, ana_turns):
    """Where interviewer turns are coded, a coder who coded only interviewer turns of an
    unassigned transcript is its coder: the tally counts those codings, so the analysis
    set must not call the transcript uncoded (it did, leaving the tally at zero)."""
    from qualcode.coding.session import CodingSession
    from qualcode.tally.frequencies import tally
    from tests.helpers import code_interviewer_turns

    code_interviewer_turns(project)
    add_transcript(project, "t01", "service_provider", INTERVIEW)
    add_transcript(project, "t02", "service_provider", INTERVIEW)
    for ordinal in ana_turns:
        CodingSession(project, "ana").tag("t01", ordinal, ["referral.hotline"])
    CodingSession(project, "ben").tag("t02", 2, ["referral.hotline"])
    aset = analysis_set(project)
    entry = {e.transcript: e for e in aset.entries}["t01"]
    asked = sum(1 for o in ana_turns if o % 2)  # odd turns are the interviewer's
    assert (entry.coder, entry.source) == ("ana", "inferred")
    assert (entry.coded_turns, entry.interviewer_turns_coded) == (len(ana_turns) - asked, asked)
    assert ("codes only interviewer turns" in entry.note) == (asked == len(ana_turns))
    assert aset.coverage().not_covered == () and aset.coverage().transcripts_coded == 2
    counts = {row.code: row.count for row in tally(project, "referral").groups[0].rows}
    assert counts["referral.hotline"] == len(ana_turns) + 1  # every counted coding is in the tally


@pytest.mark.coders("ana", "ben")
def test_an_assigned_transcript_not_yet_coded_is_not_covered(project):
    """Assigned is not coded: a transcript whose counted coder has no codings on it is
    'not covered', and the warning says so (it used to count as covered)."""
    from qualcode.coding.session import CodingSession

    for tid in ("t01", "t02", "t03"):
        add_transcript(project, tid, "service_provider", INTERVIEW)
    assign(project, "ana", ["t01", "t02"])
    CodingSession(project, "ana").tag("t01", 2, ["referral.hotline"])
    CodingSession(project, "ben").tag("t03", 2, ["referral.hotline"])
    coverage = analysis_set(project).coverage()
    assert coverage.not_covered == ("t02",) and coverage.transcripts_coded == 2
    assert "1 of 3 transcripts in the selection have no counted codings (t02)" in coverage.warning
    named = analysis_set(project, "ben").coverage()
    assert named.not_covered == ("t01", "t02") and not named.complete


@pytest.mark.coders("ana", "autocoder")
def test_an_assigned_machine_coder_carries_the_warning(project):
    from qualcode.coding.session import CodingSession
    from qualcode.report.build import _subtitle

    add_transcript(project, "t01", "service_provider", INTERVIEW)
    add_transcript(project, "t02", "service_provider", INTERVIEW)
    CodingSession(project, "ana").tag("t01", 2, ["referral.hotline"])
    CodingSession(project, "autocoder").tag("t02", 4, ["challenge.housing"])
    assert analysis_set(project).machine_coders == ()  # the autocoder is never inferred
    assign(project, "autocoder", ["t02"])
    aset = analysis_set(project)
    assert aset.machine_coders == ("autocoder",) and aset.coder_for == {"t01": "ana", "t02": "autocoder"}
    assert "Warning: autocoder is a machine coder" in aset.statement()
    assert "Warning: autocoder is a machine coder" in _subtitle(project, aset)
