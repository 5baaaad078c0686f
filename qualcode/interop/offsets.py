"""Position models of REFI-QDA selections, and the map into qualcode's normalised text.

A ``PlainTextSelection``'s ``startPosition``/``endPosition`` mean different things
in different tools (end exclusive everywhere):

``codepoints``
    Unicode code points of the text as stored in the file, a CRLF counting 2 — what
    the standard says, and what qualcode, QualCoder and f4 write.
``codepoints-lf``
    Code points with every line break counted as one (ATLAS.ti).
``utf16``
    UTF-16 code units, CRLF counting 2, the byte-order mark skipped (NVivo: .NET
    strings); an emoji counts 2.
``utf8``
    UTF-8 bytes (seen in ad-hoc converters).

:class:`PositionIndex` turns positions of one model into indices of the *raw* text
(decoded, BOM removed, line ends untouched); :func:`normalise_with_map` gives
qualcode's normalised text (``transcripts.model.normalise``) with the index of every
raw position in it, so a raw span ``[s, e)`` becomes ``[index[s], index[e])`` and
covers exactly the characters normalisation kept.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import accumulate

from qualcode.errors import InteropError
from qualcode.transcripts.model import normalise

MODELS: dict[str, str] = {
    "codepoints": "Unicode code points, CRLF = 2 (the REFI-QDA standard)",
    "codepoints-lf": "code points, each line break = 1 (ATLAS.ti)",
    "utf16": "UTF-16 code units, CRLF = 2, BOM skipped (NVivo)",
    "utf8": "UTF-8 bytes",
}
# Which model an exporter's ``origin`` attribute promises (first match wins).
ORIGIN_MODELS: tuple[tuple[str, str], ...] = (
    ("positions: utf16", "utf16"),  # qualcode exports made with --offsets utf16
    ("nvivo", "utf16"),
    ("atlas", "codepoints-lf"),
    ("qualcode", "codepoints"),
    ("qc ", "codepoints"),
    ("qualcoder", "codepoints"),
    ("maxqda", "codepoints"),
    ("f4", "codepoints"),
    ("taguette", "codepoints"),
)
DEFAULT_MODEL = "codepoints"
GLUE = frozenset("\u200d\u20e3") | {chr(c) for c in range(0xFE00, 0xFE10)} | {chr(c) for c in range(0x1F3FB, 0x1F400)}


def model_for_origin(origin: str | None) -> str:
    """The position model an exporter's ``origin`` implies.

    >>> model_for_origin("NVivo for Windows 12.6")
    'utf16'
    >>> model_for_origin("ATLAS.ti 23")
    'codepoints-lf'
    >>> model_for_origin(None)
    'codepoints'
    """
    text = (origin or "").casefold() + " "
    for marker, model in ORIGIN_MODELS:
        if re.search(rf"(?<![a-z0-9]){re.escape(marker)}", text):
            return model
    return DEFAULT_MODEL


def check_model(name: str) -> str:
    if name not in MODELS:
        raise InteropError(f"Unknown position model '{name}'; models: {', '.join(MODELS)}")
    return name


ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
NON_ASCII = re.compile("[^\x00-\x7f]")
CR_BEFORE_LF = re.compile("\r(?=\n)")


def _wide_characters(raw: str, model: str) -> list[tuple[int, int]]:
    """(raw index, width in the model's units) of every character not 1 unit wide."""
    if model == "utf16":
        return [(m.start(), 2) for m in ASTRAL.finditer(raw)]
    if model == "codepoints-lf":
        return [(m.start(), 0) for m in CR_BEFORE_LF.finditer(raw)]
    if model == "utf8":
        return [(m.start(), len(m.group().encode("utf-8", "surrogatepass"))) for m in NON_ASCII.finditer(raw)]
    return []


class PositionIndex:
    """Positions of one model in one raw text <-> code point indices of that text.

    Only the characters that are not one unit wide are stored (emoji for UTF-16,
    the CR of a CRLF for ``codepoints-lf``), so building an index is cheap.

    >>> index = PositionIndex("a😀b\\r\\nc", "utf16")
    >>> [index.to_raw(p) for p in range(7)]
    [0, 1, None, 2, 3, 4, 5]
    >>> index.from_raw(2), index.length
    (3, 7)
    """

    def __init__(self, raw: str, model: str) -> None:
        self.raw = raw
        self.model = check_model(model)
        wide = _wide_characters(raw, model)
        self._indices = [index for index, _ in wide]
        self._widths = [width for _, width in wide]
        self._extra = list(accumulate(width - 1 for width in self._widths))  # extra units up to and with j
        self._unit_starts = [index + (self._extra[j - 1] if j else 0) for j, index in enumerate(self._indices)]

    @property
    def length(self) -> int:
        """Length of the raw text in this model's units."""
        return self.from_raw(len(self.raw))

    def to_raw(self, position: int) -> int | None:
        """Raw index of a position, or None if outside the text or inside a character."""
        if position < 0:
            return None
        before = bisect.bisect_left(self._unit_starts, position)  # wide characters starting before
        if before:
            last = before - 1
            if position < self._unit_starts[last] + self._widths[last]:
                return None  # inside a surrogate pair or a multi-byte sequence
        index = position - (self._extra[before - 1] if before else 0)
        return index if index <= len(self.raw) else None

    def from_raw(self, index: int) -> int:
        """The position of raw index ``index`` in this model (for export)."""
        before = bisect.bisect_left(self._indices, index)
        return index + (self._extra[before - 1] if before else 0)


# -- normalisation with an index map ------------------------------------------------


def normalise_with_map(raw: str):
    """``normalise(raw)`` and the normalised index of every raw index ``0..len(raw)``.

    The map is a NumPy int32 array (4 bytes a character; a Python list of ints took
    about 40), so memory stays a small multiple of the transcript.

    >>> text, index = normalise_with_map("a\\r\\nb  \\r\\n")
    >>> text, index.tolist()
    ('a\\nb', [0, 1, 1, 2, 3, 3, 3, 3, 3])
    """
    import numpy as np

    if len(raw) >= 2**31 - 1:
        raise InteropError(f"a source of {len(raw):,} characters is too large to import")
    text, mapping = raw, None
    for step in (_line_ends, _nfc, _trailing_space, _outer_space):
        text, step_map = step(text)
        if step_map is not None:
            mapping = step_map if mapping is None else step_map[mapping]
    if text != normalise(raw):  # pragma: no cover - guards the mapping's assumptions
        raise InteropError("cannot map positions through text normalisation (unexpected Unicode layout)")
    return text, (np.arange(len(raw) + 1, dtype=np.int32) if mapping is None else mapping)


def _deleting(text: str, deleted: list[tuple[int, int]]):
    """Remove the sorted, disjoint ``[a, b)`` ranges; deleted indices map to the next kept one."""
    import numpy as np

    if not deleted:
        return text, None
    size = len(text) + 1
    starts = np.fromiter((a for a, _ in deleted), dtype=np.int64, count=len(deleted))
    ends = np.fromiter((b for _, b in deleted), dtype=np.int64, count=len(deleted))
    removed = np.zeros(size, dtype=np.int32)
    removed[ends] = (ends - starts).astype(np.int32)  # disjoint ranges: each end once
    mapping = np.arange(size, dtype=np.int32)
    mapping -= np.cumsum(removed, dtype=np.int32)  # a kept index moves back by what was removed before it
    del removed
    inside = np.zeros(size, dtype=np.int8)
    inside[starts] += 1
    inside[ends] -= 1
    mapping[np.cumsum(inside, dtype=np.int8) > 0] = np.iinfo(np.int32).max
    del inside
    mapping = np.minimum.accumulate(mapping[::-1])[::-1].copy()  # a deleted index takes the next kept one's
    kept, previous = [], 0
    for start, end in deleted:
        kept.append(text[previous:start])
        previous = end
    kept.append(text[previous:])
    return "".join(kept), mapping


def _line_ends(text: str):
    deleted = [(m.start(), m.start() + 1) for m in re.finditer(r"\r(?=\n)|\x00", text)]
    stripped, mapping = _deleting(text, deleted)
    return stripped.replace("\r", "\n"), mapping


def _trailing_space(text: str):
    return _deleting(text, [m.span() for m in re.finditer(r"[^\S\n]+(?=\n|\Z)", text)])


def _outer_space(text: str):
    deleted = [m.span() for m in re.finditer(r"\A\s+|\s+\Z", text) if m.end() > m.start()]
    return _deleting(text, deleted)


def _nfc(text: str):
    """NFC, composed chunk by chunk (a stable start and the characters that may join it).

    Only the chunks NFC changes are visited, found among the non-ASCII characters,
    so the map is built with array slices rather than a Python int per character.
    """
    import numpy as np

    if unicodedata.is_normalized("NFC", text):
        return text, None
    mapping = np.empty(len(text) + 1, dtype=np.int32)
    pieces: list[str] = []
    done = shift = 0
    for start, end in _changing_chunks(text):
        mapping[done:start] = np.arange(done + shift, start + shift, dtype=np.int32)
        pieces.append(text[done:start])
        chunk = text[start:end]
        composed = unicodedata.normalize("NFC", chunk)
        pieces.append(composed)
        if len(composed) == len(chunk):
            mapping[start:end] = np.arange(start + shift, end + shift, dtype=np.int32)
        else:  # a boundary inside a composed character snaps to its start
            mapping[start:end] = start + shift
        shift += len(composed) - len(chunk)
        done = end
    mapping[done:] = np.arange(done + shift, len(text) + 1 + shift, dtype=np.int32)
    pieces.append(text[done:])
    return "".join(pieces), mapping


def _changing_chunks(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every chunk NFC may change: a character joined by the ones after it,
    or one that NFC rewrites on its own. Every other character is a chunk NFC leaves alone."""
    chunks: list[tuple[int, int]] = []
    for match in NON_ASCII.finditer(text):
        index, char = match.start(), match.group()
        if index > 0 and not _stable_start(char):
            start = index - 1
            while start > 0 and not _stable_start(text[start]):
                start -= 1
        elif _nfc_changes(char):
            start = index
        else:
            continue
        end = index + 1
        while end < len(text) and not _stable_start(text[end]):
            end += 1
        if chunks and chunks[-1][0] == start:
            chunks[-1] = (start, max(end, chunks[-1][1]))
        else:
            chunks.append((start, end))
    return chunks


@lru_cache(maxsize=4096)
def _nfc_changes(char: str) -> bool:
    return unicodedata.normalize("NFC", char) != char


@lru_cache(maxsize=4096)
def _stable_start(char: str) -> bool:
    """True if NFC can never join ``char`` with what precedes it."""
    if char.isascii():
        return True
    first = unicodedata.normalize("NFD", char)[0]
    seconds = _composing_seconds()
    return (
        unicodedata.combining(char) == 0 and char not in seconds
        and unicodedata.combining(first) == 0 and first not in seconds
    )


@cache
def _composing_seconds() -> frozenset[str]:
    """Characters that can compose with a preceding one (2nd of a canonical pair, Hangul V/T)."""
    found = {chr(c) for c in range(0x1161, 0x1176)} | {chr(c) for c in range(0x11A8, 0x11C3)}
    for code in range(0x30000):
        decomposition = unicodedata.decomposition(chr(code))
        if decomposition and not decomposition.startswith("<"):
            parts = decomposition.split()
            if len(parts) == 2:
                found.add(chr(int(parts[1], 16)))
    return frozenset(found)


# -- confirming a model ------------------------------------------------------------------


def on_word_edge(text: str, index: int) -> bool:
    """True if a selection may start or end at ``index`` without cutting a word or a glyph.

    >>> on_word_edge("two words", 3), on_word_edge("two words", 2)
    (True, False)
    """
    if index <= 0 or index >= len(text):
        return 0 <= index <= len(text)
    before, after = text[index - 1], text[index]
    if after in GLUE or before == "\u200d" or unicodedata.combining(after):
        return False
    return not (_wordish(before) and _wordish(after))


def _wordish(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


LINE_NAME = re.compile(r"^line:(\d+)$")


def name_matches(raw: str, start: int, end: int, name: str) -> bool | None:
    """Does a selection's ``name`` agree with the text it covers? None if the name says nothing.

    Tools name selections by their text (possibly truncated) or, like QualCoder, by
    ``line:N`` (0-based line where the selection starts).
    """
    name = " ".join((name or "").split())
    if not name:
        return None
    line = LINE_NAME.match(name)
    if line:
        number = int(line.group(1))
        return start == 0 if number == 0 else raw.count("\n", 0, start) == number and raw[start - 1] == "\n"
    covered = " ".join(raw[start:end].split())
    if len(name) < 3 or not covered:
        return None
    short = name.rstrip(".…")
    return covered == name or covered.startswith(short) or name.startswith(covered)


@dataclass
class Fit:
    """How well one position model places a source's selections."""

    model: str
    selections: int = 0
    placed: int = 0  # inside the text and not inside a character
    edges_ok: int = 0  # selection starts/ends on word edges
    names_checked: int = 0
    names_ok: int = 0

    @property
    def score(self) -> int:
        return 3 * self.names_ok + self.edges_ok - 3 * (self.selections - self.placed)

    def describe(self) -> str:
        text = f"{self.edges_ok}/{2 * self.placed} edges on word boundaries"
        if self.selections != self.placed:
            text += f", {self.selections - self.placed} outside the text"
        if self.names_checked:
            text += f", {self.names_ok}/{self.names_checked} names match"
        return text


@dataclass
class ModelChoice:
    """The model used for one source, and why."""

    model: str
    expected: str
    reason: str
    confirmed: bool
    fits: dict[str, Fit] = field(default_factory=dict)


def measure_fit(raw: str, spans: list[tuple[int, int, str]], model: str) -> Fit:
    """Place every ``(start, end, name)`` with ``model`` and count what looks right."""
    index = PositionIndex(raw, model)
    fit = Fit(model, selections=len(spans))
    for start, end, name in spans:
        raw_start, raw_end = index.to_raw(start), index.to_raw(end)
        if raw_start is None or raw_end is None or raw_start > raw_end:
            continue
        fit.placed += 1
        fit.edges_ok += on_word_edge(raw, raw_start) + on_word_edge(raw, raw_end)
        verdict = name_matches(raw, raw_start, raw_end, name)
        if verdict is not None:
            fit.names_checked += 1
            fit.names_ok += verdict
    return fit


def choose_model(raw: str, spans: list[tuple[int, int, str]], origin: str | None, forced: str | None = None) -> ModelChoice:
    """The position model for one source: the origin's, unless another fits clearly better.

    ``forced`` (a model name) skips the choice but still measures the fit.
    """
    expected = check_model(forced) if forced else model_for_origin(origin)
    if not spans:
        return ModelChoice(expected, expected, f"{expected} (from origin; no selections to check)", False)
    fits = {model: measure_fit(raw, spans, model) for model in MODELS}
    best = max(fits.values(), key=lambda fit: (fit.score, fit.model == expected))
    if forced or best.score <= fits[expected].score:
        fit = fits[expected]
        confirmed = fit.placed == fit.selections and fit.edges_ok >= 0.9 * 2 * fit.placed and (
            fit.names_ok == fit.names_checked
        )
        how = "forced" if forced else "from origin"
        verdict = "confirmed" if confirmed else "not confirmed, no other model fits better"
        return ModelChoice(expected, expected, f"{expected} ({how}; {verdict}: {fit.describe()})", confirmed, fits)
    return ModelChoice(
        best.model, expected,
        f"{best.model} (origin suggests {expected}: {fits[expected].describe()}; "
        f"{best.model} fits better: {best.describe()})",
        best.placed == best.selections, fits,
    )
