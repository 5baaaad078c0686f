"""Segments for a source imported from another tool, laid over its text unchanged.

qualcode's own importers *render* transcripts from parsed turns, which rewrites the
text. An imported REFI-QDA source must keep its text, so that every selection still
covers exactly what the other tool showed as coded; here the segments are found in
the text as it is:

- if speaker labels run through the text (the text importer's label rules,
  :mod:`qualcode.transcripts.importers.labels`, decide what a label is, and labelled
  lines make up at least ``LABEL_SHARE`` of the paragraphs), each labelled line
  starts a turn whose span is the speech after the label, up to the last non-blank
  line before the next label; lines before the first label form one context segment;
- otherwise each paragraph is a segment: blocks separated by blank lines, or single
  lines when blank lines are rare (NVivo exports one paragraph per line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.transcripts.model import Segment, Turn

LABEL_SHARE = 0.25
BLOCK_END = re.compile(r"\n(?=[^\S\n]*\n)")  # a line end followed by a blank line
NON_SPACE = re.compile(r"\S")
BLOCK_LINES_MAX = 20  # more lines per blank-line block than this: lines are the paragraphs


@dataclass
class _Line:
    start: int
    end: int
    text: str


def segment_text(text: str) -> tuple[list[Segment], str]:
    """The segments of a normalised text and how they were found (``"speaker labels"``/``"paragraphs"``).

    >>> segments, how = segment_text("Interviewer: Why?\\n\\nRespondent: Because.\\nAnd so.")
    >>> how, [(s.speaker, s.start, s.end, s.is_interviewer) for s in segments]
    ('speaker labels', [('Interviewer', 13, 17, True), ('Respondent', 31, 47, False)])
    """
    lines = _nonblank_lines(text)
    paragraphs = _paragraphs(text, lines)
    labelled = _labelled_lines(lines, len(paragraphs))
    if labelled:
        return _turn_segments(text, lines, labelled), "speaker labels"
    segments = [Segment(n, "", False, start, end) for n, (start, end) in enumerate(paragraphs, 1)]
    return segments, "paragraphs"


def _nonblank_lines(text: str) -> list[_Line]:
    found, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            found.append(_Line(position, position + len(line), line))
        position += len(line) + 1
    return found


def _paragraphs(text: str, lines: list[_Line]) -> list[tuple[int, int]]:
    """Blocks between blank lines when blank lines separate paragraphs, else single lines."""
    blocks = _blocks(text)
    if len(blocks) >= 2 and len(blocks) * BLOCK_LINES_MAX >= len(lines):
        return blocks
    return [(line.start, _rstrip_end(text, line.start, line.end)) for line in lines]


def _blocks(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the text between blank lines, without outer white space.

    Found from the blank lines rather than with one regex over each block: that regex's
    alternation kept a backtracking frame per character (about 140 bytes a character
    on a transcript without blank lines).
    """
    blocks, start = [], 0
    for stop in [*(m.start() for m in BLOCK_END.finditer(text)), len(text)]:
        first = NON_SPACE.search(text, start, stop)
        if first is not None:
            blocks.append((first.start(), _rstrip_end(text, first.start(), stop)))
        start = stop + 1
    return blocks


def _labelled_lines(lines: list[_Line], units: int) -> dict[int, tuple[str, str]]:
    """line number -> (speaker, speech after the label) for lines that start with a real label."""
    from qualcode.transcripts.importers.labels import (
        accepted_speakers,
        find_candidate,
        name_key,
    )

    candidates = [find_candidate(line.text) for line in lines]
    accepted = accepted_speakers(candidates)
    labelled = {
        number: (" ".join(candidate.name.split()), candidate.rest.strip())
        for number, candidate in enumerate(candidates)
        if candidate is not None and candidate.name and name_key(candidate.name) in accepted
    }
    if len(labelled) < 2 or len(labelled) < LABEL_SHARE * units:
        return {}
    return labelled


def _turn_segments(text: str, lines: list[_Line], labelled: dict[int, tuple[str, str]]) -> list[Segment]:
    from qualcode.transcripts.speakers import detect_interviewers

    spans: list[tuple[str, int, int]] = []  # (speaker, start, end); speaker None-like '' = context
    first = min(labelled)
    if first > 0:
        spans.append(("", lines[0].start, lines[first - 1].end))
    numbers = sorted(labelled)
    for position, number in enumerate(numbers):
        speaker, speech = labelled[number]
        stop = numbers[position + 1] if position + 1 < len(numbers) else len(lines)
        line = lines[number]
        start = line.end - len(speech) if speech else (lines[number + 1].start if number + 1 < stop else line.end)
        end = lines[stop - 1].end if stop - 1 > number or speech else start
        spans.append((speaker, start, end))
    spans = [span for span in spans if span[2] > span[1]]
    turns = [Turn(speaker, text[start:end]) for speaker, start, end in spans if speaker]
    interviewers = detect_interviewers(turns)
    return [
        Segment(ordinal, speaker, speaker == "" or speaker in interviewers, start, end)
        for ordinal, (speaker, start, end) in enumerate(spans, start=1)
    ]


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def segment_for_span(segments: list[Segment], start: int, end: int) -> Segment | None:
    """The segment a coding of ``[start, end)`` belongs to: the one holding its start,
    else the first it overlaps, else the nearest one before it."""
    before = None
    for segment in segments:
        if segment.start <= start < segment.end:
            return segment
        if segment.start < end and start < segment.end:
            return segment
        if segment.end <= start:
            before = segment
    return before or (segments[0] if segments else None)
