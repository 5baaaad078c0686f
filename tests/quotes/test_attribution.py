"""Attribution lines from the codebook's role labels; pseudonymous respondent ids."""

from __future__ import annotations

import pytest

from qualcode.quotes.attribution import (
    AttributionOptions,
    attribution_line,
    respondent_ids,
)
from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.selection import QuoteQuery


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (AttributionOptions(), {"—Law enforcement official", "—Service provider", "—Prosecutor"}),
        (AttributionOptions(site=True), {"—Law enforcement official, site A", "—Service provider, site A",
                                         "—Service provider, site B", "—Prosecutor, site C"}),
    ],
)

def test_attribution_from_role_labels(study, options, expected):
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
    from tests.quotes.study import add_redaction

    add_redaction(project, '[redaction]\nplaces = ["Riverton"]\n')
    add_transcript(project, "vsp-9", "service_provider", [("Interviewer", "Q?"), ("Respondent", "We help people here.")],
                   site="Riverton")
    from qualcode.coding.session import CodingSession

    CodingSession(project, "ana").tag("vsp-9", 2, ["referral"])
    quote_set = build_quote_set(project, QuoteQuery(), attribution=AttributionOptions(site=True))
    assert quote_set.quotes[0].attribution == "—Service provider, site [place]"


def test_attribution_line():
    assert attribution_line("Prosecutor") == "—Prosecutor"
    assert attribution_line("Prosecutor", site="C", respondent="R07") == "—Prosecutor, site C, R07"
