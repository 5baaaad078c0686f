"""Re-anchoring as a property: random corrections of a coded transcript (insert,
delete and change words, split and merge turns, delete turns), imported with
``--replace``. Every coding ends up either on text that is, by the stated rule
(qualcode/transcripts/reanchor.py), nearly equal to its old text and inside one turn, or
orphaned with its old text — never on other text, never lost. Codings in the
unchanged beginning or end of the transcript always keep their words.

The model here is independent of the implementation: an optimal LCS over words
(the implementation's greedy alignment never finds more), compared ignoring case
and punctuation as the rule says.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st

from qualcode.coding.session import CodingSession
from qualcode.store.coded_text import coding_listing
from qualcode.store.transcripts import load_transcript
from qualcode.transcripts.importing import ImportRequest, import_transcripts

pytestmark = pytest.mark.coders("c0", "c1", "c2", "c3")  # one coder per coding (at most 4)

ASKER, R = "Interviewer", "Respondent"
# Answers are made of a few shared phrases, so that turns look alike (the case).
PHRASES = [
    "and we worked it with the sheriff",
    "a girl from the motel called the hotline",
    "we met her that night",
    "the police called us",
    "it took three years",
]
WORDS = ["we", "the", "sheriff", "hotline", "um", "Sheriff.", "hotline,", "it", "court", "shelter"]
CODES = ["referral.hotline", "referral.law_enforcement", "challenge.case_length", "challenge.housing"]
NUMBERS = itertools.count(1)

word = st.sampled_from(WORDS)
answer = st.lists(st.sampled_from(PHRASES), min_size=1, max_size=3).map(lambda p: " ".join(p).split())
question = st.sampled_from(["And then?", "Another case?", "Go on."]).map(str.split)
index = st.integers(0, 60)
edit = st.one_of(
    st.tuples(st.just("insert"), index, index, st.lists(word, min_size=1, max_size=3)),
    st.tuples(st.just("delete"), index, index, st.integers(1, 4)),
    st.tuples(st.just("change"), index, index, word),
    st.tuples(st.just("split"), index, index),
    st.tuples(st.just("merge"), index),
    st.tuples(st.just("delete_turn"), index),
)
coding = st.tuples(index, index, st.integers(1, 20))


def key(word: str) -> str:
    stripped = "".join(c for c in word.casefold() if c.isalnum() or c == "_")
    return stripped or word


def keys(text: str) -> list[str]:
    return [key(w) for w in text.split()]


def lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag, row[0] = 0, 0
        for j, y in enumerate(b, start=1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def apply_edits(turns: list[tuple[str, list[str]]], edits) -> list[tuple[str, list[str]]]:
    turns = [(speaker, list(words)) for speaker, words in turns]
    for op, raw, *args in edits:
        t = 1 + raw % (len(turns) - 1)  # the first turn (the interview's number) stays
        speaker, words = turns[t]
        if op == "insert":
            pos = args[0] % (len(words) + 1)
            words[pos:pos] = args[1]
        elif op == "delete" and len(words) > 1:
            pos = args[0] % len(words)
            del words[pos : min(pos + args[1], len(words) - 1 if pos == 0 else len(words))]
            if not words:
                words.append("um")
        elif op == "change":
            words[args[0] % len(words)] = args[1]
        elif op == "split" and len(words) > 1:
            pos = 1 + args[0] % (len(words) - 1)
            other = ASKER if speaker == R else R
            turns[t : t + 1] = [(speaker, words[:pos]), (other, ["mm-hm."]), (speaker, words[pos:])]
        elif op == "merge" and t + 1 < len(turns):
            turns[t : t + 2] = [(speaker, words + turns[t + 1][1])]
        elif op == "delete_turn" and len(turns) > 2:
            del turns[t]
    return turns


def write(path, turns) -> None:
    path.write_text("\n\n".join(f"{s}: {' '.join(w)}" for s, w in turns) + "\n", encoding="utf-8")


def _tag(project, transcript, picks) -> dict[int, tuple[int, str]]:
    """Code word ranges of respondent turns, one coder each (so nothing merges)."""
    respondent = [s for s in transcript.segments if not s.is_interviewer]
    coded = {}
    for n, (turn, first, length) in enumerate(picks):
        segment = respondent[turn % len(respondent)]
        words = list(re.finditer(r"\S+", transcript.text[segment.start : segment.end]))
        a = first % len(words)
        b = min(a + length, len(words))
        span = (segment.start + words[a].start(), segment.start + words[b - 1].end())
        result = CodingSession(project, f"c{n}").tag(transcript.id, segment.ordinal, [CODES[n % 4]], span=span)
        coded[result.added[0].id] = (span[0], transcript.text[span[0] : span[1]])
    return coded


def _common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    head = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


@given(
    answers=st.lists(answer, min_size=2, max_size=5),
    questions=st.lists(question, min_size=5, max_size=5),
    picks=st.lists(coding, min_size=1, max_size=4),
    edits=st.lists(edit, min_size=1, max_size=4),
)
# A 15-word coding whose last word changes: shortened to the 14 found again.
@example(
    answers=[f"{PHRASES[1]} {PHRASES[0]}".split(), PHRASES[0].split()],
    questions=[["Go", "on."]] * 5,
    picks=[(0, 0, 20)],
    edits=[("change", 0, 14, "court")],
)
def test_every_coding_keeps_its_words_or_is_orphaned(project, tmp_path, answers, questions, picks, edits):
    number = next(NUMBERS)
    tid = f"interview-{number}"
    turns = [(ASKER, ["Interview", f"{number}."])]
    for q, a in zip(questions, answers, strict=False):
        turns += [(R, a), (ASKER, q)]
    turns = turns[:-1]  # end on an answer
    path = tmp_path / f"{tid}.txt"
    write(path, turns)
    request = ImportRequest(path, "VSP", "A")
    import_transcripts(project, [request], interviewer=ASKER)
    with project.read() as conn:
        old = load_transcript(conn, tid)
    coded = _tag(project, old, picks)

    write(path, apply_edits(turns, edits))
    (outcome,) = import_transcripts(project, [request], replace=True, interviewer=ASKER)
    with project.read() as conn:
        new = load_transcript(conn, tid)
        rows = {r.id: r for r in coding_listing(conn, transcript=tid, include_orphans=True)}

    assert set(rows) == set(coded)  # none lost
    if outcome.status == "replaced":
        report = outcome.reanchor
        assert report.moved + report.shortened + report.unchanged + len(report.orphaned) == len(coded)
        assert set(report.orphaned) == {i for i, r in rows.items() if r.orphaned}
        if edits == [("change", 0, 14, "court")]:
            assert report.shortened == 1
        for name in ("moved", "shortened", "unchanged"):
            if getattr(report, name):
                event(f"some {name}")
        if report.orphaned:
            event("some orphaned")
    head, tail = _common_ends(keys(old.text), keys(new.text))
    for coding_id, (_, old_text) in coded.items():
        row = rows[coding_id]
        if row.orphaned:
            assert row.orphan_text == old_text
            assert row.segment_id is None
        else:
            _check_moved(new, row, old_text)
    _check_common_ends(old, new, rows, coded, head, tail)


def _check_moved(new, row, old_text: str) -> None:
    """Not orphaned: inside one turn, on text nearly equal to the old by the rule."""
    segment = next(s for s in new.segments if s.ordinal == row.ordinal)
    assert segment.start <= row.start_offset < row.end_offset <= segment.end
    old_words, new_words = keys(old_text), keys(new.text[row.start_offset : row.end_offset])
    common = lcs(old_words, new_words)
    assert common >= 0.9 * len(old_words), (old_text, new.text[row.start_offset : row.end_offset])
    assert 2 * common >= 0.85 * (len(old_words) + len(new_words))


def _check_common_ends(old, new, rows, coded, head: int, tail: int) -> None:
    """A coding in the unchanged beginning or end (in words) keeps exactly its words."""
    total = len(old.text.split())
    for coding_id, (start, old_text) in coded.items():
        first = len(old.text[:start].split())  # index of the coding's first word
        last = first + len(old_text.split()) - 1
        if last < head or first >= total - tail:
            event("a coding in the unchanged beginning or end")
            row = rows[coding_id]
            assert not row.orphaned, old_text
            assert keys(new.text[row.start_offset : row.end_offset]) == keys(old_text)
