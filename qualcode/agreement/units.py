"""Units of analysis: from two coders' codings in the store to boolean unit x code matrices.

Three units (``UNITS``):

``segment``
    A respondent turn. Coder X applied code C to the unit when any of X's codings of C
    lies in the turn.
``sentence``
    A sentence of a respondent turn (:func:`split_sentences`). X applied C when one of
    X's codings of C overlaps the sentence by at least one character.
``character``
    A character, counted per block (a respondent turn, or a whole transcript) straight
    from the coded spans, never as a unit x code matrix. ``scope="respondent"`` counts
    the characters of the respondent turns' text (speaker labels, interviewer turns and
    the blank lines between turns are left out); ``scope="all"`` counts every character
    of the stored transcript text, as NVivo counts every character of its source.

Codings of interviewer turns are not units and are left out, except for characters
with ``scope="all"``. With ``rollup=True`` a coding of a code also counts for each of
its ancestors (a unit is coded with ``challenge`` if any ``challenge.*`` code is on it).

Everything is built with numpy: codings are mapped to unit and code indices with
array lookups and ``searchsorted``, never by looping over units or codes in Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualcode.errors import AgreementError

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project
    from qualcode.transcripts.model import Transcript

UNITS = ("segment", "sentence", "character")
CHARACTER_SCOPES = ("respondent", "all")
LEVELS = ("transcript", "segment")

_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n")
_LAST_WORD = re.compile(r"(\S+)$")
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "no", "u.s", "approx", "lt", "sgt",
     "det", "sen", "rep", "gov", "prof", "inc", "co", "dept"}
)


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (shifted by ``offset``), trimmed of whitespace.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (with closing quotes or brackets)
    before whitespace or the end, or at a line break; abbreviations such as "Mr." or
    "e.g." and single-letter initials do not end one.

    >>> text = "Mostly the hotline. Police, e.g. Det. Ruiz, call us! Why?"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Mostly the hotline.', 'Police, e.g. Det. Ruiz, call us!', 'Why?']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        newline = match.group() == "\n"
        if not newline and _ends_in_abbreviation(text[start : match.start()]):
            continue
        _append_trimmed(spans, text, start, match.start() if newline else match.end())
        start = match.end()
    _append_trimmed(spans, text, start, len(text))
    return [(offset + s, offset + e) for s, e in spans]


def _ends_in_abbreviation(before: str) -> bool:
    found = _LAST_WORD.search(before)
    if found is None:
        return False
    word = found.group(1).lower().lstrip("(\"'“‘")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))


# -- the double-coded material --------------------------------------------------------


@dataclass(frozen=True)
class CoderCodings:
    """One coder's codings as parallel arrays (transcript index into ``Coded.transcripts``)."""

    transcript: np.ndarray
    ordinal: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code: np.ndarray  # object array of code ids
    coding_id: np.ndarray

    def __len__(self) -> int:
        return int(self.transcript.shape[0])


@dataclass(frozen=True)
class Coded:
    """Transcripts (with text and segments) and both coders' codings of them."""

    coders: tuple[str, str]
    transcripts: tuple[Transcript, ...]
    codings: tuple[CoderCodings, CoderCodings]

    @property
    def codes_used(self) -> set[str]:
        return {str(code) for side in self.codings for code in side.code}


def load_coded(project: Project, coders: Sequence[str], transcript_ids: Sequence[str]) -> Coded:
    """Load the transcripts and the two coders' (non-orphaned) codings of them."""
    from sqlalchemy import select

    from qualcode.store.schema import codings, segments
    from qualcode.store.transcripts import load_transcript

    ids = list(dict.fromkeys(transcript_ids))
    index = {transcript: i for i, transcript in enumerate(ids)}
    query = (
        select(codings.c.id, codings.c.coder, codings.c.transcript_id, segments.c.ordinal,
               codings.c.start_offset, codings.c.end_offset, codings.c.code_id)
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(codings.c.coder.in_(list(coders)), codings.c.transcript_id.in_(ids),
               codings.c.orphaned.is_(False))
        .order_by(codings.c.id)
    )
    with project.read() as conn:
        transcripts = tuple(load_transcript(conn, transcript) for transcript in ids)
        rows = conn.execute(query).all() if ids else []
    sides = tuple(_coder_arrays([r for r in rows if r.coder == coder], index) for coder in coders)
    return Coded((coders[0], coders[1]), transcripts, sides)


