"""Free selection on the real app (Textual's pilot): words by keyboard and by mouse drag."""

import pytest
from textual import events

from qualcode.coding.listing import list_codings
from qualcode.tui.app import CodingApp
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana")

SIZE = (140, 36)


def coded(project):
    return [(r.segment, r.code, r.text) for r in list_codings(project, coder="ana")]


def cell_of(view, word: str) -> tuple[int, int]:
    """(x, y) of a word's first character on the transcript pane."""
    for y in range(view.size.height):
        line = view.render_line(y).text
        if word in line:
            return line.index(word), y
    raise AssertionError(f"{word!r} is not on screen")


async def test_select_words_by_keyboard_and_code_them(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "w", "W", "W", "B")  # "the hotline"
        assert "words 2-3 of 14" in app.transcript_view.turn_text(2)
        await pilot.press("slash", *"hotline", "enter")
        await pilot.pause()
        assert coded(project) == [(2, "referral.hotline", "the hotline")]
        assert "~referral.hotline" in app.transcript_view.turn_text(2)
        await pilot.press("right_parenthesis")  # at a sentence's end: grow to the next one's
        assert "words 2-8 of 14" in app.transcript_view.turn_text(2)
        await pilot.press("t")
        assert coded(project)[-1][2] == "the hotline. Police also bring us clients"
        await pilot.press("escape")
        assert "words" not in app.transcript_view.turn_text(2)


async def test_selected_words_are_highlighted(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "w", "W")
        view = app.transcript_view
        x, y = cell_of(view, "the hotline")
        strip = view.render_line(y)
        styles = {}
        position = 0
        for segment in strip:
            for _ in segment.text:
                styles[position] = segment.style
                position += 1
        assert styles[x].bgcolor is not None and styles[x].bold  # the selection style
        assert not styles[x - 2].bold  # "Mostly" is not selected


async def test_mouse_drag_selects_words_and_codes_them(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        view = app.transcript_view
        x1, y = cell_of(view, "need for")
        x2, _ = cell_of(view, "housing.")
        await pilot.mouse_down(view, offset=(x1 + 1, y))  # inside "need"
        view.post_message(events.MouseMove(view, x2 + 2, y, 0, 0, 1, False, False, False))
        await pilot.pause()
        await pilot.mouse_up(view, offset=(x2 + 2, y))
        await pilot.pause()
        assert app.state.current == 4
        assert "words 4-6 of 9" in view.turn_text(4)
        await pilot.press("slash", *"housing", "enter")
        await pilot.pause()
        assert coded(project) == [(4, "challenge.housing", "need for housing")]


async def test_a_drag_never_scrolls_the_words_away(project):
    long = "we worked with the task force on housing and the hotline every week of the year " * 6
    add_transcript(project, "long-1", "service_provider",
                   [t for n in range(6) for t in (("Interviewer", f"Question {n}?"), ("Respondent", long))])
    app = CodingApp(project, "ana", "long-1")
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.transcript_view
        await pilot.press("j")  # turn 4; the question before it is in view above
        await pilot.pause()
        top = view.scroll_y
        x, y = cell_of(view, "with the task force")
        await pilot.mouse_down(view, offset=(x + 1, y))
        view.post_message(events.MouseMove(view, x + 12, y, 0, 0, 1, False, False, False))
        await pilot.pause()
        await pilot.mouse_up(view, offset=(x + 12, y))
        await pilot.pause()
        assert app.state.selecting and view.scroll_y == top
