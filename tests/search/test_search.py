"""qualcode.search.engine: matching modes, NEAR, filters and counts on a hand-made study."""

from __future__ import annotations

import pytest

from qualcode.errors import NotFoundError, QualcodeError
from qualcode.search.engine import SearchOptions, search
from qualcode.search.index import SearchError
from tests.search.study import add_coder


def found(project, pattern, **options):
    result = search(project, pattern, SearchOptions(**options))
    return sorted((h.transcript, h.segment, h.matched) for h in result.hits)


@pytest.mark.parametrize(
    ("pattern", "options", "expected"),
    [
        # lemma: house/housing/Housing are one key; respondent turns only by default
        ("housing", {}, [("le-1", 1, "house"), ("le-1", 3, "housing"), ("pros-1", 1, "Housing"),
                         ("vsp-1", 4, "housing")]),
        # the autocoder's -al family: referral finds referrals and referred
        ("referral", {}, [("le-1", 1, "referrals"), ("le-1", 3, "referred"), ("le-1", 3, "referred")]),
        ("housing", {"speaker": "interviewer"}, [("vsp-1", 3, "housing")]),
        ("shelter", {"speaker": "any"}, [("le-1", 2, "shelters"), ("le-1", 3, "shelter"), ("vsp-1", 4, "Shelters")]),
        # a lemma phrase runs across a hyphen, an exact phrase does not
        ("t visa", {}, [("le-1", 1, "T visa"), ("pros-1", 1, "T-visa")]),
        ("T visa", {"mode": "phrase"}, [("le-1", 1, "T visa")]),
        ("three years", {"mode": "phrase"}, [("vsp-1", 2, "three years")]),
        ("three year", {"mode": "phrase"}, []),
        # a phrase never runs across a full stop
        ("hotline police", {}, []),
        (r"\bshelter\w*", {"mode": "regex"}, [("le-1", 3, "shelter"), ("vsp-1", 4, "Shelters")]),
        ("Rodriguez", {}, [("le-1", 1, "Rodriguez")]),
        ("Rodriguez", {"mode": "fuzzy"}, [("le-1", 1, "Rodriguez"), ("pros-1", 1, "Rodrigues")]),
        ("Rodriguez", {"mode": "fuzzy", "threshold": 100}, [("le-1", 1, "Rodriguez")]),
        # NEAR/n: at most n words between, either order, same turn
        ("trust NEAR/3 shelter", {}, [("le-1", 3, "Trust is earned. The shelter")]),
        ("shelter NEAR/3 trust", {}, [("le-1", 3, "Trust is earned. The shelter")]),
        ("trust NEAR/2 shelter", {}, []),
        # not across turns: "shelters" (interviewer) and "Trust" (next turn) are adjacent in text
        ("shelter NEAR/0 trust", {"speaker": "any"}, []),
        ("shelter NEAR/1 trust", {"speaker": "any"}, [("le-1", 2, "trust the shelters")]),
    ],
)
def test_matching(study, pattern, options, expected):
    assert found(study, pattern, **options) == expected


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"roles": ("law_enforcement",)}, {"le-1"}),
        ({"roles": ("DA",)}, {"pros-1"}),  # a role alias
        ({"sites": ("A",)}, {"vsp-1", "pros-1"}),
        ({"attrs": ("region=north",)}, {"le-1", "pros-1"}),
        ({"attrs": ("region=north", "region=south")}, {"le-1", "pros-1", "vsp-1"}),
        ({"transcripts": ("pros-1",)}, {"pros-1"}),
        ({"sites": ("A",), "attrs": ("region=north",)}, {"pros-1"}),
    ],
)
def test_transcript_filters(study, options, expected):
    assert {t for t, *_ in found(study, "housing", **options)} == expected


