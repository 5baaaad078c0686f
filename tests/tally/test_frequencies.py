"""Counting semantics of `tally`, pinned on a project that reproduces the seed report's tables."""

from __future__ import annotations

import pytest

from qualcode.errors import NotFoundError, UnknownRoleError
from qualcode.tally import TallyError, tally
from qualcode.tally.counting import reference_counts
from tests.tally.seed_study import (
    CODER,
    LAW_ENFORCEMENT_REFERRALS,
    SERVICE_PROVIDER_REFERRALS,
    SITES,
)

pytestmark = pytest.mark.coders("ana", "bob")

# The report's four most frequent streams per role: (code, references, printed percent).
SEED_TABLES = {
    "Service provider": (151, [
        ("referral.law_enforcement", 31, "20.5"),
        ("referral.service_provider", 23, "15"),  # printed without a decimal in the report
        ("referral.medical", 19, "12.6"),
        ("referral.community", 18, "11.9"),
    ]),
    "Law enforcement official": (157, [
        ("referral.hotline", 52, "33.1"),
        ("referral.law_enforcement", 38, "24.2"),
        ("referral.service_provider", 21, "13.4"),
        ("referral.government", 16, "10.2"),
    ]),
}


def group(result, label):
    return next(g for g in result.groups if g.label == label)


def counts(g) -> dict[str, int]:
    return {r.code: r.count for r in g.rows}


@pytest.mark.parametrize("label", list(SEED_TABLES))
def test_seed_referral_tables_are_reproduced(seed_project, label):
    total, top_four = SEED_TABLES[label]
    g = group(tally(seed_project, "referral", by="role", coder=CODER), label)
    assert g.total == total
    assert [(r.code, r.count) for r in g.rows[:4]] == [(code, n) for code, n, _ in top_four]
    for row, (_, _, printed) in zip(g.rows, top_four, strict=False):
        decimals = len(printed.partition(".")[2])
        assert f"{row.percent:.{decimals}f}" == printed
    assert all(r.count < top_four[-1][1] for r in g.rows[4:])  # the rest is spread thinner
    assert sum(r.count for r in g.rows) == total


@pytest.mark.parametrize(("label", "phrase"), [
    ("Service provider", "Referral streams were cited 151 times in the service provider interviews."),
    ("Law enforcement official",
     "Referral streams were cited 157 times in the law enforcement official interviews."),
])
def test_statement_and_summary_read_like_the_report(seed_project, label, phrase):
    g = group(tally(seed_project, "referral", by="role", coder=CODER, noun="referral streams"), label)
    assert g.statement == phrase
    if label == "Service provider":
        assert g.summary == (
            "The four most frequently cited referral streams were other law enforcement agencies (20.5 percent); "
            "victim service providers (15.2 percent); medical providers (12.6 percent); and community "
            "organisations and members (11.9 percent).")


def test_overlapping_and_repeated_spans_count_once(seed_project):
    from qualcode.coding.listing import list_codings

    rows = list_codings(seed_project, coder=CODER, transcript="le-01", code="referral.hotline")
    distinct_turns = {r.segment for r in rows}
    assert len(rows) == 3 * len(distinct_turns)  # each turn holds 3 spans of the code
    result = tally(seed_project, "referral", coder=CODER, roles=["law_enforcement"], sites=["A"])
    le_01_and_le_11 = counts(result.groups[0])["referral.hotline"]
    assert le_01_and_le_11 == len(distinct_turns) + len(
        {r.segment for r in list_codings(seed_project, coder=CODER, transcript="le-11", code="referral.hotline")})


def test_only_the_named_coder_is_counted(seed_project):
    bob = group(tally(seed_project, "referral", by="role", coder="bob"), "Law enforcement official")
    assert counts(bob) == {**{c: 0 for c in counts(bob)}, "referral.medical": 20}
    ours = group(tally(seed_project, "referral", by="role", coder=CODER), "Law enforcement official")
    assert counts(ours)["referral.medical"] == 0


