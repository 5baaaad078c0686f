"""Plain-text and Markdown transcripts (.txt, .md).

Recognises ``Name: text``, ``**Name:** text``, ``I:``/``R:``, ``Q:``/``A:``,
``[00:01:02] NAME: text``, Otter's ``Speaker 2  0:34`` header lines and Rev's
``Name (00:20:12):`` labels; see :mod:`qualcode.transcripts.importers.labels`.
Text before the first label is kept as the preamble. A document without labels
(field notes, a written statement) is imported only with ``speaker`` given: one
turn per paragraph, all by that speaker.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import (
    decode_clean_text,
    looks_like_text,
)
from qualcode.transcripts.importers.labels import (
    Line,
    accepted_from_forms,
    assemble_turns,
    count_forms,
    monologue,
    refuse_labels_with_speaker,
    split_lines,
)
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "text"
SUFFIXES = (".txt", ".md")
MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
LABEL_STYLES = "'Name: text', '**Name:** text', 'I:'/'R:', '[00:01:02] NAME:', 'Speaker 2  0:34' or 'Name (00:20:12):'"
PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")


def sniff(data: bytes) -> bool:
    """True unless the bytes are binary."""
    return looks_like_text(data)


def parse(data: bytes, source: str, speaker: str | None = None) -> ParsedTranscript:
    """Parse a plain-text or Markdown transcript (``speaker``: see the module docstring)."""
    text, encoding, removed = decode_clean_text(data, source)
    # Memory: two passes over the lines, one at a time (labels first, then turns), so a
    # long transcript is held as its text and its turns, never as a list of lines too.
    forms, line_count = count_forms(split_lines(text))
    lines = (Line(raw) for raw in split_lines(text))
    # Plain text is often hard-wrapped: a line break inside a paragraph is layout, so
    # wrapped lines join with a space; a blank line keeps its paragraph break.
    assembly = assemble_turns(lines, joiner=" ", repeat_joiner="\n", accepted=accepted_from_forms(forms))
    metadata = {"encoding": encoding}
    stem = PurePath(source).stem or None
    if speaker is not None:
        refuse_labels_with_speaker(assembly, source)
        paragraphs = [" ".join(part.split()) for part in PARAGRAPH_BREAK_RE.split(text.replace("\r\n", "\n"))]
        parsed = ParsedTranscript(monologue(speaker, paragraphs, source), FORMAT, stem, metadata)
    elif not assembly.turns:
        raise TranscriptImportError(
            f"no speaker labels found in {line_count} lines; start each turn with a label such as {LABEL_STYLES}, "
            "or pass --speaker NAME to import it as one speaker's text (a turn per paragraph)",
            file=source or None,
        )
    else:
        title = _markdown_title(assembly.preamble) or stem
        parsed = ParsedTranscript(assembly.turns, FORMAT, title, metadata, assembly.preamble_text, assembly.notes())
    if removed:
        parsed.notes.append(f"removed {removed} control character{'s' if removed > 1 else ''}")
    return parsed


def _markdown_title(preamble: list[Line]) -> str | None:
    for line in preamble:
        match = MARKDOWN_HEADING_RE.match(line.text.strip())
        if match:
            return match.group(1)
    return None
