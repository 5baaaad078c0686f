import pytest

from qualcode.tui.codefilter import code_score, filter_codes


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("hotline", "referral.hotline"),
        ("hotlne", "referral.hotline"),  # a typo
        ("HOUSING", "challenge.housing"),
        ("case len", "challenge.case_length"),
        ("police", "referral.law_enforcement"),  # matches the definition
    ],
)
def test_best_match_first(project, query, best):
    codes = project.codebook.codes_for("service_provider")
    assert filter_codes(codes, query)[0][0].id == best


def test_empty_query_keeps_every_code_in_order(project):
    codes = project.codebook.codes_for("service_provider")
    assert [c.id for c, _ in filter_codes(codes, "  ")] == [c.id for c in codes]


def test_nonsense_matches_nothing(project):
    assert filter_codes(project.codebook.codes_for("service_provider"), "zzqxj") == []


def test_name_outranks_definition(project):
    codebook = project.codebook
    assert code_score("housing", codebook.get("challenge.housing")) > code_score(
        "housing", codebook.get("referral")
    )
