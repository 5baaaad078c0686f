"""The export writes its XML and JSON as text (issue 21's speed work): each piece must be
exactly what the library it stands in for would write."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import quoteattr

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.interop.qdpx_text import (
    NAME_CHARS,
    NAME_SLICE,
    iso_stamp,
    json_value,
    quote_attr,
    selection_name,
)

# Text with the characters that escaping and whitespace collapsing care about.
TEXTS = st.text(alphabet=st.sampled_from(list("ab é😀&<>\"'\n\r\t\u00a0\u2028")) | st.characters(), max_size=400)


@given(TEXTS)
def test_quoteattr_is_the_standard_librarys(value):
    assert quote_attr(value) == quoteattr(value)


def _whole_name(text: str, start: int, end: int) -> str:
    covered = " ".join(text[start:end].split())
    return covered if len(covered) <= NAME_CHARS else covered[: NAME_CHARS - 1] + "…"


@given(TEXTS, st.data())
def test_a_selections_name_collapses_the_whole_span(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert selection_name(text, start, end) == _whole_name(text, start, end)


@pytest.mark.parametrize("text", [
    " " * NAME_SLICE + "word " * 30,  # the first slice collapses to nothing: the whole span is read
    "a\n\n" * NAME_SLICE,  # more than NAME_CHARS after collapsing, from the slice alone
    "word " * (NAME_SLICE // 5) + "x" * 10,  # the slice ends inside a word
])
def test_long_spans_and_spans_of_whitespace(text):
    assert selection_name(text, 0, len(text)) == _whole_name(text, 0, len(text))


@given(st.one_of(st.none(), st.text(), st.floats(), st.integers(), st.booleans()))
def test_json_values_are_the_encoders(value):
    assert json_value(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize(("value", "text"), [
    (datetime(2026, 12, 5, 9, 30, 0, 250), "2026-12-05T09:30:00.000250Z"),  # naive: SQLite's UTC
    (datetime(2026, 12, 5, 9, 30, tzinfo=UTC), "2026-12-05T09:30:00+00:00"),
    (datetime(2026, 12, 5, 4, 30, tzinfo=timezone(timedelta(hours=-5))), "2026-12-05T04:30:00-05:00"),
    (datetime(2026, 12, 5, 15, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))), "2026-12-05T15:00:00+05:30"),
    (None, None),
])
def test_stamps_keep_their_offset_and_mark_utc(value, text):
    """A server in a zone west of UTC hands back negative offsets: ``-05:00`` must not get a
    ``Z`` as well (``2026-12-05T04:30:00-05:00Z`` is not an xs:dateTime)."""
    assert iso_stamp(value) == text
