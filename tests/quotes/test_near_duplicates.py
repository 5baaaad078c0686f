"""Near-duplicate collapsing scores only the pairs that can reach the threshold, and says
exactly what the all-pairs check (kept here as the model) says."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import pytest
import rapidfuzz.fuzz
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz import fuzz, process, utils

from qualcode.quotes import near_duplicates
from qualcode.quotes.near_duplicates import NearDuplicates

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_quotes.py"


def all_pairs(texts: list[str], threshold: float) -> list[int | None]:
    """The model: the check before indexing, every text against every accepted one."""
    accepted: list[str] = []
    verdicts: list[int | None] = []
    for text in texts:
        found = process.extractOne(text, accepted, scorer=fuzz.token_set_ratio, processor=utils.default_process,
                                   score_cutoff=threshold) if accepted else None
        verdicts.append(None if found is None else found[2])
        if found is None:
            accepted.append(text)
    return verdicts


def indexed(texts: list[str], threshold: float) -> tuple[list[int | None], int]:
    seen = NearDuplicates(threshold)
    verdicts = []
    for text in texts:
        verdicts.append(seen.duplicate_of(text))
        if verdicts[-1] is None:
            seen.add(text)
    return verdicts, seen.comparisons


WORDS = ("ab", "abc", "b", "ba", "abd", "bc", "a", "cab", "bca", "aab", "c", "ca", "Ab!", "b-a")


@st.composite
def near_texts(draw) -> list[str]:
    """Short texts over a tiny vocabulary, many derived from earlier ones by a typo, an
    added or dropped word: every branch of token_set_ratio comes close to the threshold."""
    texts: list[str] = []
    for _ in range(draw(st.integers(2, 14))):
        words = (draw(st.sampled_from(texts)).split() if texts and draw(st.booleans())
                 else draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=7)))
        change = draw(st.sampled_from(("none", "typo", "add", "drop")))
        if change == "typo" and words:
            i = draw(st.integers(0, len(words) - 1))
            j = draw(st.integers(0, len(words[i])))
            words[i] = words[i][:j] + draw(st.sampled_from("abcd")) + words[i][j + 1:]
        elif change == "add":
            words.append(draw(st.sampled_from(WORDS)))
        elif change == "drop" and words:
            words.pop(draw(st.integers(0, len(words) - 1)))
        texts.append(" ".join(words) + draw(st.sampled_from(("", ".", " ?"))))
    return texts


@given(near_texts(), st.one_of(st.sampled_from((60.0, 66.7, 70.0, 80.0, 85.0, 90.0, 95.0, 100.0)),
                               st.floats(1.0, 100.0)))
def test_same_verdicts_as_all_pairs(texts, threshold):
    assert indexed(texts, threshold)[0] == all_pairs(texts, threshold)


LONG_WORDS = ("housing", "housin", "shelter", "shelters", "a", "to", "é", "ñandú", "straße", "日本", "Ωmega", "x1", "ab")


@st.composite
def long_texts(draw) -> list[str]:
    """Texts of 0-30 words over a vocabulary with non-ASCII letters, each often an earlier
    one with typos, added or dropped words: sizes spread over several size buckets, and
    the leftovers' branch (near-identical words) decides many pairs."""
    texts: list[str] = []
    for _ in range(draw(st.integers(2, 10))):
        if texts and draw(st.booleans()):
            words = draw(st.sampled_from(texts)).split()
            for _ in range(draw(st.integers(0, 3))):
                change = draw(st.sampled_from(("typo", "add", "drop")))
                if change == "typo" and words:
                    i = draw(st.integers(0, len(words) - 1))
                    j = draw(st.integers(0, len(words[i])))
                    words[i] = words[i][:j] + draw(st.sampled_from("aéz")) + words[i][j + 1:]
                elif change == "add":
                    words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(LONG_WORDS)))
                elif words:
                    words.pop(draw(st.integers(0, len(words) - 1)))
        else:
            words = draw(st.lists(st.sampled_from(LONG_WORDS), max_size=30))
        texts.append(" ".join(words))
    return texts


@given(long_texts(), st.sampled_from((60.0, 75.0, 85.0, 90.0, 95.0)))
def test_same_verdicts_as_all_pairs_on_longer_texts(texts, threshold):
    assert indexed(texts, threshold)[0] == all_pairs(texts, threshold)


