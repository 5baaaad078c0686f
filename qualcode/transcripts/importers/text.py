"""Plain-text and Markdown transcripts (.txt, .md).

Recognises ``Name: text``, ``**Name:** text``, ``I:``/``R:``, ``Q:``/``A:``,
``[00:01:02] NAME: text``, Otter's ``Speaker 2  0:34`` header lines and Rev's
``Name (00:20:12):`` labels; see :mod:`qualcode.transcripts.importers.labels`.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import decode_text_with_encoding, looks_like_text
from qualcode.transcripts.importers.labels import Line, assemble_turns
from qualcode.transcripts.model import ParsedTranscript

FORMAT = "text"
SUFFIXES = (".txt", ".md")
MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
LABEL_STYLES = "'Name: text', '**Name:** text', 'I:'/'R:', '[00:01:02] NAME:', 'Speaker 2  0:34' or 'Name (00:20:12):'"


def sniff(data: bytes) -> bool:
    """True unless the bytes are binary."""
    return looks_like_text(data)


def parse(data: bytes, source: str) -> ParsedTranscript:
    """Parse a plain-text or Markdown transcript."""
    text, encoding = decode_text_with_encoding(data, source)
    lines = [Line(raw) for raw in text.splitlines()]
    # Plain text is often hard-wrapped: a line break inside a paragraph is layout, so
    # wrapped lines join with a space; a blank line keeps its paragraph break.
    assembly = assemble_turns(lines, joiner=" ", repeat_joiner="\n")
    if not assembly.turns:
        raise TranscriptImportError(
            f"no speaker labels found in {len(lines)} lines; start each turn with a label such as {LABEL_STYLES}",
            file=source or None,
        )
    title = _markdown_title(assembly.preamble) or PurePath(source).stem or None
    metadata = {"encoding": encoding}
    preamble = "\n".join(line.text.strip() for line in assembly.preamble)
    if preamble:
        metadata["preamble"] = preamble
    return ParsedTranscript(assembly.turns, FORMAT, title, metadata)


def _markdown_title(preamble: list[Line]) -> str | None:
    for line in preamble:
        match = MARKDOWN_HEADING_RE.match(line.text.strip())
        if match:
            return match.group(1)
    return None
