"""Re-anchoring codings when a transcript is replaced by a corrected version."""

from __future__ import annotations

import pytest

from qualcode.coding.listing import list_codings, list_orphans
from qualcode.coding.session import CodingSession
from qualcode.store.transcripts import replace_transcript, transcript_row
from qualcode.transcripts.model import Transcript, Turn, render
from qualcode.transcripts.reanchor import SpanMapper, align_words, reanchor_codings
from tests.helpers import INTERVIEW, SIMILAR_ANSWERS

pytestmark = pytest.mark.coders("ana")


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        ("the hotline sends tips", "um the national hotline sends tips", "hotline sends"),
        ("we get referrals from police", "We get many referrals from the police", "referrals"),
        ("it takes years", "it takes years", "takes years"),
    ],
)
def test_span_mapper_follows_words(old, new, phrase):
    start = old.index(phrase)
    mapped = SpanMapper(old, new).map(start, start + len(phrase))
    assert mapped is not None
    assert new[mapped[0] : mapped[1]] == phrase


def test_span_mapper_keeps_partial_words():
    old, new = "referrals matter", "so referrals matter"
    assert SpanMapper(old, new).map(0, 5) == (3, 8)  # "refer"


def test_span_mapper_returns_none_when_words_are_gone():
    assert SpanMapper("the hotline calls", "nothing alike here").map(4, 11) is None


def _replace(project, turns):
    text, segments = render([Turn(s, t) for s, t in turns], {"Interviewer"})
    new = Transcript(
        id="vsp-1", title="vsp-1", role="service_provider", site="A", text=text,
        segments=segments, format="text", source_path="vsp-1.txt", sha256="v2",
    )
    with project.write() as conn:
        old_text = transcript_row(conn, "vsp-1").text
        replace_transcript(conn, new)
        return reanchor_codings(conn, "vsp-1", old_text, new)


def test_codings_move_to_the_same_words_and_orphans_are_kept(project, interview):
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline.")
    session.tag("vsp-1", 2, ["challenge.case_length"], text="three years to trial")
    session.tag("vsp-1", 4, ["challenge.housing"], text="Shelters are full.")
    corrected = list(INTERVIEW)
    corrected.insert(1, ("Interviewer", "Sorry, one more thing first."))
    corrected.insert(2, ("Respondent", "Sure."))
    corrected[3] = ("Respondent", "Mostly, um, the hotline. Police also bring us clients. It takes three years to trial.")
    corrected[5] = ("Respondent", "There's always a need for housing.")
    report = _replace(project, corrected)
    rows = {r.code: r for r in list_codings(project)}
    assert rows["referral.hotline"].text == "Mostly, um, the hotline."
    assert rows["referral.hotline"].segment == 4
    assert rows["challenge.case_length"].text == "three years to trial"
    assert "challenge.housing" not in rows
    (orphan,) = list_orphans(project)
    assert orphan.code == "challenge.housing" and orphan.text == "Shelters are full."
    assert report.orphaned == (orphan.id,)
    assert (report.moved, report.shortened) == (2, 0)


TURNS = SIMILAR_ANSWERS


def _texts(old_turns, new_turns):
    old, old_segments = render([Turn(s, t) for s, t in old_turns], {"Interviewer"})
    new, new_segments = render([Turn(s, t) for s, t in new_turns], {"Interviewer"})
    return old, old_segments, new, new_segments


def test_a_deleted_answer_is_orphaned_not_moved_onto_a_similar_one():
    """The issue's case: deleting one of several similar answers must not move its
    coding onto "and we worked it with the sheriff." in another turn."""
    old, old_segments, new, new_segments = _texts(TURNS, TURNS[:2] + TURNS[4:])
    mapper = SpanMapper(old, new)
    deleted, kept = old_segments[3], old_segments[1]
    assert mapper.anchor(deleted.start, deleted.end, new_segments).span is None
    moved = mapper.anchor(kept.start, kept.end, new_segments)
    assert moved.status == "unchanged" and new[slice(*moved.span)] == old[kept.start : kept.end]


def _first(old_turn, new_turn, phrase):
    old, _, new, new_segments = _texts([("R", old_turn)], [("R", new_turn)])
    start = old.index(phrase)
    return SpanMapper(old, new).anchor(start, start + len(phrase), new_segments), new


@pytest.mark.parametrize(
    ("old", "new", "phrase", "status", "expected"),
    [
        ("we call the hotline", "so we call the hotline", "call the hotline", "moved", "call the hotline"),
        ("we call the hotline", "we call the hotline too", "we call the hotline", "unchanged", "we call the hotline"),
        ("We call the Hotline.", "We call the hotline", "call the Hotline.", "moved", "call the hotline"),
        # nine of ten words found: shortened to the nine
        ("one two three four five six seven eight nine ten", "one two three four five six seven eight nine",
         "one two three four five six seven eight nine ten", "shortened", "one two three four five six seven eight nine"),
        # two of three words found: orphaned
        ("shelters are full", "shelters seem full", "shelters are full", "orphaned", None),
        # all words found, but far apart: too many inserted words
        ("the hotline calls", "the national human trafficking hotline calls", "the hotline calls", "orphaned", None),
        # one word inserted in three: 2*3/(3+4) = 0.857 >= 0.85, so it moves
        ("the hotline calls", "the national hotline calls", "the hotline calls", "moved", "the national hotline calls"),
        ("a b c d e f g", "a b c um d e f g", "a b c d e f g", "moved", "a b c um d e f g"),
    ],
)
def test_the_rule(old, new, phrase, status, expected):
    result, new_text = _first(old, new, phrase)
    assert result.status == status
    if expected is None:
        assert result.span is None
    else:
        assert new_text[slice(*result.span)] == expected


def test_words_split_over_two_turns_are_orphaned():
    old, _, new, new_segments = _texts(
        [("R", "we call the hotline every week")], [("R", "we call the"), ("I", "Yes?"), ("R", "hotline every week")]
    )
    start = old.index("we call")
    assert SpanMapper(old, new).anchor(start, len(old), new_segments).reason == "its words are found only across turns"


def test_alignment_keeps_the_common_beginning_and_end():
    old = "a x s b x s c".split()
    new = "a x s c".split()
    assert align_words(old, new) == {0: 0, 1: 1, 2: 2, 6: 3}
