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
from array import array
from collections import Counter

from qualcode.transcripts.model import Segment, Turn

LABEL_SHARE = 0.25
BLOCK_END = re.compile(r"\n(?=[^\S\n]*\n)")  # a line end followed by a blank line
NON_SPACE = re.compile(r"\S")
BLOCK_LINES_MAX = 20  # more lines per blank-line block than this: lines are the paragraphs


class _Lines:
    """The non-blank lines of a text as parallel arrays (memory: four numbers a line, no
    copy of the text): span, accepted-or-not label name (an index into ``names``, -1 for
    none) and the length of the speech after the label."""

    def __init__(self, text: str) -> None:
        from qualcode.transcripts.importers.labels import (
            accepted_from_forms,
            find_candidate,
            name_key,
        )

        self.starts, self.ends, self.label, self.speech = array("q"), array("q"), array("l"), array("q")
        self.names: list[str] = []
        raw_names: list[str] = []
        index: dict[str, int] = {}
        forms: Counter = Counter()
        position = 0
        for line in text.split("\n") if len(text) < 2**16 else _lines(text):
            if line.strip():
                self.starts.append(position)
                self.ends.append(position + len(line))
                candidate = find_candidate(line)
                number = -1
                if candidate is not None and candidate.name:
                    forms[(candidate.name, candidate.strength, candidate.heading)] += 1
                    number = index.setdefault(candidate.name, len(index))
                    if number == len(raw_names):
                        raw_names.append(candidate.name)
                self.label.append(number)
                self.speech.append(len(candidate.rest.strip()) if candidate is not None and number >= 0 else 0)
            position += len(line) + 1
        accepted = accepted_from_forms(forms)
        self.names = [" ".join(name.split()) for name in raw_names]
        self.accepted = [name_key(name) in accepted for name in raw_names]

    def __len__(self) -> int:
        return len(self.starts)

    def labelled(self) -> array:
        """Numbers of the lines that start with an accepted speaker label."""
        return array("q", (n for n, label in enumerate(self.label) if label >= 0 and self.accepted[label]))


def _lines(text: str):
    """The lines of ``text`` one at a time (``str.split`` would hold them all at once)."""
    start = 0
    while True:
        stop = text.find("\n", start)
        if stop < 0:
            yield text[start:]
            return
        yield text[start:stop]
        start = stop + 1


def segment_text(text: str) -> tuple[list[Segment], str]:
    """The segments of a normalised text and how they were found (``"speaker labels"``/``"paragraphs"``).

    >>> segments, how = segment_text("Interviewer: Why?\\n\\nRespondent: Because.\\nAnd so.")
    >>> how, [(s.speaker, s.start, s.end, s.is_interviewer) for s in segments]
    ('speaker labels', [('Interviewer', 13, 17, True), ('Respondent', 31, 47, False)])
    """
    lines = _Lines(text)
    labelled = lines.labelled()
    units = _paragraph_count(text, len(lines))
    if len(labelled) >= 2 and len(labelled) >= LABEL_SHARE * units:
        return _turn_segments(text, lines, labelled), "speaker labels"
    segments = [Segment(n, "", False, start, end) for n, (start, end) in enumerate(_paragraphs(text, lines), 1)]
    return segments, "paragraphs"


def _uses_blocks(blocks: int, lines: int) -> bool:
    return blocks >= 2 and blocks * BLOCK_LINES_MAX >= lines


def _paragraph_count(text: str, lines: int) -> int:
    blocks = sum(1 for _ in _iter_blocks(text))
    return blocks if _uses_blocks(blocks, lines) else lines


def _paragraphs(text: str, lines: _Lines) -> list[tuple[int, int]]:
    """Blocks between blank lines when blank lines separate paragraphs, else single lines."""
    blocks = _blocks(text)
    if _uses_blocks(len(blocks), len(lines)):
        return blocks
    return [(start, _rstrip_end(text, start, end)) for start, end in zip(lines.starts, lines.ends, strict=True)]


def _blocks(text: str) -> list[tuple[int, int]]:
    return list(_iter_blocks(text))


def _iter_blocks(text: str):
    """``(start, end)`` of the text between blank lines, without outer white space.

    Found from the blank lines rather than with one regex over each block: that regex's
    alternation kept a backtracking frame per character (about 140 bytes a character
    on a transcript without blank lines).
    """
    start = 0
    for stop in [*(m.start() for m in BLOCK_END.finditer(text)), len(text)]:
        first = NON_SPACE.search(text, start, stop)
        if first is not None:
            yield first.start(), _rstrip_end(text, first.start(), stop)
        start = stop + 1


class _TurnSpans:
    """``(speaker, start, end)`` of every turn ('' = the context before the first label),
    computed from the line arrays each time it is iterated (nothing a turn is kept)."""

    def __init__(self, lines: _Lines, labelled: array) -> None:
        self.lines, self.labelled = lines, labelled

    def __iter__(self):
        lines, numbers = self.lines, self.labelled
        if numbers[0] > 0:
            yield "", lines.starts[0], lines.ends[numbers[0] - 1]
        for position, number in enumerate(numbers):
            speaker, speech = lines.names[lines.label[number]], lines.speech[number]
            stop = numbers[position + 1] if position + 1 < len(numbers) else len(lines)
            end_of_line = lines.ends[number]
            start = end_of_line - speech if speech else (lines.starts[number + 1] if number + 1 < stop else end_of_line)
            end = lines.ends[stop - 1] if stop - 1 > number or speech else start
            if end > start:
                yield speaker, start, end


class _Turns:
    """The turns' texts, sliced one at a time as interviewer detection reads them."""

    def __init__(self, text: str, spans: _TurnSpans) -> None:
        self.text, self.spans = text, spans

    def __iter__(self):
        return (Turn(speaker, self.text[start:end]) for speaker, start, end in self.spans if speaker)


def _turn_segments(text: str, lines: _Lines, labelled: array) -> list[Segment]:
    from qualcode.transcripts.speakers import detect_interviewers

    spans = _TurnSpans(lines, labelled)
    interviewers = detect_interviewers(_Turns(text, spans))  # type: ignore[arg-type]  # iterated only
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
