"""Transcript data model.

Offsets everywhere in qualcode are Python ``str`` indices (Unicode code points) into a
transcript's *normalised text* (NFC, LF line ends), half-open ``[start, end)``.

The normalised text is rendered from the turns as ``"{speaker}: {text}"`` blocks
separated by a blank line; a segment's span covers the speech only, not the label.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Segment and Transcript are the store's row types, re-exported here where readers expect them.
from qualcode.store.rows import LABEL_SEPARATOR, Segment, Transcript  # noqa: F401

TRAILING_BLANKS = re.compile(r"[^\S\n]+(?=\n|\Z)")
TURN_SEPARATOR = "\n\n"


@dataclass
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
    return TRAILING_BLANKS.sub("", text).strip()


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


def render(turns: list[Turn], interviewers: set[str], preamble: str = "") -> tuple[str, list[Segment]]:
    """Lay the turns out as normalised text and compute each segment's span.

    A ``preamble`` (text found before the first speaker label) comes first, as its own
    block outside every segment: stored, shown, never coded or counted.
    """
    preamble = normalise(preamble)
    pieces: list[str] = [preamble] if preamble else []
    segments: list[Segment] = []
    position = len(preamble)
    for ordinal, turn in enumerate(turns, start=1):
        if pieces:
            pieces.append(TURN_SEPARATOR)
            position += len(TURN_SEPARATOR)
        label = turn.speaker + LABEL_SEPARATOR
        pieces.append(label + turn.text)
        start = position + len(label)
        end = start + len(turn.text)
        segments.append(
            Segment(
                ordinal=ordinal,
                speaker=turn.speaker,
                is_interviewer=turn.speaker in interviewers,
                start=start,
                end=end,
                start_time=turn.start_time,
                end_time=turn.end_time,
            )
        )
        position = end
    return "".join(pieces), segments
