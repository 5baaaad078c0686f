"""Transcript data model.

Offsets everywhere in qualcode are Python ``str`` indices (Unicode code points) into a
transcript's *normalised text* (NFC, LF line ends), half-open ``[start, end)``.

The normalised text is rendered from the turns as ``"{speaker}: {text}"`` blocks
separated by a blank line; a segment's span covers the speech only, not the label.
"""

from __future__ import annotations

import math
import unicodedata
from array import array
from dataclasses import dataclass, field
from itertools import count

# Segment and Transcript are the store's row types, re-exported here where readers expect them.
from qualcode.store.rows import LABEL_SEPARATOR, Segment, Transcript  # noqa: F401
from qualcode.store.rows import text_digest as sha256_text  # noqa: F401  (one definition, light: no SQLAlchemy)

TURN_SEPARATOR = "\n\n"


@dataclass(slots=True)
class Turn:
    """One speaker turn as an importer parsed it, before offsets are assigned."""

    speaker: str
    text: str
    start_time: float | None = None  # seconds from the start of the recording
    end_time: float | None = None


@dataclass
class ParsedTranscript:
    """What an importer returns: the turns in order, and what it learned of the file."""

    turns: list[Turn]
    format: str
    title: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    # Text before the first speaker label: stored ahead of the turns, in no segment (so never coded).
    preamble: str = ""
    # What the import set aside or changed, for the import report ("removed 2 control characters").
    notes: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """NFC, LF line ends, no trailing spaces on lines, no NULs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\n" not in text:  # most turns are one line: no per-line pass (the importer's hot path)
        return text.strip()
    # str.rstrip strips what the regex [^\S\n] means (str.isspace), a dozen times faster.
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def merge_consecutive(turns: list[Turn]) -> list[Turn]:
    """Join consecutive turns by the same speaker into one (paragraphs kept apart)."""
    merged: list[Turn] = []
    for turn in turns:
        text = normalise(turn.text)
        if not text:
            continue
        if merged and merged[-1].speaker == turn.speaker:
            last = merged[-1]
            last.text = f"{last.text}\n{text}"
            last.end_time = turn.end_time if turn.end_time is not None else last.end_time
        else:
            merged.append(Turn(turn.speaker, text, turn.start_time, turn.end_time))
    return merged


def render(
    turns: list[Turn], interviewers: set[str], preamble: str = "", *, consume: bool = False
) -> tuple[str, list[Segment]]:
    """Lay the turns out as normalised text and compute each segment's span.

    A ``preamble`` (text found before the first speaker label) comes first, as its own
    block outside every segment: stored, shown, never coded or counted.

    Memory: the text is joined first and the segments made afterwards from compact
    arrays; with ``consume`` the turns list is emptied in between, so a long
    transcript's turns and its segments are never held at once.
    """
    preamble = normalise(preamble)
    pieces: list[str] = [preamble] if preamble else []
    labels: dict[str, str] = {}  # one label string a speaker, not one a turn
    speakers: dict[str, int] = {}
    spans, who, times = array("q"), array("l"), array("d")
    position = len(preamble)
    for turn in turns:
        if pieces:
            pieces.append(TURN_SEPARATOR)
            position += len(TURN_SEPARATOR)
        label = labels.get(turn.speaker) or labels.setdefault(turn.speaker, turn.speaker + LABEL_SEPARATOR)
        pieces += (label, turn.text)  # not label + text: that would copy every turn once more
        start = position + len(label)
        position = start + len(turn.text)
        spans.extend((start, position))
        who.append(speakers.setdefault(turn.speaker, len(speakers)))
        times.extend((_seconds(turn.start_time), _seconds(turn.end_time)))
    text = "".join(pieces)
    del pieces
    if consume:
        turns.clear()
    names = list(speakers)
    interviewing = [name in interviewers for name in names]
    # Positional, in one pass over the arrays: Segment's fields in order (a NaN time,
    # t != t, is a turn without one).
    segments = [
        Segment(ordinal, names[k], interviewing[k], start, end, None if t0 != t0 else t0, None if t1 != t1 else t1)
        for ordinal, k, start, end, t0, t1 in zip(count(1), who, spans[0::2], spans[1::2], times[0::2], times[1::2])
    ]
    return text, segments


def _seconds(value: float | None) -> float:
    return math.nan if value is None else value
