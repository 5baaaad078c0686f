"""Decode the bytes of a plain-text transcript into ``str``.

Order of trust: a byte-order mark, then valid UTF-8, then UTF-16 recognised by its
pattern of NUL bytes, then charset-normalizer as a detector. Transcripts are mostly
Western-European, and charset-normalizer tends to guess ``cp1250`` or ``mac_iceland``
for short Windows-1252 files; so when its best guess reads as Latin script we decode
with ``cp1252`` instead, and keep its guess only for other scripts (Cyrillic, Greek...).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from typing import TypeAlias

from qualcode.errors import TranscriptImportError

# Longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
SAMPLE_SIZE = 64 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# What a file may start with that is not to be read as UTF-8 as it stands.
_SIGNATURES = (*(bom for bom, _ in BOMS), OLE2_MAGIC, ZIP_MAGIC)
# Control bytes that do occur in text files: tab, LF, VT, FF, CR, and the DOS EOF mark.
TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1a")
CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in TEXT_CONTROLS)
CONTROL_CHARS = CONTROL_BYTES.decode("ascii")
CONTROL_TABLE = dict.fromkeys(map(ord, CONTROL_CHARS))
CONTROL_RE = re.compile("[" + re.escape(CONTROL_CHARS) + "]")
MAX_CONTROL_RATIO = 0.01
MAX_HIGH_BYTE_SHARE = 0.2  # of letters; Western-European text stays far below, CJK and Cyrillic far above
STRAY_CONTROLS = 4  # a few stray NULs/controls in a short text file are tolerated (normalise drops NULs)
# What is decoded: file bytes, or a zip entry inflated into one bytearray (not copied to bytes).
Data: TypeAlias = bytes | bytearray


def decode_text(data: Data, source: str = "") -> str:
    """Decode transcript bytes, guessing the encoding.

    Parameters
    ----------
    data:
        The file's bytes.
    source:
        The file name, used in error messages.

    Returns
    -------
    str
        The decoded text, without any byte-order mark (line ends untouched).

    Raises
    ------
    TranscriptImportError
        If the bytes are binary rather than text, or contradict their byte-order mark.
    """
    text, _ = decode_text_with_encoding(data, source)
    return text


def _too_many_controls(controls: int, size: int) -> bool:
    return controls > max(MAX_CONTROL_RATIO * size, STRAY_CONTROLS)


def decode_text_with_encoding(data: Data, source: str = "") -> tuple[str, str]:
    """Like :func:`decode_text`, and also return the name of the encoding used."""
    _reject_signatures(data, source)
    for bom, encoding in BOMS:
        if data.startswith(bom):
            label = "utf-8-sig" if bom == codecs.BOM_UTF8 else encoding
            reason = f"starts with a {label} byte-order mark"
            return _decode_strict(data[len(bom) :], encoding, source, reason), label
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _reject_control_characters(text, source)
        return text, "utf-8"
    utf16 = guess_utf16_without_bom(data)
    if utf16:
        return _decode_strict(data, utf16, source, f"looks like {utf16} (no byte-order mark)"), utf16
    reject_binary(data, source)
    text, encoding = _detect_single_byte(data, source)
    _reject_control_characters(text, source)
    return text, encoding


def decode_clean_text(data: Data, source: str = "") -> tuple[str, str, int]:
    """:func:`decode_text_with_encoding`, then :func:`strip_controls`: the text without
    stray control characters, its encoding, and how many were removed.

    The usual transcript, UTF-8 without a byte-order mark and without a control byte, is
    decoded and scanned by neither regex (two passes over the text, ~15 % of a .txt
    import): in UTF-8 an ASCII byte only ever stands for itself, so no control byte
    means no control character, and counting them in the bytes is a C loop.
    """
    if not data.startswith(_SIGNATURES) and not _control_count(data):
        try:
            return data.decode("utf-8"), "utf-8", 0
        except UnicodeDecodeError:
            pass  # then as always: UTF-16 without a mark, a single-byte code page, or refused
    text, encoding = decode_text_with_encoding(data, source)
    text, removed = strip_controls(text)
    return text, encoding, removed


def _decode_strict(data: Data, encoding: str, source: str, reason: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise TranscriptImportError(
            f"the file {reason} but byte {error.start} is not valid {encoding}; save it again as UTF-8 text",
            file=source or None,
        ) from None
    _reject_control_characters(text, source)
    return text


def head_as_utf8(data: bytes, size: int = 2048) -> bytes:
    """The first ``size`` bytes re-encoded as UTF-8 (BOM dropped), for sniffing signatures."""
    head = data[:size]
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="ignore").encode("utf-8")
    utf16 = guess_utf16_without_bom(head)
    return head.decode(utf16, errors="ignore").encode("utf-8") if utf16 else head


def looks_like_text(data: bytes) -> bool:
    """True unless the bytes are binary: a BOM or UTF-16 pattern, or few control bytes."""
    if any(data.startswith(bom) for bom, _ in BOMS) or guess_utf16_without_bom(data):
        return True
    sample = data[:SAMPLE_SIZE]
    return bool(sample) and not _too_many_controls(_control_count(sample), len(sample))


def _control_count(sample: Data) -> int:
    return len(sample) - len(sample.translate(None, CONTROL_BYTES))


def guess_utf16_without_bom(data: Data) -> str | None:
    """Return ``"utf-16-le"``/``"utf-16-be"`` if the NUL bytes fall on one parity, as in mostly-ASCII UTF-16."""
    sample = data[:SAMPLE_SIZE]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def reject_binary(data: Data, source: str = "") -> None:
    """Raise if the bytes look like a binary file (too many NUL/control bytes)."""
    _reject_signatures(data, source)
    sample = data[:SAMPLE_SIZE]
    controls = _control_count(sample)
    if sample and _too_many_controls(controls, len(sample)):
        raise TranscriptImportError(
            f"contains binary data ({controls} control bytes in the first {len(sample)}), not text; "
            "export the transcript as .txt (UTF-8), .docx, .vtt or .srt",
            file=source or None,
        )


def _reject_signatures(data: Data, source: str) -> None:
    if data.startswith(ZIP_MAGIC):
        raise TranscriptImportError(
            "is a ZIP package (probably a Word .docx), not text; rename it to .docx if it is a Word file",
            file=source or None,
        )
    if data.startswith(OLE2_MAGIC):
        raise TranscriptImportError(
            "is a legacy Microsoft Office file (probably a Word .doc), not text; "
            "open it in Word or LibreOffice and save it as .docx",
            file=source or None,
        )


def _reject_control_characters(text: str, source: str) -> None:
    """Refuse text with binary data anywhere: every 64 K-character window is checked,
    not only the first (a text file with a binary blob after 64 KB is still binary)."""
    for offset in range(0, len(text), SAMPLE_SIZE):
        sample = text[offset : offset + SAMPLE_SIZE]
        controls = count_controls(sample)
        if _too_many_controls(controls, len(sample)):
            where = f"the first {len(sample)}" if not offset else f"characters {offset + 1}-{offset + len(sample)}"
            raise TranscriptImportError(
                f"contains binary data ({controls} control characters in {where}), not text; "
                "export the transcript as .txt (UTF-8), .docx, .vtt or .srt",
                file=source or None,
            )


def count_controls(text: str) -> int:
    """How many stray control characters ``text`` holds. A regex scan, not
    ``str.translate`` with a dict (a dict look-up per character: 15 % of a .txt import)."""
    return len(CONTROL_RE.findall(text))


def strip_controls(text: str) -> tuple[str, int]:
    """The text without stray control characters (NUL, BEL, ESC...), and how many were removed.

    A few stray controls in a text file are tolerated on import (too many are refused
    as binary), but none is stored: they would show as garbage in the coding screen
    and in exported quotes.
    """
    if not CONTROL_RE.search(text):  # the usual case: no second copy of the text
        return text, 0
    cleaned = text.translate(CONTROL_TABLE)
    return cleaned, len(text) - len(cleaned)


def _detect_single_byte(data: Data, source: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise TranscriptImportError(
            "is not text in any encoding recognised (not UTF-8, UTF-16 or a single-byte code page); "
            "save it again as UTF-8 text",
            file=source or None,
        )
    guessed = str(best)
    if is_latin_script(guessed) or _mostly_ascii_letters(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return guessed, best.encoding


def _mostly_ascii_letters(data: Data) -> bool:
    """True when high bytes are the odd accented letter among ASCII words (Western text).

    A short cp1252 file with two accented letters reads as Big5 or GBK to the
    detector ("Áaa" became "縱a"); but in CJK and Cyrillic single- or multi-byte text
    nearly every letter is a high byte, so the share of high bytes tells them apart.
    """
    high = sum(1 for byte in data if byte >= 0x80)
    ascii_letters = sum(1 for byte in data if 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A)
    return high <= MAX_HIGH_BYTE_SHARE * (high + ascii_letters)


def is_latin_script(text: str) -> bool:
    """True if every non-ASCII letter in ``text`` is a Latin letter."""
    for char in set(text):
        if char > "\x7f" and char.isalpha() and not unicodedata.name(char, "").startswith("LATIN"):
            return False
    return True