def _coder_arrays(rows: list, index: dict[str, int]) -> CoderCodings:
    def column(values, dtype=np.int64) -> np.ndarray:
        return np.fromiter(values, dtype=dtype, count=len(rows)) if dtype is not object else np.array(
            list(values), dtype=object).reshape(len(rows))

    return CoderCodings(
        transcript=column(index[r.transcript_id] for r in rows), ordinal=column(r.ordinal for r in rows),
        start=column(r.start_offset for r in rows), end=column(r.end_offset for r in rows),
        code=column((r.code_id for r in rows), object), coding_id=column(r.id for r in rows),
    )


# -- code columns -----------------------------------------------------------------------


def code_targets(
    codes_applied: np.ndarray, columns: Sequence[str], *, rollup: bool = False, codebook: Codebook | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Which column(s) each coding counts for: ``(coding index, column index)`` pairs.

    A coding counts for its own code's column and, with ``rollup``, for each ancestor's
    column; codes without a column are dropped.

    >>> rows, cols = code_targets(np.array(["a.b", "c", "a.b"], dtype=object), ["a.b", "c"])
    >>> rows.tolist(), cols.tolist()
    ([0, 1, 2], [0, 1, 0])
    """
    position = {code: i for i, code in enumerate(columns)}
    if len(codes_applied) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    distinct, inverse = np.unique(codes_applied.astype(str), return_inverse=True)
    targets = [[position[c] for c in _self_and_ancestors(str(code), rollup, codebook) if c in position]
               for code in distinct]
    lengths = np.array([len(t) for t in targets], dtype=np.int64)
    flat = np.array([column for t in targets for column in t], dtype=np.int64)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    repeats = lengths[inverse]
    rows = np.repeat(np.arange(len(codes_applied)), repeats)
    within = np.arange(int(repeats.sum())) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    return rows, flat[np.repeat(first[inverse], repeats) + within]


def _self_and_ancestors(code: str, rollup: bool, codebook: Codebook | None) -> list[str]:
    if not rollup or codebook is None or code not in codebook:
        return [code]
    return [code, *(ancestor.id for ancestor in codebook.ancestors(code))]


# -- segment and sentence units ---------------------------------------------------------


@dataclass(frozen=True)
class Units:
    """The units in order: their transcript index, turn ordinal and text span."""

    kind: str
    transcript: np.ndarray
    ordinal: np.ndarray
    start: np.ndarray
    end: np.ndarray

    def __len__(self) -> int:
        return int(self.transcript.shape[0])


@dataclass(frozen=True)
class UnitMatrices:
    """Boolean unit x code matrices of both coders over the same units and codes."""

    units: Units
    codes: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray


def respondent_segments(coded: Coded) -> Units:
    rows = [(t, s.ordinal, s.start, s.end) for t, transcript in enumerate(coded.transcripts)
            for s in transcript.segments if not s.is_interviewer]
    return _units("segment", rows)


def sentences(coded: Coded) -> Units:
    rows = [(t, s.ordinal, start, end) for t, transcript in enumerate(coded.transcripts)
            for s in transcript.segments if not s.is_interviewer
            for start, end in split_sentences(transcript.text[s.start : s.end], s.start)]
    return _units("sentence", rows)


def _units(kind: str, rows: list[tuple[int, int, int, int]]) -> Units:
    grid = np.array(rows, dtype=np.int64).reshape(len(rows), 4)
    return Units(kind, grid[:, 0], grid[:, 1], grid[:, 2], grid[:, 3])


def unit_matrices(
    coded: Coded, codes: Sequence[str], unit: str = "segment", *, rollup: bool = False,
    codebook: Codebook | None = None,
) -> UnitMatrices:
    """Both coders' boolean unit x code matrices for ``segment`` or ``sentence`` units."""
    if unit not in ("segment", "sentence"):
        raise AgreementError(f"unit x code matrices are built for segment or sentence units; received '{unit}'")
    units = respondent_segments(coded) if unit == "segment" else sentences(coded)
    locate = _segment_locator(coded, units) if unit == "segment" else _sentence_locator(coded, units)
    matrices = []
    for side in coded.codings:
        matrix = np.zeros((len(units), len(codes)), dtype=bool)
        rows, columns = code_targets(side.code, codes, rollup=rollup, codebook=codebook)
        first, last = locate(side)
        _mark_ranges(matrix, first[rows], last[rows], columns)
        matrices.append(matrix)
    return UnitMatrices(units, tuple(codes), matrices[0], matrices[1])


def _mark_ranges(matrix: np.ndarray, first: np.ndarray, last: np.ndarray, columns: np.ndarray) -> None:
    """Set ``matrix[u, column]`` for every unit ``first <= u <= last`` of each coding."""
    lengths = np.maximum(last - first + 1, 0)
    units = np.repeat(first, lengths) + (np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths))
    matrix[units, np.repeat(columns, lengths)] = True


