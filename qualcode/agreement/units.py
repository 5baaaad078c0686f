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

The commands walk the material in chunks of transcripts (:func:`iter_coded`): the whole
set is only each transcript's id and role and the codes applied (:class:`Material`);
texts, turns and codings are read ``CHUNK`` transcripts at a time, so memory follows the
largest transcripts, not the corpus. Every count is a sum over units within one
transcript, so the chunks' counts laid end to end (:func:`concat_blocks`) are exactly
the counts of the whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qualcode.errors import AgreementError, NotFoundError
from qualcode.store import spans as span_store
from qualcode.store import transcripts as transcript_store
from qualcode.store.rows import Transcript
from qualcode.transcripts.sentences import split_sentences

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project
    from qualcode.store.handles import Connection

UNITS = ("segment", "sentence", "character")
CHARACTER_SCOPES = ("respondent", "all")
LEVELS = ("transcript", "segment")



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
    """Load the transcripts and the two coders' (non-orphaned) codings of them, all at once.

    For a few transcripts (and as the tests' model of the chunked walk): the commands use
    :func:`load_material` and :func:`iter_coded`, which never hold the whole set.
    Raises NotFoundError for a transcript id the project does not have.
    """
    ids = list(dict.fromkeys(transcript_ids))
    with project.read() as conn:
        transcripts = _load_transcripts(conn, ids)
        sides = (_coder_arrays(conn, coders[0], ids), _coder_arrays(conn, coders[1], ids))
    return Coded((coders[0], coders[1]), transcripts, sides)


@dataclass(frozen=True)
class TranscriptHead:
    """A double-coded transcript as the whole-set steps see it: no text, no turns."""

    id: str
    role: str


@dataclass(frozen=True)
class Material:
    """What a chunked walk holds for the whole set: each transcript's id and role (in
    order) and the codes the two coders applied on them (the columns depend on both)."""

    coders: tuple[str, str]
    transcripts: tuple[TranscriptHead, ...]
    codes_used: frozenset[str]


CHUNK = 32
"""Transcripts read per batch of queries: memory follows the chunk's transcripts, and a
batch costs a handful of statements (one per transcript would cost thousands on a server)."""


def load_material(conn: Connection, coders: Sequence[str], transcript_ids: Sequence[str]) -> Material:
    """The transcripts' ids and roles and the codes applied; NotFoundError for an id the
    project does not have (as :func:`load_coded`)."""
    ids = list(dict.fromkeys(transcript_ids))
    roles = transcript_store.transcript_roles(conn, ids)
    missing = [transcript for transcript in ids if transcript not in roles]
    if missing:
        raise NotFoundError(f"No transcript {', '.join(repr(m) for m in missing)} in the project")
    used = span_store.spans_codes(conn, [coders[0], coders[1]], ids)
    return Material((coders[0], coders[1]), tuple(TranscriptHead(t, roles[t]) for t in ids), frozenset(used))


def iter_coded(conn: Connection, material: Material, chunk: int | None = None) -> Iterator[tuple[int, Coded]]:
    """``(index of its first transcript, Coded)`` for each chunk (default :data:`CHUNK`
    transcripts) of the material, in order; one chunk, empty, when there are no transcripts."""
    chunk = chunk or CHUNK
    ids = [t.id for t in material.transcripts]
    for first in range(0, max(len(ids), 1), chunk):
        part = ids[first : first + chunk]
        sides = (_coder_arrays(conn, material.coders[0], part), _coder_arrays(conn, material.coders[1], part))
        yield first, Coded(material.coders, _load_transcripts(conn, part), sides)


def _load_transcripts(conn, ids: list[str]) -> tuple[Transcript, ...]:
    """The transcripts with their segments, in ``ids`` order, in two queries."""
    return transcript_store.load_transcripts_for_units(conn, ids)


