"""Selection filters: codes with descendants, --all-of, role, site, attributes, coder,
word limits, limit and per-transcript caps, context."""

from __future__ import annotations

import pytest

from qualcode.errors import ExportError, NotFoundError, UnknownRoleError
from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.selection import QuoteQuery
from tests.helpers import code_interviewer_turns

pytestmark = pytest.mark.coders("ana", "cleo")


def spans(project, **query) -> list[tuple[str, int]]:
    quote_set = build_quote_set(project, QuoteQuery(coder="ana", order="transcript", **query))
    return [(q.transcript, q.segment) for q in quote_set.quotes]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"codes": ("referral",)}, [("le-1", 2), ("vsp-1", 2), ("vsp-1", 6), ("vsp-2", 4)]),
        ({"codes": ("referral.hotline",)}, [("le-1", 2), ("vsp-1", 2)]),
        ({"codes": ("referral",), "roles": ("VSP",)}, [("vsp-1", 2), ("vsp-1", 6), ("vsp-2", 4)]),
        ({"codes": ("referral",), "roles": ("police", "DA")}, [("le-1", 2)]),
        ({"codes": ("challenge",), "sites": ("a",)}, [("le-1", 4), ("vsp-1", 4)]),
        ({"codes": ("challenge",), "sites": ("B", "C")}, [("pros-1", 4), ("vsp-2", 2), ("vsp-2", 4)]),
        ({"codes": ("challenge",), "attributes": (("mode", "virtual"),)}, [("pros-1", 4), ("vsp-1", 4)]),
        ({"codes": ("referral",), "all_of": ("challenge",)}, [("vsp-2", 4)]),
        ({"all_of": ("referral.law_enforcement", "challenge.case_length")}, [("vsp-2", 4)]),
        ({"codes": ("challenge",), "min_words": 12}, [("pros-1", 4), ("vsp-1", 4), ("vsp-2", 4)]),
        # vsp-2 segment 2 repeats vsp-1 segment 4 almost word for word: collapsed
        ({"codes": ("challenge",), "max_words": 10}, [("le-1", 4), ("pros-1", 4), ("vsp-1", 4), ("vsp-2", 4)]),
    ],
)
def test_filters(study, query, expected):
    assert spans(study, **query) == expected


def test_max_words_trims_or_filters(study):
    trimmed = build_quote_set(study, QuoteQuery(codes=("challenge.case_length",), coder="ana", max_words=6))
    assert all(q.words <= 7 for q in trimmed.quotes)  # 6 words + the ellipsis
    assert any(q.text.endswith("...") for q in trimmed.quotes)
    from qualcode.quotes.cleaning import CleaningOptions

    kept = build_quote_set(study, QuoteQuery(codes=("challenge.case_length",), coder="ana", max_words=6),
                           CleaningOptions(trim=False))
    assert [q.words for q in kept.quotes] == []  # every answer is longer than six words


def test_limit_and_per_transcript(study):
    assert len(spans(study, codes=("referral", "challenge"), limit=2)) == 4  # per requested code
    per = spans(study, codes=("referral",), per_transcript=1)
    assert per == [("le-1", 2), ("vsp-1", 2), ("vsp-2", 4)]


def test_no_codes_means_every_top_level_code_used(study):
    quote_set = build_quote_set(study, QuoteQuery(coder="ana"))
    assert quote_set.groups == ["referral", "challenge", "pros.charging"]


def test_sub_span_coding_quotes_only_the_span(study):
    from qualcode.coding.session import CodingSession

    CodingSession(study, "cleo").tag("vsp-2", 4, ["challenge.case_length"], text="It takes three years to get to trial.")
    quote_set = build_quote_set(study, QuoteQuery(codes=("challenge",), coder="cleo"))
    assert [q.text for q in quote_set.quotes] == ["It takes three years to get to trial."]


def test_interviewer_turns_are_never_quotes(study):
    from qualcode.coding.session import CodingSession

    code_interviewer_turns(study)  # even where they are coded
    CodingSession(study, "cleo").tag("vsp-1", 1, ["referral"])
    quote_set = build_quote_set(study, QuoteQuery(codes=("referral",), coder="cleo"))
    assert quote_set.quotes == [] and quote_set.candidates == {"referral": 0}


def test_context_adds_the_question(study):
    quote_set = build_quote_set(study, QuoteQuery(codes=("challenge.housing",), coder="ana", context=1, order="transcript"))
    assert [q.context for q in quote_set.quotes] == [["Q: And housing?"]]  # vsp-2's is a near-duplicate


def test_context_reaches_back_n_questions(study):
    quote_set = build_quote_set(study, QuoteQuery(codes=("pros.charging", "challenge"), coder="ana",
                                                  roles=("prosecutor",), context=2, order="transcript"))
    last = quote_set.quotes[-1]
    assert last.context == ["Q: What do you charge?", "A: We charged promoting prostitution in most cases.",
                            "Q: And how long do cases run?"]


@pytest.mark.parametrize(
    ("query", "error", "message"),
    [
        ({"codes": ("referal",)}, NotFoundError, "did you mean 'referral'"),
        ({"codes": ("referral",), "roles": ("judge",)}, UnknownRoleError, "Unknown role 'judge'"),
        ({"coder": "zoe"}, NotFoundError, "Coders with codings: ana, ben"),
        ({"order": "best"}, ExportError, "orders: representative, length, transcript, random"),
        ({"limit": 0}, ExportError, "--limit must be at least 1"),
        ({"min_words": 50, "max_words": 10}, ExportError, "--min-words 50 is above --max-words 10"),
    ],
)
def test_bad_queries(study, query, error, message):
    query = {"coder": "ana", **query}
    with pytest.raises(error) as raised:
        build_quote_set(study, QuoteQuery(**query))
    assert message in str(raised.value)
