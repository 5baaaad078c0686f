"""The batch-scanning rule matcher gives exactly what the token-by-token one gave.

Reference model: tests/coding/reference_matcher.py (the matcher before the batch scan).
Random units are drawn from a vocabulary of rule words, their inflections and
derivations, common words, punctuation, contractions and line breaks, in random case;
random codes draw phrases, regexes, fuzzy terms, near pairs and exclusions from pools
over the same words. Both matchers must return the same codes, hits (kind, rule,
character span, word position, score, order), hit counts and evidence, one unit at a
time and in batches that cut units apart at every size.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qualcode.codebook.model import Code, FuzzyTerm, NearPair, Rules
from qualcode.coding.autocode.engine import RuleMatcher
from tests.coding.reference_matcher import ReferenceMatcher

ROLES = frozenset({"law_enforcement", "prosecutor", "service_provider", "other"})
PHRASES = [
    "referral", "hotline", "tip line", "labor trafficking", "child", "child labor", "the police",
    "victim service", "labor", "training", "case", "shelter", "a", "of the", "don't", "U.S.", "well-known", "ad",
]  # fmt: skip
REGEXES = [
    r"\btip\s+line\b",
    r"\bads?\s+online\b",
    r"\bfor\s+(\d+|two)\s+years\b",
    r"h-?1bs?",
    r"^the",
    r"\s",
]
FUZZY = [FuzzyTerm("Polaris", 80), FuzzyTerm("Backpage", 85), FuzzyTerm("tip line", 80)]
WORDS = [
    "referral", "referrals", "referred", "referring", "Refer", "hotline", "hotlines", "tip", "tips", "line",
    "lines", "labor", "labour", "trafficking", "trafficked", "child", "children", "police", "policing",
    "victim", "victims", "service", "services", "training", "trainings", "trained", "train", "case", "cases",
    "shelter", "sheltered", "a", "an", "the", "of", "for", "two", "2", "years", "year", "ad", "ads", "online",
    "H-1B", "h1bs", "Polaris", "Pollaris", "Backpage", "backpages", "don't", "do", "n't", "U.S.", "well-known",
    "we", "it’s", "it's", "Mr.", "Det.", "jobs", "arrival", "arrive", "approval", "hospital", "goal", "go",
]  # fmt: skip
PUNCTUATION = [",", ".", "!", "?", ";", ":", "—", "-", "(", ")", '"', "'", "\n", "  ", "...", "/"]


def random_case(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.lower(), word.upper(), word.title()])


piece = st.one_of(
    st.sampled_from(WORDS).flatmap(random_case),
    st.sampled_from(PHRASES).flatmap(random_case),  # whole terms, so multi-word ones occur often
    st.sampled_from(PUNCTUATION),
)


def unit_text(most: int) -> st.SearchStrategy[str]:
    parts = st.lists(st.tuples(piece, st.sampled_from([" ", "", " ", "\n"])), max_size=most)
    return parts.map(lambda pairs: "".join(word + gap for word, gap in pairs))


def some(draw, pool: list, most: int) -> tuple:
    return tuple(draw(st.lists(st.sampled_from(pool), max_size=most, unique=True)))


@st.composite
def codes(draw) -> list[Code]:
    made = []
    pairs = [(p, q) for p in PHRASES[:9] for q in PHRASES[:9]]
    for number in range(draw(st.integers(1, 4))):
        near = tuple(NearPair(pair, draw(st.integers(0, 6))) for pair in some(draw, pairs, 2))
        rules = Rules(
            phrases=some(draw, PHRASES, 6),
            regex=some(draw, REGEXES, 2),
            fuzzy=some(draw, FUZZY, 2),
            near=near,
            exclude=some(draw, PHRASES, 2),
            exclude_within=draw(st.sampled_from([None, 0, 1, 3, 10])),
        )
        made.append(Code(id=f"c{number}", name=f"c{number}", roles=ROLES, rules=rules))
    return made


@pytest.fixture(scope="module")
def nlp():
    from qualcode.coding.autocode.lemmas import make_nlp

    return make_nlp()


@pytest.fixture(scope="module")
def matcher_nlp():
    """The matcher's own pipeline (fewer lexical attributes); the reference keeps spaCy's full one."""
    from qualcode.coding.autocode.lemmas import make_matcher_nlp

    return make_matcher_nlp()


def evidence(matches, text: str) -> list:
    return [(m.code_id, m.hit_count, [(h, h.evidence(text)) for h in m.hits]) for m in matches]


VISAS = [
    Code(id="c0", name="c0", roles=ROLES, rules=Rules(regex=(r"h-?1bs?", r"\bads?\s+online\b")))
]


@given(
    rules=codes(),
    text=unit_text(40),
    allowed=st.none() | st.sets(st.sampled_from(["c0", "c1", "c2", "c3"])),
)
@example(rules=VISAS, text="Her H-1B visa, ads online.", allowed=None)  # required strings
def test_one_unit_matches_as_the_reference_does(nlp, matcher_nlp, rules, text, allowed):
    new, old = RuleMatcher(rules, matcher_nlp), ReferenceMatcher(rules, nlp)
    assert evidence(new.match_text(text, allowed), text) == evidence(
        old.match_text(text, allowed), text
    )


CROSSING = [
    Code(id="c0", name="c0", roles=ROLES, rules=Rules(phrases=("labor trafficking", "tip line")))
]


@given(rules=codes(), texts=st.lists(unit_text(6), max_size=12), batch_size=st.integers(1, 5))
@example(
    rules=CROSSING, texts=["child labor", "trafficking, a tip", "line"], batch_size=3
)  # terms across units
def test_batches_match_as_the_reference_does(nlp, matcher_nlp, rules, texts, batch_size):
    new, old = RuleMatcher(rules, matcher_nlp), ReferenceMatcher(rules, nlp)
    allowed = [None if i % 3 else frozenset({"c0", "c2"}) for i in range(len(texts))]
    batched = list(new.match_texts(texts, allowed, batch_size=batch_size))
    expected = list(old.match_texts(texts, allowed))
    assert [evidence(m, t) for m, t in zip(batched, texts, strict=True)] == [
        evidence(m, t) for m, t in zip(expected, texts, strict=True)
    ]
