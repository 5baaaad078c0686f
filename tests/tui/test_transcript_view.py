"""Turn layout of the transcript pane: heights computed without rendering match the rendering."""

import pytest
from rich.console import Console

from qualcode.coding.session import CodingSession
from qualcode.tui.colors import palette_color
from qualcode.tui.state import CodingState
from qualcode.tui.widgets.transcript import reflow, render_turn, turn_height
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

LONG = (
    "So the big ones are housing, the shelter, and then we have some rapid rehousing\n"
    "money, and case management, and crisis response. Then counseling.\n"
    "We have two therapists on staff, one of them is bilingual, which has been huge for us."
)


def test_reflow_keeps_offsets_and_paragraphs():
    text = "rapid rehousing\nmoney. Next\n\nPara two.\nThird"
    flowed = reflow(text)
    assert len(flowed) == len(text)
    assert flowed == "rapid rehousing money. Next\n\nPara two.\nThird"


@pytest.mark.parametrize("width", [20, 41, 80, 133])
def test_height_matches_rendered_lines(project, width):
    add_transcript(project, "vsp-9", "service_provider", [("Interviewer", "Services?"), ("Respondent", LONG)])
    session = CodingSession(project, "ana")
    for code in ("challenge", "challenge.housing", "referral", "referral.hotline", "challenge.case_length"):
        session.tag("vsp-9", 2, [code], text="Then counseling.")
    CodingSession(project, "ben").tag("vsp-9", 2, ["referral.law_enforcement"])
    state = CodingState(project, "ana", "vsp-9", suggesters=[])
    state.toggle_sentence_mode()
    console = Console(width=200)
    for segment in state.transcript.segments:
        strips = render_turn(console, state, segment, width, palette_color)
        assert len(strips) == turn_height(state, segment, width)
        assert {strip.cell_length for strip in strips[:-1]} == {width}
