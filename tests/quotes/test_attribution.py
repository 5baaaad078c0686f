"""Attribution lines from the codebook's role labels; pseudonymous respondent ids."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.errors import ProjectError
from qualcode.quotes.attribution import (
    AttributionOptions,
    attribution_line,
    respondent_ids,
)
from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.selection import QuoteQuery
from tests.quotes.study import REDACTION, add_redaction

K_ONE = "\n[quotes]\nk_anonymity = 1\n"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (AttributionOptions(), {"—Law enforcement official", "—Service provider", "—Prosecutor"}),
        (AttributionOptions(site=True), {"—Law enforcement official, site A", "—Service provider, site A",
                                         "—Service provider, site B", "—Prosecutor, site C"}),
    ],
)

def test_attribution_from_role_labels(study, options, expected):
    add_redaction(study, REDACTION + K_ONE)  # every role and site here has one respondent
    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("referral", "challenge")), attribution=options)
    assert {q.attribution for q in quote_set.quotes} == expected


def test_respondent_ids_are_pseudonyms(study):
    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("challenge",)),
                                attribution=AttributionOptions(respondent=True))
    ids = respondent_ids(["le-1", "pros-1", "vsp-1", "vsp-2"])
    for quote in quote_set.quotes:
        assert quote.attribution.endswith(", " + ids[quote.transcript])
        assert "Respondent" not in quote.attribution and quote.transcript not in quote.attribution
    assert sorted(ids.values()) == ["R01", "R02", "R03", "R04"]


def test_respondent_ids_stable_and_wide_enough():
    ids = [f"t{i:03d}" for i in range(120)]
    first, again = respondent_ids(ids), respondent_ids(list(reversed(ids)))
    assert first == again
    assert len(set(first.values())) == 120 and all(len(v) == 4 for v in first.values())  # R001..R120
    assert respondent_ids(ids, salt="other") != first


@pytest.mark.coders("ana")
def test_site_in_attribution_is_redacted(project):
    from tests.helpers import add_transcript

    add_redaction(project, '[redaction]\nplaces = ["Riverton"]\n' + K_ONE)
    add_transcript(project, "vsp-9", "service_provider", [("Interviewer", "Q?"), ("Respondent", "We help people here.")],
                   site="Riverton")
    from qualcode.coding.session import CodingSession

    CodingSession(project, "ana").tag("vsp-9", 2, ["referral"])
    quote_set = build_quote_set(project, QuoteQuery(), attribution=AttributionOptions(site=True))
    assert quote_set.quotes[0].attribution == "—Service provider, site [place]"


def test_attribution_line():
    assert attribution_line("Prosecutor") == "—Prosecutor"
    assert attribution_line("Prosecutor", site="C", respondent="R07") == "—Prosecutor, site C, R07"


def test_site_falls_back_to_role_below_k_respondents(study):
    """Default k = 3: one respondent per role and site, so no site is shown, and each
    fallback is noted (the quote number, never the site)."""
    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("referral", "challenge")),
                                attribution=AttributionOptions(site=True))
    assert quote_set.k_anonymity == 3
    assert {q.attribution for q in quote_set.quotes} == {"—Law enforcement official", "—Service provider",
                                                        "—Prosecutor"}
    assert all(q.shown_site == "" for q in quote_set.quotes)
    fallbacks = [n for n in quote_set.attribution_notes if "site left out" in n]
    assert len(fallbacks) == len(quote_set.quotes)
    assert all("fewer than 3" in n and "site A" not in n for n in fallbacks)
    assert any("role 'Prosecutor' has fewer than 3 respondents" in n for n in quote_set.attribution_notes)


@pytest.mark.parametrize(("k", "shown"), [(2, {"—Service provider, site A"}), (3, set())])
def test_site_shown_only_where_k_respondents_share_role_and_site(study, k, shown):
    from tests.helpers import add_transcript

    add_redaction(study, REDACTION + f"\n[quotes]\nk_anonymity = {k}\n")
    add_transcript(study, "vsp-3", "service_provider", [("Interviewer", "Q?"), ("Respondent", "Fine.")], site="A")
    quote_set = build_quote_set(study, QuoteQuery(coder="ana", codes=("referral", "challenge")),
                                attribution=AttributionOptions(site=True))
    with_site = {q.attribution for q in quote_set.quotes if ", site" in q.attribution}
    assert with_site == shown
    for quote in quote_set.quotes:  # a quote shows its site exactly when k respondents share it
        assert (quote.shown_site != "") == (quote.role == "service_provider" and quote.site == "A" and k <= 2)


@pytest.mark.parametrize("value", ["3", 0, -1, True, 2.5])
def test_k_anonymity_setting_is_validated(study, value):
    add_redaction(study, REDACTION + f"\n[quotes]\nk_anonymity = {value!r}\n".replace("True", "true").replace("'", '"'))
    with pytest.raises(ProjectError, match="k_anonymity must be a whole number of at least 1"):
        build_quote_set(study, QuoteQuery(coder="ana"), attribution=AttributionOptions(site=True))


@given(
    people=st.lists(st.tuples(st.sampled_from(["prosecutor", "law_enforcement"]), st.sampled_from("ABC")),
                    min_size=1, max_size=12),
    k=st.integers(1, 4),
)
def test_site_shown_exactly_when_k_respondents_share_it(people, k):
    """Model: a quote shows its site iff at least k transcripts have its role and site;
    every quote whose site was dropped has a note, and the role is always shown."""
    from collections import Counter

    from qualcode.quotes.quoteset import Quote, QuoteSet, _apply_k_anonymity

    counts = Counter(people)
    quotes = [
        Quote(number=n, group="g", code="g", transcript=f"t{n}", segment=2, role=role, role_label=role.title(),
              site=site, coder="ana", origin="manual", start=0, end=1, text="x", original_text="x",
              attribution=attribution_line(role.title(), site=site), shown_site=site)
        for n, (role, site) in enumerate(people, start=1)
    ]
    quote_set = QuoteSet(project="p", coder="ana", groups=["g"], quotes=quotes, query=QuoteQuery(),
                         cleaning=None, attribution=AttributionOptions(site=True), k_anonymity=k)
    quote_set = _apply_k_anonymity(quote_set, dict(counts))
    for quote in quote_set.quotes:
        shared = counts[(quote.role, quote.site)] >= k
        assert (quote.shown_site == quote.site) == shared
        assert quote.attribution == attribution_line(quote.role_label, site=quote.site if shared else None)
        assert any(note.startswith(f"quote {quote.number}: site left out") for note in quote_set.attribution_notes) \
            == (not shared)