def test_in_code_and_not_in_code(study):
    from qualcode.coding.session import CodingSession

    add_coder(study, "ana")
    CodingSession(study, "ana").tag("vsp-1", 4, ["challenge.housing"])
    # a child of the named code counts as inside it
    assert found(study, "housing", in_code=("challenge",)) == [("vsp-1", 4, "housing")]
    assert [t for t, *_ in found(study, "housing", not_in_code=("challenge",))] == ["le-1", "le-1", "pros-1"]
    # only the overlapping span counts: code a sub-span that misses the word
    CodingSession(study, "ana").tag("le-1", 3, ["challenge.case_length"], span=_span_of(study, "le-1", "Trust is earned."))
    assert found(study, "housing", in_code=("challenge.case_length",)) == []
    assert found(study, "trust", in_code=("challenge.case_length",)) == [("le-1", 3, "Trust")]


def _span_of(project, transcript_id, phrase):
    from qualcode.store.transcripts import load_transcript

    with project.read() as conn:
        text = load_transcript(conn, transcript_id).text
    start = text.index(phrase)
    return start, start + len(phrase)


def test_in_code_reads_the_named_coder(study):
    from qualcode.coding.session import CodingSession

    add_coder(study, "ana")
    CodingSession(study, "ana").tag("vsp-1", 4, ["challenge.housing"])
    add_coder(study, "ben")
    CodingSession(study, "ben").tag("pros-1", 1, ["challenge.housing"])
    with pytest.raises(QualcodeError, match="several coders"):
        found(study, "housing", in_code=("challenge",))
    assert found(study, "housing", in_code=("challenge",), coder="ben") == [("pros-1", 1, "Housing")]


def test_counts_by_role_and_site(study):
    result = search(study, "housing", SearchOptions(count=True))
    assert result.total == 4
    assert {r.group: (r.hits, r.turns, r.transcripts) for r in result.by_role} == {
        "law_enforcement": (2, 2, 1), "prosecutor": (1, 1, 1), "service_provider": (1, 1, 1)}
    assert {r.group: (r.hits, r.turns, r.transcripts) for r in result.by_site} == {"A": (2, 2, 2), "B": (2, 2, 1)}


def test_kwic_context_stays_in_the_turn(study):
    result = search(study, "hotline", SearchOptions(context=200))
    (hit,) = result.hits
    assert hit.left == "Mostly the "
    assert hit.right.endswith("three years to trial.")
    assert "Interviewer" not in hit.context
    assert hit.to_dict()["context"] == hit.context


def test_limit_keeps_the_total(study):
    result = search(study, "housing", SearchOptions(limit=2))
    assert (len(result.hits), result.total, result.truncated) == (2, 4, True)


@pytest.mark.parametrize(
    ("pattern", "options", "error", "message"),
    [
        ("", {}, SearchError, "Empty search pattern"),
        ("housing NEAR/3", {}, SearchError, "expected a word"),
        ("a(", {"mode": "regex"}, SearchError, "position 2"),
        ("housing", {"speaker": "nobody"}, SearchError, "speakers: respondent"),
        ("housing", {"attrs": ("region",)}, SearchError, "NAME=VALUE"),
        ("housing", {"attrs": ("colour=red",)}, SearchError, "attributes: region"),
        ("housing", {"transcripts": ("nope",)}, NotFoundError, "No transcript 'nope'"),
        ("housing", {"sites": ("Z",)}, NotFoundError, "Unknown site"),
        ("housing", {"in_code": ("nope",), "coder": "x"}, QualcodeError, "nope"),
    ],
)
def test_bad_requests(study, pattern, options, error, message):
    with pytest.raises(error, match=message):
        search(study, pattern, SearchOptions(**options))


def test_hits_are_the_same_whatever_the_turns_read_per_statement(study, monkeypatch):
    # a page's turns are read a bounded number of (transcript, ordinal) pairs at a time
    # (SQLite caps the bound values of one statement): reading one pair per statement gives the same hits
    from qualcode.store import search as store

    expected = search(study, "housing", SearchOptions(speaker="any")).to_dict()
    assert expected["total"] >= 3
    monkeypatch.setattr(store, "TURNS_PER_READ", 1)
    assert search(study, "housing", SearchOptions(speaker="any")).to_dict() == expected
