"""Two small Line API widgets of the codebook pane: the code tree and the detail panel
(and a scroll-bar helper the transcript pane shares with them).

Why not Textual's ``Tree`` and ``Static``: both ask for a full-screen layout whenever
their content changes (rebuilding a ``Tree`` on each typed character of the filter
cost three layouts, ~50 ms of CPU per keypress, repainting the whole 20,000-word
transcript pane each time). These widgets repaint only themselves, and keep their
virtual height steady (at least the viewport's) so a filter narrowing the list does
not trigger a layout either.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

CURSOR = Style(bgcolor="#3b4f7a", bold=True)
CURSOR_UNFOCUSED = Style(bgcolor="#2c3550")


@dataclass(frozen=True)
class CodeRow:
    """One line of the code tree: a code, its depth and the label to draw."""

    code_id: str
    depth: int
    label: Text
    usable: bool  # applicable here (not a grouping node or another role's code)


class LinesView(ScrollView, inherit_bindings=False):
    """A ScrollView that looks its style up once per paint, not once per line."""

    _base_style: Style | None = None

    def render_lines(self, crop):
        self._base_style = self.rich_style
        return super().render_lines(crop)

    @property
    def base_style(self) -> Style:
        return self._base_style or self.rich_style


class CodeTree(LinesView, can_focus=True):
    """The codes as an indented tree (or a flat list of filter matches) with a cursor."""

    BINDINGS = [
        Binding("down", "cursor(1)", "Next code", show=False),
        Binding("up", "cursor(-1)", "Previous code", show=False),
        Binding("enter", "select", "Apply or remove the highlighted code", show=False),
    ]

    DEFAULT_CSS = """
    CodeTree { height: 1fr; overflow-x: hidden; scrollbar-size-vertical: 1; border-left: blank; }
    CodeTree:focus { border-left: tall $accent; }
    """

    class Highlighted(Message):
        def __init__(self, code_id: str | None) -> None:
            super().__init__()
            self.code_id = code_id

    class Selected(Message):
        def __init__(self, code_id: str) -> None:
            super().__init__()
            self.code_id = code_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[CodeRow] = []
        self.cursor = 0
        # Rendered rows by (code, depth, label object, width): labels are cached by the
        # pane, so narrowing the filter reuses strips instead of rendering them again.
        self._strips: dict[tuple[str, int, int, int], tuple[Text, Strip]] = {}  # (label, its strip)
        self._capacity = 0

    @property
    def highlighted(self) -> CodeRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def set_rows(self, rows: list[CodeRow], cursor: int = 0) -> None:
        """Show these rows, the cursor on ``cursor`` (in view); Highlighted only if that moved the highlight."""
        before = self.highlighted
        self.rows = rows
        self.cursor = min(max(cursor, 0), max(len(rows) - 1, 0))
        self._fit_virtual_size()
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=max(0, self.cursor - height + 1) if self.cursor >= height else 0, animate=False, immediate=True)
        self.refresh()
        after = self.highlighted
        if (before and before.code_id) != (after and after.code_id):
            self.post_message(self.Highlighted(after.code_id if after else None))

    def relabel(self, labels: dict[str, Text]) -> None:
        """Replace some rows' labels (e.g. ticks), repainting only those lines."""
        for index, row in enumerate(self.rows):
            if row.code_id in labels:
                self.rows[index] = CodeRow(row.code_id, row.depth, labels[row.code_id], row.usable)
                self._repaint(index)

    def move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        old, self.cursor = self.cursor, min(max(index, 0), len(self.rows) - 1)
        self._repaint(old)
        self._repaint(self.cursor)
        if self.cursor < self.scroll_y:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= self.scroll_y + self.scrollable_content_region.height:
            self.scroll_to(y=self.cursor - self.scrollable_content_region.height + 1, animate=False, immediate=True)
        self.post_message(self.Highlighted(self.rows[self.cursor].code_id))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor + delta)

    def action_select(self) -> None:
        if self.highlighted is not None:
            self.post_message(self.Selected(self.highlighted.code_id))

    def on_click(self, event: events.Click) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self.rows):
            self.move_cursor(index)
            if event.chain > 1:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self._fit_virtual_size()

    def on_focus(self, event: events.Focus) -> None:
        self._repaint(self.cursor)

    def on_blur(self, event: events.Blur) -> None:
        self._repaint(self.cursor)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self.base_style)
        row = self.rows[index]
        key = (row.code_id, row.depth, id(row.label), width)
        cached = self._strips.get(key)
        # The entry keeps its label alive, so no new label can have the same id(): a
        # relabelled row (a tick, a count) once showed a dead label's strip.
        if cached is not None and cached[0] is row.label:
            strip = cached[1]
        else:
            text = Text("  " * row.depth) + row.label
            text.truncate(width, overflow="ellipsis", pad=True)
            strip = Strip(list(text.render(self.app.console)), width)
            if len(self._strips) > 2000:  # labels come and go with ticks; bound the cache
                self._strips.clear()
            self._strips[key] = (row.label, strip)
        if index == self.cursor:
            strip = strip.apply_style(CURSOR if self.has_focus else CURSOR_UNFOCUSED)
        return strip.apply_style(self.base_style)

    def _repaint(self, index: int) -> None:
        self.refresh(Region(0, index - int(self.scroll_y), self.size.width, 1))

    def _fit_virtual_size(self) -> None:
        # A new virtual size means a full-screen layout pass, so the height only ever
        # grows to the longest list shown (the whole tree); shorter lists (filter
        # matches) leave blank lines below rather than shrinking it.
        self._capacity = max(self._capacity, len(self.rows))
        size = Size(self.scrollable_content_region.width, max(self._capacity, self.scrollable_content_region.height))
        if size != self.virtual_size:
            self.virtual_size = size


