"""WebVTT captions (.vtt) from Zoom, Teams and others, read with webvtt-py.

webvtt-py skips a cue whose timing line it cannot read, and its text with it; so
every line holding ``-->`` is checked first against the WebVTT timing format, and
the number of cues read must equal the number of timing lines.
"""

from __future__ import annotations

import io
import re

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import decode_clean_text, head_as_utf8
from qualcode.transcripts.importers.cues import cue_lines, parsed_from_cues
from qualcode.transcripts.importers.labels import parse_time
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "vtt"
SUFFIXES = (".vtt",)
SIGNATURE_RE = re.compile(rb"^WEBVTT(?:[ \t\r\n]|$)")
STAMP = r"(?:\d{2,3}:)?[0-5]\d:[0-5]\d\.\d{3}"
BLANK_LINES_RE = re.compile(r"\n[ \t]*\n")
OTHER_BLOCKS = ("NOTE", "STYLE", "REGION")
STRICT_TIMING_RE = re.compile(rf"^\s*{STAMP}[ \t]+-->[ \t]+{STAMP}(?:[ \t]+[^\n]*)?$")


def sniff(data: bytes) -> bool:
    """True if the text starts with the ``WEBVTT`` signature (any BOM allowed)."""
    return bool(SIGNATURE_RE.match(head_as_utf8(data, 64)))


def parse(data: bytes, source: str, speaker: str | None = None) -> ParsedTranscript:
    """Parse WebVTT captions into turns (voice tags and ``Name:`` prefixes name speakers)."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text, _, removed = decode_clean_text(data, source)
    if not SIGNATURE_RE.match(text[:16].encode("utf-8")):
        raise TranscriptImportError(
            "is not a WebVTT file: the first line must be 'WEBVTT'; check the export format",
            file=source or None,
        )
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except (MalformedFileError, MalformedCaptionError) as error:
        raise TranscriptImportError(
            f"is not valid WebVTT ({error}); export the captions again", file=source or None
        ) from None
    if not captions:
        raise TranscriptImportError(
            "contains no cues (no 'start --> end' timing lines); the recording's transcript is empty "
            "or was not exported",
            file=source or None,
        )
    _check_blocks(text.replace("\r\n", "\n").replace("\r", "\n"), source)
    _check_timings(text, len(captions), source)
    lines = []
    for caption in captions:
        lines.extend(cue_lines(caption.raw_text, parse_time(caption.start), parse_time(caption.end), unescape=True))
    return parsed_from_cues(lines, FORMAT, source, speaker, cues=len(captions), noun="cues", removed=removed)


def _check_blocks(text: str, source: str) -> None:
    """Every block after the header is a cue (has a timing line), a NOTE, STYLE or REGION.

    webvtt-py, as the WebVTT spec says, ignores any other block; for a transcript
    that would silently drop speech whose timing line was mangled.
    """
    line = 1
    for index, block in enumerate(BLANK_LINES_RE.split(text)):
        first = block.strip("\n").split("\n", 1)[0]
        if index and block.strip() and "-->" not in block and not first.startswith(OTHER_BLOCKS):
            where = line + len(block) - len(block.lstrip("\n"))
            raise TranscriptImportError(
                f"the block at line {where} has no timing line ('start --> end') and is not a NOTE; its text "
                "would be lost; fix the file or export the captions again",
                file=source or None,
            )
        line += block.count("\n") + 2


def _check_timings(text: str, cues: int, source: str) -> None:
    timings = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if "-->" not in line:
            continue
        if not STRICT_TIMING_RE.match(line):
            raise TranscriptImportError(
                f"line {number} is not a valid WebVTT timing line (expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm'); "
                "its cue would be lost; fix the file or export the captions again",
                file=source or None,
            )
        timings += 1
    if timings != cues:
        raise TranscriptImportError(
            f"has {timings} timing lines but only {cues} cues could be read; a cue is malformed or lacks the "
            "blank line before it; fix the file or export the captions again",
            file=source or None,
        )
