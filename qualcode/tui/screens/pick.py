"""A filterable pick list: type to narrow, ↑↓ to choose, Enter to open (jump list, search hits).

Rows are plain strings drawn by a Line API list (only the visible rows are rendered,
once each), not one widget per row: the jump list over 143 transcripts opens in a
few milliseconds. The filter keeps rows containing every typed word, in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Input, Label

from qualcode.tui.widgets.codebook import FilterInput
from qualcode.tui.widgets.codetree import CURSOR, LinesView


class PickFilter(FilterInput, can_focus=True):
    """The filter box of a pick list: focused, so it takes typed letters before any binding."""


@dataclass(frozen=True)
class PickRow:
    """One row: the value returned when chosen, the line shown, its style and what the filter reads."""

    value: object
    label: str
    style: str = ""
    search: str = ""  # default: the label

    @property
    def words(self) -> str:
        return self.search or self.label


def fit_line(label: str, width: int) -> str:
    """``label`` in exactly ``width`` cells: cut with an ellipsis, or padded with spaces.

    >>> fit_line("vsp-01  t12  hotline", 10), fit_line("ab", 4)
    ('vsp-01  t…', 'ab  ')
    """
    if not label.isprintable():  # tabs, line breaks: one line of plain cells
        label = "".join(c if c.isprintable() else " " for c in label)
    cells = cell_len(label)
    if cells > width:
        return set_cell_size(label, width - 1) + "…" if width > 0 else ""
    return label + " " * (width - cells)


def matches(label: str, query: str) -> bool:
    """Every word of ``query`` occurs in ``label`` (case-insensitive, any order)."""
    folded = label.casefold()
    return all(word in folded for word in query.casefold().split())


class PickList(LinesView, can_focus=False):
    """The rows, one line each, cropped with an ellipsis; the cursor row highlighted."""

    DEFAULT_CSS = """
    PickList { height: 1fr; overflow-x: hidden; scrollbar-size-vertical: 1; }
    """

    def __init__(self, rows: Sequence[PickRow], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = list(rows)
        self.cursor = 0

    def set_rows(self, rows: Sequence[PickRow], cursor: int = 0) -> None:
        self.rows, self.cursor = list(rows), min(max(cursor, 0), max(len(rows) - 1, 0))
        self._fit()
        self.scroll_to(y=max(0, self.cursor - self.scrollable_content_region.height // 2), animate=False,
                       immediate=True)
        self.refresh()

    def move(self, delta: int) -> None:
        if not self.rows:
            return
        self.cursor = min(max(self.cursor + delta, 0), len(self.rows) - 1)
        height = max(1, self.scrollable_content_region.height)
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= self.scroll_y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()

    @property
    def chosen(self) -> PickRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def on_resize(self, event) -> None:
        self._fit()

    def _fit(self) -> None:
        from textual.geometry import Size

        size = Size(self.scrollable_content_region.width, len(self.rows))
        if size != self.virtual_size:
            self.virtual_size = size

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.base_style)
        row = self.rows[index]
        # one segment, cut with an ellipsis or padded to the width (as Text.truncate does):
        # a rich Text rendered through the console per line was half of drawing a list
        strip = Strip([Segment(fit_line(row.label, width), Style.parse(row.style) if row.style else None)], width)
        if index == self.cursor:
            strip = strip.apply_style(CURSOR)
        return strip.apply_style(self.base_style)


class PickScreen(Screen[object]):
    """Type to filter, ↑↓ to choose, Enter to open the row, Esc to close; answers once.

    A full screen rather than a modal over the coding screen: a modal makes Textual
    draw the (20,000-word) coding screen dimmed underneath on every paint, which was
    most of the 0.4-0.6 s the jump list took to open.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Close without opening anything"),
        Binding("enter", "choose", "Open the highlighted row"),
        Binding("down", "move(1)", "Next row"),
        Binding("up", "move(-1)", "Previous row"),
        Binding("pagedown", "move(10)", "Ten rows down"),
        Binding("pageup", "move(-10)", "Ten rows up"),
    ]

    DEFAULT_CSS = """
    PickScreen { align: center top; }
    PickScreen > Vertical { width: 100%; max-width: 140; height: 100%; background: $surface; padding: 0 1; }
    PickScreen Label { width: 1fr; height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    PickScreen #pick-filter { border: none; height: 1; padding: 0; background: $boost; }
    """

    def __init__(self, title: str = "", rows: Sequence[PickRow] = (), cursor: int = 0) -> None:
        super().__init__()
        self._title, self._rows, self._cursor = title, list(rows), cursor
        self._answered = False
        self._early: list[tuple[str, str | None]] = []  # keys that came before the screen was mounted

    def compose(self):
        with Vertical():
            yield Label(self._title, id="pick-title")
            yield Label("type to filter · ↑↓ choose · Enter open · Esc close", classes="hint")
            yield PickFilter(placeholder="filter", id="pick-filter")
            yield PickList(self._rows, id="pick-list")

    @property
    def pick_list(self) -> PickList:
        return self.query_one(PickList)

    def on_mount(self) -> None:
        box = self.query_one(PickFilter)
        box.focus()
        self.pick_list.set_rows(self._rows, self._cursor)
        self.watch(box, "value", self._filter, init=False)
        early, self._early = self._early, []
        for key, character in early:
            self.take_key(key, character)

    def refill(self, title: str, rows: Sequence[PickRow], cursor: int = 0) -> None:
        """New title and rows for a screen kept installed and pushed again (no new mount: the views).

        Call before pushing the screen; it answers once per push.
        """
        self._title, self._rows, self._cursor = title, list(rows), cursor
        self._answered = False
        if not self.is_mounted:
            return  # on_mount fills it
        # one line whatever the title (cropped): a new title needs no layout of the screen
        self.query_one("#pick-title", Label).update(title, layout=False)
        self.query_one(PickFilter).value = ""  # the last filter typed goes
        self.pick_list.set_rows(self._rows, cursor)

    def take_key(self, key: str, character: str | None) -> bool:
        """Handle a key in the order it arrived (the app routes keys here, as for the code filter).

        Keys typed straight after the key that opened the list (``g vsp 2 Enter`` in one
        read) can arrive before the list is mounted: they are kept and replayed then.
        False for keys the app should handle itself (Ctrl+Q).
        """
        if key in ("ctrl+q", "ctrl+c"):
            return False
        if not self.is_mounted:
            self._early.append((key, character))
            return True
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and key in binding.key.split(","):
                self.run_action_now(binding.action)
                return True
        box = self.query_one(PickFilter)
        if key == "backspace":
            box.action_delete_left()
        elif character is not None and len(character) == 1 and character.isprintable():
            box.insert_text_at_cursor(character)
        return True

    def run_action_now(self, action: str) -> None:
        name, _, argument = action.partition("(")
        method = getattr(self, f"action_{name}")
        method(int(argument.rstrip(")"))) if argument else method()

    def _filter(self, value: str) -> None:
        self.pick_list.set_rows([r for r in self._rows if matches(r.words, value)] if value.strip() else self._rows)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()

    def action_move(self, delta: int) -> None:
        self.pick_list.move(delta)

    def action_choose(self) -> None:
        chosen = self.pick_list.chosen
        if chosen is None:
            self.app.bell()
            return
        self._close(chosen.value)

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, value: object) -> None:
        # Dismiss once: a second Enter in the same read (g Enter Enter) is already
        # queued for this screen and would pop the coding screen too (ScreenStackError).
        if self._answered:
            return
        self._answered = True
        self.dismiss(value)