def test_orphaned_codings_are_not_counted(seed_project):
    from sqlalchemy import func, select

    from qualcode.store.schema import codings

    with seed_project.read() as conn:
        orphans = conn.execute(select(func.count()).where(codings.c.orphaned.is_(True))).scalar()
    assert orphans == 1
    g = group(tally(seed_project, "referral", by="role", coder=CODER), "Law enforcement official")
    assert counts(g)["referral.hotline"] == LAW_ENFORCEMENT_REFERRALS["referral.hotline"][0]


def test_codings_of_the_parent_itself_are_reported_not_totalled(seed_project):
    result = tally(seed_project, "referral", by="role", coder=CODER)
    g = group(result, "Service provider")
    assert (g.unspecified, g.total) == (2, 151)
    assert any("2 references coded referral itself" in note for note in result.notes)


@pytest.mark.parametrize(("code", "spread"), [(c, s) for c, (_, s) in SERVICE_PROVIDER_REFERRALS.items()])
def test_counts_by_transcript_and_site(seed_project, code, spread):
    by_transcript = tally(seed_project, "referral", count="transcripts", roles=["VSP"], coder=CODER).groups[0]
    by_site = tally(seed_project, "referral", count="sites", roles=["VSP"], coder=CODER).groups[0]
    assert (by_transcript.total, by_site.total) == (20, len(SITES))
    assert counts(by_transcript)[code] == spread
    assert counts(by_site)[code] == min(spread, len(SITES))
    assert next(r.percent for r in by_transcript.rows if r.code == code) == pytest.approx(100 * spread / 20)


def test_sites_count_reads_like_n_of_the_task_forces(seed_project):
    g = tally(seed_project, "challenge", count="sites", rollup=True, coder=CODER).groups[0]
    assert counts(g)["challenge.resources"] == 8
    assert g.total == 10
    assert "8 of 10 sites" in g.summary


def test_rollup_counts_two_grandchildren_in_one_turn_once(seed_project):
    flat = tally(seed_project, "challenge", coder=CODER)
    rolled = tally(seed_project, "challenge", coder=CODER, rollup=True)
    # service_gaps itself once (vsp-07); housing in 5 turns, behavioural health in 4 (3 shared).
    assert counts(flat.groups[0])["challenge.service_gaps"] == 1
    assert flat.deeper == 5 + 4 + 1  # + collaboration.turnover
    assert counts(rolled.groups[0])["challenge.service_gaps"] == 1 + 5 + 1
    assert rolled.deeper == 0
    site_a = tally(seed_project, "challenge", coder=CODER, rollup=True, roles=["VSP"], sites=["A"]).groups[0]
    assert counts(site_a)["challenge.service_gaps"] == 1  # vsp-01: housing + behavioural health, one turn


def test_top_keeps_the_total_and_sums_the_rest(seed_project):
    g = tally(seed_project, "referral", roles=["service provider"], top=4, coder=CODER).groups[0]
    assert [r.count for r in g.rows] == [31, 23, 19, 18]
    assert (g.total, g.other_codes, g.other_count) == (151, 8, 151 - 91)


@pytest.mark.parametrize(("by", "labels"), [
    (None, ["All"]),
    ("role", ["Law enforcement official", "Prosecutor", "Service provider"]),
    ("site", list(SITES)),
])
def test_groups(seed_project, by, labels):
    result = tally(seed_project, "referral", by=by, coder=CODER)
    assert [g.label for g in result.groups] == labels
    assert sum(g.total for g in result.groups) == 151 + 157 + 3


def test_a_single_role_selection_is_worded_as_that_role(seed_project):
    g = tally(seed_project, "referral", roles=["LE"], coder=CODER).groups[0]
    assert g.label == "Law enforcement official"
    assert "law enforcement official interviews" in g.statement


