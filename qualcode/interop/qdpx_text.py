"""The pieces of a REFI-QDA export written as text rather than built as trees.

``qdpx_export`` writes each ``<TextSource>`` and the sidecar's entries as strings
(ElementTree's building and serialising and ``json.dumps``' per-call set-up were most of an
export's time, issue 21); these are the escaping, stamps, selection names and JSON values
it writes them with, each exactly what the library it stands in for would write
(``tests/interop/test_qdpx_text.py``).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from json.encoder import encode_basestring
from typing import IO
from xml.etree import ElementTree

from qualcode.interop.codebook_io import PROJECT_NS

NAME_CHARS = 60
NAME_SLICE = 2 * NAME_CHARS  # raw characters collapsed first for a selection's name (all if too few)
XMLNS = f' xmlns="{PROJECT_NS}"'.encode()
# ElementTree's escaping, as one str.translate pass.
TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"}
)
ESCAPED = re.compile('[&<>"\n\r\t]')  # most values have none of these: no translate pass
QUOTEATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def iso_stamp(value) -> str | None:
    """ISO 8601 with the value's own offset; a naive value (SQLite's, UTC) gets a Z."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat() if value.utcoffset() is not None else value.isoformat() + "Z"
    text = str(value)
    return text if ("+" in text[10:] or text.endswith("Z")) else text + "Z"


def xml_piece(element: ElementTree.Element, level: int) -> bytes:
    """One element serialised at ``level`` of the document, without its own xmlns."""
    ElementTree.indent(element, level=level)
    # Registered again each time: the .qdc writer registers "" for its own namespace.
    ElementTree.register_namespace("", PROJECT_NS)  # xmlns="..." rather than ns0: prefixes
    xml = ElementTree.tostring(element, encoding="utf-8")
    return b"\n" + b"  " * level + xml.replace(XMLNS, b"", 1)


def xml_attr(value: str) -> str:
    """A quoted attribute value, escaped as ElementTree escapes it."""
    return '"' + (value.translate(ATTRIBUTE_ESCAPES) if ESCAPED.search(value) else value) + '"'


def quote_attr(value: str) -> str:
    """``xml.sax.saxutils.quoteattr`` (whose module imports urllib, http and email: ~30 ms a run)."""
    value = value.translate(QUOTEATTR_ESCAPES)
    if '"' not in value:
        return f'"{value}"'
    return f"'{value}'" if "'" not in value else '"' + value.replace('"', "&quot;") + '"'


def xml_text(value: str) -> str:
    return value.translate(TEXT_ESCAPES)


def selection_name(text: str, start: int, end: int) -> str:
    """A selection's name: its text with whitespace runs as one space, cut to NAME_CHARS.

    Collapsing a prefix of the span gives a prefix of the collapsed span, so when the
    first NAME_SLICE characters already give more than NAME_CHARS, the rest is not read.
    """
    covered = " ".join(text[start : min(end, start + NAME_SLICE)].split())
    if len(covered) <= NAME_CHARS and end > start + NAME_SLICE:
        covered = " ".join(text[start:end].split())
    return covered if len(covered) <= NAME_CHARS else covered[: NAME_CHARS - 1] + "…"


# json.dumps(..., ensure_ascii=False) builds an encoder a call; an export calls it once a coding.
JSON = json.JSONEncoder(ensure_ascii=False)


def json_value(value: object) -> str:
    """One JSON value as ``JSON`` writes it, without its per-call set-up for the common types."""
    if value is None:
        return "null"
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is float and math.isfinite(value):
        return float.__repr__(value)
    return JSON.encode(value)


def json_member(spool: IO[bytes], key: str, value: dict) -> None:
    """Append ``"key": value`` to a JSON object being written piece by piece."""
    comma = b"," if spool.tell() else b""
    spool.write(comma + JSON.encode({key: value})[1:-1].encode("utf-8") + b"\n")