def _coder_arrays(conn, coder: str, ids: list[str]) -> CoderCodings:
    rows = span_store.coder_spans(conn, coder, ids)
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return CoderCodings(empty, empty, empty, empty, np.zeros(0, dtype=object), empty)
    coding_id, transcript, ordinal, start, end, code = zip(*rows, strict=True)
    # Transcript ids -> positions in ``ids`` with one sorted lookup, not a dict call per row.
    order = np.argsort(np.array(ids, dtype=object))
    names = np.array(ids, dtype=object)[order]
    position = order[np.searchsorted(names, np.array(transcript, dtype=object))]
    return CoderCodings(
        transcript=position.astype(np.int64), ordinal=np.array(ordinal, dtype=np.int64),
        start=np.array(start, dtype=np.int64), end=np.array(end, dtype=np.int64),
        code=np.array(code, dtype=object), coding_id=np.array(coding_id, dtype=np.int64),
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
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    units = np.repeat(first, lengths) + offsets
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


def concat_blocks(parts: Sequence[tuple[int, BlockCounts]], codes: Sequence[str]) -> BlockCounts:
    """The blocks of consecutive chunks as one table (``(index of the chunk's first
    transcript, its blocks)``, in order): transcript indices shift to the whole set's."""
    def joined(values: list[np.ndarray], width: int | None) -> np.ndarray:
        empty = np.zeros((0, width) if width is not None else 0, dtype=np.int64)
        return np.concatenate(values) if values else empty

    width = len(codes)
    return BlockCounts(
        tuple(codes), joined([blocks.transcript + first for first, blocks in parts], None),
        joined([blocks.units for _, blocks in parts], None), joined([blocks.both for _, blocks in parts], width),
        joined([blocks.only_a for _, blocks in parts], width), joined([blocks.only_b for _, blocks in parts], width),
    )


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

    Computed from the spans, not per character: each coder's codings of a code in a
    block become +1/-1 events at their start and end; one sort and a running sum give,
    between consecutive events, whether A, B or both cover that stretch, and its length
    is added to the matching cell. Overlapping codings of one coder count once.

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
    block_transcript, block_size, locate = _character_blocks(coded, scope, level)
    width, blocks = len(codes), len(block_size)
    events = [_events(side, locate, code_targets(side.code, codes, rollup=rollup, codebook=codebook), width)
              for side in coded.codings]
    cells = _sweep(events, blocks * width)
    both, applied_a, applied_b = (cell.reshape(blocks, width) for cell in cells)
    return BlockCounts(tuple(codes), block_transcript, block_size, both, applied_a - both, applied_b - both)


def _character_blocks(coded: Coded, scope: str, level: str):
    """Each block's transcript and size, and a function mapping codings to (block, start, end)."""
    transcripts = coded.transcripts
    if scope == "all":
        sizes = np.array([len(t.text) for t in transcripts], dtype=np.int64)
        return np.arange(len(transcripts)), sizes, lambda side: (side.transcript, side.start, side.end)
    units = respondent_segments(coded)
    width = max((len(t.segments) for t in transcripts), default=0) + 1
    lookup = np.full(len(transcripts) * width, -1, dtype=np.int64)
    lookup[units.transcript * width + units.ordinal] = np.arange(len(units))
    if level == "segment":
        block_of_unit, block_transcript, sizes = np.arange(len(units)), units.transcript, units.end - units.start
    else:
        block_of_unit, block_transcript = units.transcript, np.arange(len(transcripts))
        sizes = np.bincount(units.transcript, weights=units.end - units.start, minlength=len(transcripts))

    def locate(side: CoderCodings):
        unit = lookup[side.transcript * width + side.ordinal] if len(side) else np.zeros(0, dtype=np.int64)
        keep = unit >= 0  # codings of interviewer turns are not units
        found = unit[keep]
        # Clip to the turn, so a span can never count characters outside it.
        start = np.clip(side.start[keep], units.start[found], units.end[found])
        end = np.clip(side.end[keep], units.start[found], units.end[found])
        block = np.full(len(side), -1, dtype=np.int64)
        block[keep] = block_of_unit[found]
        starts, ends = np.zeros(len(side), dtype=np.int64), np.zeros(len(side), dtype=np.int64)
        starts[keep], ends[keep] = start, end
        return block, starts, ends

    return block_transcript, sizes.astype(np.int64), locate


def _events(side: CoderCodings, locate, targets: tuple[np.ndarray, np.ndarray], width: int):
    """(key, position, delta) of the coder's span starts (+1) and ends (-1), key = block x code."""
    rows, columns = targets
    block, start, end = locate(side)
    keep = (block[rows] >= 0) & (end[rows] > start[rows])
    rows, columns = rows[keep], columns[keep]
    key = block[rows] * width + columns
    ones = np.ones(len(rows), dtype=np.int64)
    return np.concatenate([key, key]), np.concatenate([start[rows], end[rows]]), np.concatenate([ones, -ones])


def _sweep(events, cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Covered lengths per key: by both coders, by A, by B (each of length ``cells``)."""
    key = np.concatenate([events[0][0], events[1][0]])
    position = np.concatenate([events[0][1], events[1][1]])
    delta_a = np.concatenate([events[0][2], np.zeros_like(events[1][2])])
    delta_b = np.concatenate([np.zeros_like(events[0][2]), events[1][2]])
    order = np.lexsort((position, key))
    key, position = key[order], position[order]
    # Every key's deltas sum to zero, so one running sum restarts at each key.
    covered_a, covered_b = np.cumsum(delta_a[order]) > 0, np.cumsum(delta_b[order]) > 0
    length = np.zeros(len(key), dtype=np.int64)
    if len(key) > 1:
        same = key[1:] == key[:-1]
        length[:-1] = np.where(same, position[1:] - position[:-1], 0)

    def total(mask: np.ndarray) -> np.ndarray:
        return np.bincount(key[mask], weights=length[mask], minlength=cells).astype(np.int64)

    return total(covered_a & covered_b), total(covered_a), total(covered_b)
