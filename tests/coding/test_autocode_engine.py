"""The rule matcher: lemma families, regex, fuzzy, proximity, exclusion, spans."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.codebook.model import Code, FuzzyTerm, NearPair, Rules
from qualcode.coding.autocode.engine import RuleMatcher, required_literals, sentence_bounds

ROLES = frozenset({"law_enforcement", "prosecutor", "service_provider", "other"})


def code(code_id: str, roles=ROLES, **rules) -> Code:
    return Code(id=code_id, name=code_id, roles=frozenset(roles), rules=Rules(**rules))


@pytest.fixture(scope="module")
def nlp():
    from qualcode.coding.autocode.lemmas import make_nlp

    return make_nlp()


def matched(nlp, codes, text, allowed=None) -> dict[str, tuple]:
    matcher = RuleMatcher(codes, nlp)
    return {m.code_id: m.hits for m in matcher.match_text(text, allowed)}


# -- lemmas ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plural", "singular"),
    [("trainings", "training"), ("hearings", "hearing"), ("agendas", "agenda"), ("numbers", "number")],
)
def test_a_plural_shares_its_singulars_key(nlp, plural, singular):
    from qualcode.coding.autocode.lemmas import LemmaIndex

    lemmas = LemmaIndex(nlp)
    assert lemmas.key(plural) == lemmas.key(singular)


@pytest.mark.parametrize(("form", "key"), [("rose", "rise"), ("referrals", "refer")])
def test_other_forms_take_one_lookup(nlp, form, key):
    from qualcode.coding.autocode.lemmas import LemmaIndex

    assert LemmaIndex(nlp).key(form) == key


@pytest.mark.parametrize(
    "form", ["referral", "referrals", "referred", "referring", "refer", "Referrals", "REFERS"]
)
def test_referral_family_shares_one_key(nlp, form):
    from qualcode.coding.autocode.lemmas import LemmaIndex

    lemmas = LemmaIndex(nlp)
    assert lemmas.key(form) == lemmas.key("referral") == "refer"


@pytest.mark.parametrize(
    ("word", "other"), [("goal", "go"), ("hospital", "hospit"), ("trial", "try"), ("criminal", "crime")]
)
def test_family_key_leaves_non_derivations_apart(nlp, word, other):
    from qualcode.coding.autocode.lemmas import LemmaIndex

    lemmas = LemmaIndex(nlp)
    assert lemmas.key(word) != lemmas.key(other)


def test_the_plain_lookup_table_gives_the_lemmatizers_keys(nlp):
    """The matcher reads spaCy's lookup table itself (no lemmatizer in its pipeline): every
    form of the table, every lemma, and forms outside it get the lemmatizer's lemma and key."""
    from qualcode.coding.autocode.lemmas import LemmaIndex

    plain, spacy_table = LemmaIndex.english(), LemmaIndex(nlp)
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    assert len(plain._table) == len(table) > 40_000
    forms = [*plain._table, *plain._table.values(), "", "qwertyuiop", "survivor’s", "referrals"]
    assert [plain.lemma(f) for f in forms] == [spacy_table.lemma(f) for f in forms]
    assert [plain.key(f) for f in forms] == [spacy_table.key(f) for f in forms]


@given(
    st.lists(st.text("abceilnoprst'-", max_size=12), max_size=40),
    st.lists(st.tuples(st.text("abceilnoprst", min_size=1, max_size=10), st.integers(0, 100)), min_size=1, max_size=4),
)
def test_a_batch_of_new_words_gets_each_words_own_fuzzy_scores(nlp, words, terms):
    """Model: fuzz.ratio of each word against each one-word fuzzy term, kept when at least its min_score."""
    from rapidfuzz import fuzz

    fuzzy = tuple(FuzzyTerm(term, score) for term, score in terms)
    matcher = RuleMatcher([code("c", fuzzy=fuzzy)], nlp)
    expected = [
        tuple((i, s) for i, t in enumerate(fuzzy) if (s := fuzz.ratio(t.term.lower(), word, score_cutoff=t.min_score)))
        for word in words
    ]
    assert matcher._fuzzy_scores(words) == expected


def test_the_matchers_pipeline_tokenizes_without_a_lemmatizer():
    from qualcode.coding.autocode.lemmas import make_matcher_nlp

    assert make_matcher_nlp().pipe_names == []


