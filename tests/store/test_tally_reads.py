"""The tally's bulk reads (store/tally.py) against the same data read row by row: each
code's stored turns aggregated into one string, a transcript id containing the
separator (read row by row instead), and each code's segment ids for co-occurrence."""

from __future__ import annotations

import pytest

from qualcode.coding.session import CodingSession
from qualcode.store.tally import _code_turn_rows, code_turn_columns
from qualcode.tally.counting import children_keymap, segment_keys, segment_keys_by_code
from tests.helpers import INTERVIEW, add_transcript

pytestmark = pytest.mark.coders("ana")

CODES = ["referral.hotline", "referral.law_enforcement", "challenge.housing"]


def _code(project, transcript_ids):
    session = CodingSession(project, "ana")
    for n, tid in enumerate(transcript_ids):
        add_transcript(project, tid, "service_provider", INTERVIEW)
        session.tag(tid, 2, CODES[: n % 3 + 1])
        session.tag(tid, 4, CODES[n % 3: n % 3 + 1])
        session.tag(tid, 2, CODES[:1], text="three years")  # a second span: one turn still


@pytest.mark.parametrize("turns", [True, False])
@pytest.mark.parametrize("ids", [["vsp-a", "vsp-b", "vsp-c"], ["vsp-a", "odd\nid", "odd\nid\n2"]])
def test_code_turns_read_by_code_equal_them_read_row_by_row(project, turns, ids):
    _code(project, ids)
    with project.read() as conn:
        by_code = code_turn_columns(conn, "ana", CODES, turns=turns)
        rows = _code_turn_rows(conn, "ana", CODES, turns=turns)
    assert by_code == rows
    assert set(by_code["referral.hotline"]) == set(ids)
    if turns:
        assert by_code["referral.hotline"]["vsp-a"] == 2  # turns 2 and 4, one reference each


def test_segment_ids_read_by_code_equal_the_rows(project):
    _code(project, ["vsp-a", "vsp-b", "vsp-c", "vsp-d"])
    keymap = children_keymap(project.codebook, "referral", rollup=True)
    columns = {code: keymap.keys.index(key) for code, key in keymap.mapping.items() if key in keymap.keys}
    with project.read() as conn:
        fast = segment_keys_by_code(conn, "ana", columns)
        rows = segment_keys(conn, "ana", columns)
    assert fast[0].tolist() == rows[0].tolist() and fast[1].tolist() == rows[1].tolist()
    # (turn, referral child) pairs: vsp-a 2 (hotline on turns 2, 4), vsp-b 3 (hotline and
    # law enforcement on turn 2, law enforcement on 4), vsp-c 2 (both on turn 2), vsp-d 2
    assert len(fast[0]) == 9
