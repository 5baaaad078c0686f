"""WebVTT captions (.vtt) from Zoom, Teams and others, read with webvtt-py."""

from __future__ import annotations

import io
import re
from pathlib import PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import decode_text, head_as_utf8
from qualcode.transcripts.importers.cues import cue_lines, turns_from_cues
from qualcode.transcripts.importers.labels import parse_time
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "vtt"
SUFFIXES = (".vtt",)
SIGNATURE_RE = re.compile(rb"^WEBVTT(?:[ \t\r\n]|$)")


def sniff(data: bytes) -> bool:
    """True if the text starts with the ``WEBVTT`` signature (any BOM allowed)."""
    return bool(SIGNATURE_RE.match(head_as_utf8(data, 64)))


def parse(data: bytes, source: str) -> ParsedTranscript:
    """Parse WebVTT captions into turns (voice tags and ``Name:`` prefixes name speakers)."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    text = decode_text(data, source)
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
    lines = []
    for caption in captions:
        lines.extend(cue_lines(caption.raw_text, parse_time(caption.start), parse_time(caption.end), unescape=True))
    turns = turns_from_cues(lines)
    if not turns:
        raise TranscriptImportError(
            f"all {len(captions)} cues are empty; there is no speech to import", file=source or None
        )
    return ParsedTranscript(turns, FORMAT, PurePath(source).stem or None, {"cues": str(len(captions))})
