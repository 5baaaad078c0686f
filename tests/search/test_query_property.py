"""Property: a boolean coding query selects exactly the turns a set model selects.

Random whole-turn codings of three codes on the study's five respondent turns, and a
random expression over those codes with AND, OR, NOT and parentheses; the model
evaluates the same expression with Python sets.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qualcode.search.engine import SearchOptions
from qualcode.search.query import run_query
from tests.search.study import add_coder

TURNS = [("le-1", 1), ("le-1", 3), ("pros-1", 1), ("vsp-1", 2), ("vsp-1", 4)]
CODES = ["challenge.case_length", "challenge.housing", "referral.hotline"]

leaves = st.sampled_from(CODES).map(lambda c: (c, c))


def _combine(children):
    def node(op, a, b):
        return (f"({a[0]} {op} {b[0]})", (op, a[1], b[1]))

    return st.one_of(
        st.tuples(children, children).map(lambda p: node("AND", *p)),
        st.tuples(children, children).map(lambda p: node("OR", *p)),
        children.map(lambda a: (f"NOT {a[0]}", ("NOT", a[1]))),
    )


expressions = st.recursive(leaves, _combine, max_leaves=6)


def model(tree, coded: dict[str, set], universe: set) -> set:
    if isinstance(tree, str):
        return coded[tree]
    if tree[0] == "NOT":
        return universe - model(tree[1], coded, universe)
    left, right = model(tree[1], coded, universe), model(tree[2], coded, universe)
    return left & right if tree[0] == "AND" else left | right


@given(st.lists(st.tuples(st.sampled_from(TURNS), st.sampled_from(CODES)), min_size=1, max_size=10), expressions)
def test_query_equals_the_set_model(study, codings, expression):
    from sqlalchemy import delete

    from qualcode.coding.session import CodingSession
    from qualcode.store.schema import codings as codings_table
    from qualcode.store.schema import events

    with study.write() as conn:
        conn.execute(delete(codings_table))
        conn.execute(delete(events))
    add_coder(study, "ana")
    session = CodingSession(study, "ana")
    for (transcript_id, turn), code in codings:
        session.tag(transcript_id, turn, [code])
    coded = {code: {unit for unit, c in codings if c == code} for code in CODES}
    text, tree = expression
    result = run_query(study, text, SearchOptions())
    assert {(p.transcript, p.segment) for p in result.passages} == model(tree, coded, set(TURNS))
