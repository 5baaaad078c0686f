"""The help overlay, generated from the widgets' BINDINGS so it is never stale.

:func:`key_sections` is also what ``docs/coding-screen.md`` is checked against.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEY_NAMES = {
    "slash": "/", "question_mark": "?", "left_square_bracket": "[", "right_square_bracket": "]",
    "pagedown": "PgDn", "pageup": "PgUp", "escape": "Esc", "enter": "Enter", "tab": "Tab",
    "up": "↑", "down": "↓", "left": "←", "right": "→", "space": "Space",
    "left_parenthesis": "(", "right_parenthesis": ")", "less_than_sign": "<", "greater_than_sign": ">",
    "colon": ":", "left_curly_bracket": "{", "right_curly_bracket": "}", "backspace": "Backspace",
}


def key_label(key: str) -> str:
    """``"ctrl+r,U"`` -> ``"Ctrl+R, U"``: how a binding's keys are written for people."""
    names = []
    for one in key.split(","):
        *modifiers, base = one.strip().split("+")
        base = KEY_NAMES.get(base, base.upper() if len(base) == 1 and modifiers else base)
        names.append("+".join([*(m.capitalize() for m in modifiers), base]))
    return ", ".join(names)


def binding_rows(bindings: Iterable) -> list[tuple[str, str]]:
    """(keys, description) for each binding (tuples or Binding objects)."""
    rows = []
    for item in bindings:
        binding = item if isinstance(item, Binding) else Binding(*item)
        rows.append((key_label(binding.key), binding.description))
    return rows


def key_sections() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every key of the coding screen, by where it works."""
    from qualcode.tui.app import CodingApp
    from qualcode.tui.screens.codeedit import CodeFormScreen
    from qualcode.tui.screens.hits import HitsScreen
    from qualcode.tui.screens.jump import JumpScreen
    from qualcode.tui.screens.memo import MemoScreen
    from qualcode.tui.screens.views import ListScreen
    from qualcode.tui.widgets.codebook import CodebookPane
    from qualcode.tui.widgets.codetree import CodeTree, TextPanel
    from qualcode.tui.widgets.transcript import TranscriptView

    return [
        ("Anywhere (outside the code filter)", binding_rows(CodingApp.BINDINGS)),
        ("Transcript pane", binding_rows(TranscriptView.BINDINGS)),
        ("Code filter (after /; any other key types into it)", binding_rows(CodebookPane.BINDINGS)),
        ("Code tree (Tab to it)", binding_rows(CodeTree.BINDINGS)),
        ("Code definition (Tab to it)", binding_rows(TextPanel.BINDINGS)),
        ("Memo box", binding_rows(MemoScreen.BINDINGS)),
        ("Jump list (g; type to filter)", binding_rows(JumpScreen.BINDINGS)),
        ("Search hits (F; type to filter)", binding_rows(HitsScreen.BINDINGS)),
        ("Passages and memos views (P, M)", binding_rows(ListScreen.BINDINGS)),
        ("Code form (A, E)", binding_rows(CodeFormScreen.BINDINGS)),
        ("Help (this overlay)", binding_rows(HelpScreen.BINDINGS)),
    ]


def keys_markdown() -> str:
    """The keys reference as Markdown tables (docs/coding-screen.md embeds this)."""
    lines = []
    for title, rows in key_sections():
        lines += [f"### {title}", "", "| Keys | Action |", "|---|---|"]
        lines += [f"| `{keys}` | {action} |" for keys, action in rows]
        lines.append("")
    return "\n".join(lines)


def keys_table() -> Group:
    """Every key, one small table per section under its title.

    The titles sit on lines of their own (not in the keys column, where the longest
    title would make that column half the screen wide and wrap every action on a
    narrow terminal); the keys column is as wide as the longest key label.
    """
    sections = key_sections()
    width = max(len(keys) for _, rows in sections for keys, _ in rows)
    parts: list = []
    for title, rows in sections:
        table = Table(show_header=False, box=None, padding=(0, 2, 0, 0), expand=True)
        table.add_column("keys", style="bold #e0af68", no_wrap=True, width=width)
        table.add_column("action", ratio=1)
        for keys, action in rows:
            table.add_row(keys, action)
        parts += [Text(title, style="bold underline"), table, Text("")]
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    """Every key of the coding screen."""

    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close the help"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90%; max-width: 100; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    """

    def compose(self):
        with VerticalScroll():
            yield Static(Text("Keys of the coding screen  (Esc closes)", style="bold"))
            yield Static(keys_table(), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)
