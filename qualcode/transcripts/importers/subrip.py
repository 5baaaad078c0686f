"""SubRip subtitles (.srt), read with the ``srt`` package."""

from __future__ import annotations

import re
from pathlib import PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import decode_text, head_as_utf8
from qualcode.transcripts.importers.cues import cue_lines, turns_from_cues
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "srt"
SUFFIXES = (".srt",)
TIMING_RE = re.compile(rb"^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.MULTILINE)


def sniff(data: bytes) -> bool:
    """True if a SubRip timing line (``00:00:01,000 --> ...``) appears near the start."""
    return bool(TIMING_RE.search(head_as_utf8(data)))


def parse(data: bytes, source: str) -> ParsedTranscript:
    """Parse SubRip subtitles into turns (``Name:`` prefixes name speakers)."""
    import srt

    text = decode_text(data, source)
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        raise TranscriptImportError(
            f"is not valid SubRip: {_first_line(str(error))}; export the subtitles again",
            file=source or None,
        ) from None
    if not subtitles:
        raise TranscriptImportError(
            "contains no subtitles (no 'start --> end' timing lines); there is nothing to import",
            file=source or None,
        )
    lines = []
    for subtitle in subtitles:
        start, end = subtitle.start.total_seconds(), subtitle.end.total_seconds()
        lines.extend(cue_lines(subtitle.content, start, end, unescape=False))
    turns = turns_from_cues(lines)
    if not turns:
        raise TranscriptImportError(
            f"all {len(subtitles)} subtitles are empty; there is no speech to import", file=source or None
        )
    return ParsedTranscript(turns, FORMAT, PurePath(source).stem or None, {"cues": str(len(subtitles))})


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unreadable"
