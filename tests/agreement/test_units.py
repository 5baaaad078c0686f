"""Units of analysis: sentences, unit x code matrices, character counts per block."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.agreement.units import (
    block_counts,
    character_counts,
    code_targets,
    load_coded,
    split_sentences,
    unit_matrices,
)
from qualcode.coding.session import CodingSession
from qualcode.errors import AgreementError
from qualcode.store.codings import ensure_coder, insert_coding
from qualcode.store.transcripts import segment_ids
from tests.helpers import add_transcript, code_interviewer_turns

pytestmark = pytest.mark.coders("ana", "ben")

TURNS = [
    ("Interviewer", "Where do cases come from?"),
    ("Respondent", "Mostly the hotline. Police also bring us clients."),
    ("Interviewer", "And housing?"),
    ("Respondent", "There's always a need for housing. Shelters are full. It is hard."),
    ("Interviewer", "Anything else?"),
    ("Respondent", "No."),
]
CODES = ("referral.hotline", "referral.law_enforcement", "challenge.housing", "challenge.case_length")


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two! Three?", ["One.", "Two!", "Three?"]),
        ("Ask Mr. Smith, e.g. Det. Ruiz, today. Then go.", ["Ask Mr. Smith, e.g. Det. Ruiz, today.", "Then go."]),
        ("He said \"stop.\" Then left", ["He said \"stop.\"", "Then left"]),
        ("First line\nsecond line", ["First line\nsecond line"]),
        ("First part.\n\nsecond part", ["First part.", "second part"]),
        ("Wait… what?  ", ["Wait…", "what?"]),
        ("J. K. Rowling wrote it. Yes.", ["J. K. Rowling wrote it.", "Yes."]),
        ("", []),
    ],
)
def test_split_sentences(text, sentences):
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == sentences
    assert split_sentences(text, 100) == [(s + 100, e + 100) for s, e in spans]


def test_code_targets_roll_up_to_ancestors(project):
    codebook = project.codebook
    applied = np.array(["referral.hotline", "challenge.housing", "unknown"], dtype=object)
    columns = ["referral", "referral.hotline", "challenge", "challenge.housing"]
    rows, cols = code_targets(applied, columns)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 1), (1, 3)]
    rows, cols = code_targets(applied, columns, rollup=True, codebook=codebook)
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 2), (1, 3)]


@pytest.fixture
def two_coders(project):
    transcript = add_transcript(project, "vsp-1", "service_provider", TURNS)
    return project, transcript


def tag(project, coder, ordinal, codes, span=None):
    CodingSession(project, coder).tag("vsp-1", ordinal, codes, span=span)


def test_segment_matrices(two_coders):
    project, _ = two_coders
    tag(project, "ana", 2, ["referral.hotline", "referral.law_enforcement"])
    tag(project, "ana", 4, ["challenge.housing"])
    tag(project, "ben", 2, ["referral.hotline"])
    tag(project, "ben", 4, ["challenge.housing"])
    tag(project, "ben", 6, ["challenge.case_length"])
    code_interviewer_turns(project)  # a study that codes them; still not an agreement unit
    tag(project, "ben", 3, ["challenge.housing"])  # an interviewer turn: not a unit
    matrices = unit_matrices(load_coded(project, ["ana", "ben"], ["vsp-1"]), CODES)
    assert matrices.units.ordinal.tolist() == [2, 4, 6]
    assert matrices.a.astype(int).tolist() == [[1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    assert matrices.b.astype(int).tolist() == [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]


def test_sentence_units_take_any_overlap(two_coders):
    project, transcript = two_coders
    turn = transcript.segment(4)  # three sentences
    first_end = turn.start + len("There's always a need for housing.")
    second_start = first_end + 1
    # Across the first sentence's end into the second; then touching (not overlapping) the third.
    tag(project, "ana", 4, ["challenge.housing"], span=(first_end - 3, second_start + 2))
    third_start = turn.start + transcript.segment_text(turn).index("It is hard.")
    tag(project, "ben", 4, ["challenge.housing"], span=(second_start, third_start - 1))
    matrices = unit_matrices(load_coded(project, ["ana", "ben"], ["vsp-1"]), CODES, "sentence")
    assert len(matrices.units) == 2 + 3 + 1
    column = CODES.index("challenge.housing")
    assert matrices.a[:, column].astype(int).tolist() == [0, 0, 1, 1, 0, 0]
    assert matrices.b[:, column].astype(int).tolist() == [0, 0, 0, 1, 0, 0]


def test_rollup_counts_children_for_their_parent(two_coders):
    project, _ = two_coders
    tag(project, "ana", 2, ["referral.hotline"])
    tag(project, "ben", 2, ["referral.law_enforcement"])
    coded = load_coded(project, ["ana", "ben"], ["vsp-1"])
    columns = ["referral", "referral.hotline", "referral.law_enforcement"]
    exact = unit_matrices(coded, columns)
    rolled = unit_matrices(coded, columns, rollup=True, codebook=project.codebook)
    assert exact.a[0].tolist() == [False, True, False] and exact.b[0].tolist() == [False, False, True]
    assert rolled.a[0].tolist() == [True, True, False] and rolled.b[0].tolist() == [True, False, True]


def test_block_counts_per_turn_add_up_to_the_transcript(two_coders):
    project, _ = two_coders
    tag(project, "ana", 2, ["referral.hotline"])
    tag(project, "ben", 2, ["referral.hotline"])
    tag(project, "ben", 4, ["referral.hotline"])
    matrices = unit_matrices(load_coded(project, ["ana", "ben"], ["vsp-1"]), CODES, "sentence")
    per_turn = block_counts(matrices, "segment")
    whole = block_counts(matrices, "transcript")
    assert per_turn.units.tolist() == [2, 3, 1] and whole.units.tolist() == [6]
    assert per_turn.both[:, 0].tolist() == [2, 0, 0] and per_turn.only_b[:, 0].tolist() == [0, 3, 0]
    for name in ("both", "only_a", "only_b"):
        assert getattr(per_turn.by_transcript(), name).tolist() == getattr(whole, name).tolist()
    with pytest.raises(AgreementError, match="blocks are 'transcript' or 'segment'"):
        block_counts(matrices, "sentence")


def insert_raw(project, coder, ordinal, code, start, end):
    """A coding written straight to the store (no merging), as a rule run might leave."""
    with project.write() as conn:
        ensure_coder(conn, coder)
        segment = segment_ids(conn, "vsp-1")[ordinal]
        insert_coding(conn, {"transcript_id": "vsp-1", "segment_id": segment, "coder": coder, "code_id": code,
                             "start_offset": start, "end_offset": end, "origin": "rules"})


def test_character_counts_match_a_hand_count(two_coders):
    """Turn 2 has 49 characters. ana codes [0, 8) and an overlapping [2, 6) (counted once)
    plus [40, 45); ben codes [4, 10) and [44, 49). Hand count for referral.hotline:
    both {4..7, 44} = 5, only ana {0..3, 40..43} = 8, only ben {8, 9, 45..48} = 6,
    neither 49 - 19 = 30 in turn 2, plus every character of turns 4 and 6."""
    project, transcript = two_coders
    s = transcript.segment(2).start
    for coder, spans in (("ana", [(0, 8), (2, 6), (40, 45)]), ("ben", [(4, 10), (44, 49)])):
        for start, end in spans:
            insert_raw(project, coder, 2, "referral.hotline", s + start, s + end)
    coded = load_coded(project, ["ana", "ben"], ["vsp-1"])
    respondent = sum(len(transcript.segment_text(t)) for t in transcript.respondent_segments)
    counts = character_counts(coded, CODES)
    assert counts.units.tolist() == [respondent]
    assert len(transcript.segment_text(transcript.segment(2))) == 49
    assert (counts.both[0, 0], counts.only_a[0, 0], counts.only_b[0, 0]) == (5, 8, 6)
    assert counts.both[0, 1:].tolist() == [0, 0, 0]
    per_turn = character_counts(coded, CODES, level="segment")
    assert per_turn.units.tolist() == [49, len(transcript.segment_text(transcript.segment(4))), 3]
    assert per_turn.both[:, 0].tolist() == [5, 0, 0]
    everything = character_counts(coded, CODES, scope="all")
    assert everything.units.tolist() == [len(transcript.text)]
    assert (everything.both[0, 0], everything.only_a[0, 0], everything.only_b[0, 0]) == (5, 8, 6)


def test_character_scope_all_has_no_turn_blocks(two_coders):
    project, _ = two_coders
    coded = load_coded(project, ["ana", "ben"], ["vsp-1"])
    with pytest.raises(AgreementError, match="resample transcripts"):
        character_counts(coded, CODES, scope="all", level="segment")
    with pytest.raises(AgreementError, match="--characters must be one of respondent, all"):
        character_counts(coded, CODES, scope="source")
    with pytest.raises(AgreementError, match="segment or sentence units"):
        unit_matrices(coded, CODES, "character")


def test_matrices_are_built_without_per_unit_loops_at_scale(project):
    """2,000 respondent turns, one coding each: the matrices build in well under a second."""

    turns = [(("Interviewer", "Q?") if i % 2 == 0 else ("Respondent", "An answer. Another one.")) for i in range(4000)]
    add_transcript(project, "big", "service_provider", turns)
    with project.write() as conn:
        ensure_coder(conn, "ana")
        ids = segment_ids(conn, "big")
        rows = [{"transcript_id": "big", "segment_id": ids[o], "coder": "ana", "code_id": CODES[o % 4],
                 "start_offset": 0, "end_offset": 1, "origin": "import"} for o in range(2, 4001, 2)]
        for row in rows:
            insert_coding(conn, row)
    coded = load_coded(project, ["ana", "ben"], ["big"])
    matrices = unit_matrices(coded, CODES)  # speed: benchmarks, never a timed assertion
    assert matrices.a.sum() == 2000


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_character_counts_equal_a_naive_count_per_character(project, seed):
    """Random overlapping spans (some on interviewer turns) against a per-character count."""
    rng = np.random.default_rng(seed)
    transcript = add_transcript(project, "vsp-1", "service_provider", TURNS)
    spans = {"ana": [], "ben": []}
    for coder in spans:
        for _ in range(12):
            turn = transcript.segments[int(rng.integers(0, len(transcript.segments)))]
            start = int(rng.integers(turn.start, turn.end))
            end = int(rng.integers(start + 1, turn.end + 1))
            code = CODES[int(rng.integers(0, 2))]
            insert_raw(project, coder, turn.ordinal, code, start, end)
            spans[coder].append((turn, code, start, end))
    coded = load_coded(project, ["ana", "ben"], ["vsp-1"])
    for scope, level in (("respondent", "transcript"), ("respondent", "segment"), ("all", "transcript")):
        counts = character_counts(coded, CODES, scope=scope, level=level)
        if scope == "all":
            blocks = [(0, len(transcript.text))]
        else:
            turns = [(t.start, t.end) for t in transcript.respondent_segments]
            blocks = turns if level == "segment" else None
        for column, code in enumerate(CODES):
            marks = {}
            for coder in spans:
                mark = np.zeros(len(transcript.text), dtype=bool)
                for turn, applied, start, end in spans[coder]:
                    if applied == code and (scope == "all" or not turn.is_interviewer):
                        mark[start:end] = True
                marks[coder] = mark
            in_scope = np.zeros(len(transcript.text), dtype=bool)
            for turn in transcript.segments:
                if scope == "all" or not turn.is_interviewer:
                    in_scope[turn.start:turn.end] = True
            if scope == "all":
                in_scope[:] = True
            ranges = blocks or [(0, len(transcript.text))]
            for block, (start, end) in enumerate(ranges):
                window = slice(start, end)
                a, b, keep = marks["ana"][window], marks["ben"][window], in_scope[window]
                expected = (int((a & b & keep).sum()), int((a & ~b & keep).sum()), int((~a & b & keep).sum()))
                got = (int(counts.both[block, column]), int(counts.only_a[block, column]),
                       int(counts.only_b[block, column]))
                assert got == expected, (scope, level, code, block)
