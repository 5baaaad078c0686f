"""SubRip subtitles (.srt), read with the ``srt`` package.

The package is lenient where a transcript must not be: it reads ``00:00:04,1234``
as 5.234 s, overflows on a timestamp with twenty digits, and a block whose timing
line is malformed becomes part of the previous subtitle's text. So every line
holding ``-->`` is checked first against the SubRip timing format, and a subtitle
whose text still holds one is refused.
"""

from __future__ import annotations

import re

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import decode_clean_text, head_as_utf8
from qualcode.transcripts.importers.cues import cue_lines, parsed_from_cues
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "srt"
SUFFIXES = (".srt",)
TIMING_RE = re.compile(rb"^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.MULTILINE)
STAMP = r"\d{1,3}:[0-5]\d:[0-5]\d[,.]\d{1,3}"
STRICT_TIMING_RE = re.compile(rf"^\s*{STAMP}\s*-->\s*{STAMP}(?:\s+[^\n]*)?\s*$")
EXPECTED = "expected 'HH:MM:SS,mmm --> HH:MM:SS,mmm'"


def sniff(data: bytes) -> bool:
    """True if a SubRip timing line (``00:00:01,000 --> ...``) appears near the start."""
    return bool(TIMING_RE.search(head_as_utf8(data)))


def parse(data: bytes, source: str, speaker: str | None = None) -> ParsedTranscript:
    """Parse SubRip subtitles into turns (``Name:`` prefixes name speakers)."""
    text, _, removed = decode_clean_text(data, source)
    timings = _check_timings(text, source)
    subtitles = _subtitles(text, source)
    if len(subtitles) != timings:
        raise TranscriptImportError(
            f"has {timings} timing lines but only {len(subtitles)} subtitles could be read; a block is malformed; "
            "fix the file or export the subtitles again",
            file=source or None,
        )
    lines = []
    for subtitle in subtitles:
        if "-->" in subtitle.content:
            raise TranscriptImportError(
                f"subtitle {subtitle.index} holds a timing line ('-->') in its text: a block is malformed or "
                "lacks the blank line before it; fix the file or export the subtitles again",
                file=source or None,
            )
        start, end = subtitle.start.total_seconds(), subtitle.end.total_seconds()
        lines.extend(cue_lines(subtitle.content, start, end, unescape=False))
    return parsed_from_cues(lines, FORMAT, source, speaker, cues=len(subtitles), noun="subtitles", removed=removed)


def _check_timings(text: str, source: str) -> int:
    """The number of timing lines, after checking each (a malformed one would lose its block)."""
    timings = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if "-->" not in line:
            continue
        timings += 1
        if not STRICT_TIMING_RE.match(line):
            raise TranscriptImportError(
                f"line {number} is not a valid SubRip timing line ({EXPECTED}, at most 3 digits of "
                "milliseconds); fix the file or export the subtitles again",
                file=source or None,
            )
    return timings


def _subtitles(text: str, source: str) -> list:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        line = text.count("\n", 0, error.expected_start) + 1
        raise TranscriptImportError(  # the unmatched content is transcript text: not echoed
            f"is not valid SubRip: the block at line {line} is not 'number, timing line, text'; "
            "export the subtitles again",
            file=source or None,
        ) from None
    except (OverflowError, ValueError):
        raise TranscriptImportError(
            f"is not valid SubRip: a timestamp is out of range ({EXPECTED}); export the subtitles again",
            file=source or None,
        ) from None
    if not subtitles:
        raise TranscriptImportError(
            "contains no subtitles (no 'start --> end' timing lines); there is nothing to import",
            file=source or None,
        )
    return subtitles