STOPWORDS = ("the", "a", "and", "to", "of", "in", "that", "it", "we", "was", "you", "i")
CONTENT = ("housing", "shelter", "referral", "trafficker", "visa", "hotline", "straße", "niño", "café", "ñandú",
           "日本", "Ωmega", "x1", "İstanbul", "ǅemal")


def _respelled(word: str, at: int, letter: str) -> str:
    at %= len(word) + 1
    return word[:at] + letter + word[at + 1:]


@st.composite
def filter_edge_texts(draw) -> list[str]:
    """Texts aimed at the candidate filter's edges: one text's words all inside another's
    (either way round, lengths far apart: token_set_ratio is 100 there), heavy stopword
    overlap (long postings, the rare words decide), every word respelled (no word shared,
    yet the leftovers' branch can reach the threshold: no word index alone can find such a
    pair), non-ASCII and case-folded words, empty and one-word texts."""
    texts: list[str] = []
    for _ in range(draw(st.integers(2, 9))):
        base = draw(st.sampled_from(texts)).split() if texts and draw(st.booleans()) else []
        kind = draw(st.sampled_from(("fresh", "inside", "around", "stopwords", "respelled", "one", "empty")))
        if kind == "fresh" or not base and kind in ("inside", "around", "respelled"):
            words = draw(st.lists(st.sampled_from(CONTENT + STOPWORDS), max_size=12))
        elif kind == "inside":
            words = [w for w in base if draw(st.booleans())] or base[:1]
        elif kind == "around":
            words = base + draw(st.lists(st.sampled_from(CONTENT + STOPWORDS), min_size=1, max_size=20))
        elif kind == "stopwords":
            words = base + draw(st.lists(st.sampled_from(STOPWORDS), min_size=5, max_size=25))
            words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(CONTENT)))
        elif kind == "respelled":
            words = [_respelled(w, draw(st.integers(0, 12)), draw(st.sampled_from("aeñz"))) for w in base]
        elif kind == "one":
            words = [draw(st.sampled_from(CONTENT + STOPWORDS + ("!",)))]
        else:
            words = []
        words = [w.upper() if draw(st.integers(0, 5)) == 0 else w for w in words]
        texts.append(" ".join(draw(st.permutations(words))) + draw(st.sampled_from(("", ".", " --"))))
    return texts


@given(filter_edge_texts(), st.one_of(st.sampled_from((50.0, 66.7, 80.0, 90.0, 95.0, 100.0)), st.floats(1.0, 100.0)))
def test_same_verdicts_as_all_pairs_at_the_filters_edges(texts, threshold):
    assert indexed(texts, threshold)[0] == all_pairs(texts, threshold)


@pytest.mark.parametrize(("accepted", "text"), [
    ("housing shelter referral", "housin shelte referal"),  # no word shared: 93.3 by the leftovers
    ("The trafficking task force met the prosecutor", "trafficking"),  # one word inside: 100
    ("trafficking", "the trafficking task force, the prosecutor, the visa and the hotline"),  # the other way: 100
    ("niño café straße", "NIÑO, CAFÉ, STRASSE"),  # case folded: two of three words shared
])
def test_pairs_no_word_index_alone_would_find_or_far_apart_in_length(accepted, text):
    first = "an unrelated first quote about grants"
    assert all_pairs([first, accepted, text], 90) == [None, None, 1]  # the model says: a near-duplicate
    seen = NearDuplicates(90)
    seen.add(first)
    seen.add(accepted)
    assert seen.duplicate_of(text) == 1


@given(st.lists(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=6), max_size=8),
       st.lists(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=6), max_size=8))
def test_letter_counts_bound_the_indel_distance_of_the_leftovers(a_words, b_words):
    """The exact bound's third lower bound on D: the L1 distance of the character counts
    is at most the indel distance of the sorted leftovers, as token_set_ratio builds them."""
    import numpy as np
    from rapidfuzz.distance import Indel

    a = set(utils.default_process(" ".join(a_words)).split())
    b = set(utils.default_process(" ".join(b_words)).split())
    if not (a - b and b - a):
        return  # one set holds the other: the score is 100 (or there are no words)
    distance = Indel.distance(" ".join(sorted(a - b)), " ".join(sorted(b - a)))
    letters = near_duplicates._letter_counts(np, a) - near_duplicates._letter_counts(np, b)
    assert np.abs(letters).sum() <= distance


