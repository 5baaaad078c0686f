"""The codebook pane: the codes for the transcript's role, a fuzzy filter and a detail panel.

Without a filter the codes show as the codebook's tree (grouping nodes and codes of
other roles appear dimmed, for context). Typing in the filter lists the matching
codes best first (rapidfuzz over id, name and definition); Enter applies the
highlighted one. The detail panel shows the highlighted code's definition,
include/exclude and examples; codes already applied to the current turn are ticked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static, Tree

from qualcode.tui.codefilter import filter_codes
from qualcode.tui.colors import code_color

if TYPE_CHECKING:
    from textual.widgets.tree import TreeNode

    from qualcode.codebook import Codebook
    from qualcode.codebook.model import Code


class CodebookPane(Vertical):
    """Filter input, code tree and the highlighted code's details."""

    BINDINGS = [
        Binding("down", "cursor_down", "Next matching code"),
        Binding("up", "cursor_up", "Previous matching code"),
        Binding("enter", "apply_highlighted", "Apply or remove the highlighted code"),
        Binding("escape", "close_filter", "Clear the filter, back to the transcript"),
    ]

    DEFAULT_CSS = """
    CodebookPane { width: 1fr; min-width: 32; max-width: 60; border-left: solid $primary-darken-2; }
    CodebookPane #code-filter { margin: 0 0 0 0; }
    CodebookPane #code-tree { height: 1fr; overflow-x: hidden; }
    CodebookPane #code-detail-scroll { height: 40%; border-top: solid $primary-darken-2; }
    CodebookPane #code-detail { padding: 0 1; }
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
        self._code_nodes: dict[str, TreeNode] = {}
        self._applied: set[str] = set()

    def compose(self):
        yield Input(placeholder="/  type to find a code", id="code-filter")
        tree: Tree[str] = Tree("codes", id="code-tree")
        tree.show_root = False
        tree.auto_expand = False
        yield tree
        with VerticalScroll(id="code-detail-scroll"):
            yield Static(id="code-detail")

    # -- public ---------------------------------------------------------------

    @property
    def tree(self) -> Tree[str]:
        return self.query_one("#code-tree", Tree)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#code-filter", Input)

    @property
    def highlighted_code(self) -> str | None:
        """The applicable code under the tree cursor, if any."""
        node = self.tree.cursor_node
        code_id = node.data if node is not None else None
        return code_id if code_id in self._applicable else None

    def set_codes(self, codebook: Codebook, codes: list[Code], applied: set[str]) -> None:
        """Show these codes (the transcript role's); ``applied`` are ticked."""
        self._codebook, self._codes = codebook, codes
        self._applicable = {c.id for c in codes}
        self._applied = set(applied)
        self.filter_input.value = ""
        self._show_tree()

    def mark_applied(self, applied: set[str]) -> None:
        """Tick the codes applied to the current turn; relabel only those that changed."""
        for code_id in self._applied ^ applied:
            node = self._code_nodes.get(code_id)
            if node is not None and self._codebook is not None:
                node.set_label(self._label(self._codebook.codes[code_id], code_id in applied))
        self._applied = set(applied)

    def open_filter(self) -> None:
        self.filter_input.focus()

    # -- events and actions ---------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value.strip():
            self._show_matches(event.value)
        else:
            self._show_tree()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_apply_highlighted()

    def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        self.action_apply_highlighted()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        event.stop()
        self._show_detail(event.node.data)

    def action_cursor_down(self) -> None:
        self.tree.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.tree.action_cursor_up()

    def action_apply_highlighted(self) -> None:
        node = self.tree.cursor_node
        if node is None or node.data is None:
            self.app.bell()
            return
        from_filter = self.filter_input.has_focus
        if node.data not in self._applicable:
            self.notify(f"'{node.data}' cannot be applied here (a grouping node or another role's code)")
            return
        self.post_message(self.Apply(node.data, from_filter))

    def action_close_filter(self) -> None:
        self.filter_input.value = ""
        self.post_message(self.Closed())

    # -- building -------------------------------------------------------------

    def _show_tree(self) -> None:
        """The codebook tree, limited to codes of the role and their ancestors."""
        tree, codebook = self.tree, self._codebook
        tree.clear()
        self._code_nodes = {}
        if codebook is None:
            return
        wanted = set(self._applicable)
        for code_id in self._applicable:
            wanted.update(a.id for a in codebook.ancestors(code_id))
        parents: dict[str | None, TreeNode] = {None: tree.root}
        for code in codebook.codes.values():
            if code.id not in wanted:
                continue
            parent = parents.get(code.parent, tree.root)
            label = self._label(code, code.id in self._applied)
            has_children = any(c.id in wanted for c in codebook.children(code.id))
            node = parent.add(label, data=code.id, expand=True) if has_children else parent.add_leaf(label, data=code.id)
            parents[code.id] = node
            self._code_nodes[code.id] = node
        self._cursor_to_first()

    def _show_matches(self, query: str) -> None:
        """A flat list of matching codes, best first, cursor on the best."""
        tree = self.tree
        tree.clear()
        self._code_nodes = {}
        for code, _score in filter_codes(self._codes, query):
            self._code_nodes[code.id] = tree.root.add_leaf(self._label(code, code.id in self._applied), data=code.id)
        self._cursor_to_first()

    def _cursor_to_first(self) -> None:
        # Every node is expanded, so tree lines follow insertion order; setting the
        # line (not move_cursor) also works before the tree has built its lines.
        order = list(self._code_nodes)
        first = next((i for i, code_id in enumerate(order) if code_id in self._applicable), None)
        self.tree.cursor_line = -1 if first is None else first
        self._show_detail(order[first] if first is not None else None)

    def _label(self, code: Code, applied: bool) -> Text:
        assert self._codebook is not None
        usable = code.id in self._applicable
        label = Text()
        label.append("✓ " if applied else "  ", style="bold green")
        label.append("■ ", style=code_color(self._codebook, code.id))
        label.append(code.name, style="" if usable else "dim")
        label.append(f"  {code.id}", style="dim")
        return label

    def _show_detail(self, code_id: str | None) -> None:
        detail = self.query_one("#code-detail", Static)
        if code_id is None or self._codebook is None or code_id not in self._codebook.codes:
            detail.update(Text("No code matches" if self.filter_input.value else "", style="dim"))
            return
        detail.update(code_detail(self._codebook, self._codebook.codes[code_id], code_id in self._applicable))


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
