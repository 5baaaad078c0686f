"""Cue payloads of subtitle formats (WebVTT, SubRip) as transcript lines.

A cue's line breaks only wrap text for display, so they become spaces. A WebVTT
voice span (``<v Name>text</v>``) names its speaker outright; otherwise a
``Name: text`` prefix (Zoom) does, if the name is shaped like a label; a cue with
neither continues the previous speaker's turn.
"""

from __future__ import annotations

import html
import re
from pathlib import PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.importers.labels import (
    STRONG,
    TRUSTED,
    Candidate,
    Line,
    assemble_turns,
    find_candidate,
    refuse_labels_with_speaker,
)
from qualcode.transcripts.model import ParsedTranscript, Turn

VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>")
# Any other markup: <c.class>, <i>, </b>, <font ...>, <lang en>, inline <00:01.000> timestamps.
TAG_RE = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>")
UNLABELLED_SPEAKER = "Unknown speaker"


def cue_lines(payload: str, start: float, end: float, *, unescape: bool) -> list[Line]:
    """Lines for one cue: one per voice span, or one for the whole payload."""
    pieces = _voice_pieces(payload)
    lines = []
    for voice, raw in pieces:
        text = _clean(raw, unescape)
        if voice is None:
            lines.append(Line(text, _cue_label(text), start_time=start, end_time=end))
        elif text or voice:
            name = _clean(voice, unescape)
            candidate = Candidate(name, text, start, TRUSTED)
            lines.append(Line(text, candidate, find_label=False, start_time=start, end_time=end))
    return lines


def _cue_label(text: str) -> Candidate | None:
    """A ``Name:`` opening a cue is a speaker label (Zoom) as surely as a bold one in a document."""
    candidate = find_candidate(text)
    if candidate is not None and candidate.name:
        candidate.strength = STRONG
    return candidate


def _voice_pieces(payload: str) -> list[tuple[str | None, str]]:
    matches = list(VOICE_RE.finditer(payload))
    if not matches:
        return [(None, payload)]
    pieces: list[tuple[str | None, str]] = []
    before = payload[: matches[0].start()]
    if TAG_RE.sub("", before).strip():
        pieces.append((None, before))
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(payload)
        pieces.append((match.group(1), payload[match.end() : stop]))
    return pieces


def _clean(text: str, unescape: bool) -> str:
    text = TAG_RE.sub("", text)
    if unescape:
        text = html.unescape(text)
    return " ".join(text.split())


def turns_from_cues(lines: list[Line], speaker: str | None = None, source: str = "") -> list[Turn]:
    """Assemble cue lines into turns; speech before any speaker is named goes to an unknown speaker.

    With ``speaker`` (captions of one person, without labels) every cue is that
    speaker's; captions that do name speakers are refused rather than relabelled.
    """
    if speaker is None:
        return assemble_turns(lines, unlabelled_speaker=UNLABELLED_SPEAKER, joiner=" ").turns
    if not " ".join(speaker.split()):
        raise TranscriptImportError("--speaker needs a name, got an empty one", file=source or None)
    assembly = assemble_turns(lines, unlabelled_speaker=" ".join(speaker.split()), joiner=" ")
    refuse_labels_with_speaker(assembly, source)
    return assembly.turns


def parsed_from_cues(lines: list[Line], fmt: str, source: str, speaker: str | None, *,
                     cues: int, noun: str, removed: int) -> ParsedTranscript:
    """The transcript of a subtitle file's ``cues`` (called ``noun`` in the error): their lines
    as turns, the cue count, and a note of the ``removed`` control characters; refused when
    every cue is empty."""
    turns = turns_from_cues(lines, speaker, source)
    if not turns:
        raise TranscriptImportError(f"all {cues} {noun} are empty; there is no speech to import", file=source or None)
    parsed = ParsedTranscript(turns, fmt, PurePath(source).stem or None, {"cues": str(cues)})
    if removed:
        parsed.notes.append(f"removed {removed} control character{'s' if removed > 1 else ''}")
    return parsed
