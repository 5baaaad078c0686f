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


GROWING = ["referral.hotline", "referral.law_enforcement", "challenge.case_length", "challenge.housing"]


async def test_a_turn_growing_or_shrinking_moves_the_scroll_range_without_a_screen_layout(project, monkeypatch):
    """A tag more than a turn has lines makes it taller: only the pane's scroll range moves.

    Setting the pane's virtual size lays out and repaints the whole screen (issue 20's
    latency); with the scroll bar shown before and after, the pane sets its range itself.
    """
    from textual.screen import Screen

    from qualcode.tui.app import CodingApp
    from tests.helpers import INTERVIEW
    from tests.tui.test_app import SIZE

    add_transcript(project, "vsp-long", "service_provider", INTERVIEW * 15)  # far taller than the pane
    layouts: list[object] = []
    real = Screen._refresh_layout
    app = CodingApp(project, "ana", "vsp-long")
    async with app.run_test(size=SIZE) as pilot:
        # Twice: the start-up layout resizes the panes' scroll bars, which ask for one more
        # layout from their next idle; on a loaded machine that came after one pause, inside
        # the keys counted below.
        await pilot.pause()
        await pilot.pause()
        view, state = app.transcript_view, app.state
        height = view.virtual_size.height
        monkeypatch.setattr(Screen, "_refresh_layout", lambda screen, *a, **k: (layouts.append(a), real(screen, *a, **k)))
        state.go_to(2)
        for code in GROWING:
            app._run(lambda code=code: state.toggle(code))
            await pilot.pause()
        assert view.virtual_size.height > height and layouts == []
        assert view.vertical_scrollbar.window_virtual_size == view.virtual_size.height
        assert all(code in view.turn_text(2) for code in GROWING)
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y == view.virtual_size.height - view.scrollable_content_region.height
        for code in GROWING:  # and shrinking again while scrolled to the end: the range and offset follow
            app._run(lambda code=code: state.toggle(code))
            await pilot.pause()
        assert view.virtual_size.height == height and layouts == []
        assert view.vertical_scrollbar.window_virtual_size == height
        assert view.scroll_y == view.max_scroll_y == height - view.scrollable_content_region.height
