"""Compact event payloads: stored small, read back as whole rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from qualcode.coding.session import CodingSession
from qualcode.store.codings import event_rows
from qualcode.store.payloads import CODING_FIELDS, compact_payload, expand_payload
from qualcode.store.schema import events

pytestmark = pytest.mark.coders("alice", "ana")

optional_text = st.none() | st.text(max_size=8)
rows = st.fixed_dictionaries({
    "id": st.integers(0, 10**9), "transcript_id": st.text(min_size=1, max_size=8), "segment_id": st.none() | st.integers(0, 99),
    "coder": st.text(min_size=1, max_size=8), "code_id": st.text(min_size=1, max_size=8),
    "start_offset": st.integers(0, 99), "end_offset": st.integers(0, 99), "origin": st.sampled_from(["manual", "rules"]),
    "confidence": st.none() | st.floats(0, 1), "memo": optional_text, "codebook_version_id": st.none() | st.integers(0, 9),
    "orphaned": st.booleans(), "orphan_text": optional_text,
    "created_at": st.datetimes(timezones=st.just(UTC)), "updated_at": st.datetimes(timezones=st.just(UTC)),
})


def _json(row: dict) -> dict:
    return json.loads(json.dumps({k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}))


@given(rows, rows, st.booleans(), st.booleans())
def test_payloads_round_trip_through_json(before, after, same_stamps, event_says):
    """Whole rows (an insert's after, an update's before and after) come back equal, zeros
    included, whether or not the event row carries the coder and transcript."""
    if same_stamps:
        before = {**before, "updated_at": before["created_at"]}
    event = {"coder": before["coder"], "transcript_id": before["transcript_id"]} if event_says else {}
    stored_before = json.loads(json.dumps(compact_payload(before, **event)))
    stored_after = json.loads(json.dumps(compact_payload(after, before, **event)))
    expanded_before = expand_payload(stored_before, event=event)
    assert expanded_before == _json(before)
    assert expand_payload(stored_after, expanded_before, event=event) == _json(after)


def test_other_payloads_are_kept_as_they_are():
    record = {"transcript": {"id": "t"}, "segments": [[1, 2]]}
    assert compact_payload(record) == record and expand_payload(record) == record
    assert compact_payload(None) is None


def test_a_tag_and_an_update_are_logged_small_and_read_whole(project, interview):
    session = CodingSession(project, "alice")
    session.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline")
    session.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline. Police")  # widens: an update
    with project.read() as conn:
        raw = [dict(r._mapping) for r in conn.execute(select(events.c.before, events.c.after).order_by(events.c.id))]
        read = event_rows(conn, coder="alice")
    whole = len(json.dumps(_json(read[0]["after"])))  # the row as it used to be stored
    insert_size = len(json.dumps(raw[0]["after"]))
    update_size = len(json.dumps(raw[1]["after"]))
    assert insert_size < 0.6 * whole and update_size < 0.4 * whole, (insert_size, update_size, whole)
    assert set(read[0]["after"]) == set(CODING_FIELDS) and read[0]["before"] is None
    assert read[1]["before"]["end_offset"] < read[1]["after"]["end_offset"]
    assert {k: v for k, v in read[1]["after"].items() if k not in ("start_offset", "end_offset", "updated_at")} == {
        k: v for k, v in read[1]["before"].items() if k not in ("start_offset", "end_offset", "updated_at")
    }