def _segment_locator(coded: Coded, units: Units):
    """Map codings to the index of their respondent turn (-1 for interviewer turns)."""
    width = max((len(t.segments) for t in coded.transcripts), default=0) + 1
    lookup = np.full(len(coded.transcripts) * width, -1, dtype=np.int64)
    lookup[units.transcript * width + units.ordinal] = np.arange(len(units))

    def locate(side: CoderCodings) -> tuple[np.ndarray, np.ndarray]:
        found = lookup[side.transcript * width + side.ordinal] if len(side) else np.zeros(0, dtype=np.int64)
        return found, np.where(found < 0, -2, found)  # first > last leaves interviewer codings out

    return locate


def _sentence_locator(coded: Coded, units: Units):
    """Map codings to the first and last sentence they overlap, with global offsets."""
    base = np.concatenate(([0], np.cumsum([len(t.text) + 1 for t in coded.transcripts])))
    starts = base[units.transcript] + units.start
    ends = base[units.transcript] + units.end

    def locate(side: CoderCodings) -> tuple[np.ndarray, np.ndarray]:
        begin, finish = base[side.transcript] + side.start, base[side.transcript] + side.end
        first = np.searchsorted(ends, begin, side="right")
        last = np.searchsorted(starts, finish, side="left") - 1
        return first, last

    return locate


# -- counts per block ---------------------------------------------------------------------


@dataclass(frozen=True)
class BlockCounts:
    """Per block (a transcript or a respondent turn) and code: units coded by both, by
    only A, by only B (int64 arrays of shape (blocks, codes)), and units per block."""

    codes: tuple[str, ...]
    transcript: np.ndarray
    units: np.ndarray
    both: np.ndarray
    only_a: np.ndarray
    only_b: np.ndarray

    def by_transcript(self) -> BlockCounts:
        """Sum the blocks of each transcript (a no-op for transcript blocks)."""
        labels, index = np.unique(self.transcript, return_inverse=True)
        def total(values: np.ndarray) -> np.ndarray:
            summed = np.zeros((len(labels), *values.shape[1:]), dtype=np.int64)
            np.add.at(summed, index, values)
            return summed
        return BlockCounts(self.codes, labels, total(self.units), total(self.both), total(self.only_a),
                           total(self.only_b))


def block_counts(matrices: UnitMatrices, level: str = "transcript") -> BlockCounts:
    """Sum a unit x code table into blocks: whole transcripts or respondent turns."""
    _check_level(level)
    units = matrices.units
    if level == "transcript":
        key = units.transcript
    else:
        key = units.transcript * (int(units.ordinal.max(initial=0)) + 1) + units.ordinal
    boundaries = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(units) else np.zeros(0, dtype=np.int64)
    a, b = matrices.a.view(np.uint8), matrices.b.view(np.uint8)
    both = _sum_blocks(a & b, boundaries)
    applied_a, applied_b = _sum_blocks(a, boundaries), _sum_blocks(b, boundaries)
    sizes = np.diff(np.r_[boundaries, len(units)]).astype(np.int64)
    return BlockCounts(matrices.codes, units.transcript[boundaries], sizes, both, applied_a - both, applied_b - both)


