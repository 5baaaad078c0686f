"""Which units of a batch may hold a regex's match: the substring filter against a plain model.

:class:`UnitLiterals` searches a batch's lowercased texts as one string (one ``str.find``
per string, or one pattern of alternatives for strings sharing a first letter) and works
out per batch which codes' patterns to try in each unit. Model: each unit's lowercased
text tested for each string on its own.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from qualcode.coding.autocode.literals import UnitLiterals

# few letters, so that strings often occur, share first letters and hold one another;
# "." and "|" would mean something in a pattern if they were not taken literally
LETTERS = "ahH-.|2\n\0"
strings = st.text(LETTERS, min_size=1, max_size=4).map(str.lower)
groups = st.frozensets(strings, min_size=1, max_size=4)
needed = st.lists(groups, min_size=1, max_size=3).map(tuple)
texts = st.lists(st.text(LETTERS + "xyz ", max_size=30), max_size=8)


def holds(text: str, needs: tuple[frozenset[str], ...]) -> bool:
    return all(any(s in text.lower() for s in group) for group in needs)


@given(texts=texts, needs=needed)
@example(texts=["H-2A", "h2b", "x|h", "ha."], needs=(frozenset({"h-2a", "h2b", "h|"}),))
@example(texts=["a.h", "aah"], needs=(frozenset({"a.h"}),))
def test_units_are_those_holding_one_string_of_each_group(texts, needs):
    expected = {unit for unit, text in enumerate(texts) if holds(text, needs)}
    assert UnitLiterals(texts).units(needs) == expected


@given(texts=texts, codes=st.lists(st.lists(st.one_of(st.none(), needed), min_size=1, max_size=3), max_size=3))
def test_candidates_are_the_codes_and_patterns_each_unit_may_match(texts, codes):
    named = [(f"c{number}", tuple(patterns)) for number, patterns in enumerate(codes)]
    expected: dict[int, list[tuple[str, list[int]]]] = {}
    for unit, text in enumerate(texts):
        for code_id, patterns in named:
            tried = [i for i, needs in enumerate(patterns) if needs is None or holds(text, needs)]
            if tried:
                expected.setdefault(unit, []).append((code_id, tried))
    assert UnitLiterals(texts).candidates(named) == expected


@pytest.mark.parametrize(
    ("group", "found"),
    [
        (frozenset({"h-1b", "h1b"}), {0, 2}),  # one first letter: one pattern of alternatives
        (frozenset({"need", "lack"}), {1, 2}),  # different first letters: one find each
        (frozenset({"h.b"}), set()),  # literally: "." is no wildcard
    ],
)
def test_a_group_is_found_in_the_units_holding_one_of_its_strings(group, found):
    texts = ["an H-1B visa", "a lack of beds", "h1bs in need", "hxb"]
    assert UnitLiterals(texts).units((group,)) == found
