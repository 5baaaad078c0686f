"""Bulk application of one coder's codings: the same end state as ``apply_in`` one by one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.coding.actions import ActionBuilder
from qualcode.coding.bulk import apply_many, plan
from qualcode.coding.session import CodingSession
from qualcode.store import codings as store
from qualcode.store.transcripts import segment_ids

pytestmark = pytest.mark.coders("bulk", "one", "alice", "ana")


def _model(existing: list[dict], new: list[dict]) -> set[tuple]:
    """Sequential merging, as ``apply_in`` does it: (id or new number, segment, code, start, end)."""
    rows = [dict(r) for r in existing]
    counts = {"added": 0, "merged": 0, "unchanged": 0}
    for number, values in enumerate(new):
        same = [r for r in rows if (r["segment_id"], r["code_id"]) == (values["segment_id"], values["code_id"])]
        overlaps = [r for r in same if r["start_offset"] < values["end_offset"] and r["end_offset"] > values["start_offset"]]
        if not overlaps:
            rows.append({**values, "id": ("new", number)})
            counts["added"] += 1
            continue
        keep, *others = overlaps
        span = (keep["start_offset"], keep["end_offset"])
        keep["start_offset"] = min(values["start_offset"], *(o["start_offset"] for o in overlaps))
        keep["end_offset"] = max(values["end_offset"], *(o["end_offset"] for o in overlaps))
        rows = [r for r in rows if all(r is not o for o in others)]
        counts["unchanged" if span == (keep["start_offset"], keep["end_offset"]) else "merged"] += 1
    return counts, {(r["segment_id"], r["code_id"], r["start_offset"], r["end_offset"], isinstance(r["id"], int) and r["id"]) for r in rows}


def _after_plan(existing: list[dict], new: list[dict]) -> set[tuple]:
    changes = plan(existing, new)
    deleted = {r["id"] for r in changes.deletes}
    moved = {row["id"]: (start, end) for row, start, end in changes.updates}
    rows = {
        (r["segment_id"], r["code_id"], *moved.get(r["id"], (r["start_offset"], r["end_offset"])), r["id"])
        for r in existing if r["id"] not in deleted
    }
    counts = {"added": changes.added, "merged": changes.merged, "unchanged": changes.unchanged}
    return counts, rows | {(v["segment_id"], v["code_id"], v["start_offset"], v["end_offset"], False) for v in changes.inserts}


spans = st.tuples(st.integers(1, 2), st.sampled_from(["a", "b"]), st.integers(0, 20), st.integers(1, 8))


def _codings(items, first_id=None) -> list[dict]:
    out = []
    for number, (segment, code, start, length) in enumerate(items):
        row = {"segment_id": segment, "code_id": code, "start_offset": start, "end_offset": start + length}
        if first_id is not None:
            row["id"] = first_id + number
        out.append(row)
    return out


def _disjoint(rows: list[dict]) -> list[dict]:
    """Stored codings never overlap within (segment, code): the merge rule keeps them apart."""
    kept: list[dict] = []
    for row in rows:
        if not any((k["segment_id"], k["code_id"]) == (row["segment_id"], row["code_id"])
                   and k["start_offset"] < row["end_offset"] and k["end_offset"] > row["start_offset"] for k in kept):
            kept.append(row)
    return kept


@given(st.lists(spans, max_size=6), st.lists(spans, max_size=12))
def test_plan_matches_applying_one_by_one(existing, new):
    """End state and the added/merged/unchanged counts equal sequential merging's."""
    stored_rows = _disjoint(_codings(existing, first_id=1))
    new_rows = _codings(new)
    assert _after_plan(stored_rows, new_rows) == _model(stored_rows, new_rows)


@pytest.mark.parametrize("spans_", [[(0, 10), (5, 15), (30, 40), (12, 20)], [(0, 5), (3, 8), (2, 4)]])
def test_apply_many_stores_what_apply_in_stores_and_undoes_in_one_step(project, interview, spans_):
    """Two coders get the same codings, one through apply_in, one through apply_many."""
    turn = interview.segments[1]
    with project.write() as conn:
        sid = segment_ids(conn, "vsp-1")[turn.ordinal]
    CodingSession(project, "bulk").tag("vsp-1", turn.ordinal, ["referral.hotline"], span=(turn.start + 1, turn.start + 4))
    CodingSession(project, "one").tag("vsp-1", turn.ordinal, ["referral.hotline"], span=(turn.start + 1, turn.start + 4))

    def values(coder, start, end):
        return {"transcript_id": "vsp-1", "segment_id": sid, "coder": coder, "code_id": "referral.hotline",
                "start_offset": turn.start + start, "end_offset": turn.start + end, "origin": "rules",
                "confidence": 0.9, "memo": None, "codebook_version_id": None}

    one = CodingSession(project, "one")
    with project.write() as conn:
        result = ActionBuilder("tag")
        for start, end in spans_:
            one.apply_in(conn, result, values("one", start, end))
        apply_many(conn, "bulk", "tag", [values("bulk", start, end) for start, end in spans_])
    with project.read() as conn:
        rows = store.codings_of_transcript(conn, "vsp-1")
    def shape(coder):
        return sorted((r["code_id"], r["start_offset"], r["end_offset"], r["origin"]) for r in rows if r["coder"] == coder)
    assert shape("bulk") == shape("one") and shape("bulk")
    CodingSession(project, "bulk").undo()
    with project.read() as conn:
        left = [(r["start_offset"], r["end_offset"]) for r in store.codings_of_transcript(conn, "vsp-1") if r["coder"] == "bulk"]
    assert left == [(turn.start + 1, turn.start + 4)]  # back to the coding before the run
    CodingSession(project, "bulk").redo()
    with project.read() as conn:
        rows = store.codings_of_transcript(conn, "vsp-1")
    assert shape("bulk") == shape("one")
