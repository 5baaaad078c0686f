"""Enter in the code filter repaints only what changed, and everything that changed shows.

Applying a code from the filter (issue 20's latency) redraws the filter box, the tree
(the whole tree again instead of the matches), the touched rows of the turn and the
applied code's row; the definition panel only when the focused code changed. These tests
read the screen as painted (the compositor's lines, which keep every line Textual was
not told to repaint), so a row or panel left stale fails them.
"""

from __future__ import annotations

import pytest
from textual.color import Color

from qualcode.coding.session import CodingSession
from qualcode.tui.app import CodingApp
from tests.tui.test_app import SIZE

pytestmark = pytest.mark.coders("ana", "ben")

HOTLINE, POLICE, HOUSING = "referral.hotline", "referral.law_enforcement", "challenge.housing"
NAMES = {HOTLINE: "Hotlines and tip lines", POLICE: "Law enforcement", HOUSING: "Housing gap"}


def painted(app: CodingApp) -> list[str]:
    """The screen's lines as painted now (cached lines included)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def tree_row(app: CodingApp, code_id: str) -> str:
    """The painted tree row of ``code_id`` (found by its name; a long id is cut)."""
    tree = app.codebook_pane.tree
    x, y, width, height = tree.region
    rows = [line[x : x + width] for line in painted(app)[y : y + height]]
    found = [row for row in rows if f" {NAMES[code_id]}  " in row]
    assert len(found) == 1, rows
    return found[0]


def turn_lines(app: CodingApp) -> list[str]:
    """The transcript pane as painted."""
    x, y, width, height = app.transcript_view.region
    return [line[x : x + width] for line in painted(app)[y : y + height]]


def tags_shown(app: CodingApp, *codes: str) -> list[int]:
    """How many painted transcript lines carry each code's tag of mine (not ``ben: code``)."""
    lines = turn_lines(app)
    return [sum(f" {code} " in line and f": {code}" not in line for line in lines) for code in codes]


def assert_turn_painted(app: CodingApp, ordinal: int) -> None:
    """Every line of the turn as the view renders it now is on screen (no row left as it was)."""
    shown = "\n".join(turn_lines(app))
    for line in app.transcript_view.turn_text(ordinal).splitlines():
        assert line.rstrip() in shown, line


def detail(app: CodingApp) -> str:
    """The definition panel as painted: the lines right of the tree's pane, below the tree."""
    panel = app.codebook_pane.query_one("#code-detail")
    x, y, width, height = panel.region
    return "\n".join(line[x : x + width] for line in painted(app)[y : y + height])


@pytest.mark.parametrize(
    ("keys", "applied"),
    [
        (["slash", *"refer", "down", "down"], POLICE),  # ↓ moved the focus off the best match
        (["slash", *"hotline"], HOTLINE),
        (["slash", *"housing"], HOUSING),
    ],
)
async def test_enter_shows_the_applied_codes_count_tick_and_definition(project, interview, keys, applied):
    CodingSession(project, "ben").tag("vsp-1", 4, [applied])  # another coder's: the count is mine/all
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        app.codebook_pane.highlight("challenge.case_length")  # the tree's cursor and definition start elsewhere
        await pilot.pause()
        assert "Case length" in detail(app)
        before = tree_row(app, applied)
        assert "✓" not in before and "0/1" in before
        await pilot.press(*keys, "enter")
        await pilot.pause()
        row = tree_row(app, applied)
        assert "✓" in row and "1/2" in row, row
        assert NAMES[applied] in detail(app) and app.codebook_pane.highlighted_code == applied
        assert tags_shown(app, applied) == [1]  # the turn's new tag
        assert_turn_painted(app, 2)
        await pilot.press("u")  # undone: the row and the turn drop them again
        await pilot.pause()
        row = tree_row(app, applied)
        assert "✓" not in row and "0/1" in row, row
        assert tags_shown(app, applied) == [0]  # the tag left the turn
        assert_turn_painted(app, 2)


async def test_each_tag_added_or_removed_repaints_the_rows_below_it(project, interview):
    """A tag more or less shifts the tag column from its row down: no row keeps an old tag."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        for query in ("hotline", "housing", "police"):
            await pilot.press("slash", *query, "enter")
            await pilot.pause()
            assert_turn_painted(app, 2)
        assert tags_shown(app, HOTLINE, HOUSING, POLICE) == [1, 1, 1]
        await pilot.press("slash", *"hotline", "enter")  # off again: the tags below move up a row
        await pilot.pause()
        assert tags_shown(app, HOTLINE, HOUSING, POLICE) == [0, 1, 1]
        assert_turn_painted(app, 2)


async def test_the_applied_code_stays_in_view_in_a_short_tree(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=(110, 16)) as pilot:
        tree = app.codebook_pane.tree
        assert tree.size.height < len(tree.rows)  # the last code is below the fold
        await pilot.press("slash", *"housing", "enter")
        await pilot.pause()
        assert app.codebook_pane.highlighted_code == HOUSING
        assert tree.scroll_y <= tree.cursor < tree.scroll_y + tree.size.height
        assert "✓" in tree_row(app, HOUSING)


async def test_the_filter_box_is_marked_only_while_filtering(project, interview):
    """The accent border (an inline style, no stylesheet pass) comes with / and goes with Enter or Esc."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        styles = app.codebook_pane.filter_input.styles
        unmarked = styles.border_top
        for closing in ("enter", "escape"):
            await pilot.press("slash", *"hous")
            assert styles.border_top != unmarked
            assert styles.border_top[1] == Color.parse(app.theme_variables["accent"])
            await pilot.press(closing)
            assert styles.border_top == unmarked
