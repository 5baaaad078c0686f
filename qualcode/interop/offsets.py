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

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from qualcode.errors import InteropError

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
UTF8_BLOCK = 4096  # characters between the UTF-8 model's checkpoints


class PositionIndex:
    """Positions of one model in one raw text <-> code point indices of that text.

    Memory stays a few numbers per *exception*, not per character: ``utf16`` and
    ``codepoints-lf`` keep the raw index of each character that is not one unit wide
    (an emoji, the CR of a CRLF) in a NumPy array; ``utf8``, where every non-ASCII
    character is wider (a Cyrillic transcript: all of them), keeps the byte count at
    every ``UTF8_BLOCK``-th character and encodes one block per lookup.

    >>> index = PositionIndex("a😀b\\r\\nc", "utf16")
    >>> [index.to_raw(p) for p in range(7)]
    [0, 1, None, 2, 3, 4, 5]
    >>> index.from_raw(2), index.length
    (3, 7)
    """

    def __init__(self, raw: str, model: str) -> None:
        self.raw = raw
        self.model = check_model(model)
        # Code points (the default) are the raw indices themselves: no lookups, and no
        # NumPy to import (an export of 200 transcripts looked up 55,000 positions).
        # So are UTF-16 units and ATLAS.ti's code points in a text with no emoji or CRLF (the
        # usual transcript), so those are looked for first.
        pattern, width = {"utf16": (ASTRAL, 2), "codepoints-lf": (CR_BEFORE_LF, 0)}.get(model, (None, 1))
        found = [m.start() for m in pattern.finditer(raw)] if pattern is not None else []
        self._same = model == "codepoints" or (model != "utf8" and not found)
        if self._same:
            return
        import numpy as np

        if model == "utf8":
            sizes = [len(raw[i : i + UTF8_BLOCK].encode("utf-8", "surrogatepass")) for i in range(0, len(raw), UTF8_BLOCK)]
            self._block_units = np.concatenate(([0], np.cumsum(np.array(sizes, dtype=np.int64))))
            return
        self._indices = np.array(found, dtype=np.int64)
        self._width = width
        self._extra = np.arange(1, len(self._indices) + 1, dtype=np.int64) * (width - 1)  # extra units up to and with j
        self._unit_starts = self._indices + np.concatenate(([0], self._extra[:-1]))

    @property
    def length(self) -> int:
        """Length of the raw text in this model's units."""
        return self.from_raw(len(self.raw))

    def to_raw(self, position: int) -> int | None:
        """Raw index of a position, or None if outside the text or inside a character."""

        if position < 0:
            return None
        if self._same:
            return position if position <= len(self.raw) else None
        if self.model == "utf8":
            return self._utf8_to_raw(position)
        import numpy as np

        before = int(np.searchsorted(self._unit_starts, position, side="left"))  # wide characters starting before
        if before and position < int(self._unit_starts[before - 1]) + self._width:
            return None  # inside a surrogate pair
        index = position - (int(self._extra[before - 1]) if before else 0)
        return index if index <= len(self.raw) else None

    def from_raw(self, index: int) -> int:
        """The position of raw index ``index`` in this model (for export)."""
        if self._same:
            return index
        import numpy as np

        if self.model == "utf8":
            block = index // UTF8_BLOCK
            start = block * UTF8_BLOCK
            return int(self._block_units[block]) + len(self.raw[start:index].encode("utf-8", "surrogatepass"))
        before = int(np.searchsorted(self._indices, index, side="left"))
        return index + (int(self._extra[before - 1]) if before else 0)

    def _utf8_to_raw(self, position: int) -> int | None:
        import numpy as np

        block = int(np.searchsorted(self._block_units, position, side="right")) - 1
        if block >= len(self._block_units) - 1:  # at or past the end
            return len(self.raw) if position == int(self._block_units[-1]) else None
        start = block * UTF8_BLOCK
        encoded = self.raw[start : start + UTF8_BLOCK].encode("utf-8", "surrogatepass")
        try:
            return start + len(encoded[: position - int(self._block_units[block])].decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:
            return None  # inside a multi-byte sequence


# -- normalisation with an index map ------------------------------------------------

LINE_END_DELETIONS = re.compile(r"\r(?=\n)|\x00")
TRAILING_SPACE = re.compile(r"[^\S\n]+(?=\n|\Z)")
LEADING_SPACE = re.compile(r"\s*")


class _Edits:
    """One normalisation step's changes to its input: ``[start, end)`` replaced by ``size``
    characters, sorted and disjoint (int64 arrays: three numbers an edit, not one a character)."""

    def __init__(self, starts, ends, sizes) -> None:
        import numpy as np

        self.starts, self.ends, self.sizes = starts, ends, sizes
        self.shift = np.concatenate(([0], np.cumsum(sizes - (ends - starts))))  # shift after the first k edits

    def apply(self, position: int) -> int:
        """Where ``position`` of the step's input lands: a position inside an edit that changed
        the length snaps to the edit's start (a deleted character maps to the next kept one)."""
        import numpy as np

        done = int(np.searchsorted(self.ends, position, side="right"))  # edits ending at or before it
        shift = int(self.shift[done])
        if done < len(self.starts) and self.starts[done] <= position:
            start, end, size = int(self.starts[done]), int(self.ends[done]), int(self.sizes[done])
            if size != end - start:
                return start + shift
        return position + shift


class PositionMap:
    """The normalised index of every raw index ``0..len(raw)``, kept as each step's edits
    (a few numbers a line), not as an array of one number a character."""

    def __init__(self, length: int, steps: list[_Edits]) -> None:
        self._length, self._steps = length, steps

    def __len__(self) -> int:
        return self._length + 1

    def __getitem__(self, index: int) -> int:
        if index < 0:
            index += self._length + 1
        if not 0 <= index <= self._length:
            raise IndexError(index)
        for step in self._steps:
            index = step.apply(index)
        return index

    def __iter__(self):
        return (self[i] for i in range(self._length + 1))

    def tolist(self) -> list[int]:
        return list(self)


def normalise_with_map(raw: str) -> tuple[str, PositionMap]:
    """``normalise(raw)`` and the map of every raw index ``0..len(raw)`` into it.

    Memory: the steps rewrite the text with C-level ``re.sub``/``str.replace`` (one new
    text at a time) and record only what they changed, so a transcript costs its raw
    and normalised texts plus a few numbers a line.

    >>> text, index = normalise_with_map("a\\r\\nb  \\r\\n")
    >>> text, index.tolist()
    ('a\\nb', [0, 1, 1, 2, 3, 3, 3, 3, 3])
    """
    text, steps = raw, []
    for step in (_line_ends, _nfc, _trailing_space, _outer_space):
        text, edits = step(text)
        if edits is not None:
            steps.append(edits)
    return text, PositionMap(len(raw), steps)


def _deletions(pattern: re.Pattern, text: str):
    """The spans ``pattern`` matches as deletions, and ``text`` without them (or None, None)."""
    from itertools import chain

    import numpy as np

    spans = np.fromiter(chain.from_iterable(m.span() for m in pattern.finditer(text)), dtype=np.int64)
    if not len(spans):
        return None, None
    spans = spans.reshape(-1, 2)
    spans = spans[spans[:, 1] > spans[:, 0]]
    if not len(spans):
        return None, None
    edits = _Edits(spans[:, 0].copy(), spans[:, 1].copy(), np.zeros(len(spans), dtype=np.int64))
    return pattern.sub("", text), edits


def _line_ends(text: str):
    if "\r" not in text and "\x00" not in text:
        return text, None
    stripped, edits = _deletions(LINE_END_DELETIONS, text)
    return (text if stripped is None else stripped).replace("\r", "\n"), edits


def _trailing_space(text: str):
    stripped, edits = _deletions(TRAILING_SPACE, text)
    return (text if stripped is None else stripped), edits


def _outer_space(text: str):
    """White space at either end, cut by ``str.strip`` (``re.sub`` would build a second text)."""
    import numpy as np

    stripped = text.strip()
    if len(stripped) == len(text):
        return text, None
    lead = LEADING_SPACE.match(text).end()  # type: ignore[union-attr]  # matches always
    spans = [(0, lead)] if lead else []
    if stripped and lead + len(stripped) < len(text):
        spans.append((lead + len(stripped), len(text)))
    starts = np.array([a for a, _ in spans], dtype=np.int64)
    ends = np.array([b for _, b in spans], dtype=np.int64)
    return stripped, _Edits(starts, ends, np.zeros(len(spans), dtype=np.int64))


def _nfc(text: str):
    """NFC, composed chunk by chunk (a stable start and the characters that may join it).

    Only the chunks NFC changes are visited, found among the non-ASCII characters.
    """
    import numpy as np

    if unicodedata.is_normalized("NFC", text):
        return text, None
    chunks = _changing_chunks(text)
    pieces: list[str] = []
    sizes = []
    done = 0
    for start, end in chunks:
        pieces.append(text[done:start])
        composed = unicodedata.normalize("NFC", text[start:end])
        pieces.append(composed)
        sizes.append(len(composed))
        done = end
    pieces.append(text[done:])
    starts = np.array([a for a, _ in chunks], dtype=np.int64)
    ends = np.array([b for _, b in chunks], dtype=np.int64)
    return "".join(pieces), _Edits(starts, ends, np.array(sizes, dtype=np.int64))


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
