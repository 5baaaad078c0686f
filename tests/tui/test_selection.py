"""Word-level selection: word spans, snapping a drag to words, and coding exactly the words chosen."""

import itertools
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.coding.listing import list_codings
from qualcode.tui.selection import evidence_spans, sentence_end, snap, word_spans
from qualcode.tui.state import CodingState

pytestmark = pytest.mark.coders("ana")

TURN_2 = "Mostly the hotline. Police also bring us clients. It takes three years to trial."
WORDS_2 = [w.strip(string.punctuation) for w in TURN_2.split()]


@pytest.fixture
def state(project, interview):
    return CodingState(project, "ana", "vsp-1", suggesters=[])


def selected(state) -> str:
    start, end = state.span
    return state.transcript.text[start:end]


# -- the plain functions ------------------------------------------------------

text_st = st.text(alphabet=st.sampled_from("ab1 .,'-—\n(é)"), max_size=40)


@given(text_st, st.integers(0, 50))
def test_word_spans_cover_every_word_character_once(text, offset):
    spans = word_spans(text, offset)
    local = [(s - offset, e - offset) for s, e in spans]
    assert all(a[1] < b[0] for a, b in itertools.pairwise(local))  # ordered, apart
    for s, e in local:
        assert text[s].isalnum() and text[e - 1].isalnum() and not any(c.isspace() for c in text[s:e])
    covered = {i for s, e in local for i in range(s, e)}
    assert {i for i, c in enumerate(text) if c.isalnum()} <= covered  # no word dropped


@given(text_st, st.data())
def test_a_span_of_words_snaps_back_to_the_same_words(text, data):
    words = word_spans(text)
    if not words:
        assert snap(words, 0, len(text)) is None
        return
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, len(words) - 1))
    assert snap(words, words[first][0], words[last][1]) == (first, last)
    # a drag that starts or ends inside a word takes the whole word
    assert snap(words, words[first][1] - 1, words[last][0] + 1) == (first, last)


@pytest.mark.parametrize(
    ("last", "delta", "expected"),
    [(0, 1, 2), (2, 1, 7), (7, 1, 13), (13, 1, 13), (5, -1, 2), (2, -1, -1), (9, -1, 7)],
)
def test_sentence_end(last, delta, expected):
    words = word_spans(TURN_2)
    sentences = [(0, 19), (20, 49), (50, 80)]
    assert sentence_end(words, sentences, last, delta) == expected


# -- the state ----------------------------------------------------------------


def test_words_by_keyboard_code_exactly_those_words(project, state):
    state.move_word(1)
    state.move_word(1)  # "the"
    state.extend_word(1)
    state.extend_word(1)
    state.extend_word(-1)  # "the hotline"
    assert state.selection_label() == "words 2-3 of 14"
    state.toggle("referral.hotline")
    (row,) = list_codings(project, coder="ana")
    assert row.text == "the hotline"
    start = state.transcript.segment(2).start + TURN_2.index("the hotline")
    assert (row.start, row.end) == (start, start + len("the hotline"))
    assert state.mine(2)[0].covers(*state.span)
    state.toggle("referral.hotline")  # the same words again: removed
    assert list_codings(project, coder="ana") == []


def test_grow_and_shrink_by_sentence(state):
    state.move_word(1)
    state.move_word(1)  # "the"
    state.extend_by_sentence(1)
    assert selected(state) == "the hotline"
    state.extend_by_sentence(1)
    assert selected(state) == "the hotline. Police also bring us clients"
    state.extend_by_sentence(-1)
    assert selected(state) == "the hotline"
    state.extend_by_sentence(-1)  # never before the first word
    assert selected(state) == "the"
    assert state.extend_by_sentence(-1).message == "nothing left to shrink"


def test_words_cross_into_the_next_turn_and_escape_goes_back(state):
    for _ in range(len(WORDS_2) + 1):
        state.move_word(1)
    assert state.current == 4 and selected(state) == "There's"
    state.leave_sentence_mode()
    assert not state.selecting and state.span == (state.segment.start, state.segment.end)


def test_sentence_selection_becomes_words(state):
    state.toggle_sentence_mode()
    state.move_sentence(1)  # "Police also bring us clients."
    state.extend_word(1)
    assert selected(state) == "Police also bring us clients. It"
    state.move_sentence(1)  # back to sentences: the one holding the first selected word
    assert state.selection_label() == "sentence 2 of 3"


def test_a_drag_selects_the_words_it_touches(state):
    segment = state.transcript.segment(4)
    text = state.transcript.text
    start = text.index("need", segment.start) + 2  # inside "need"
    end = text.index("housing", segment.start) + 3  # inside "housing"
    outcome = state.select_text(4, start, end)
    assert state.current == 4 and outcome.moved
    assert selected(state) == "need for housing"


ACTIONS = st.lists(st.sampled_from(["w", "b", "W", "B"]), max_size=25)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ACTIONS)
def test_word_selection_matches_a_model(state, actions):
    """Keys against a model of (first, last) word indices: the span is always exactly those words."""
    state.go_to(2)
    model: tuple[int, int] | None = None
    n = len(WORDS_2)
    for key in actions:
        if state.current != 2:  # crossed into the next turn: the model stops here
            return
        if key == "w":
            model = (0, 0) if model is None else (model[1] + 1, model[1] + 1)
            state.move_word(1)
        elif key == "b":
            if model is None:
                model = (n - 1, n - 1)
            elif model[0] > 0:  # at the first word of the first turn it stays
                model = (model[0] - 1, model[0] - 1)
            state.move_word(-1)
        elif key == "W":
            model = (0, 0) if model is None else (model[0], min(model[1] + 1, n - 1))
            state.extend_word(1)
        else:
            model = (0, 0) if model is None else (model[0], max(model[1] - 1, model[0]))
            state.extend_word(-1)
        if state.current == 2:
            assert model is not None and 0 <= model[0] <= model[1] < n
            assert selected(state) == " ".join(WORDS_2[model[0] : model[1] + 1]).replace(
                "hotline Police", "hotline. Police").replace("clients It", "clients. It")


@pytest.mark.parametrize(
    ("span", "evidence", "expected"),
    [
        ((0, 19), 'phrase \'hotline\' -> "hotline"', ["hotline"]),  # the rule's matched words in its span
        ((20, 49), 'lemma \'police\' -> "Police"', ["Police"]),
        ((0, 19), 'phrase -> "not here"', ["Mostly the hotline."]),  # words not found: the span itself
        ((0, 19), "model p=0.61", ["Mostly the hotline."]),  # no words named: the span
    ],
)
def test_evidence_spans(span, evidence, expected):
    assert [TURN_2[s:e] for s, e in evidence_spans(TURN_2, *span, evidence)] == expected
