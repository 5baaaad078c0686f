"""Segments found in an imported text without changing the text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.interop.segmenting import segment_for_span, segment_text
from qualcode.transcripts.model import Segment, Turn, normalise, render


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


# -- the line-array segmenter finds what the list-of-lines one did -----------------------------------


def _reference_segments(text: str):
    """The segmenter before it kept lines as arrays (a list of line objects with their text)."""
    from qualcode.interop.segmenting import (
        BLOCK_LINES_MAX,
        LABEL_SHARE,
        _blocks,
        _rstrip_end,
    )
    from qualcode.transcripts.importers.labels import (
        accepted_speakers,
        find_candidate,
        name_key,
    )
    from qualcode.transcripts.speakers import detect_interviewers

    lines, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((position, position + len(line), line))
        position += len(line) + 1
    blocks = _blocks(text)
    use_blocks = len(blocks) >= 2 and len(blocks) * BLOCK_LINES_MAX >= len(lines)
    paragraphs = blocks if use_blocks else [(s, _rstrip_end(text, s, e)) for s, e, _ in lines]
    candidates = [find_candidate(t) for _, _, t in lines]
    accepted = accepted_speakers(candidates)
    labelled = {n: (" ".join(c.name.split()), c.rest.strip()) for n, c in enumerate(candidates)
                if c is not None and c.name and name_key(c.name) in accepted}
    if len(labelled) < 2 or len(labelled) < LABEL_SHARE * len(paragraphs):
        return [(n, "", False, s, e) for n, (s, e) in enumerate(paragraphs, 1)], "paragraphs"
    numbers = sorted(labelled)
    spans = [("", lines[0][0], lines[numbers[0] - 1][1])] if numbers[0] > 0 else []
    for index, number in enumerate(numbers):
        speaker, speech = labelled[number]
        stop = numbers[index + 1] if index + 1 < len(numbers) else len(lines)
        end_of_line = lines[number][1]
        start = end_of_line - len(speech) if speech else (lines[number + 1][0] if number + 1 < stop else end_of_line)
        end = lines[stop - 1][1] if stop - 1 > number or speech else start
        spans.append((speaker, start, end))
    spans = [span for span in spans if span[2] > span[1]]
    interviewers = detect_interviewers([Turn(sp, text[s:e]) for sp, s, e in spans if sp])
    return [(n, sp, sp == "" or sp in interviewers, s, e) for n, (sp, s, e) in enumerate(spans, 1)], "speaker labels"


PIECES = ["Interviewer: ", "Respondent: ", "Q: ", "A:", "Note: ", "DET. RAMOS: ", "why? ", "the hotline ", "x",
          "\n", "\n\n", "  ", "[00:01:02] Ana: ", "**Ben:** "]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_segments_equal_the_list_of_lines_segmenter(raw):
    text = normalise(raw)
    segments, how = segment_text(text)
    assert ([(s.ordinal, s.speaker, s.is_interviewer, s.start, s.end) for s in segments], how) == _reference_segments(text)
