"""Re-anchoring codings when a transcript is replaced by a corrected version."""

from __future__ import annotations

import pytest

from qualcode.coding.listing import list_codings, list_orphans
from qualcode.coding.reanchor import SpanMapper, reanchor_codings
from qualcode.coding.session import CodingSession
from qualcode.store.transcripts import replace_transcript, transcript_row
from qualcode.transcripts.model import Transcript, Turn, render

from tests.helpers import INTERVIEW

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
    rows = {r["code"]: r for r in list_codings(project)}
    assert rows["referral.hotline"]["text"] == "Mostly, um, the hotline."
    assert rows["referral.hotline"]["segment"] == 4
    assert rows["challenge.case_length"]["text"] == "three years to trial"
    assert "challenge.housing" not in rows
    (orphan,) = list_orphans(project)
    assert orphan["code"] == "challenge.housing" and orphan["text"] == "Shelters are full."
    assert report.orphaned == [orphan["id"]]
