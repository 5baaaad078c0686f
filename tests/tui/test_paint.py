"""The transcript pane repaints less per key (issue 20's latency) and never leaves a stale row.

A turn the coder leaves is drawn from what it showed before it became current, if its
codings, matches and mark are the same; a turn growing by a row repaints from its own
row down; the scroll bar repaints only when its thumb moves. These tests compare the
screen as painted (the compositor's lines, which keep every line Textual was not told to
repaint) and each drawn turn with a fresh rendering, after each key of a session.
"""

from __future__ import annotations

import pytest

from qualcode.coding.session import CodingSession
from qualcode.tui.app import CodingApp
from qualcode.tui.widgets.transcript import render_turn
from tests.helpers import INTERVIEW, add_transcript
from tests.tui.test_app import SIZE

pytestmark = pytest.mark.coders("ana", "ben")

GROWING = ["referral.hotline", "referral.law_enforcement", "challenge.case_length", "challenge.housing",
           "challenge", "referral"]


def painted_pane(app: CodingApp) -> list:
    """The transcript pane's rows as painted now (the left border column cut off)."""
    view = app.transcript_view
    x, y, width, height = view.region
    strips = app.screen._compositor.render_strips()[y : y + height]
    return [strip.crop(x + 1, x + width - 1) for strip in strips]


def assert_pane_is_fresh(app: CodingApp) -> None:
    """Every drawn turn is what a fresh rendering shows, and every painted row is its turn's row."""
    view, state = app.transcript_view, app.state
    for index, block in view._blocks.items():
        segment = state.transcript.segments[index]
        fresh = render_turn(app.console, state, segment, view._width, view._color)
        assert block == fresh, f"turn {segment.ordinal} drawn stale"
    top = int(view.scroll_y)
    for row, strip in enumerate(painted_pane(app)):
        ordinal = view.turn_at(top + row)
        if ordinal is None or ordinal > len(state.transcript.segments):
            continue
        expected = view._block(ordinal - 1)[top + row - view._starts[ordinal - 1]]
        assert strip.text.rstrip() == expected.text.rstrip(), f"row {row} (turn {ordinal}) painted stale"


@pytest.fixture
def long_interview(project):
    add_transcript(project, "vsp-long", "service_provider", INTERVIEW * 15)  # far taller than the pane
    return "vsp-long"


KEYS = [
    "t", "j", "k", "t", "t", "j", "j", "u", "k", "U", "k", "minus", "j", "j", "minus",
    "f", *"housing", "enter", "greater_than_sign", "j", "escape", "k", "k", "u", "u", "j",
]


async def test_each_key_leaves_every_turn_and_row_as_a_fresh_rendering_draws_it(project, long_interview):
    CodingSession(project, "ben").tag(long_interview, 4, ["challenge"])
    app = CodingApp(project, "ana", long_interview)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.codebook_pane.highlight("referral.hotline")
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert_pane_is_fresh(app)


async def test_a_turn_left_and_changed_by_another_coder_is_drawn_anew(project, long_interview):
    app = CodingApp(project, "ana", long_interview)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("j", "k")  # turn 4 drawn as current, then left as it was
        await pilot.pause()
        CodingSession(project, "ben").tag(long_interview, 4, ["challenge.housing"])
        app.refresh_from_store()
        await pilot.pause()
        assert "ben: challenge.housing" in app.transcript_view.turn_text(4)
        assert any("ben: challenge.housing" in strip.text for strip in painted_pane(app))
        assert_pane_is_fresh(app)


async def test_the_scroll_bar_as_painted_follows_each_turn_growing_and_shrinking(project):
    add_transcript(project, "vsp-mid", "service_provider", INTERVIEW * 5)  # a few rows move the thumb
    app = CodingApp(project, "ana", "vsp-mid")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view, state = app.transcript_view, app.state
        bar = view.vertical_scrollbar
        view.scroll_to(y=view.max_scroll_y // 2, animate=False, immediate=True)
        await pilot.pause()
        x, y, _, height = bar.region
        moved = 0
        for code in [*GROWING, *GROWING]:  # on, then off again
            before = bar_column(app, x, y, height)
            app._run(lambda code=code: state.toggle(code))
            await pilot.pause()
            shown = bar_column(app, x, y, height)
            bar.refresh()  # drawn from scratch
            await pilot.pause()
            assert shown == bar_column(app, x, y, height), f"scroll bar left stale after {code}"
            moved += shown != before
        assert moved  # the thumb did move on some of them: both paths taken
        assert bar.window_virtual_size == view.virtual_size.height


def bar_column(app: CodingApp, x: int, y: int, height: int) -> list:
    return [list(strip.crop(x, x + 1)) for strip in app.screen._compositor.render_strips()[y : y + height]]


@pytest.mark.parametrize("scrolled", [False, True])
async def test_removing_a_turns_first_tag_repaints_the_turn_from_its_first_row(project, long_interview, scrolled):
    """The first tag gone: every row of the turn changes (the tags move up) and the rows below move."""
    session = CodingSession(project, "ana")
    for code in GROWING:
        session.tag(long_interview, 4, [code])
    app = CodingApp(project, "ana", long_interview)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view, state = app.transcript_view, app.state
        app._run(lambda: state.go_to(4))
        if scrolled:  # the turn's first row at the pane's top
            view.scroll_to(y=view._starts[3], animate=False, immediate=True)
        await pilot.pause()
        first = state.mine(4)[0].code_id
        app._run(lambda: state.toggle(first))
        await pilot.pause()
        assert f" {first} " not in view.turn_text(4)
        assert_pane_is_fresh(app)


async def test_the_theme_looked_up_once_per_name_follows_a_change_of_theme(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_theme.name == app.theme
        app.theme = "textual-light"
        await pilot.pause()
        assert app.current_theme.name == "textual-light" and not app.current_theme.dark