@pytest.mark.parametrize(
    ("lemma", "key"), [("arrival", "arrive"), ("approval", "approve"), ("dismissal", "dismiss")]
)
def test_al_nominalisations_reduce_to_known_verbs(lemma, key):
    from qualcode.coding.autocode.lemmas import family_key

    assert family_key(lemma, {"arrive", "approve", "dismiss"}) == key
    assert family_key(lemma, set()) == lemma  # only when the base is a known word


# -- phrases -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The hotline referred her to us.",
        "Most referrals come from patrol.",
        "They keep referring kids.",
        "She was a referral from the shelter.",
    ],
)
def test_phrase_matches_every_form_of_the_lemma(nlp, text):
    found = matched(nlp, [code("referral", phrases=("referral",))], text)
    assert "referral" in found
    hit = found["referral"][0]
    assert hit.kind == "phrase" and hit.rule == "phrase 'referral'"
    assert text[hit.start : hit.end].lower().startswith("refer")


def test_phrase_does_not_match_other_words(nlp):
    assert matched(nlp, [code("referral", phrases=("referral",))], "For reference, see the report.") == {}


@pytest.mark.parametrize(
    "text", ["It's not a cookie-cutter approach.", "no cookie cutter approach", "Cookie-Cutter!"]
)
def test_multiword_phrase_ignores_punctuation_and_case(nlp, text):
    assert "tech" in matched(nlp, [code("tech", phrases=("cookie-cutter",))], text)


def test_multiword_phrase_needs_consecutive_words(nlp):
    assert matched(nlp, [code("tech", phrases=("search warrant",))], "a search for the warrant") == {}


# -- regex -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\bH-?1Bs?\b", "like the h-1bs and so on", "h-1bs"),
        (r"\b(an?|one|two|\d+)\s+hours?\s+away\b", "we're two hours away, so", "two hours away"),
        (r"\b\d{3}-\d{4}\b", "call 014-2298 now", "014-2298"),  # no required literal: always scanned
    ],
)
def test_regex_matches_raw_text_case_insensitively(nlp, pattern, text, expected):
    found = matched(nlp, [code("c", regex=(pattern,))], text)
    hit = found["c"][0]
    assert hit.kind == "regex" and text[hit.start : hit.end] == expected


@pytest.mark.parametrize(
    ("pattern", "needed"),
    [
        (r"\bads?\s+online\b", [{"online"}, {"ad", "ads"}]),
        (r"\b(need|lack)\s+(of\s+)?housing\b", [{"housing"}, {"need", "lack"}]),
        (r"\b(housing|shelter)\b", [{"housing", "shelter"}]),
        (r"\bH-?1Bs?\b", [{"h1b", "h-1b", "h1bs", "h-1bs"}]),
        (r"colou?r", [{"color", "colour"}]),
        (r"\bH-?2[AB]\b", [{"h2a", "h2b", "h-2a", "h-2b"}]),
        (r"[a-k]x", None),  # a range is not expanded
        (r"\d+", None),
        (r"a|b", None),
    ],
)
def test_required_literals_are_read_from_the_pattern(pattern, needed):
    """Every match contains a string of each group; the most selective group comes first."""
    expected = tuple(frozenset(g) for g in needed) if needed else None
    assert required_literals(pattern) == expected


@pytest.mark.parametrize("text", ["on H-2B visas", "an h2a worker", "H-2A."])
def test_pattern_with_optional_parts_still_matches(nlp, text):
    assert "c" in matched(nlp, [code("c", regex=(r"\bH-?2[AB]\b",))], text)


# -- fuzzy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"), [("a tip from Pollaris", True), ("POLARIS called", True), ("polar bears", False)]
)
def test_fuzzy_finds_misspelt_names(nlp, text, found):
    result = matched(nlp, [code("hotline", fuzzy=(FuzzyTerm("Polaris", 85),))], text)
    assert ("hotline" in result) is found
    if found:
        hit = result["hotline"][0]
        assert hit.kind == "fuzzy" and 0.85 <= hit.score <= 1.0


def test_fuzzy_multiword_term_uses_word_windows(nlp):
    result = matched(nlp, [code("sites", fuzzy=(FuzzyTerm("skip the games", 85),))], "ads on skip teh games daily")
    assert result["sites"][0].kind == "fuzzy"


