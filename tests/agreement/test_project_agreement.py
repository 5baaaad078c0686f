"""Agreement on a project: tables from the store, role applicability, summaries, bootstrap."""

from __future__ import annotations

import json
import math

import pytest

from qualcode.agreement import cohens_kappa, mean_kappa, per_code_from_counts, pooled_kappa
from qualcode.agreement.per_code import UNUSED
from qualcode.agreement.project import project_agreement
from qualcode.agreement.sampling import create_sample
from qualcode.coding.session import CodingSession
from qualcode.errors import AgreementError, NotFoundError
from tests.helpers import add_transcript, code_interviewer_turns, set_lead

pytestmark = pytest.mark.coders("ana", "ben")

VSP = [("Interviewer", "Q1?"), ("Respondent", "Mostly the hotline."), ("Interviewer", "Q2?"),
       ("Respondent", "Housing is short."), ("Interviewer", "Q3?"), ("Respondent", "Cases take years.")]
PROS = [("Interviewer", "Q1?"), ("Respondent", "We charged promoting."), ("Interviewer", "Q2?"),
        ("Respondent", "Police bring cases.")]

# (coder, transcript, turn, code)
CODINGS = [
    ("ana", "vsp-1", 2, "referral.hotline"), ("ben", "vsp-1", 2, "referral.hotline"),
    ("ana", "vsp-1", 4, "challenge.housing"), ("ben", "vsp-1", 4, "challenge.housing"),
    ("ana", "vsp-1", 6, "challenge.housing"), ("ben", "vsp-1", 6, "challenge.case_length"),
    ("ana", "pros-1", 2, "pros.charging"), ("ben", "pros-1", 2, "pros.charging"),
    ("ana", "pros-1", 4, "referral.law_enforcement"), ("ben", "pros-1", 4, "referral.hotline"),
]
# Hand-counted tables over the 5 respondent turns (pros.charging: the 2 prosecutor turns).
EXPECTED = {  # code: (units, both, only ana, only ben, neither)
    "referral.hotline": (5, 1, 0, 1, 3),
    "referral.law_enforcement": (5, 0, 1, 0, 4),
    "challenge.housing": (5, 1, 1, 0, 3),
    "challenge.case_length": (5, 0, 0, 1, 4),
    "pros.charging": (2, 1, 0, 0, 1),
    "referral": (5, 0, 0, 0, 5),
    "challenge": (5, 0, 0, 0, 5),
}


@pytest.fixture
def coded(project):
    add_transcript(project, "vsp-1", "service_provider", VSP)
    add_transcript(project, "pros-1", "prosecutor", PROS)
    for coder, transcript, turn, code in CODINGS:
        CodingSession(project, coder).tag(transcript, turn, [code])
    return project


def by_code(result):
    """A result's (or one transcript's) code rows as the JSON shape, by code."""
    return {row["code"]: row for row in result.to_dict()["codes"]}


def test_segment_tables_are_the_hand_counts(coded):
    result = project_agreement(coded, ["ana", "ben"])
    rows = by_code(result)
    assert set(rows) == set(EXPECTED)
    for code, (units, both, only_a, only_b, neither) in EXPECTED.items():
        row = rows[code]
        assert (row["units"], row["both"], row["only_a"], row["only_b"], row["neither"]) == (
            units, both, only_a, only_b, neither), code
    assert result.units == 5 and result.to_dict()["transcripts"] == ["pros-1", "vsp-1"]


def test_statistics_are_those_of_the_statistics_module(coded):
    rows = by_code(project_agreement(coded, ["ana", "ben"]))
    hotline = rows["referral.hotline"]
    reference = cohens_kappa([[1, 0], [1, 3]])
    assert hotline["kappa"] == pytest.approx(reference.value)
    # The raw Wald interval passes 1 on this tiny table; the report truncates it.
    assert reference.ci_high > 1
    assert hotline["kappa_ci"] == pytest.approx([max(reference.ci_low, -1), min(reference.ci_high, 1)])
    assert hotline["percent_agreement"] == pytest.approx(0.8) and hotline["pabak"] == pytest.approx(0.6)
    assert hotline["label"] == "moderate" and hotline["defined"] and hotline["reason"] is None
    assert rows["pros.charging"]["kappa"] == pytest.approx(1.0)


def test_unused_codes_are_undefined_with_a_reason_and_json_null(coded):
    result = project_agreement(coded, ["ana", "ben"])
    rows = by_code(result)
    for code in ("referral", "challenge"):
        assert rows[code]["kappa"] is None and rows[code]["alpha"] is None and rows[code]["kappa_ci"] is None
        assert rows[code]["reason"] == UNUSED and rows[code]["label"] == "undefined" and not rows[code]["defined"]
    assert {item["code"] for item in result.to_dict()["undefined"]} == {"referral", "challenge"}
    text = json.dumps(result.to_dict(), allow_nan=False)  # no NaN anywhere
    assert '"kappa": null' in text


