"""Bulk inserts of codings: ids reserved up front, in order, never reused."""

from __future__ import annotations

import pytest

from qualcode.store.codings import delete_coding, ensure_coder, insert_coding, insert_codings
from qualcode.store.transcripts import segment_ids


def _row(transcript, sid, start):
    return {"transcript_id": transcript.id, "segment_id": sid, "coder": "alice", "code_id": "referral.hotline",
            "start_offset": start, "end_offset": start + 3, "origin": "rules"}


@pytest.mark.parametrize("batch", [1, 7])
def test_ids_are_in_order_and_never_reused(project, interview, batch):
    turn = interview.segments[1]
    with project.write() as conn:
        ensure_coder(conn, "alice")
        sid = segment_ids(conn, "vsp-1")[turn.ordinal]
        first = insert_codings(conn, [_row(interview, sid, turn.start + n) for n in range(batch)])
        assert first == sorted(first) and len(set(first)) == batch
        delete_coding(conn, first[-1])  # the largest id is gone: it must not come back
        second = insert_codings(conn, [_row(interview, sid, turn.start + n) for n in range(batch)])
        single = insert_coding(conn, _row(interview, sid, turn.start))
    assert min(second) > max(first) and single["id"] > max(second)
    with project.read() as conn:
        from qualcode.store.codings import coding_row

        assert [coding_row(conn, i)["start_offset"] for i in second] == [turn.start + n for n in range(batch)]


def test_ids_may_not_be_given(project, interview):
    with project.write() as conn, pytest.raises(ValueError, match="assigns ids"):
        insert_codings(conn, [{**_row(interview, 1, 0), "id": 5}])
