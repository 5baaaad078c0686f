"""Bulk writes of imports and merges (store/interop.py): a few statements, whole rows logged."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from qualcode.coding.history import undo_last
from qualcode.store.codings import event_rows
from qualcode.store.interop import insert_coding_rows, log_inserted
from qualcode.store.schema import codings, events, segments
from tests.helpers import INTERVIEW, add_coders, add_transcript


def _rows(conn, coders: list[str], count: int) -> list[dict]:
    segment = conn.execute(select(segments.c.id).where(segments.c.transcript_id == "vsp-1", segments.c.ordinal == 2)).scalar_one()
    return [
        {"transcript_id": "vsp-1", "segment_id": segment, "coder": coders[n % len(coders)], "code_id": "referral.hotline",
         "start_offset": 1 + n, "end_offset": 2 + n, "origin": "import", "confidence": None, "memo": None,
         "codebook_version_id": None}
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [1, 40])
def test_codings_go_in_without_a_statement_a_row_and_each_coder_gets_one_event_group(project, count):
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    add_coders(project, "ana", "ben")
    statements: list[str] = []
    with project.write() as conn:
        rows = _rows(conn, ["ana", "ben"], count)
        event.listen(conn, "before_cursor_execute", lambda *a: statements.append(a[2]))
        stored = insert_coding_rows(conn, rows)
        log_inserted(conn, stored, "import")
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO CODINGS")]
    assert len(inserts) == 1 and not any("RETURNING" in s.upper() for s in inserts)
    assert len(statements) <= 12  # ids reserved, one insert, per coder: first event, its group, the rest (not per row)
    with project.read() as conn:
        assert sorted(conn.execute(select(codings.c.id)).scalars()) == sorted(r["id"] for r in stored)
        stored_events = conn.execute(select(events.c.id)).all()
        logged = [(e["coder"], e["coding_id"], e["group_id"]) for e in event_rows(conn)]
    assert len(stored_events) == len({r["coder"] for r in stored})  # one per coder: their codings, column-wise
    assert sorted(c for _, c, _ in logged) == sorted(r["id"] for r in stored)
    groups = {coder: {g for who, _, g in logged if who == coder} for coder, _, _ in logged}
    assert all(len(g) == 1 for g in groups.values())


def test_an_undo_takes_a_coders_imported_codings_back(project):
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    add_coders(project, "ana")
    with project.write() as conn:
        log_inserted(conn, insert_coding_rows(conn, _rows(conn, ["ana"], 5)), "import")
    with project.write() as conn:
        undo_last(conn, "ana")
    with project.read() as conn:
        assert conn.execute(select(codings.c.id)).all() == []
