"""A bulk run's inserted codings logged as column-wise events of up to LIMIT codings:
stored small, read back as the very events (and rows) they stand for."""

from __future__ import annotations

import json
import re
import tracemalloc
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from qualcode.coding.bulk import apply_many
from qualcode.coding.listing import event_log
from qualcode.coding.session import CodingSession
from qualcode.errors import StoreError
from qualcode.store import batches
from qualcode.store import codings as store
from qualcode.store.batches import decode_codings, encode_rows
from qualcode.store.schema import events
from qualcode.store.transcripts import segment_ids
from tests.helpers import INTERVIEW, add_transcript

pytestmark = pytest.mark.coders("bulk", "alice")

few = st.sampled_from
json_values = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(0, 1) | few(["", "a", "referral.hotline"])
rows = st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.integers(0, 10**6), st.lists(st.tuples(few(["t1", "t2"]), st.integers(0, 99), json_values, json_values),
                                    min_size=n, max_size=n), st.booleans(),
))


def _rows(drawn) -> list[dict]:
    first_id, values, contiguous = drawn
    return [
        {"id": first_id + (n if contiguous else 2 * n), "transcript_id": t, "start_offset": start, "memo": a, "confidence": b}
        for n, (t, start, a, b) in enumerate(values)
    ]


def _naive(value):
    """A timestamp as SQLite and PostgreSQL both give it back (SQLite drops the zone)."""
    if isinstance(value, str) and value[:2] == "20" and "T" in value:
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def _through_json(value):
    return json.loads(json.dumps(value))


@given(rows)
def test_rows_round_trip_exactly(drawn):
    """Every row back, in order, keys in order, 0 / 0.0 / False / None / "" kept apart."""
    original = _through_json(_rows(drawn))
    decoded = batches.decode_rows(_through_json(batches.encode_rows(original)))
    assert decoded == original
    assert [list(r) for r in decoded] == [list(r) for r in original]
    assert [[type(v) for v in r.values()] for r in decoded] == [[type(v) for v in r.values()] for r in original]


@given(rows, st.integers(1, 5))
def test_chunks_keep_order_and_name_a_transcript_only_when_they_share_one(monkeypatch, drawn, limit):
    original = _rows(drawn)
    monkeypatch.setattr(batches, "LIMIT", limit)
    runs = batches.chunks(original)
    assert [row for run in runs for row in run] == original and all(len(run) <= limit for run in runs)
    for run in runs:
        named = {r["transcript_id"] for r in run}
        assert batches.only(run, "transcript_id") == (named.pop() if len(named) == 1 else None)


