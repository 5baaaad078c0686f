"""A filterable pick list: type to narrow, ↑↓ to choose, Enter to open (jump list, search hits, views).

The whole screen is one Line API widget, :class:`PickView`: it draws the title, the
hint, the filter line and the visible rows itself, and scrolls by its own row offset.
Textual's per-widget cost is what a pick list paid for: with a title and a hint
Label, an Input and a ScrollView it laid the screen out twice on each open (a new
row count changes a ScrollView's virtual size, and its scroll bar appears or goes),
5-12 ms of CPU each, and its first open mounted and styled five widgets. One widget
of a fixed size is only repainted when it is refilled, and mounts in a few ms. The
filter keeps rows containing every typed word, in any order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from qualcode.tui.widgets.codetree import CURSOR

NO_STYLE = Style()

HINT = "type to filter · ↑↓ choose · Enter open · Esc close"
HEAD = 3  # lines above the rows: title, hint, filter


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


def matches(label: str, query: str) -> bool:
    """Every word of ``query`` occurs in ``label`` (case-insensitive, any order)."""
    folded = label.casefold()
    return all(word in folded for word in query.casefold().split())


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


def clamp_top(top: int, page: int, total: int) -> int:
    """The first row shown: no blank page below the last row, never above the first."""
    return min(max(top, 0), max(total - page, 0))


def follow(cursor: int, top: int, page: int) -> int:
    """The first row shown so that the cursor is on the page, scrolling as little as possible."""
    return cursor if cursor < top else (cursor - page + 1 if cursor >= top + page else top)


class PickView(Widget, can_focus=True):
    """Title, hint, filter line and rows in one widget; the cursor row highlighted."""

    COMPONENT_CLASSES = {"pick--title", "pick--hint", "pick--filter", "pick--placeholder", "pick--thumb"}

    DEFAULT_CSS = """
    PickView { width: 100%; max-width: 140; height: 100%; background: $surface; padding: 0 1; }
    PickView > .pick--title { text-style: bold; }
    PickView > .pick--hint { color: $text-muted; }
    PickView > .pick--filter { background: $boost; }
    PickView > .pick--placeholder { background: $boost; color: $text-muted; }
    PickView > .pick--thumb { color: $primary; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.heading = ""
        self.typed = ""  # the filter as typed
        self.rows: list[PickRow] = []  # shown: the rows matching the filter
        self.cursor = 0
        self.top = 0  # the row drawn on the first row line
        self._styles: dict[str, Style] = {}  # this paint's styles by component class ("": the widget's)

    @property
    def chosen(self) -> PickRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def page(self) -> int:
        """How many rows fit below the title, hint and filter."""
        return max(1, self.size.height - HEAD)

    def set_rows(self, rows: Sequence[PickRow], cursor: int = 0) -> None:
        """Show ``rows`` with the cursor at ``cursor``, in the middle of the page when it can be."""
        self.rows, self.cursor = list(rows), min(max(cursor, 0), max(len(rows) - 1, 0))
        self.top = clamp_top(self.cursor - self.page // 2, self.page, len(self.rows))
        self.refresh()  # a fixed size: a repaint, never a layout

    def move(self, delta: int) -> None:
        if not self.rows:
            return
        self.cursor = min(max(self.cursor + delta, 0), len(self.rows) - 1)
        self.top = follow(self.cursor, self.top, self.page)
        self.refresh()

    def scroll_rows(self, delta: int) -> None:
        """Scroll the rows (mouse wheel) without moving the cursor."""
        top = clamp_top(self.top + delta, self.page, len(self.rows))
        if top != self.top:
            self.top = top
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.top = clamp_top(follow(self.cursor, self.top, self.page), self.page, len(self.rows))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self.scroll_rows(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.scroll_rows(-3)

    def on_click(self, event: events.Click) -> None:
        index = self.top + event.y - HEAD
        if event.y >= HEAD and 0 <= index < len(self.rows):
            self.move(index - self.cursor)

    def render_lines(self, crop):
        # The widget's style walks its ancestors on each lookup: once per paint, not per line.
        base = self.rich_style
        self._styles = {name: base + self.get_component_rich_style(name, partial=True)
                        for name in self.COMPONENT_CLASSES}
        self._styles[""] = base
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, styles = self.size.width, self._styles
        if y < HEAD:
            return self._head_line(y, width)
        index = self.top + y - HEAD
        scrolls = len(self.rows) > self.page
        text_width = width - 1 if scrolls else width  # the last column: where the page is in the list
        if 0 <= index < len(self.rows):
            row = self.rows[index]
            style = styles[""] + (CURSOR if index == self.cursor else NO_STYLE) + Style.parse(row.style)
            segments = [Segment(fit_line(row.label, text_width), style)]
        else:
            segments = [Segment(" " * text_width, styles[""])]
        if scrolls:
            segments.append(self._scroll_mark(y - HEAD))
        return Strip(segments, width)

    def _head_line(self, y: int, width: int) -> Strip:
        if y == 0:
            text, style = self.heading, "pick--title"
        elif y == 1:
            text, style = HINT, "pick--hint"
        elif self.typed:
            text, style = self.typed + "▏", "pick--filter"
        else:
            text, style = "filter", "pick--placeholder"
        return Strip([Segment(fit_line(text, width), self._styles[style])], width)

    def _scroll_mark(self, line: int) -> Segment:
        """One cell of a one-column scroll bar: the thumb spans the page's share of the rows."""
        total, page = len(self.rows), self.page
        start = self.top * page // total
        end = max(start + 1, (self.top + page) * page // total)
        return Segment("┃", self._styles["pick--thumb"]) if start <= line < end else Segment(" ", self._styles[""])


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
    """

    def __init__(self, title: str = "", rows: Sequence[PickRow] = (), cursor: int = 0) -> None:
        super().__init__()
        self.pick_list = PickView(id="pick-list")  # made now: it can be filled before it is mounted
        self._rows: list[PickRow] = []
        self._answered = False
        self._early: list[tuple[str, str | None]] = []  # keys that came before the screen was mounted
        self._ready = False  # on_mount has begun: keys are handled, not kept
        self.refill(title, rows, cursor)

    def compose(self):
        yield self.pick_list

    async def on_mount(self) -> None:
        # Textual says a widget is mounted only once on_mount has returned: keys replayed
        # here would be kept again (and lost) if take_key asked it.
        self._ready = True
        self.pick_list.focus()  # the paste of a filter comes to it, and so to this screen
        self.pick_list.set_rows(self.pick_list.rows, self.pick_list.cursor)  # centred on its real height
        early, self._early = self._early, []
        for index, (key, character) in enumerate(early):
            if self._answered:  # closed by a key before these (g Esc t): they were typed for the coding screen
                for key, character in early[index:]:
                    await self.app.on_event(events.Key(key, character))
                return
            self.take_key(key, character)

    def refill(self, title: str, rows: Sequence[PickRow], cursor: int = 0) -> None:
        """New title and rows for a screen kept installed and pushed again (no new mount: the views).

        Call before pushing the screen; it answers once per push. The last filter typed goes.
        """
        self._rows = list(rows)
        self._answered = False
        view = self.pick_list
        view.heading, view.typed = title, ""
        view.set_rows(self._rows, cursor)

    def take_key(self, key: str, character: str | None) -> bool:
        """Handle a key in the order it arrived (the app routes keys here, as for the code filter).

        Keys typed straight after the key that opened the list (``g vsp 2 Enter`` in one
        read) can arrive before the list is mounted: they are kept and replayed then.
        False for keys the app should handle itself (Ctrl+Q).
        """
        if key in ("ctrl+q", "ctrl+c"):
            return False
        if not self._ready:
            self._early.append((key, character))
            return True
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and key in binding.key.split(","):
                self.run_action_now(binding.action)
                return True
        if key == "backspace":
            self.type_filter(self.pick_list.typed[:-1])
        elif character is not None and len(character) == 1 and character.isprintable():
            self.type_filter(self.pick_list.typed + character)
        return True

    def run_action_now(self, action: str) -> None:
        name, _, argument = action.partition("(")
        method = getattr(self, f"action_{name}")
        method(int(argument.rstrip(")"))) if argument else method()

    def type_filter(self, query: str) -> None:
        """Show the rows matching ``query`` (all of them when it is blank), the cursor on the first."""
        view = self.pick_list
        view.typed = query
        view.set_rows([r for r in self._rows if matches(r.words, query)] if query.strip() else self._rows)

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.type_filter(self.pick_list.typed + " ".join(event.text.split()))

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
