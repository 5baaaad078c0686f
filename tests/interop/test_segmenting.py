"""Segments found in an imported text without changing the text."""

from __future__ import annotations

import pytest

from qualcode.interop.segmenting import segment_for_span, segment_text
from qualcode.transcripts.model import Segment, Turn, render


@pytest.mark.parametrize(
    "turns",
    [
        [("Interviewer", "Where do cases come from?"), ("Respondent", "The hotline.\nAnd police."),
         ("Interviewer", "Housing?"), ("Respondent", "Always short.")],
        [("Det. Ramos", "We started in 2015."), ("Interviewer", "Why?"), ("Det. Ramos", "Funding, mostly.")],
        [("Q", "First?"), ("A", "Yes, first. 😀"), ("Q", "Then?"), ("A", "Café, then home.")],
    ],
)
def test_rendered_transcripts_segment_back_exactly(turns):
    text, segments = render([Turn(s, t) for s, t in turns], {"Interviewer", "Q"})
    found, how = segment_text(text)
    assert how == "speaker labels"
    assert found == segments


def test_preamble_before_the_first_label_is_context():
    text = "Project X interview\nDate 2020\n\nInterviewer: Hello?\n\nRespondent: Hi there."
    segments, how = segment_text(text)
    assert how == "speaker labels"
    assert [(s.speaker, text[s.start : s.end], s.is_interviewer) for s in segments] == [
        ("", "Project X interview\nDate 2020", True),
        ("Interviewer", "Hello?", True),
        ("Respondent", "Hi there.", False),
    ]


def test_paragraphs_between_blank_lines():
    text = "First paragraph\nwrapped here.\n\nSecond one.\n\n\nThird."
    segments, how = segment_text(text)
    assert how == "paragraphs"
    assert [text[s.start : s.end] for s in segments] == ["First paragraph\nwrapped here.", "Second one.", "Third."]


def test_lines_when_blank_lines_are_rare():
    lines = [f"comment number {n}" for n in range(50)]
    text = "\n".join(lines[:25]) + "\n\n" + "\n".join(lines[25:])
    segments, how = segment_text(text)
    assert how == "paragraphs" and [text[s.start : s.end] for s in segments] == lines


def test_a_few_colons_do_not_make_speakers():
    text = "\n".join(["Note: this is prose.", "Kötelező oltás: jöhet?", *[f"plain line {n}" for n in range(20)]])
    _, how = segment_text(text)
    assert how == "paragraphs"


def test_empty_text_has_no_segments():
    assert segment_text("") == ([], "paragraphs")


SEGMENTS = [Segment(1, "I", True, 3, 10), Segment(2, "R", False, 15, 30)]


@pytest.mark.parametrize(
    ("span", "ordinal"),
    [((3, 5), 1), ((16, 20), 2), ((0, 2), 1), ((0, 12), 1), ((11, 14), 1), ((11, 20), 2), ((40, 50), 2)],
)
def test_segment_for_span(span, ordinal):
    assert segment_for_span(SEGMENTS, *span).ordinal == ordinal
