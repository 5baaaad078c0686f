"""The codebook pane: the codes for the transcript's role, a fuzzy filter and a detail panel.

Without a filter the codes show as the codebook's tree, indented by depth (grouping
nodes and ancestors from other roles appear dimmed, for context). Typing in the filter lists the matching
codes best first (rapidfuzz over id, name and definition); Enter applies the
highlighted one. The detail panel shows the highlighted code's definition,
include/exclude and examples; codes already applied to the current turn are ticked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

from qualcode.tui.codefilter import filter_codes
from qualcode.tui.colors import code_color
from qualcode.tui.widgets.codetree import CodeRow, CodeTree, TextPanel

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.codebook.model import Code


class FilterInput(Input, can_focus=False):
    """The filter box: an Input that never takes focus and never asks for a layout.

    Focus stays on the transcript while the coder types a filter (the app routes the
    keys here, see :meth:`CodebookPane.filter_key`): in Textual every focus change
    repaints the whole screen, two per code applied. And Input grows its virtual
    width with its value, which asks for a full layout on each character; this box
    has a fixed size, so a repaint is enough (the horizontal scroll bounds read
    ``virtual_size`` directly).
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def post_message(self, message: Message) -> bool:
        """Post any message but Changed: its owner watches ``value`` instead (which runs while
        the key is handled); each Changed was a message hop more per typed key and per Enter."""
        if isinstance(message, Input.Changed):
            return False
        return super().post_message(message)