# -- proximity -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("labor trafficking cases", True),
        ("labor and sex trafficking", True),
        ("labor day was long and then, much later, someone mentioned trafficking", False),
    ],
)
def test_near_pair_within_distance(nlp, text, found):
    result = matched(nlp, [code("labor", near=(NearPair(("labor", "trafficking"), 3),))], text)
    assert ("labor" in result) is found


# -- exclusion -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Our goal is arrests.", True),
        ("Her goal was to get out.", False),
        ("Her dream is school. Far, far later in the turn our goal was arrests.", True),
    ],
)
def test_exclusion_vetoes_nearby_hits_only(nlp, text, found):
    rules = {"phrases": ("goal",), "exclude": ("her goal", "her dream"), "exclude_within": 3}
    assert ("goals" in matched(nlp, [code("goals", **rules)], text)) is found


def test_exclusion_anywhere_in_the_unit(nlp):
    rules = {"phrases": ("shelter",), "exclude": ("need",), "exclude_within": None}
    text = "We need more beds. Much later: we run a shelter."
    assert matched(nlp, [code("housing", **rules)], text) == {}
    assert "housing" in matched(nlp, [code("housing", **rules)], "We run a shelter.")


def test_exclusion_also_vetoes_near_and_regex_hits(nlp):
    rules = {
        "regex": (r"\bshelter\b",),
        "near": (NearPair(("run", "shelter"), 3),),
        "exclude": ("lack",),
        "exclude_within": 5,
    }
    assert matched(nlp, [code("housing", **rules)], "the lack of a shelter we run") == {}


# -- scoping and spans -------------------------------------------------------------


def test_allowed_codes_scope_the_matches(nlp):
    codes = [code("a", phrases=("hotline",)), code("b", phrases=("hotline",))]
    assert set(matched(nlp, codes, "the hotline", allowed={"b"})) == {"b"}
    assert matched(nlp, codes, "the hotline", allowed=set()) == {}


@pytest.mark.parametrize("kind", [frozenset, set])
def test_one_matcher_scopes_each_unit_to_its_own_allowed_codes(nlp, kind):
    """The rule tables restricted per set of allowed codes are reused, never mixed up,
    and the ones kept stay bounded however many sets callers pass."""
    from itertools import combinations

    from qualcode.coding.autocode.engine import MAX_PLANS

    ids = [f"c{i}" for i in range(8)]
    matcher = RuleMatcher(
        [code(i, phrases=("hotline",), regex=(r"\bads?\s+online\b",)) for i in ids], nlp
    )
    subsets = [kind(s) for size in range(len(ids) + 1) for s in combinations(ids, size)]
    assert len(subsets) > MAX_PLANS
    for allowed in subsets * 2:  # every set comes back after the tables were dropped
        found = matcher.match_text("the hotline, ads online", allowed)
        assert [m.code_id for m in found] == sorted(allowed)
        assert all(m.hit_count == 2 for m in found)
    assert len(matcher._plans) <= MAX_PLANS


def test_hits_are_sorted_best_first(nlp):
    codes = [code("c", phrases=("polaris",), fuzzy=(FuzzyTerm("Polaris", 80),))]
    hits = matched(nlp, codes, "Pollaris, then Polaris")["c"]
    assert hits[0].score == 1.0 and hits[-1].score < 1.0


def test_match_texts_equals_match_text(nlp):
    matcher = RuleMatcher([code("c", phrases=("hotline",), regex=(r"tip line",))], nlp)
    texts = ["the hotline", "nothing", "a tip line and a hotline"]
    batched = list(matcher.match_texts(texts, [None] * 3))
    assert batched == [matcher.match_text(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "needle", "sentence"),
    [
        ("First one. The hotline called us. Last one.", "hotline", "The hotline called us."),
        ("Det. Ramos took the tip. Then we met.", "tip", "Det. Ramos took the tip."),
        ("no punctuation at all with hotline", "hotline", "no punctuation at all with hotline"),
        ("Line one\nline two has hotline\nline three", "hotline", "line two has hotline"),
    ],
)
def test_sentence_bounds(text, needle, sentence):
    start = text.index(needle)
    left, right = sentence_bounds(text, start, start + len(needle))
    assert text[left:right] == sentence
