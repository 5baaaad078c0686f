"""Code x code co-occurrence within segments (one coder).

Cell (r, c) counts the units in which the coder applied both the row child r and the
column child c (each with its descendants under rollup) to the SAME segment:

- references: segments coded with both;
- transcripts / sites: transcripts / sites with at least one such segment.

The segment-level incidence is two boolean matrices (segments x row children,
segments x column children) built from the distinct (segment, child) pairs; the
segment counts are one matrix product, the transcript and site counts one product
per transcript or site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.tally.counting import children_keymap, sorted_distinct
from qualcode.tally.crosstab_model import (
    Axis,
    CrosstabContext,
    CrosstabResult,
    code_headers,
)

if TYPE_CHECKING:
    import numpy as np


def _incidence(ctx: CrosstabContext, axis: Axis) -> tuple[list[str], dict[str, int]]:
    keymap = children_keymap(ctx.codebook, axis.code_id, rollup=ctx.rollup)
    index = {key: i for i, key in enumerate(keymap.keys)}
    columns = {stored: index[key] for stored, key in keymap.mapping.items() if key in index}
    return list(keymap.keys), columns


def _matrix(segments, keys, universe, width: int) -> np.ndarray:
    """Boolean (as float32 for BLAS) universe-segments x width incidence."""
    import numpy as np

    matrix = np.zeros((len(universe), width), dtype=np.float32)
    matrix[np.searchsorted(universe, segments), keys] = 1.0
    return matrix


def cooccurrence(ctx: CrosstabContext, row_axis: Axis, column_axis: Axis) -> CrosstabResult:
    import numpy as np

    row_keys, row_columns = _incidence(ctx, row_axis)
    column_keys, column_columns = _incidence(ctx, column_axis)
    wanted = {t.id: t for t in ctx.selected}
    # Transcripts are fetched only when they are needed: to count them, or to drop
    # the segments of transcripts left out by --role/--site.
    needs_transcripts = ctx.count != "references" or len(wanted) < ctx.all_transcripts
    row_data = _selected(ctx.codings.segment_keys(ctx.conn, row_columns, with_transcripts=needs_transcripts),
                         wanted, needs_transcripts)
    column_data = _selected(ctx.codings.segment_keys(ctx.conn, column_columns, with_transcripts=needs_transcripts),
                            wanted, needs_transcripts)
    universe = sorted_distinct(np.concatenate((row_data[0], column_data[0])))
    transcript_of = {**row_data[2], **column_data[2]}
    rows_matrix = _matrix(row_data[0], row_data[1], universe, len(row_keys))
    columns_matrix = _matrix(column_data[0], column_data[1], universe, len(column_keys))
    units = _unit_labels(ctx.count, universe, transcript_of, wanted)
    counts, row_bases, column_bases, grand = _count_units(rows_matrix, columns_matrix, units)
    return CrosstabResult(
        rows=code_headers(ctx.codebook, row_keys), columns=code_headers(ctx.codebook, column_keys),
        counts=counts.tolist(), row_totals=row_bases.tolist(), column_totals=column_bases.tolist(),
        row_bases=row_bases.tolist(), column_bases=column_bases.tolist(), grand_total=grand,
        measure="co-occurring segments" if ctx.count == "references" else f"co-occurrence {ctx.count}",
        count_type=ctx.count, coder=ctx.coder, row_spec=row_axis.spec, column_spec=column_axis.spec,
        rollup=ctx.rollup,
    )


def _selected(data, wanted: dict, filtered: bool) -> tuple:
    """Keep the pairs whose segment belongs to a selected transcript."""
    import numpy as np

    segments, keys, transcript_of = data
    if not filtered:
        return data
    keep = np.fromiter((transcript_of[int(s)] in wanted for s in segments), dtype=bool, count=len(segments))
    return segments[keep], keys[keep], transcript_of


def _unit_labels(count: str, universe, transcript_of: dict, wanted: dict) -> np.ndarray | None:
    """Per universe segment, the unit it belongs to (None: each segment is its own unit)."""
    import numpy as np

    if count == "references":
        return None
    if count == "transcripts":
        labels = [transcript_of[int(s)] for s in universe]
    else:
        labels = [wanted[transcript_of[int(s)]].site for s in universe]
    return np.asarray(labels, dtype=object)


def _count_units(rows_matrix, columns_matrix, units) -> tuple:
    """Cell counts, row bases, column bases and the grand total, counted in units."""
    import numpy as np

    if units is None:
        counts = np.rint(rows_matrix.T @ columns_matrix).astype(np.int64)
        both = (rows_matrix.any(axis=1) & columns_matrix.any(axis=1)).sum()
        return counts, rows_matrix.sum(axis=0).astype(np.int64), columns_matrix.sum(axis=0).astype(np.int64), int(both)
    counts = np.zeros((rows_matrix.shape[1], columns_matrix.shape[1]), dtype=np.int64)
    row_bases = np.zeros(rows_matrix.shape[1], dtype=np.int64)
    column_bases = np.zeros(columns_matrix.shape[1], dtype=np.int64)
    grand = 0
    order = np.argsort(units, kind="stable")
    sorted_units = units[order]
    boundaries = np.flatnonzero(sorted_units[1:] != sorted_units[:-1]) + 1
    for block in np.split(order, boundaries) if len(order) else []:
        r, c = rows_matrix[block], columns_matrix[block]
        counts += (r.T @ c) > 0
        row_bases += r.any(axis=0)
        column_bases += c.any(axis=0)
        grand += bool(((r.any(axis=1)) & (c.any(axis=1))).any())
    return counts, row_bases, column_bases, grand
