from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.codebook.loader import load_codebook
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


ECM = Path(__file__).resolve().parents[2] / "codebooks" / "ecm.yaml"


@pytest.fixture(scope="module")
def ecm_codes():
    return list(load_codebook(ECM).codes.values())


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("labor", "challenge.labor_trafficking"),  # not "Collaboration", which only contains the letters
        ("staff training", "training.staff"),  # words in the id, in any order
        ("training staff", "training.staff"),
        ("case len", "challenge.case_length"),  # whole word + prefix
        ("labr traficking", "challenge.labor_trafficking"),  # typos still find it
    ],
)
def test_whole_words_and_prefixes_rank_first(ecm_codes, query, first):
    assert filter_codes(ecm_codes, query)[0][0].id == first


def test_substring_matches_come_after_word_matches(ecm_codes):
    ids = [c.id for c, _ in filter_codes(ecm_codes, "labor")]
    word_hits = [i for i in ids if "labor_trafficking" in i]  # "labor" is a whole word of these ids
    assert ids[: len(word_hits)] == word_hits
    assert "collaboration" in ids[len(word_hits):]  # still offered, below


@given(st.permutations(["staff", "partner", "training"]))
def test_word_order_does_not_matter(ecm_codes, words):
    assert filter_codes(ecm_codes, " ".join(words))[0][0].id == "training.staff"
