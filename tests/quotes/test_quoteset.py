"""The pipeline: redaction before cleaning, original text kept, near-duplicate collapse,
and the leftover-identifier gate with planted names and a phone number."""

from __future__ import annotations

import pytest

from qualcode.errors import ExportError
from qualcode.quotes.quoteset import build_quote_set, ensure_masked
from qualcode.quotes.selection import QuoteQuery
from tests.quotes.study import add_redaction

pytestmark = pytest.mark.coders("ana")


def quotes_of(project, **query):
    return build_quote_set(project, QuoteQuery(coder="ana", **query))


def test_quotes_are_masked_and_cleaned_with_original_kept(study):
    quote_set = quotes_of(study, codes=("referral",), order="transcript")
    by_span = {(q.transcript, q.segment): q for q in quote_set.quotes}
    tip = by_span[("vsp-1", 6)]
    assert tip.text == "[name] from [agency] calls us at [phone] when she finds someone."
    assert tip.original_text == tip.text
    hotline = by_span[("vsp-1", 2)]
    assert hotline.text == "Mostly the hotline. The hotline sends us most of our clients."
    assert hotline.original_text == ("Mostly the hotline. Um, the the hotline sends us, you know, most of our "
                                     "clients. [laughs]")
    ramos = by_span[("le-1", 2)]
    assert "Ramos" not in ramos.text + ramos.original_text and "[agency] cases" in ramos.text
    assert quote_set.leftovers == []


def test_near_duplicates_collapse_to_the_first(study):
    quote_set = quotes_of(study, codes=("challenge.housing",), order="transcript")
    assert [(q.transcript, q.segment) for q in quote_set.quotes] == [("vsp-1", 4)]
    assert quote_set.quotes[0].collapsed == ["vsp-2:2 challenge.housing"]
    looser = quotes_of(study, codes=("challenge.housing",), order="transcript", similarity=99.5)
    assert len(looser.quotes) == 2


def test_a_turn_under_two_sub_codes_is_one_quote_per_theme(study):
    from qualcode.coding.session import CodingSession

    CodingSession(study, "ana").tag("vsp-1", 2, ["referral.law_enforcement"])  # already referral.hotline
    referral = quotes_of(study, codes=("referral",), sites=("A",), order="transcript")
    assert [(q.transcript, q.segment) for q in referral.quotes].count(("vsp-1", 2)) == 1
    assert any(q.collapsed for q in referral.quotes)
    themes = quotes_of(study, codes=("referral", "challenge"), sites=("B",))
    spans = [(q.group, q.transcript, q.segment) for q in themes.quotes]
    assert ("referral", "vsp-2", 4) in spans and ("challenge", "vsp-2", 4) in spans


@pytest.mark.parametrize("order", ["representative", "length", "transcript", "random"])
def test_selection_is_reproducible(study, order):
    first = quotes_of(study, codes=("challenge",), order=order, seed=5)
    again = quotes_of(study, codes=("challenge",), order=order, seed=5)
    assert [(q.transcript, q.segment, q.text) for q in first.quotes] == [
        (q.transcript, q.segment, q.text) for q in again.quotes
    ]


def test_representative_first_quote_is_typical(study):
    quote_set = quotes_of(study, codes=("challenge.case_length",))
    scores = [q.score for q in quote_set.quotes]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3


UNMASKED = '[redaction]\nnames = []\nplaces = []\nagencies = []\nbuiltin = []\nallow = []\n'


def test_gate_refuses_planted_names_and_phone_number(study):
    add_redaction(study, UNMASKED)
    quote_set = quotes_of(study, codes=("referral",), order="transcript")
    found = {(item.kind, item.text) for item in quote_set.leftovers}
    assert ("name", "Tasha") in found
    assert ("agency", "Riverton PD") in found
    assert ("phone number", "(555) 014-2298") in found
    assert ("name", "Ramos") in found and ("agency", "Marlow County Sheriff's Office") in found
    with pytest.raises(ExportError) as raised:
        ensure_masked(quote_set)
    message = str(raised.value)
    summary, *lines = message.splitlines()
    assert summary.startswith("Refusing to export: ") and "'Tasha'" in summary and "--allow-unmasked" in summary
    assert any(line.strip().startswith("quote ") and "(vsp-1 segment 6, text): phone number '(555) 014-2298'" in line
               for line in lines)
    assert len(lines) == len(quote_set.leftovers)


def test_allow_unmasked_is_recorded(study):
    add_redaction(study, UNMASKED)
    quote_set = quotes_of(study, codes=("referral.law_enforcement",))
    allowed = ensure_masked(quote_set, allow_unmasked=True)
    assert allowed.allowed_unmasked == quote_set.leftovers != []
    assert quote_set.allowed_unmasked == []  # the set it was given is unchanged (frozen)


def test_allow_list_clears_the_gate(study):
    add_redaction(study, UNMASKED.replace(
        "allow = []", 'allow = ["Tasha", "Riverton", "(555) 014-2298", "Ramos", "Marlow", "Detective"]'))
    quote_set = quotes_of(study, codes=("referral",))
    assert quote_set.leftovers == []
    ensure_masked(quote_set)


def test_leftovers_in_context_are_caught(study):
    from qualcode.coding.session import CodingSession
    from tests.helpers import add_transcript

    add_transcript(study, "vsp-3", "service_provider", [
        ("Interviewer", "You mentioned Oakdale earlier, what happens there?"),
        ("Respondent", "The shelter is full every night."),
    ])
    CodingSession(study, "ana").tag("vsp-3", 2, ["challenge.housing"])
    quote_set = quotes_of(study, codes=("challenge.housing",), context=1, sites=("A",), order="transcript")
    assert [(i.field, i.text) for i in quote_set.leftovers if i.transcript == "vsp-3"] == [("context", "Oakdale")]


def test_timings_cover_the_stages(study):
    quote_set = quotes_of(study, codes=("challenge",))
    assert {"query", "ordering", "redaction", "cleaning", "check", "total"} <= set(quote_set.timings)