def test_json_shape(seed_project):
    data = tally(seed_project, "referral", by="role", coder=CODER, top=2).to_dict()
    assert {"code", "count_type", "coder", "groups"} <= set(data)
    assert (data["code"], data["count_type"], data["coder"]) == ("referral", "references", CODER)
    first = data["groups"][0]
    assert {"group", "total", "rows"} <= set(first)
    assert set(first["rows"][0]) == {"code", "name", "count", "percent"}
    assert data["command"] == "qualcode tally referral --by role --top 2 --coder autocoder"


def test_machine_codings_count_only_when_named(seed_project):
    # autocoder and bob hold only rule-made codings and nobody is assigned: the
    # analysis set counts nothing, and says how to name whose codings count.
    with pytest.raises(NotFoundError, match=r"analysis set counts no codings.*--coder NAME"):
        tally(seed_project, "referral")


def test_default_is_the_analysis_set_with_coverage(seed_project):
    from qualcode.analysis.assignments import assign
    from qualcode.coding.session import CodingSession
    from tests.helpers import add_coders

    add_coders(seed_project, "ana")
    CodingSession(seed_project, "ana").tag("vsp-01", 2, ["referral.self"])
    result = tally(seed_project, "referral")
    assert result.coder == "analysis set" and "--coder" not in result.command
    assert result.groups[0].total == 1
    coverage = result.to_dict()["coverage"]
    assert coverage["transcripts_coded"] == 1 and coverage["transcripts"] > 1
    assert "have no counted codings" in result.warning
    assign(seed_project, "autocoder", every=True)  # naming the autocoder makes it count
    named = tally(seed_project, "referral")
    assert named.groups[0].total == tally(seed_project, "referral", coder=CODER).groups[0].total
    # every transcript now counts the autocoder, but it coded nothing on two of them:
    # assigned is not coded, so the figures still say what they rest on
    assert "2 of 43 transcripts in the selection have no counted codings (vsp-19, vsp-20)" in named.warning
    assert "Warning: autocoder is a machine coder" in named.analysis


def test_default_coder_is_the_only_coder(project, interview):
    from qualcode.coding.session import CodingSession

    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"])
    result = tally(project, "referral")
    assert result.coder == "analysis set" and result.groups[0].total == 1
    assert "1 transcript counts its only coder (unassigned, inferred)" in result.analysis


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"coder": "zed"}, NotFoundError, "No codings by coder 'zed'. Coders with codings: autocoder, bob"),
    ({"count": "words"}, TallyError, "Unknown count 'words'; counts: references, transcripts, sites"),
    ({"by": "attr:region"}, TallyError, "No transcript has an attribute 'region'"),
    ({"sites": ["Z"]}, NotFoundError, "Unknown site 'Z'"),
    ({"roles": ["judge"]}, UnknownRoleError, "Unknown role 'judge'"),
    ({"top": 0}, TallyError, "--top must be 1 or more"),
])
def test_errors_say_what_is_allowed(seed_project, kwargs, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        tally(seed_project, "referral", **{"coder": CODER, **kwargs})


def test_a_code_without_children_cannot_be_tallied(seed_project):
    with pytest.raises(TallyError, match="has no children"):
        tally(seed_project, "referral.hotline", coder=CODER)


@pytest.mark.parametrize("count", ["transcripts", "sites"])
@pytest.mark.parametrize("by", [None, "role", "site"])
def test_rollup_presence_counts_equal_the_reference_path(seed_project, monkeypatch, count, by):
    """Counting transcripts or sites under rollup reads only which transcripts mention a
    key; the answer must equal the one built from the distinct-segment counts."""
    fast = tally(seed_project, "challenge", count=count, by=by, rollup=True, coder=CODER).to_dict()
    monkeypatch.setattr("qualcode.tally.frequencies.presence_rows", reference_counts)
    assert tally(seed_project, "challenge", count=count, by=by, rollup=True, coder=CODER).to_dict() == fast