def quotes(count: int) -> list[str]:
    """Distinct-looking quotes over a Zipf-like vocabulary, with every seventh a sub-span
    or a respelling of an earlier one (so some do collapse): the benchmark's own corpus."""
    return _bench().dedupe_texts("zipf", count)


@functools.cache
def _bench():
    spec = importlib.util.spec_from_file_location("bench_quotes", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


@pytest.mark.parametrize("count", [150, 300])
def test_scores_far_fewer_pairs_than_all(monkeypatch, count):
    calls = 0
    scorer = rapidfuzz.fuzz.token_set_ratio

    def counted(*args, **kwargs):
        nonlocal calls
        calls += 1
        return scorer(*args, **kwargs)

    texts = quotes(count)
    expected = all_pairs(texts, 90)
    monkeypatch.setattr(rapidfuzz.fuzz, "token_set_ratio", counted)
    verdicts, comparisons = indexed(texts, 90)
    assert verdicts == expected
    assert sum(v is not None for v in verdicts) >= count // 10  # the sub-spans and respellings collapsed
    accepted = sum(v is None for v in verdicts)
    assert calls == comparisons
    assert calls < accepted * (accepted - 1) / 2 / 20  # all pairs would score ~n²/2


@pytest.mark.parametrize("kind", ["salad", "zipf"])
def test_the_scorer_runs_only_on_pairs_that_reach_the_threshold(monkeypatch, kind):
    """With W(I) and the leftovers' indel distance exact, the bound is the score: on the
    salad (long answers over 200 words, most pairs scoring 70-85, which once all went to
    rapidfuzz) every pair scored is a near-duplicate."""
    scored = []
    scorer = rapidfuzz.fuzz.token_set_ratio

    def counted(*args, **kwargs):
        scored.append(scorer(*args, processor=kwargs.get("processor")))
        return scorer(*args, **kwargs)

    texts = _bench().dedupe_texts(kind, 150)
    expected = all_pairs(texts, 90)
    monkeypatch.setattr(rapidfuzz.fuzz, "token_set_ratio", counted)
    verdicts, comparisons = indexed(texts, 90)
    assert verdicts == expected
    assert 0 < len(scored) <= comparisons  # extractOne stops at a score of 100
    assert min(scored) >= 90


def test_exact_bounds_are_computed_for_few_pairs_and_grow_slower_than_quotes_squared():
    """The cheap bound off the rare words' and bigrams' postings leaves few pairs for the
    exact bound (which once ran against every accepted quote: all pairs)."""
    seen = {}
    for count in (150, 600):
        checker = NearDuplicates(90)
        for text in quotes(count):
            if checker.duplicate_of(text) is None:
                checker.add(text)
        seen[count] = (checker.bounded, len(checker.accepted))
    (small, _), (large, accepted) = seen[150], seen[600]
    assert large < accepted * (accepted - 1) / 2 / 50
    assert large < small * 16 * 0.7  # 4x the quotes: all pairs would be 16x


def test_comparisons_grow_slower_than_quotes_squared():
    small, large = (indexed(quotes(count), 90)[1] for count in (150, 600))
    assert large < small * 16 / 2  # 4x the quotes: all pairs would be 16x


def test_texts_without_words_are_never_duplicates():
    seen = NearDuplicates(90)
    seen.add("--")
    assert seen.duplicate_of("...") is None
    assert seen.duplicate_of("housing!") is None


@pytest.mark.parametrize("cells", [1, 50])
def test_the_exact_stage_in_small_batches_says_the_same(monkeypatch, cells):
    """The exact stage works in batches of at most ``_CELLS`` flags (pairs x the new text's
    tokens) so its memory stays bounded: batches of one pair, or of a few, change nothing."""
    texts = _bench().dedupe_texts("salad", 60)
    expected = indexed(texts, 90)[0]
    monkeypatch.setattr(near_duplicates, "_CELLS", cells)
    assert indexed(texts, 90)[0] == expected == all_pairs(texts, 90)
