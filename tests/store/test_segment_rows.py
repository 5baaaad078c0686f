"""The segments' bulk insert: every value in its column, whatever order the rows come in."""

from __future__ import annotations

import pytest

from qualcode.store import transcripts as store_transcripts
from qualcode.store.rows import Segment


@pytest.mark.parametrize("permuted", [False, True], ids=["the statement's order", "another order"])
def test_segment_rows_land_in_their_columns_whatever_their_order(project, interview, monkeypatch, permuted):
    """The bulk insert hands SQLite's executemany the rows as they are when they are already
    in the statement's column order, and puts them in it otherwise."""
    columns = store_transcripts.SEGMENT_COLUMNS
    order = tuple(reversed(columns)) if permuted else columns
    monkeypatch.setattr(store_transcripts, "SEGMENT_COLUMNS", order)
    wanted = [Segment(10 + n, f"S{n}", n % 2 == 0, 100 * n, 100 * n + 50, 1.5 * n if n else None, None) for n in range(3)]
    rows = [dict(zip(columns, store_transcripts._segment_row("vsp-1", s), strict=True)) for s in wanted]
    with project.write() as conn:
        store_transcripts._insert_segment_rows(conn, iter([tuple(row[c] for c in order) for row in rows]))
    with project.read() as conn:
        assert [s for s in store_transcripts.load_segments(conn, "vsp-1") if s.ordinal >= 10] == wanted
