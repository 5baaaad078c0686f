"""The transcript pane: every turn with its speaker, text and code tags.

A Line API widget (``ScrollView``): each turn is rendered once into strips and
cached; an action redraws only the turns it touched, and painting asks for the
visible lines alone. That keeps a 20,000-word transcript responsive, where one
widget per turn would re-lay out hundreds of widgets on each keypress.

Each turn is a block: a header line (ordinal and speaker), the wrapped text and, in
a column on the right, the applied codes as coloured tags. The current turn has a
marker in the gutter and a tinted background; the selected sentence (sentence mode)
is highlighted; the coder's sub-span codings are underlined; interviewer turns are
dimmed; other coders' codes appear as dim tags (never in blind mode).
"""

from __future__ import annotations

import bisect
import re
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.tui.colors import code_color
from qualcode.tui.selection import evidence_spans
from qualcode.tui.widgets.codetree import set_bar_range
from qualcode.tui.wrap import offset_at_column, wrap_spans

if TYPE_CHECKING:
    from rich.console import Console

    from qualcode.transcripts.model import Segment
    from qualcode.tui.state import CodingState

CURRENT_BACKGROUND = Style(bgcolor="#262b3d")
SELECTION = Style(bgcolor="#5a4a0c", bold=True)
MARKER = Text("▌", style="bold #e0af68")
SPEAKER = Style(bold=True)
INTERVIEWER = Style(dim=True)
SUB_SPAN = Style(underline=True)
MATCH = Style(bgcolor="#3d3d1f", color="#e0af68")  # text found with f
EVIDENCE = Style(color="#9ece6a", underline=True, italic=True)  # the selected suggestion's words
_HARD_WRAP = re.compile(r"(?<![.!?…:\"”’)\n])\n(?!\n)")


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """The scrolling transcript of the open :class:`CodingState`."""

    BINDINGS = [
        Binding("pagedown", "page_down", "Scroll a page down", show=False),
        Binding("pageup", "page_up", "Scroll a page up", show=False),
    ]

    DEFAULT_CSS = """
    TranscriptView { height: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; border-left: blank; }
    TranscriptView:focus { border-left: tall $accent; }
    """

    class TurnClicked(Message):
        """The user clicked on a turn."""

        def __init__(self, ordinal: int) -> None:
            super().__init__()
            self.ordinal = ordinal

    class TextDragged(Message):
        """The user dragged the mouse over text: select the words of ``[start, end)`` in a turn."""

        def __init__(self, ordinal: int, start: int, end: int) -> None:
            super().__init__()
            self.ordinal, self.start, self.end = ordinal, start, end

    def __init__(self, state: CodingState, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state = state
        self._width = 0
        self._heights: list[int | None] = []
        # wrapped rows of each turn's text at this width: the text never changes while it
        # is shown, so only the tags can change a turn's height (f marks dozens of turns)
        self._text_rows: list[int | None] = []
        self._blocks: dict[int, list[Strip]] = {}  # index -> strips, only for painted turns
        # Turns as last drawn while not current, with what that drawing shows (_plain_key):
        # moving on redraws the turn left as it was before it became current, if unchanged.
        self._plain: dict[int, tuple[tuple, list[Strip]]] = {}
        self._starts: list[int] = []
        self._colors: dict[str, str] = {}
        self._base_style: Style | None = None  # the paint's style, set by render_lines
        self._drag: tuple[int, int] | None = None  # (ordinal, offset) where a mouse drag began
        self._dragged = False  # the click that ends a drag selects no turn

    # -- public ---------------------------------------------------------------

    def reload(self) -> None:
        """Lay out every turn again (a new transcript or a new width)."""
        self._width = max(20, self.scrollable_content_region.width or self.size.width)
        self._heights = [None] * len(self.state.transcript.segments)
        self._text_rows = [None] * len(self._heights)
        self._blocks, self._plain = {}, {}
        self._relayout()

    def refresh_turns(self, ordinals: set[int]) -> None:
        """Re-render only these turns; repaint just their lines if no height changed."""
        if not self._heights:
            return
        indexes = [o - 1 for o in ordinals if 1 <= o <= len(self._heights)]
        before = [self._height(i) for i in indexes]
        drawn = {i: self._blocks.pop(i, None) for i in indexes}
        for index in indexes:
            self._heights[index] = None
        if [self._height(i) for i in indexes] != before:
            # Rows above the first touched turn stay where they were: repaint from there down.
            self._relayout(from_line=min((self._starts[i] for i in indexes), default=0))
            return
        top, bottom = int(self.scroll_y), int(self.scroll_y) + self.size.height
        for index in indexes:
            start = self._starts[index]
            if start < bottom and start + self._height(index) > top:  # only what is in view is repainted
                self._repaint_rows(index, drawn[index], top)

    def _repaint_rows(self, index: int, drawn: list[Strip] | None, top: int) -> None:
        """Repaint the rows of the current turn that differ from how it was drawn (``drawn``).

        A tag more or less changes the tag column from its row down, a tick in the
        header one row: the rest of the turn's rows are left as painted (each repainted
        row is a line Textual composes again across the whole screen). Other turns (the
        one just left, which a scroll may take out of view) are repainted whole and
        rendered only if painted.
        """
        start = self._starts[index]
        if drawn is None or index != self.state.current - 1:
            self.refresh(Region(0, start - top, self.size.width, self._height(index)))
            return
        block = self._block(index)
        if len(drawn) != len(block):
            first, last = 0, len(block)
        else:
            changed = [row for row, (old, new) in enumerate(zip(drawn, block, strict=True)) if old != new]
            if not changed:
                return
            first, last = changed[0], changed[-1] + 1  # one region: each refresh has its own cost
        self.refresh(Region(0, start + first - top, self.size.width, last - first))

    def scroll_to_current(self) -> None:
        """Bring the current turn (with the question before it, if it fits) into view."""
        if not self._starts:
            return
        index = self.state.current - 1
        top, bottom = self._starts[index], self._starts[index] + self._height(index) - 1
        viewport = max(1, self.scrollable_content_region.height)
        if self.state.selecting and bottom - top >= viewport:
            top = top + self._sentence_line(index)
            bottom = top
        if index > 0 and bottom - self._starts[index - 1] < viewport:
            top = self._starts[index - 1]
        if top < self.scroll_y or bottom >= self.scroll_y + viewport:
            # Out of view: bring it to the top, so the next turns need no scrolling
            # (a scroll repaints the whole pane; a move within view repaints two turns).
            self.scroll_to(y=top, animate=False, immediate=True)

    def turn_at(self, line: int) -> int | None:
        """The ordinal of the turn drawn on virtual line ``line``."""
        if not self._starts or line < 0:
            return None
        return bisect.bisect_right(self._starts, line)

    def turn_text(self, ordinal: int) -> str:
        """The turn as drawn (plain text), for tests and screen readers."""
        return "\n".join(strip.text.rstrip() for strip in self._block(ordinal - 1))

    # -- Textual hooks --------------------------------------------------------

    def on_mount(self) -> None:
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width and width != self._width:
            self.reload()
        # A new width re-wraps every turn and a new height changes the viewport: either
        # can leave the current turn off screen.
        self.call_after_refresh(self.scroll_to_current)

    def on_click(self, event: events.Click) -> None:
        if self._dragged:
            self._dragged = False
            return
        offset = event.get_content_offset(self)
        ordinal = self.turn_at(int(self.scroll_y) + offset.y) if offset is not None else None
        if ordinal is not None:
            self.post_message(self.TurnClicked(ordinal))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = event.get_content_offset(self)
        self._drag, self._dragged = (self.text_offset_at(offset.x, offset.y) if offset else None), False
        if self._drag is not None:
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag is None or not event.button:
            return
        ordinal, begin = self._drag
        offset = event.get_content_offset_capture(self)
        here = self.text_offset_at(offset.x, offset.y, within=ordinal)
        if here is None or here[1] == begin:
            return
        self._dragged = True
        self.post_message(self.TextDragged(ordinal, min(begin, here[1]), max(begin, here[1]) + 1))

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag is not None:
            self.release_mouse()
        self._drag = None

    def text_offset_at(self, x: int, y: int, within: int | None = None) -> tuple[int, int] | None:
        """(ordinal, transcript offset) of the character drawn at pane cell ``(x, y)``.

        ``within``: clamp to that turn (a drag that leaves its turn selects to its edge).
        None over a header line, the tags or a gap when ``within`` is not given.
        """
        line = int(self.scroll_y) + y
        ordinal = self.turn_at(line)
        if ordinal is None or ordinal > len(self._heights):
            return None
        segment = self.state.transcript.segments[(within or ordinal) - 1]
        if within is not None and ordinal != within:
            return within, segment.end if ordinal > within else segment.start
        text = reflow(self.state.transcript.text[segment.start : segment.end])
        _, text_width = column_widths(self._width)
        spans = wrap_spans(text, text_width)
        row = line - self._starts[ordinal - 1] - 1  # the first row is the header
        if not 0 <= row < len(spans) or (within is None and x - 1 >= text_width):
            if within is None:
                return None
            row = min(max(row, 0), len(spans) - 1)
        start, end = spans[row]
        return ordinal, segment.start + offset_at_column(text, start, end, max(0, x - 1))

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def render_lines(self, crop):
        self._base_style = self.rich_style  # once per paint, not once per line
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        line = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self._base_style or self.rich_style
        ordinal = self.turn_at(line)
        if ordinal is None or ordinal > len(self._heights) or line >= self.virtual_size.height:
            return Strip.blank(width, base)
        block = self._block(ordinal - 1)
        within = line - self._starts[ordinal - 1]
        strip = block[within] if within < len(block) else Strip.blank(width)
        return strip.adjust_cell_length(width).apply_style(base)

    # -- layout and rendering -------------------------------------------------

    def _relayout(self, from_line: int = 0) -> None:
        starts, position = [], 0
        for index in range(len(self._heights)):
            starts.append(position)
            position += self._height(index)
        self._starts = starts
        size = Size(self._width, position)
        if self._scrolls_either_way(size):
            # A turn grew or shrank (a tag more or less): only the scroll range moves. Setting
            # virtual_size lays out the whole screen and repaints every pane (10-15 ms of CPU
            # per key); the vertical bar is shown before and after, so no pane changes size.
            self.set_reactive(TranscriptView.virtual_size, size)
            set_bar_range(self.vertical_scrollbar, position)
            top = int(self.scroll_y)
            self.scroll_y = self.scroll_y  # clamped to the new range (validate_scroll_y); a move repaints all
            if top == int(self.scroll_y) and from_line > top:
                self.refresh(Region(0, from_line - top, self.size.width, max(0, self.size.height - from_line + top)))
                return
        else:
            self.virtual_size = size
        self.refresh()

    def _scrolls_either_way(self, size: Size) -> bool:
        """True when ``size`` only changes the height of a transcript taller than the pane, before and after."""
        viewport = self.scrollable_content_region.height
        return (
            self.is_mounted and self.show_vertical_scrollbar and not self.show_horizontal_scrollbar
            and size.width == self.virtual_size.width and viewport > 0
            and min(size.height, self.virtual_size.height) > viewport
        )

    def _height(self, index: int) -> int:
        height = self._heights[index]
        if height is None:
            state = self.state
            segment = state.transcript.segments[index]
            rows = self._text_rows[index]
            if rows is None:
                rows = self._text_rows[index] = text_rows(state, segment, self._width)
            height = self._heights[index] = _height(rows, state, segment)
        return height

    def _block(self, index: int) -> list[Strip]:
        block = self._blocks.get(index)
        if block is None:
            segment = self.state.transcript.segments[index]
            if segment.ordinal == self.state.current:
                block = render_turn(self.app.console, self.state, segment, self._width, self._color)
            else:
                key = _plain_key(self.state, segment.ordinal, self._width)
                kept = self._plain.get(index)
                if kept is None or kept[0] != key:
                    kept = self._plain[index] = (key, render_turn(self.app.console, self.state, segment,
                                                                  self._width, self._color))
                block = kept[1]
            self._blocks[index] = block
        return block

    def _color(self, code_id: str) -> str:
        if code_id not in self._colors:
            self._colors[code_id] = code_color(self.state.codebook, code_id)
        return self._colors[code_id]

    def _sentence_line(self, index: int) -> int:
        """Which line of the turn holds the start of the selected sentence."""
        segment = self.state.transcript.segments[index]
        start = self.state.span[0] - segment.start
        text = reflow(self.state.transcript.text[segment.start : segment.end])
        spans = wrap_spans(text, column_widths(self._width)[1])
        return 1 + next((i for i, (_, end) in enumerate(spans) if start < end), 0)


def _plain_key(state: CodingState, ordinal: int, width: int) -> tuple:
    """What a turn drawn while not current shows (see :func:`render_turn`): equal keys, equal strips."""
    return (width, tuple(state.mine(ordinal)), tuple(state.others(ordinal)), tuple(state.matches_in(ordinal)),
            state.nothing_marked(ordinal))


def column_widths(width: int) -> tuple[int, int]:
    """(tag column, text column) widths for a pane ``width`` cells wide.

    Each row is a gutter cell, the text, a space and the tags: exactly ``width``.
    """
    tag_width = min(40, max(10, width // 3))
    return tag_width, max(1, width - tag_width - 2)


def reflow(text: str) -> str:
    """Hard line breaks inside a sentence become spaces, for display only.

    Plain-text transcripts are often wrapped at a fixed width; a line break after
    sentence punctuation (or before a blank line) is kept as a paragraph break.
    One character for one, so offsets into the text stay valid.
    """
    return _HARD_WRAP.sub(" ", text)


def turn_height(state: CodingState, segment: Segment, width: int) -> int:
    """Lines a turn takes: header + wrapped text (or its tags, if more), + a blank line."""
    return _height(text_rows(state, segment, width), state, segment)


def text_rows(state: CodingState, segment: Segment, width: int) -> int:
    """Rows the turn's text wraps to in a pane ``width`` cells wide."""
    _, text_width = column_widths(width)
    return len(wrap_spans(reflow(state.transcript.text[segment.start : segment.end]), text_width))


def _height(text_rows: int, state: CodingState, segment: Segment) -> int:
    tags = len(state.mine(segment.ordinal)) + len(state.others(segment.ordinal))
    return max(1 + text_rows, tags) + 1


def render_turn(console: Console, state: CodingState, segment: Segment, width: int, color) -> list[Strip]:
    """One turn as strips: header + wrapped text on the left, tags on the right, a blank line.

    Each row is assembled as one Text and rendered once (a Strip per row is the
    expensive part of painting).
    """
    tag_width, text_width = column_widths(width)
    is_current = segment.ordinal == state.current
    body = _body(state, segment, is_current)
    spans = wrap_spans(body.plain, text_width)
    cuts = [offset for span in spans for offset in span]
    pieces = body.divide(cuts)  # [before, line 1, gap, line 2, gap, ...]
    left = [_header(state, segment, is_current), *(pieces[i] for i in range(1, 2 * len(spans), 2))]
    tags = _tags(state, segment.ordinal, color, tag_width)
    gutter = MARKER if is_current else Text(" ")
    strips = []
    for row in range(max(len(left), len(tags))):
        line = Text()
        line.append_text(gutter)
        line.append_text(_fixed(left[row] if row < len(left) else Text(), text_width))
        line.append(" ")
        line.append_text(_fixed(tags[row] if row < len(tags) else Text(), tag_width))
        strip = Strip(list(line.render(console)), 1 + text_width + 1 + tag_width)
        strips.append(strip.apply_style(CURRENT_BACKGROUND) if is_current else strip)
    strips.append(Strip.blank(width))
    return strips


def _header(state: CodingState, segment: Segment, is_current: bool) -> Text:
    style = INTERVIEWER if segment.is_interviewer else SPEAKER
    header = Text(f"{segment.ordinal:>3}  {segment.speaker}", style=style)
    if state.nothing_marked(segment.ordinal):
        header.append("  · nothing to code", style="italic #9ece6a")
    if is_current and state.selecting:
        header.append(f"  · {state.selection_label()}", style="italic #e0af68")
    return header


def _body(state: CodingState, segment: Segment, is_current: bool) -> Text:
    text = reflow(state.transcript.text[segment.start : segment.end])
    body = Text(text, style=INTERVIEWER if segment.is_interviewer else "")
    for mark in state.mine(segment.ordinal):
        if (mark.start, mark.end) != (segment.start, segment.end):
            body.stylize(SUB_SPAN, mark.start - segment.start, mark.end - segment.start)
    for start, end in state.matches_in(segment.ordinal):
        body.stylize(MATCH, start - segment.start, end - segment.start)
    if is_current:
        _stylize_evidence(state, segment, body)
    if is_current and state.selecting:
        start, end = state.span
        body.stylize(SELECTION, start - segment.start, end - segment.start)
    return body


def _stylize_evidence(state: CodingState, segment: Segment, body: Text) -> None:
    """Mark the words the selected suggestion rests on: the rule's matched words, else its span.

    A whole-turn suggestion (a model's) marks nothing: the turn is already the selection.
    """
    chosen = state.suggestion
    if chosen is None or not segment.start <= chosen.start < chosen.end <= segment.end:
        return
    spans = evidence_spans(state.transcript.text, chosen.start, chosen.end, chosen.evidence)
    if spans == [(segment.start, segment.end)]:
        return
    for start, end in spans:
        body.stylize(EVIDENCE, start - segment.start, end - segment.start)


def _tags(state: CodingState, ordinal: int, color, width: int) -> list[Text]:
    tags = []
    segment = state.transcript.segment(ordinal)
    for mark in state.mine(ordinal):
        partial = "" if (mark.start, mark.end) == (segment.start, segment.end) else "~"
        memo = "✎" if mark.memo else ""
        markers = f"{partial}{memo}"  # kept whole; the id gives way when space is short
        label = markers + _fit(mark.code_id, width - 2 - len(markers))
        tags.append(Text(f" {label} ", style=f"bold #101010 on {color(mark.code_id)}"))
    for mark in state.others(ordinal):
        tags.append(Text(other_label(mark.coder, mark.code_id, width), style=f"dim {color(mark.code_id)}"))
    return tags


def other_label(coder: str, code_id: str, width: int) -> str:
    """``coder: code`` in ``width`` cells: who coded always shows; the code gives way.

    The coder's name keeps at least half the room; the code is shortened from the
    left (its last, most specific part stays).
    """
    full = f"{coder}: {code_id}"
    if len(full) <= width:
        return full
    name = coder if len(coder) <= max(width // 2, width - 2 - 8) else coder[: max(1, width // 2 - 1)] + "…"
    room = width - len(name) - 2
    return f"{name}: {_fit(code_id, room)}" if room >= 2 else _fit(name, width)


def _fit(label: str, width: int) -> str:
    """Shorten from the left: the end of a dotted code id is the informative part."""
    return label if len(label) <= width else "…" + label[-(width - 1) :]


def _fixed(text: Text, width: int) -> Text:
    """``text`` cropped with an ellipsis, or padded, to exactly ``width`` cells."""
    if text.style:
        # Text.render drops the base style of a Text without spans: make it a span.
        text = text.copy()
        text.stylize_before(text.style, 0, len(text))
        text.style = ""
    size = text.cell_len
    if size > width:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
    elif size < width:
        text = text + Text(" " * (width - size))
    return text
