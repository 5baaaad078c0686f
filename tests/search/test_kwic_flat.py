"""KWIC pieces made one line: the quick path gives what the plain split-and-join gives."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.search.engine import SearchOptions, _flat, search
from qualcode.store.transcripts import load_transcript


def flat_reference(text: str, keep_edge: bool = False) -> str:
    """The one-line rule as it was written before the quick path (the model)."""
    flat = " ".join(text.split())
    if keep_edge and text[:1].isspace():
        flat = " " + flat
    if keep_edge and text[-1:].isspace() and flat.strip():
        flat += " "
    return flat


WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@given(st.text(alphabet=st.sampled_from(["a", "é", "b", *WHITESPACE]), max_size=12), st.booleans())
def test_flat_is_the_split_and_join_rule_for_every_whitespace(text, keep_edge):
    assert _flat(text, keep_edge) == flat_reference(text, keep_edge)


@given(st.text(max_size=30), st.booleans())
def test_flat_is_the_split_and_join_rule_for_any_text(text, keep_edge):
    assert _flat(text, keep_edge) == flat_reference(text, keep_edge)


@pytest.mark.parametrize(("text", "keep_edge", "expected"), [
    (" the hotline ", True, " the hotline "),
    (" the hotline ", False, "the hotline"),
    ("the\nhotline\u00a0 said", True, "the hotline said"),
    (" ", True, " "),
    ("", True, ""),
    ("\t", False, ""),
])
def test_flat_examples(text, keep_edge, expected):
    assert _flat(text, keep_edge) == expected


@pytest.mark.parametrize(("pattern", "mode", "context"), [
    ("housing", "lemma", 40), ("hotline", "lemma", 200), ("the", "lemma", 12), ("for housing", "phrase", 25), (r"\s+\w+", "regex", 30),
])
def test_search_hits_are_the_reference_lines_of_the_stored_text(study, pattern, mode, context):
    result = search(study, pattern, SearchOptions(mode=mode, speaker="any", context=context))
    assert result.hits
    for hit in result.hits:
        with study.read() as conn:
            transcript = load_transcript(conn, hit.transcript)
        turn = next(s for s in transcript.segments if s.ordinal == hit.segment)
        text = transcript.text
        assert hit.matched == flat_reference(text[hit.start : hit.end])
        assert hit.left == flat_reference(text[max(turn.start, hit.start - context) : hit.start], keep_edge=True)
        assert hit.right == flat_reference(text[hit.end : min(turn.end, hit.end + context)], keep_edge=True)
