"""The pick list (jump list, search hits, passages and memos views): what it draws, scrolls and answers;
its line fitting against rich's own truncation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import App
from textual.geometry import Region

from qualcode.tui.screens.pick import HEAD, PickRow, PickScreen, clamp_top, fit_line, follow
from qualcode.tui.widgets.codetree import CURSOR

SIZE = (60, 13)  # 13 lines: title, hint, filter and a page of 10 rows


class PickApp(App[None]):
    """A bare app showing one pick list; ``answers`` collects what it returns."""

    def __init__(self, rows: list[PickRow]) -> None:
        super().__init__()
        self.pick = PickScreen("Pick a row", rows)
        self.answers: list[object] = []

    def on_mount(self) -> None:
        self.push_screen(self.pick, self.answers.append)

    async def on_event(self, event) -> None:
        # as CodingApp routes keys: to the list, in the order they arrive
        if isinstance(event, events.Key) and self.screen is self.pick and self.pick.take_key(event.key, event.character):
            return
        await super().on_event(event)


def numbered(count: int) -> list[PickRow]:
    return [PickRow(i, f"row {i:03d} {'even' if i % 2 == 0 else 'odd'}") for i in range(count)]


def drawn(screen: PickScreen) -> list[str]:
    """The lines the list draws now, as text (padding stripped)."""
    view = screen.pick_list
    return [strip.text.strip() for strip in view.render_lines(Region(0, 0, view.outer_size.width, view.outer_size.height))]


def cursor_line(screen: PickScreen) -> str:
    view = screen.pick_list
    strips = view.render_lines(Region(0, 0, view.outer_size.width, view.outer_size.height))
    marked = [s.text.strip() for s in strips if any(seg.style and seg.style.bgcolor == CURSOR.bgcolor for seg in s)]
    assert len(marked) == 1, marked
    return marked[0]


async def test_draws_title_hint_filter_and_the_first_page_of_rows():
    app = PickApp(numbered(100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = drawn(app.pick)
        assert lines[:HEAD] == ["Pick a row", "type to filter · ↑↓ choose · Enter open · Esc close", "filter"]
        assert [line.split("┃")[0].strip() for line in lines[HEAD:]] == [f"row {i:03d} {'even' if i % 2 == 0 else 'odd'}" for i in range(10)]
        assert cursor_line(app.pick).startswith("row 000")
        assert sum("┃" in line for line in lines[HEAD:]) == 1  # 10 rows of 100: the thumb is one line


async def test_the_cursor_stays_on_the_page_and_enter_answers_the_highlighted_row():
    app = PickApp(numbered(100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("pagedown", "pagedown", "pagedown", "down", "down")
        assert cursor_line(app.pick).startswith("row 032")
        assert drawn(app.pick)[-1].startswith("row 032")  # scrolled as little as possible: the last line
        await pilot.press("pageup", "up")
        assert cursor_line(app.pick).startswith("row 021")
        assert drawn(app.pick)[HEAD].startswith("row 021")
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [21]


async def test_typing_filters_and_backspace_and_paste_widen_or_narrow_it():
    app = PickApp(numbered(100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"07 odd")
        assert drawn(app.pick)[2] == "07 odd▏"
        shown = [line.strip() for line in drawn(app.pick)[HEAD:] if line]
        assert shown == [f"row {n} odd" for n in ("007", "071", "073", "075", "077", "079")]  # every word, any order
        await pilot.press("backspace", "backspace", "backspace", "backspace")  # "07": 11 rows, a page and one
        shown = [line.split("┃")[0].strip() for line in drawn(app.pick)[HEAD:]]
        assert shown == ["row 007 odd"] + [f"row {n:03d} {'even' if n % 2 == 0 else 'odd'}" for n in range(70, 79)]
        app.pick.post_message(events.Paste("9\n"))
        await pilot.pause()
        assert [line.strip() for line in drawn(app.pick)[HEAD:] if line] == ["row 079 odd"]
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [79]


async def test_an_empty_list_answers_nothing_on_enter_and_none_on_escape():
    app = PickApp(numbered(3))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"zzz", "enter")
        await pilot.pause()
        assert app.answers == [] and app.screen is app.pick  # Enter on no row: a bell, still open
        await pilot.press("escape")
        await pilot.pause()
        assert app.answers == [None]


LABELS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["vsp-a-01   t12   …the «hotline» said", "汉字汉字汉字", "tab\there", "line\nbreak", ""])


def rich_fit(label: str, width: int) -> str:
    """What the lists drew before: a no-wrap Text cut with an ellipsis and padded."""
    text = Text("".join(c if c.isprintable() else " " for c in label), no_wrap=True)
    text.truncate(width, overflow="ellipsis", pad=True)
    return text.plain


@given(LABELS, st.integers(1, 60))
def test_a_line_fits_its_width_as_rich_cuts_it(label, width):
    fitted = fit_line(label, width)
    assert fitted == rich_fit(label, width)
    assert cell_len(fitted) == width


@pytest.mark.parametrize(("label", "width", "expected"), [
    ("hotline", 7, "hotline"), ("hotline", 6, "hotli…"), ("hot", 5, "hot  "), ("汉字汉", 4, "汉 …"),
])
def test_examples(label, width, expected):
    assert fit_line(label, width) == expected


operations = st.lists(
    st.one_of(
        st.tuples(st.just("rows"), st.integers(0, 60)),
        st.tuples(st.just("move"), st.integers(-25, 25)),
        st.tuples(st.just("scroll"), st.integers(-25, 25)),
        st.tuples(st.just("page"), st.integers(1, 20)),
    ),
    max_size=30,
)


@given(operations)
def test_the_window_never_leaves_the_rows_and_a_move_keeps_the_cursor_on_it(ops):
    # The same arithmetic as PickView.set_rows / move / scroll_rows / on_resize, checked
    # against the plain statement of what a scrolled list must show.
    total, page, cursor, top = 0, 10, 0, 0
    for op, value in ops:
        if op == "rows":
            total, cursor = value, 0
            top = clamp_top(cursor - page // 2, page, total)
        elif op == "move" and total:
            cursor = min(max(cursor + value, 0), total - 1)
            top = follow(cursor, top, page)
        elif op == "scroll":
            top = clamp_top(top + value, page, total)
        elif op == "page":
            page = value
            top = clamp_top(follow(cursor, top, page), page, total)
        assert 0 <= top <= max(total - page, 0)
        if op != "scroll" and total:
            assert top <= cursor < top + page  # the cursor row is drawn


async def test_a_click_on_a_row_highlights_it():
    app = PickApp(numbered(100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("pagedown", "pagedown")  # rows 11-20 shown, the cursor on 20
        await pilot.click("#pick-list", offset=(5, HEAD + 2))
        assert cursor_line(app.pick).startswith("row 013")
        await pilot.click("#pick-list", offset=(5, 1))  # the hint line: nothing
        assert cursor_line(app.pick).startswith("row 013")
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == [13]