def test_summaries_name_their_method_and_match_the_statistics(coded):
    result = project_agreement(coded, ["ana", "ben"], min_kappa=0.6)
    codes = list(EXPECTED)
    counts = per_code_from_counts(*([EXPECTED[c][i] for c in codes] for i in range(1, 5)), codes=codes)
    assert result.to_dict()["pooled_kappa"] == pytest.approx(pooled_kappa(counts).value)
    assert result.to_dict()["mean_kappa"] == pytest.approx(mean_kappa(counts).value)
    assert result.to_dict()["weighted_mean_kappa"] == pytest.approx(mean_kappa(counts, weighting="prevalence").value)
    assert "de Vries" in result.to_dict()["overall"]["pooled_kappa"]["method"]
    assert result.to_dict()["overall"]["mean_kappa"]["codes_excluded"] == 2
    below = {row["code"] for row in result.to_dict()["codes"] if row["defined"] and row["kappa"] < 0.6}
    assert set(result.to_dict()["below_min_kappa"]) == below and result.to_dict()["below_min_kappa_count"] == len(below) == 4


def test_codes_prefix_and_rollup(coded):
    only = project_agreement(coded, ["ana", "ben"], codes="referral")
    assert {row["code"] for row in only.to_dict()["codes"]} == {"referral", "referral.hotline", "referral.law_enforcement"}
    rolled = by_code(project_agreement(coded, ["ana", "ben"], rollup=True))
    # A turn is coded 'referral' when any referral.* code is on it: vsp-1#2 (both), pros-1#4 (both).
    assert (rolled["referral"]["both"], rolled["referral"]["only_a"], rolled["referral"]["only_b"]) == (2, 0, 0)
    assert (rolled["challenge"]["both"], rolled["challenge"]["only_a"]) == (2, 0)
    with pytest.raises(AgreementError, match="no code matches --codes 'nothing'"):
        project_agreement(coded, ["ana", "ben"], codes="nothing")


def test_sample_limits_the_transcripts_and_warns_about_uncoded_ones(coded, monkeypatch):
    set_lead(coded, "lead")
    monkeypatch.setenv("QUALCODE_CODER", "lead")  # the lead is not blind while the sample is open
    add_transcript(coded, "vsp-2", "service_provider", VSP)
    create_sample(coded, "dc", fraction=1.0, coders=["ana", "ben"], seed=1)
    result = project_agreement(coded, ["ana", "ben"], sample="dc")
    assert result.sample == "dc" and result.to_dict()["transcripts"] == ["pros-1", "vsp-1", "vsp-2"]
    assert result.units == 8
    assert "ana has no codings in 'vsp-2'" in result.to_dict()["warnings"][0]
    assert project_agreement(coded, ["ana", "ben"]).to_dict()["transcripts"] == ["pros-1", "vsp-1"]


def test_interviewer_codings_are_left_out_with_a_warning(coded):
    code_interviewer_turns(coded)  # or imported from another tool
    CodingSession(coded, "ben").tag("vsp-1", 3, ["referral.hotline"])
    result = project_agreement(coded, ["ana", "ben"])
    assert by_code(result)["referral.hotline"]["only_b"] == 1
    assert "1 of ben's codings are on interviewer turns" in " ".join(result.to_dict()["warnings"])


@pytest.mark.parametrize(
    ("coders", "kwargs", "error", "message"),
    [
        (["ana"], {}, AgreementError, "two different coders"),
        (["ana", "ana"], {}, AgreementError, "two different coders"),
        (["ana", "zoe"], {}, AgreementError, "no coder 'zoe'; coders: ana, ben"),
        (["ana", "ben"], {"unit": "word"}, AgreementError, "--unit must be one of segment, sentence, character"),
        (["ana", "ben"], {"ci": "exact"}, AgreementError, "--ci must be one of asymptotic, bootstrap"),
        (["ana", "ben"], {"ci": "bootstrap", "replicates": 10}, AgreementError, "--replicates must be between"),
        (["ana", "ben"], {"sample": "nope"}, NotFoundError, "No sample 'nope'"),
    ],
)
def test_bad_requests(coded, coders, kwargs, error, message):
    with pytest.raises(error, match=message):
        project_agreement(coded, coders, **kwargs)


def test_no_transcript_in_common(project):
    add_transcript(project, "vsp-1", "service_provider", VSP)
    add_transcript(project, "vsp-2", "service_provider", VSP)
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral"])
    CodingSession(project, "ben").tag("vsp-2", 2, ["referral"])
    with pytest.raises(AgreementError, match="have coded no transcript in common"):
        project_agreement(project, ["ana", "ben"])


