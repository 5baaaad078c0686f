"""Shape-checking ``qualcode/project.json``, the sidecar of a qualcode .qdpx.

The sidecar comes from a file, so nothing in it is trusted: every field the import
reads is checked for its type here, before the plan uses it, and any wrong type is
one error line naming the field (never a traceback, never the transcript's text).
A sidecar that is not JSON at all is ignored, as before: it only costs exactness.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

from qualcode.errors import InteropError, shown

SIDECAR_FORMAT = 1
ORIGIN = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")  # codings.origin is VARCHAR(20)
SEGMENT_TYPES: tuple[type | tuple[type, ...], ...] = (int, str, bool, int, int, (int, float, type(None)), (int, float, type(None)))
TRANSCRIPT_STRINGS = ("id", "title", "role", "site", "format", "source_path", "sha256", "text_sha256")
REQUIRED_TRANSCRIPT_STRINGS = ("role", "text_sha256")
CODING_STRINGS = ("origin", "created_at", "updated_at")


def check_sidecar(document: object, label: str) -> dict | None:
    """``document`` if it is a well-formed format-1 sidecar; None if it is not a sidecar at all."""
    if not isinstance(document, dict) or document.get("format") != SIDECAR_FORMAT:
        return None
    checker = _Checker(label)
    checker.optional(document, "project", str, "project")
    checker.optional(document, "offsets", str, "offsets")
    book = checker.optional(document, "codebook", dict, "codebook") or {}
    checker.optional(book, "file", str, "codebook.file")
    checker.optional(book, "text", str, "codebook.text")
    for guid, entry in checker.mapping(document, "transcripts").items():
        checker.transcript(guid, entry)
    for guid, entry in checker.mapping(document, "codings").items():
        where = f"codings[{_short(guid)}]"
        checker.kind(entry, dict, where)
        for key in CODING_STRINGS:
            checker.optional(entry, key, str, f"{where}.{key}")
        confidence = checker.optional(entry, "confidence", (int, float), f"{where}.confidence", no_bool=True)
        if confidence is not None and not 0 <= confidence <= 1:  # NaN fails too
            checker.fail(f"{where}.confidence", "a number from 0 to 1", confidence)
        origin = entry.get("origin")
        if origin is not None and not ORIGIN.match(origin):
            checker.fail(f"{where}.origin", "a lower-case word of at most 20 letters (manual, rules, model...)", origin)
    return document


class _Checker:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, where: str, expected: str, value: object) -> NoReturn:
        raise InteropError(
            f"qualcode/project.json: {where} must be {expected}, got {_kind(value)}; nothing was imported",
            file=self.label,
        )

    def kind(self, value, types, where: str, *, no_bool: bool = False) -> Any:  # checked JSON
        if not isinstance(value, types) or (no_bool and isinstance(value, bool)):
            self.fail(where, _names(types), value)
        return value

    def optional(self, parent: dict, key: str, types, where: str, *, no_bool: bool = False) -> Any:
        value = parent.get(key)
        return None if value is None else self.kind(value, types, where, no_bool=no_bool)

    def mapping(self, parent: dict, key: str) -> dict:
        return self.optional(parent, key, dict, key) or {}

    def transcript(self, guid: str, entry: Any) -> None:
        where = f"transcripts[{_short(guid)}]"
        self.kind(entry, dict, where)
        for key in TRANSCRIPT_STRINGS:
            self.optional(entry, key, str, f"{where}.{key}")
        for key in REQUIRED_TRANSCRIPT_STRINGS:
            self.kind(entry.get(key), str, f"{where}.{key}")
        attributes = self.optional(entry, "attributes", dict, f"{where}.attributes") or {}
        for name, value in attributes.items():
            self.kind(value, (str, int, float), f"{where}.attributes[{_short(name)}]")
        segments = self.optional(entry, "segments", list, f"{where}.segments") or []
        for number, row in enumerate(segments, start=1):
            self.segment(row, f"{where}.segments[{number}]")

    def segment(self, row: object, where: str) -> None:
        if not isinstance(row, list) or len(row) != len(SEGMENT_TYPES):
            self.fail(where, "a list of 7 values [ordinal, speaker, is_interviewer, start, end, start_time, end_time]", row)
        for value, types in zip(row, SEGMENT_TYPES, strict=True):
            if types is int and isinstance(value, bool) or not isinstance(value, types):
                self.fail(where, "[int, str, bool, int, int, number|null, number|null]", row)


def _names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    words = {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list",
             bool: "true/false", type(None): "null"}
    return " or ".join(dict.fromkeys(words[t] for t in types))


def _kind(value: object) -> str:
    """What was received, without echoing its content (it may be transcript text)."""
    names = {str: "a string", int: "an integer", float: "a number", dict: "an object", list: "a list",
             bool: "true/false", type(None): "null"}
    kind = names.get(type(value), type(value).__name__)
    if isinstance(value, list | dict | str):
        kind += f" of length {len(value)}"
    return kind


def _short(key: object) -> str:
    return shown(key, 40)
