"""The order test that spares a regex on units holding its strings but never in match order.

Model: running the regex itself. Whenever a pattern finds a (non-empty) match in a text,
:func:`in_order` must accept the text's lowercased form with :func:`ordered_literals`'
groups; the matcher's regex hits must be those of every regex run on every unit.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qualcode.codebook.model import Code, Rules
from qualcode.coding.autocode.engine import RuleMatcher
from qualcode.coding.autocode.order import in_order, ordered_literals

WORDS = ("need", "needs", "housing", "for", "years", "we", "ad", "ads", "online", "Bed", "beds")
GAPS = (r"\s+", r"\W+", r"\s+(\w+\s+){0,2}", r".{0,3}", r"\W+(\w+\W+){0,3}", r"\s*", r"[ ,]+")


def _word(draw) -> str:
    kind = draw(st.integers(0, 3))
    if kind == 0:  # alternatives
        return "(" + "|".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))) + ")"
    if kind == 1:  # an optional word
        return "(" + draw(st.sampled_from(WORDS)) + r"\s+)?"
    return draw(st.sampled_from(WORDS)) + ("s?" if kind == 2 else "")


@st.composite
def patterns(draw) -> str:
    parts = [_word(draw) for _ in range(draw(st.integers(1, 4)))]
    gaps = [draw(st.sampled_from(GAPS)) for _ in parts[1:]]
    body = parts[0] + "".join(gap + part for gap, part in zip(gaps, parts[1:], strict=True))
    return r"\b" + body + r"\b" if draw(st.booleans()) else body


# words with or without space between: "needhousing" holds both strings, in order, touching
texts = st.lists(
    st.tuples(st.sampled_from(WORDS + ("x", "of", ",", "NEED", "Housing")), st.sampled_from(("", " ", ", "))),
    max_size=14,
).map(lambda pairs: "".join(word + gap for word, gap in pairs))


@given(pattern=patterns(), text=texts)
@example(pattern=r"\b(need|lack)\s+(of\s+)?(\w+\s+){0,2}(housing|beds?)\b", text="housing we need")
@example(pattern=r"\bfor\s+(\d+|ten)\s+years\b", text="years for")
@example(pattern=r"(need|needs)\s*housing", text="x needhousing")  # touching: one ends where one starts
def test_a_unit_a_pattern_matches_is_always_in_order(pattern, text):
    groups = ordered_literals(pattern)
    if groups is not None and any(m.end() > m.start() for m in re.finditer(pattern, text, re.IGNORECASE)):
        assert in_order(text.lower(), groups)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"\b(need|lack)\s+(of\s+)?(\w+\s+){0,2}(housing|beds?)\b", "housing is what we need", False),
        (r"\b(need|lack)\s+(of\s+)?(\w+\s+){0,2}(housing|beds?)\b", "we need far more beds", True),
        (r"\bfor\s+(\d+|ten)\s+years\b", "years before, for a while", False),
        (r"\bfor\s+(\d+|ten)\s+years\b", "for years and years", True),  # in order, though no match
        (r"\bneighbou?rs?\b", "neighbours", None),  # one known group: no order to test
    ],
)
def test_the_order_test_rejects_strings_out_of_order(pattern, text, expected):
    groups = ordered_literals(pattern)
    assert (None if groups is None else in_order(text, groups)) == expected


@pytest.fixture(scope="module")
def nlp():
    from qualcode.coding.autocode.lemmas import make_nlp

    return make_nlp()


@given(pattern=patterns(), units=st.lists(texts, min_size=1, max_size=4))
def test_regex_hits_are_those_of_every_regex_on_every_unit(nlp, pattern, units):
    code = Code(id="c", name="c", roles=frozenset({"other"}), rules=Rules(regex=(pattern,)))
    found = list(RuleMatcher([code], nlp).match_texts(units, [None] * len(units)))
    for text, matches in zip(units, found, strict=True):
        spans = [(h.start, h.end) for m in matches for h in m.hits]
        model = [(m.start(), m.end()) for m in re.finditer(pattern, text, re.IGNORECASE) if m.end() > m.start()]
        assert sorted(spans) == sorted(model)[: len(spans)] and (len(spans) > 0) == (len(model) > 0)
