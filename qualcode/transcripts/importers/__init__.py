"""Transcript importers: one module per file format behind the ``IMPORTERS`` registry.

>>> sorted(IMPORTERS)
['docx', 'srt', 'text', 'vtt']

:func:`parse_file` picks the importer by the file's suffix, confirms it by sniffing
the content, and turns every problem into a one-line :class:`TranscriptImportError`
saying what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import BOMS, reject_binary
from qualcode.transcripts.importers import subrip, text, vtt, word
from qualcode.transcripts.model import ParsedTranscript


@dataclass(frozen=True)
class Importer:
    """One transcript format: the suffixes it claims, a content sniffer and a parser."""

    name: str
    description: str
    suffixes: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    parse: Callable[..., ParsedTranscript]  # (data, file name, speaker=None)


IMPORTERS: dict[str, Importer] = {
    "docx": Importer("docx", "a Word document", word.SUFFIXES, word.sniff, word.parse),
    "text": Importer("text", "plain text", text.SUFFIXES, text.sniff, text.parse),
    "vtt": Importer("vtt", "WebVTT captions", vtt.SUFFIXES, vtt.sniff, vtt.parse),
    "srt": Importer("srt", "SubRip subtitles", subrip.SUFFIXES, subrip.sniff, subrip.parse),
}
# Most specific signature first: a .vtt or .srt file is also plain text.
SNIFF_ORDER = ("docx", "vtt", "srt", "text")


def allowed_suffixes() -> list[str]:
    """Every suffix some importer claims, sorted."""
    return sorted(suffix for importer in IMPORTERS.values() for suffix in importer.suffixes)


def importer_for(name: str) -> Importer:
    """The importer claiming ``name``'s suffix (case-insensitive).

    Raises
    ------
    TranscriptImportError
        If no importer claims the suffix; the message lists the allowed ones.
    """
    suffix = PurePath(name).suffix.lower()
    for importer in IMPORTERS.values():
        if suffix in importer.suffixes:
            return importer
    shown = f"'{suffix}'" if suffix else "no suffix"
    raise TranscriptImportError(
        f"has {shown}, not a transcript format qualcode reads; allowed suffixes: {', '.join(allowed_suffixes())}",
        file=name,
    )


def detect_format(data: bytes) -> str | None:
    """The format the content looks like (``"docx"``, ``"vtt"``, ``"srt"``, ``"text"``), or None if binary."""
    for name in SNIFF_ORDER:
        if IMPORTERS[name].sniff(data):
            return name
    return None


def parse_bytes(data: bytes, name: str, speaker: str | None = None) -> ParsedTranscript:
    """Parse a transcript's bytes; ``name`` (a file name) chooses the format and labels messages.

    ``speaker`` imports a document without speaker labels as that one speaker's
    text, a turn per paragraph (field notes, written statements); a document that
    has labels is then refused.

    Raises
    ------
    TranscriptImportError
        For an unknown suffix, an empty file, content that is not what the suffix
        says, or content the importer cannot read.
    """
    importer = importer_for(name)
    _reject_empty(data, name)
    detected = detect_format(data)
    if detected != importer.name:
        _raise_mismatch(importer, detected, data, name)
    return importer.parse(data, name, speaker=speaker)


def parse_file(path: Path, speaker: str | None = None) -> ParsedTranscript:
    """Read and parse one transcript file (see :func:`parse_bytes`)."""
    path = Path(path)
    importer_for(str(path))
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TranscriptImportError("does not exist; check the path", file=str(path)) from None
    except IsADirectoryError:
        raise TranscriptImportError("is a directory; give the transcript files inside it", file=str(path)) from None
    except OSError as error:
        raise TranscriptImportError(f"cannot be read ({error.strerror})", file=str(path)) from None
    return parse_bytes(data, str(path), speaker)


def _reject_empty(data: bytes, name: str) -> None:
    content = data
    for bom, _ in BOMS:
        if content.startswith(bom):
            content = content[len(bom) :]
            break
    blank = b" \t\r\n\x00\x0b\x0c"
    if not content[:4096].strip(blank) and not content.strip(blank):
        what = "is empty (0 bytes)" if not data else "contains only whitespace"
        raise TranscriptImportError(f"{what}; export or save the transcript again", file=name)


def _raise_mismatch(importer: Importer, detected: str | None, data: bytes, name: str) -> None:
    if importer.name == "docx" and detected is None:
        word.open_package(data, name)  # raises the precise legacy-.doc / not-a-package message
    if detected is None:
        reject_binary(data, name)
        raise TranscriptImportError(f"is not {importer.description}", file=name)
    actual = IMPORTERS[detected]
    if importer.name in ("vtt", "srt") and detected == "text":
        missing = (
            "it does not start with a 'WEBVTT' line"
            if importer.name == "vtt"
            else "it has no '00:00:01,000 --> 00:00:04,000' timing lines"
        )
        raise TranscriptImportError(f"is not {importer.description}: {missing}; check the export format", file=name)
    suffix = PurePath(name).suffix.lower()
    raise TranscriptImportError(
        f"is named {suffix} but contains {actual.description}; rename it to {actual.suffixes[0]}", file=name
    )
