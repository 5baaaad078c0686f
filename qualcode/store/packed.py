"""The transcripts' text type: compressed on SQLite.

A coded project's SQLite store was mostly its transcripts' text (9.1 of 16.8 MiB for
200 interviews of 8,000 words, docs/performance.md). On SQLite a :class:`PackedText`
value is stored as a BLOB: the UTF-8 text compressed with zlib at level 1 (2.3× on
that corpus; 0.11 s of CPU per 9.5 MB on import, 0.04 s to read it all back), or as
text when packing would not make it smaller. It reads back as the same ``str``.
PostgreSQL keeps ``text``: it compresses long values itself (TOAST).

Stores written before migration 16 hold plain text: it is still read as stored, and
the migration packs it (``migrations._pack_transcript_texts``). SQL never looks inside
the column (``substr``, ``length`` or ``=`` would see compressed bytes on SQLite):
quote spans are cut in Python (store/quotes.py), an import compares texts by digest.
"""

from __future__ import annotations

import zlib
from typing import Any

from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from qualcode.errors import StoreError

LEVEL = 1
"""zlib's fastest level: 2.3× on the benchmark corpus against 2.7× at level 6, for a third of the CPU."""
MAX_PACKED_TEXT = 512 * 2**20
"""Texts longer than this (in UTF-8 bytes) are stored as text, so reading a packed value can be
bounded: a BLOB that inflates past it is refused, never inflated in full."""


def pack(text: str) -> bytes | str:
    """What SQLite stores for ``text``: its packed bytes, or the text when they are not smaller."""
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_PACKED_TEXT:
        return text
    packed = zlib.compress(encoded, LEVEL)
    return packed if len(packed) < len(encoded) else text


def unpack(value: bytes | str) -> str:
    """The text of a stored value (packed bytes or plain text)."""
    if isinstance(value, str):
        return value
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(value, MAX_PACKED_TEXT + 1)
    except zlib.error as error:
        raise StoreError(f"a stored transcript text cannot be unpacked ({error}): the store is damaged") from None
    if len(data) > MAX_PACKED_TEXT or not inflater.eof:
        raise StoreError(f"a stored transcript text does not unpack to at most {MAX_PACKED_TEXT // 2**20} MiB "
                         "of UTF-8: the store is damaged")
    return data.decode("utf-8")


class PackedText(TypeDecorator):
    """``Text``, stored on SQLite compressed (see the module). The column's declared type
    stays TEXT: SQLite keeps a BLOB in it as it is, so no table is rebuilt."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        if not isinstance(value, str):
            raise TypeError(f"a transcript text must be a str, got {type(value).__name__}")
        return pack(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name != "sqlite":
            return value
        return unpack(value)