def test_each_form_is_chosen_where_it_is_shortest_and_round_trips():
    mixed = [None, "x", 0, 0.0, False, "", "y"]
    original = _through_json([
        {"id": 70 + n, "transcript_id": "t-1" if n < 25 else "t-2", "code_id": "referral.hotline" if n % 2 else "challenge.housing",
         "start_offset": 10000 + n * 7919 % 90000, "end_offset": 10100 + n * 7919 % 90000 + n % 10, "memo": mixed[n % 7],
         "confidence": 0.9, "segment_id": 1000 + n // 2}
        for n in range(40)
    ])
    payload = _through_json(batches.encode_rows(original))
    forms = {key: form for key, (form, _data) in payload["cols"].items()}
    assert forms == {"id": "run", "transcript_id": "repeat", "code_id": "index", "start_offset": "step",
                     "end_offset": "from", "memo": "list", "confidence": "same", "segment_id": "step"}
    assert batches.decode_rows(payload) == original


def test_rows_with_other_columns_are_refused():
    with pytest.raises(ValueError, match="same columns"):
        batches.encode_rows([{"a": 1, "b": 2}, {"b": 2, "a": 1}])
    with pytest.raises(ValueError, match="at least one row"):
        batches.encode_rows([])


def _values(sid: int, start: int, end: int, code: str, transcript: str = "vsp-1") -> dict:
    return {"transcript_id": transcript, "segment_id": sid, "coder": "bulk", "code_id": code,
            "start_offset": start, "end_offset": end, "origin": "rules", "confidence": 0.9, "memo": None,
            "codebook_version_id": None}


@pytest.mark.parametrize("limit", [2000, 5])
def test_a_bulk_run_is_one_event_per_batch_and_reads_as_one_per_coding(project, monkeypatch, limit):
    monkeypatch.setattr(batches, "LIMIT", limit)
    first = add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    second = add_transcript(project, "vsp-2", "service_provider", INTERVIEW)
    new = []
    with project.read() as conn:
        for transcript in (first, second):
            ids = segment_ids(conn, transcript.id)
            for seg in transcript.segments[1::2]:
                for n, code in enumerate(("referral.hotline", "challenge.housing")):
                    new.append(_values(ids[seg.ordinal], seg.start + n, seg.start + n + 5, code, transcript.id))
    with project.write() as conn:
        plan = apply_many(conn, "bulk", "autocode", new)
    with project.read() as conn:
        stored = conn.execute(select(events.c.transcript_id)).scalars().all()
        coded = {r["id"]: r for r in store.codings_of_transcript(conn, "vsp-1") + store.codings_of_transcript(conn, "vsp-2")}
        read = store.group_events(conn, plan.group_id)
        largest = conn.execute(select(func.max(events.c.coding_id))).scalar()
    assert len(stored) == -(-len(new) // limit) and len(coded) == len(new) == len(read)
    # an event names its transcript when its codings share one
    assert stored == [batches.only(chunk, "transcript_id") for chunk in batches.chunks(new)]
    assert limit < len(new) or stored == [None]
    assert largest == max(coded)  # ids are never reused: the log still names the largest
    for event in read:
        assert event["before"] is None and event["coding_id"] == event["after"]["id"]
        row = coded[event["coding_id"]]
        assert {k: _naive(v) for k, v in event["after"].items()} == {k: _naive(v) for k, v in row.items()}
        assert event["transcript_id"] == row["transcript_id"] and event["group_id"] == plan.group_id
    log = event_log(project, coder="bulk")
    assert [(e.change, e.code) for e in log] == [("insert", v["code_id"]) for v in new]


def test_a_bulk_run_undoes_and_redoes_exactly(project):
    transcript = add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    seg = transcript.segments[1]
    CodingSession(project, "bulk").tag("vsp-1", seg.ordinal, ["referral.hotline"], span=(seg.start, seg.start + 3))
    with project.read() as conn:
        sid = segment_ids(conn, "vsp-1")[seg.ordinal]
        kept = store.codings_of_transcript(conn, "vsp-1")
    new = [_values(sid, seg.start + 2, seg.start + 9, "referral.hotline"), _values(sid, seg.start + 20, seg.start + 30, "referral.hotline"),
           _values(sid, seg.start, seg.start + 4, "challenge.housing")]
    with project.write() as conn:
        apply_many(conn, "bulk", "autocode", new)  # widens the first (an update), inserts two
    done = _state(project)
    assert len(done) == 3
    CodingSession(project, "bulk").undo()
    assert _state(project) == _state(project, kept)
    CodingSession(project, "bulk").redo()
    assert _state(project) == done


def _state(project, rows=None) -> list[dict]:
    """The codings, every column but ``updated_at`` (an undone or redone update is a new update)."""
    if rows is None:
        with project.read() as conn:
            rows = store.codings_of_transcript(conn, "vsp-1")
    return [{k: _naive(v) for k, v in row.items() if k != "updated_at"} for row in rows]


ROW = {"id": 7, "code_id": "referral.hotline", "start_offset": 3, "end_offset": 9}
FORGED_BATCHES = [
    # claims a billion codings of one stored value: refused before any list is built
    ({"_c": 3, "n": 10**9, "keys": ["id"], "cols": {"id": ["same", 1]}}, "claims 1000000000 codings"),
    ({"_c": 3, "n": 2, "keys": ["id"], "cols": {"id": ["repeat", [[1, 10**9], [2, -10**9 + 2]]]}}, "does not fit"),
    ({"_c": 3, "n": 2, "keys": ["id"], "cols": {"id": ["list", [1, 2, 3]]}}, "has 3 values for 2 codings"),
    ({"_c": 3, "n": 1, "keys": ["id"], "cols": {}}, "is not [form, data]"),
    ({"_c": 3, "n": 1, "keys": "id", "cols": {}}, "no list of column names"),
    ({"_c": 3, "n": 1, "keys": ["id"], "cols": {"id": ["from", ["nowhere", [1]]]}}, "cannot be read"),
    ({**encode_rows([{**ROW, "start_offset": 9}])}, "span 0 <= start < end"),
    ({**encode_rows([{k: v for k, v in ROW.items() if k != "code_id"}])}, "without an id, a code"),
]


@pytest.mark.parametrize(("payload", "message"), FORGED_BATCHES, ids=range(len(FORGED_BATCHES)))
def test_a_forged_batch_event_is_one_store_error_with_bounded_memory(payload, message):
    """A teammate's role may have written the event: it is refused, never expanded blindly."""
    tracemalloc.start()
    try:
        with pytest.raises(StoreError, match=re.escape(message)):
            decode_codings(payload)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_a_genuine_batch_of_codings_decodes():
    assert decode_codings(encode_rows([ROW, {**ROW, "id": 8}])) == [ROW, {**ROW, "id": 8}]
