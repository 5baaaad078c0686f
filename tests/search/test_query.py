"""Boolean coding queries against answers worked out by hand from tests/search/study.py."""

from __future__ import annotations

import pytest

from qualcode.search.engine import SearchOptions
from qualcode.search.qparse import QueryError, parse_query
from qualcode.search.query import run_query


def units(project, expression, **options):
    result = run_query(project, expression, SearchOptions(**options))
    return sorted((p.transcript, p.segment) for p in result.passages)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("challenge.housing AND challenge.case_length", [("le-1", 1)]),
        ("challenge.housing OR referral", [("le-1", 1), ("le-1", 3), ("vsp-1", 2), ("vsp-1", 4)]),
        ("challenge AND NOT challenge.housing", [("pros-1", 1), ("vsp-1", 2)]),
        ("NOT challenge", []),  # every respondent turn has some challenge
        ("NOT referral", [("le-1", 1), ("pros-1", 1), ("vsp-1", 4)]),
        ("referral.hotline NEAR/0 referral.law_enforcement", []),  # adjacent sentences, not the same
        ("referral.hotline NEAR/1 referral.law_enforcement", [("vsp-1", 2)]),
        ("referral.hotline NEAR/1 challenge.case_length", []),  # two sentences apart
        ("referral.hotline NEAR/2 challenge.case_length", [("vsp-1", 2)]),
        ("challenge.case_length AND \"trust\"", [("pros-1", 1)]),
        ("challenge.housing AND phrase:\"need for housing\"", [("vsp-1", 4)]),
        ("challenge.case_length NEAR/0 \"visa\"", [("le-1", 1), ("pros-1", 1)]),
        ("challenge AND site=A", [("pros-1", 1), ("vsp-1", 2), ("vsp-1", 4)]),
        ("challenge.housing AND region=north", [("le-1", 1), ("le-1", 3)]),
        ("challenge.case_length AND role=DA", [("pros-1", 1)]),
        ("(referral OR challenge.case_length) AND NOT site=B", [("pros-1", 1), ("vsp-1", 2)]),
        ("code:referral.hotline or challenge.housing and role=vsp", [("vsp-1", 2), ("vsp-1", 4)]),
    ],
)
def test_boolean_queries_match_the_hand_computed_answer(coded, expression, expected):
    assert units(coded, expression) == expected


def test_filters_and_counts(coded):
    assert units(coded, "challenge", roles=("law_enforcement",)) == [("le-1", 1), ("le-1", 3)]
    result = run_query(coded, "challenge.housing", SearchOptions())
    assert {r.group: (r.hits, r.transcripts) for r in result.by_role} == {
        "law_enforcement": (2, 1), "prosecutor": (0, 0), "service_provider": (1, 1)}
    assert {r.group: (r.hits, r.transcripts) for r in result.by_site} == {"A": (1, 1), "B": (2, 1)}


def test_passages_carry_the_turn_and_the_evidence(coded):
    result = run_query(coded, "referral.hotline NEAR/1 referral.law_enforcement", SearchOptions())
    (passage,) = result.passages
    assert passage.text.startswith("Mostly the hotline.") and passage.text.endswith("to trial.")
    assert [passage.text[s - passage.start : e - passage.start] for s, e in passage.evidence] == [
        "Mostly the hotline.", "Police also bring us clients."]
    assert result.coder == "ana"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("housing AND", "query position 12: expected a code, \"text\", NAME=VALUE or '(', but the query ended"),
        ("(referral OR challenge", "query position 23: expected ')', but the query ended"),
        ("referral challenge", "query position 10: expected AND, OR, NEAR/n or the end of the query, found 'challenge'"),
        ("referral AND ?", "query position 14: unexpected '?'"),
        ('bad:"x"', "query position 1: unknown text mode 'bad'"),
        ("role=", "query position 1: expected a value after 'role='"),
        ("", "Empty query"),
    ],
)
def test_parse_errors_say_where_and_what_was_expected(expression, message):
    with pytest.raises(QueryError) as caught:
        parse_query(expression)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("no.such AND challenge", "no.such"),
        ("challenge AND colour=red", "attribute 'colour'"),
        ("challenge AND role=nobody", "nobody"),
    ],
)
def test_unknown_names_are_refused(coded, expression, message):
    from qualcode.errors import QualcodeError

    with pytest.raises(QualcodeError, match=message):
        run_query(coded, expression, SearchOptions())


def test_evidence_as_kwic_lines(coded):
    from qualcode.search.query import evidence_hits

    result = run_query(coded, 'challenge.case_length AND "trust"', SearchOptions())
    hits = evidence_hits(result.passages, width=10)
    assert [(h.transcript, h.matched) for h in hits] == [
        ("pros-1", "Trust"), ("pros-1", "Trust matters in trial, the T-visa helps.")]
    assert hits[0].right == " matters i" and hits[1].right == " Rodrigues"