class TextPanel(LinesView, can_focus=True):
    """Wrapped rich Text that scrolls, repainting only itself when the text changes.

    Focusable (Tab to it) so the keyboard scrolls a long definition; the app's ``{``
    and ``}`` scroll it from anywhere.
    """

    BINDINGS = [
        Binding("down", "scroll_lines(1)", "Scroll the definition down", show=False),
        Binding("up", "scroll_lines(-1)", "Scroll the definition up", show=False),
        Binding("pagedown,space", "scroll_pages(1)", "Scroll the definition a page down", show=False),
        Binding("pageup", "scroll_pages(-1)", "Scroll the definition a page up", show=False),
    ]

    DEFAULT_CSS = """
    TextPanel { overflow-x: hidden; scrollbar-size-vertical: 1; padding: 0 1; }
    TextPanel:focus { border-left: tall $accent; padding: 0 1 0 0; }
    """

    def action_scroll_lines(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_y + delta, animate=False, immediate=True)

    def action_scroll_pages(self, delta: int) -> None:
        step = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_y + delta * step, animate=False, immediate=True)

    @property
    def text_height(self) -> int:
        """Lines the text takes (the virtual height is rounded up to whole viewports)."""
        return len(self._lines)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = Text()
        self._lines: list[Strip] = []
        self._width = 0

    def show(self, text: Text) -> None:
        self.text = text
        self._render_lines()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width:
            self._render_lines()

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        strip = self._lines[index] if 0 <= index < len(self._lines) else Strip.blank(width)
        return strip.adjust_cell_length(width).apply_style(self.base_style)

    def _render_lines(self) -> None:
        self._width = width = self.scrollable_content_region.width
        if width <= 0:
            self._lines = []
            return
        console = self.app.console
        lines = console.render_lines(self.text, console.options.update_width(width), pad=False)
        self._lines = [Strip(line) for line in lines]
        # Whole viewports, so most texts keep the same virtual size (no layout pass).
        viewport = max(1, self.scrollable_content_region.height)
        size = Size(width, viewport * -(-len(self._lines) // viewport) or viewport)
        if size != self.virtual_size:
            self.virtual_size = size


def set_bar_range(bar: ScrollBar, virtual: int) -> None:
    """Give the scroll bar a new range; repaint it only if its thumb moved a cell or an eighth.

    A turn a row taller moves the range of a long transcript by one row in thousands: the
    bar would repaint all its rows for a thumb drawn exactly as before.
    """
    def drawn(virtual_size: int) -> list:
        window = bar.window_size if bar.window_size < virtual_size else 0
        return list(ScrollBarRender.render_bar(bar.size.height, virtual_size, window, bar.position,
                                               bar.thickness, bar.vertical).segments)

    if drawn(virtual) == drawn(bar.window_virtual_size):
        bar.set_reactive(ScrollBar.window_virtual_size, virtual)
    else:
        bar.window_virtual_size = virtual