def test_character_unit_hand_computed_table(project):
    """One respondent turn of 20 characters. ana codes [0, 8), ben [4, 10) of
    challenge.housing: both 4, only ana 4, only ben 2, neither 10. po = 0.7,
    pe = 0.4 x 0.3 + 0.6 x 0.7 = 0.54, kappa = 0.16 / 0.46 = 0.3478."""
    transcript = add_transcript(project, "t1", "service_provider", [("Interviewer", "Q?"),
                                                                   ("Respondent", "abcdefghijklmnopqrst")])
    start = transcript.segment(2).start
    CodingSession(project, "ana").tag("t1", 2, ["challenge.housing"], span=(start, start + 8))
    CodingSession(project, "ben").tag("t1", 2, ["challenge.housing"], span=(start + 4, start + 10))
    result = project_agreement(project, ["ana", "ben"], unit="character", by_transcript=True)
    row = by_code(result)["challenge.housing"]
    assert (row["units"], row["both"], row["only_a"], row["only_b"], row["neither"]) == (20, 4, 4, 2, 10)
    assert row["percent_agreement"] == pytest.approx(0.7)
    assert row["kappa"] == pytest.approx(0.16 / 0.46)
    assert result.characters == "respondent" and result.units == 20
    nvivo = {r["code"]: r for r in result.to_dict()["by_transcript"][0]["codes"]}["challenge.housing"]
    assert nvivo["kappa"] == pytest.approx(0.16 / 0.46)
    # Every character of the text: 'Interviewer: Q?', the blank line and the label count as neither.
    every = by_code(project_agreement(project, ["ana", "ben"], unit="character", characters="all"))
    assert every["challenge.housing"]["neither"] == len(transcript.text) - 10
    # The same codings at turn level agree perfectly.
    assert by_code(project_agreement(project, ["ana", "ben"]))["challenge.housing"]["kappa"] is None


def test_by_transcript_tables_add_up(coded):
    result = project_agreement(coded, ["ana", "ben"], by_transcript=True)
    parts = {entry.transcript: by_code(entry) for entry in result.by_transcript}
    assert set(parts) == {"pros-1", "vsp-1"}
    assert "pros.charging" not in parts["vsp-1"]  # a prosecutor-only code has no units there
    for code, row in by_code(result).items():
        total = sum(part[code]["both"] + part[code]["neither"] for part in parts.values() if code in part)
        assert total == row["both"] + row["neither"]


def test_bootstrap_is_reproducible_and_brackets_the_estimate(coded):
    options = {"ci": "bootstrap", "replicates": 400, "resample": "segments"}
    first = project_agreement(coded, ["ana", "ben"], seed=5, **options)
    assert first.to_dict()["ci"] == {"method": "bootstrap", "confidence": 0.95, "replicates": 400, "seed": 5,
                                     "resample": "segments"}
    assert first.to_dict()["codes"] == project_agreement(coded, ["ana", "ben"], seed=5, **options).to_dict()["codes"]
    other = project_agreement(coded, ["ana", "ben"], seed=6, **options)
    def draws(result):
        return [(r.kappa_ci, r.bootstrap_replicates_defined) for r in result.codes]

    assert draws(first) != draws(other)
    hotline = by_code(first)["referral.hotline"]
    low, high = hotline["kappa_ci"]
    assert -1.0 <= low <= hotline["kappa"] <= high <= 1.0
    assert 0 < hotline["bootstrap_replicates_defined"] <= 400
    assert by_code(first)["referral"]["kappa_ci"] is None


def test_bootstrap_resamples_transcripts_as_clusters(coded):
    """With two transcripts, a resample holds pros-1 twice, vsp-1 twice or one of each:
    pros.charging (units only in pros-1) is undefined when pros-1 is missing."""
    result = project_agreement(coded, ["ana", "ben"], ci="bootstrap", replicates=1000, seed=3)
    charging = by_code(result)["pros.charging"]
    assert charging["kappa_ci"] is None  # every replicate gives 1.0: "1.00 to 1.00" is no interval
    assert 650 < charging["bootstrap_replicates_defined"] < 850  # P(pros-1 drawn) = 3/4
    assert math.isfinite(by_code(result)["referral.hotline"]["kappa_ci"][0])


def test_degenerate_intervals_are_not_estimable_and_small_codes_flagged(coded):
    result = project_agreement(coded, ["ana", "ben"], min_units=3)
    for row in result.to_dict()["codes"]:
        if row["kappa_ci"] is not None:
            assert row["kappa_ci"][1] - row["kappa_ci"][0] > 0
            assert row["kappa_se"] and row["kappa_se"] > 0
        assert row["coded_units"] == row["both"] + row["only_a"] + row["only_b"]
        assert row["too_few_units"] == (row["coded_units"] < 3)
    assert result.too_few_units == [r["code"] for r in result.to_dict()["codes"] if r["defined"] and r["too_few_units"]]
    with pytest.raises(AgreementError, match="--min-units must be 1 or more; received 0"):
        project_agreement(coded, ["ana", "ben"], min_units=0)