class CodebookPane(Vertical):
    """Filter input, code tree and the highlighted code's details."""

    # Active while filtering (after /); any other printable key is typed into the filter.
    BINDINGS = [
        Binding("down", "cursor(1)", "Next matching code"),
        Binding("up", "cursor(-1)", "Previous matching code"),
        Binding("enter", "apply_highlighted", "Apply or remove the highlighted code"),
        Binding("backspace", "delete_left", "Delete the last character"),
        Binding("ctrl+u", "clear_filter", "Clear the filter"),
        Binding("escape", "close_filter", "Clear the filter, back to the transcript"),
    ]

    DEFAULT_CSS = """
    CodebookPane { width: 1fr; min-width: 32; max-width: 60; border-left: solid $primary-darken-2; }
    CodebookPane #code-tree { height: 1fr; }
    CodebookPane #code-detail { height: 40%; border-top: solid $primary-darken-2; }
    """

    class Apply(Message):
        """The coder chose a code to toggle on the selection."""

        def __init__(self, code_id: str, from_filter: bool) -> None:
            super().__init__()
            self.code_id = code_id
            self.from_filter = from_filter

    class Closed(Message):
        """The coder left the filter (Escape)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._codebook: Codebook | None = None
        self._codes: list[Code] = []
        self._applicable: set[str] = set()
        self._applied: set[str] = set()
        self._detail_for: str | None = None
        self._keep: str | None = None  # the code the whole tree reopens on (close_filter)
        self.filtering = False
        self._labels: dict[tuple[str, bool], Text] = {}
        self._tree_rows: list[CodeRow] | None = None
        self.apply_now: Callable[[str], object] | None = None  # the app's toggle, run at once
        self._counts: dict[str, tuple[int, int | None]] = {}  # code -> (mine, all visible or None when blind)

    def compose(self):
        yield FilterInput(placeholder="/  type to find a code", id="code-filter")
        yield CodeTree(id="code-tree")
        yield TextPanel(id="code-detail")

    # -- public ---------------------------------------------------------------

    @property
    def tree(self) -> CodeTree:  # type: ignore[override]  # shadows DOMNode.tree, a debug view we never use
        return self.query_one("#code-tree", CodeTree)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#code-filter", Input)

    @property
    def highlighted_code(self) -> str | None:
        """The applicable code under the tree cursor, if any."""
        row = self.tree.highlighted
        return row.code_id if row is not None and row.usable else None

    def set_codes(self, codebook: Codebook, codes: list[Code], applied: set[str]) -> None:
        """Show these codes (the transcript role's); ``applied`` are ticked."""
        self._codebook, self._codes = codebook, codes
        self._applicable = {c.id for c in codes}
        self._labels, self._tree_rows = {}, None
        self._applied = set(applied)
        self.filter_input.value = ""
        self._show_tree()

    def mark_applied(self, applied: set[str]) -> None:
        """Tick the codes applied to the current turn; relabel only those that changed."""
        changed = self._applied ^ applied
        self._applied = set(applied)
        if changed and self._codebook is not None:
            self.tree.relabel({c: self._label(self._codebook.codes[c]) for c in changed if c in self._codebook.codes})

    def set_counts(self, counts: dict[str, tuple[int, int | None]], *, replace: bool = False) -> None:
        """Show codings per code (mine / all); ``replace``: these are all the counts, else an update."""
        changed = set(self._counts) | set(counts) if replace else {c for c in counts if self._counts.get(c) != counts[c]}
        self._counts = dict(counts) if replace else {**self._counts, **counts}
        for code_id in changed:
            self._labels.pop((code_id, True), None)
            self._labels.pop((code_id, False), None)
        if changed and self._codebook is not None:
            self.tree.relabel({c: self._label(self._codebook.codes[c]) for c in changed if c in self._codebook.codes})

    def open_filter(self) -> None:
        """Start filtering: typed keys go to the filter until Enter or Escape."""
        self.filtering = True
        self._mark_filter(True)

    def _mark_filter(self, active: bool) -> None:
        """The filter box's accent border while filtering.

        An inline style, not a CSS class: a class change runs the stylesheet over the
        box and its parts again (1-1.5 ms of CPU, on every Enter that applies a code);
        the border keeps its width, so this is a repaint of the box's three lines.
        """
        box = self.filter_input
        box.styles.border = ("tall", self.app.theme_variables.get("accent", "yellow")) if active else None

    async def filter_key(self, key: str, character: str | None) -> bool:
        """Handle a key while filtering; False lets the app treat it as usual (e.g. ctrl+q)."""
        for binding in self.BINDINGS:
            if isinstance(binding, Binding) and key in binding.key.split(","):  # BINDINGS are Bindings
                await self.run_action(binding.action)
                return True
        if character is not None and character.isprintable():
            self.filter_input.insert_text_at_cursor(character)
            return True
        return False

    # -- events and actions ---------------------------------------------------

    def on_mount(self) -> None:
        # Watching the value runs the filter while the keypress is handled, instead of
        # waiting for Input.Changed to bubble up (each hop is a turn of the event loop).
        self.watch(self.filter_input, "value", self._filter, init=False)

    def _filter(self, value: str) -> None:
        if value.strip():
            self._show_matches(value)
        else:
            self._show_tree()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply_highlighted()

    def on_code_tree_selected(self, event: CodeTree.Selected) -> None:
        event.stop()
        self.action_apply_highlighted()

    def on_code_tree_highlighted(self, event: CodeTree.Highlighted) -> None:
        event.stop()
        self._show_detail(event.code_id)

    def action_cursor(self, delta: int) -> None:
        self.tree.action_cursor(delta)

    def action_delete_left(self) -> None:
        self.filter_input.action_delete_left()

    def action_clear_filter(self) -> None:
        self.filter_input.value = ""

    def action_apply_highlighted(self) -> None:
        row = self.tree.highlighted
        if row is None:
            self.app.bell()
            return
        if not row.usable:
            self.notify(f"'{row.code_id}' cannot be applied here (a grouping node or another role's code)")
            return
        from_filter = self.filtering
        if from_filter:
            # Leave filter mode now, not when the app handles Apply: keys that arrive in
            # the same read after Enter are commands again, and the highlight stays on
            # the applied code so ``t`` toggles that code.
            self.close_filter(keep=row.code_id)
        if self.apply_now is not None:  # in order with the keys around it (see CodingApp._route_key)
            self.apply_now(row.code_id)
            return
        # Straight to the app rather than bubbling through the containers: one hop.
        self.app.post_message(self.Apply(row.code_id, from_filter))

    def action_close_filter(self) -> None:
        self.close_filter()
        self.app.post_message(self.Closed())

    def close_filter(self, keep: str | None = None) -> None:
        """Leave filter mode; ``keep``: the code to leave highlighted in the tree."""
        self.filtering = False
        self._mark_filter(False)
        # The watcher shows the whole tree again, its cursor already on ``keep``: the
        # definition panel is drawn once (for ``keep``), not first for the tree's first code.
        self._keep = keep
        try:
            self.filter_input.value = ""
        finally:
            self._keep = None
        if keep is not None:
            self.highlight(keep)

    def highlight(self, code_id: str) -> None:
        """Put the tree cursor on a code (when it is shown)."""
        rows = self.tree.rows
        index = next((i for i, row in enumerate(rows) if row.code_id == code_id), None)
        if index is not None and index != self.tree.cursor:
            self.tree.move_cursor(index)

    # -- building -------------------------------------------------------------

    def _show_tree(self) -> None:
        """The codebook tree, limited to codes of the role and their ancestors."""
        codebook = self._codebook
        if codebook is None:
            return
        if self._tree_rows is None:
            wanted = set(self._applicable)
            for code_id in self._applicable:
                wanted.update(a.id for a in codebook.ancestors(code_id))
            self._tree_rows = [
                CodeRow(code.id, codebook.depth(code.id), Text(), code.id in self._applicable)
                for code in codebook.codes.values()
                if code.id in wanted
            ]
        rows = [
            CodeRow(r.code_id, r.depth, self._label(codebook.codes[r.code_id]), r.usable) for r in self._tree_rows
        ]
        self._show(rows)

    def _show_matches(self, query: str) -> None:
        """A flat list of matching codes, best first, cursor on the best."""
        rows = [CodeRow(code.id, 0, self._label(code), True) for code, _ in filter_codes(self._codes, query)]
        self._show(rows)

    def _show(self, rows: list[CodeRow]) -> None:
        first = next((i for i, row in enumerate(rows) if row.usable), 0)
        if self._keep is not None:
            first = next((i for i, row in enumerate(rows) if row.code_id == self._keep), first)
        self.tree.set_rows(rows, first)
        self._show_detail(rows[first].code_id if rows else None)

    def _label(self, code: Code) -> Text:
        key = (code.id, code.id in self._applied)
        if key not in self._labels:
            self._labels[key] = self._make_label(code)
        return self._labels[key]

    def _make_label(self, code: Code) -> Text:
        assert self._codebook is not None
        usable = code.id in self._applicable
        label = Text()
        label.append("✓ " if code.id in self._applied else "  ", style="bold green")
        label.append("■ ", style=code_color(self._codebook, code.id))
        mine, seen = self._counts.get(code.id, (0, None))
        if mine or seen:  # codings: mine / all coders' I may see (only mine when blind); first, so never cut
            label.append(f"{mine}" + ("" if seen is None else f"/{seen}") + " ", style="bold #7aa2f7")
        label.append(code.name, style="" if usable else "dim")
        label.append(f"  {code.id}", style="dim")
        return label

    def _show_detail(self, code_id: str | None) -> None:
        if code_id == self._detail_for and code_id is not None:
            return  # unchanged: skip the repaint
        self._detail_for = code_id
        detail = self.query_one("#code-detail", TextPanel)
        if code_id is None or self._codebook is None or code_id not in self._codebook.codes:
            detail.show(Text("No code matches" if self.filter_input.value else "", style="dim"))
            return
        detail.show(code_detail(self._codebook, self._codebook.codes[code_id], code_id in self._applicable))


def code_detail(codebook: Codebook, code: Code, applicable: bool) -> Text:
    """Definition, include, exclude and examples of a code, for the detail panel."""
    text = Text()
    text.append(code.name, style=f"bold {code_color(codebook, code.id)}")
    text.append(f"\n{code.id}", style="dim")
    if not applicable:
        text.append("\n(not applicable here: a grouping node or another role's code)", style="italic dim")
    for title, body in (("Definition", code.definition), ("Include", code.include), ("Exclude", code.exclude)):
        if body:
            text.append(f"\n\n{title}: ", style="bold")
            text.append(body)
    if code.examples:
        text.append("\n\nExamples:", style="bold")
        for example in code.examples:
            text.append(f"\n • “{example}”", style="italic")
    return text