def _sum_blocks(values: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    if len(boundaries) == 0:
        return np.zeros((0, values.shape[1]), dtype=np.int64)
    return np.add.reduceat(values, boundaries, axis=0, dtype=np.int64)


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise AgreementError(f"blocks are 'transcript' or 'segment'; received '{level}'")


def character_counts(
    coded: Coded, codes: Sequence[str], *, scope: str = "respondent", level: str = "transcript",
    rollup: bool = False, codebook: Codebook | None = None,
) -> BlockCounts:
    """Characters coded by both / only A / only B per block and code (NVivo's 2x2 table).

    Parameters
    ----------
    scope : {"respondent", "all"}
        Which characters are units: those of the respondent turns, or every character
        of the stored text (then ``level`` must be ``"transcript"``).
    level : {"transcript", "segment"}
        One block per transcript, or per respondent turn (for a bootstrap over turns).
    """
    _check_level(level)
    if scope not in CHARACTER_SCOPES:
        raise AgreementError(f"--characters must be one of {', '.join(CHARACTER_SCOPES)}; received '{scope}'")
    if scope == "all" and level == "segment":
        raise AgreementError("with --characters all the blocks are whole transcripts; resample transcripts")
    targets = [code_targets(side.code, codes, rollup=rollup, codebook=codebook) for side in coded.codings]
    blocks = [_transcript_blocks(coded, t, targets, len(codes), scope, level) for t in range(len(coded.transcripts))]
    if not blocks:
        empty = np.zeros((0, len(codes)), dtype=np.int64)
        return BlockCounts(tuple(codes), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), empty, empty, empty)
    parts = [np.concatenate([block[i] for block in blocks], axis=0) for i in range(5)]
    return BlockCounts(tuple(codes), *parts)


def _transcript_blocks(coded: Coded, t: int, targets, width: int, scope: str, level: str):
    """(transcript, units, both, only_a, only_b) for one transcript's blocks."""
    transcript = coded.transcripts[t]
    if scope == "all":
        spans = [(0, len(transcript.text))]
    else:
        spans = [(s.start, s.end) for s in transcript.segments if not s.is_interviewer]
    span_start = np.array([s for s, _ in spans], dtype=np.int64)
    span_end = np.array([e for _, e in spans], dtype=np.int64)
    mine = [(rows[side.transcript[rows] == t], columns[side.transcript[rows] == t])
            for side, (rows, columns) in zip(coded.codings, targets, strict=True)]
    # Only the codes either coder used here get a coverage array; the rest are all zero.
    used, local = np.unique(np.concatenate([columns for _, columns in mine]), return_inverse=True)
    split = len(mine[0][1])
    covered = [_coverage(side, rows, cols, len(transcript.text), len(used))
               for side, (rows, _), cols in zip(coded.codings, mine, (local[:split], local[split:]), strict=True)]
    sizes = span_end - span_start
    cells = [np.zeros((len(spans), width), dtype=np.int64) for _ in range(3)]
    for cell, values in zip(cells, (covered[0] & covered[1], covered[0], covered[1]), strict=True):
        cell[:, used] = _span_sums(values, span_start, span_end)
    both, applied_a, applied_b = cells
    if level == "transcript":
        both, applied_a, applied_b = (c.sum(axis=0, keepdims=True) for c in cells)
        sizes = np.array([sizes.sum()], dtype=np.int64)
    return np.full(len(sizes), t, dtype=np.int64), sizes, both, applied_a - both, applied_b - both


def _coverage(side: CoderCodings, rows: np.ndarray, columns: np.ndarray, length: int, width: int) -> np.ndarray:
    """Boolean (characters, codes): which characters the coder's codings of each code cover."""
    change = np.zeros((length + 1, width), dtype=np.int32)
    np.add.at(change, (side.start[rows], columns), 1)
    np.add.at(change, (side.end[rows], columns), -1)
    return np.cumsum(change[:-1], axis=0) > 0


def _span_sums(covered: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    running = np.zeros((covered.shape[0] + 1, covered.shape[1]), dtype=np.int64)
    np.cumsum(covered, axis=0, out=running[1:])
    return running[end] - running[start]
