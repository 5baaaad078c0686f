"""Every key of the coding screen, by where it works, read from the widgets' BINDINGS.

The help overlay shows these sections and ``docs/coding-screen.md`` is checked against
:func:`keys_markdown`, so neither can go stale. This module sits above the screens and
widgets whose bindings it lists and below the app, which hands in its own bindings:
the help overlay (a screen) never imports the app.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding

from qualcode.tui.screens.codeedit import CodeFormScreen
from qualcode.tui.screens.help import HelpScreen, KeySections
from qualcode.tui.screens.hits import HitsScreen
from qualcode.tui.screens.jump import JumpScreen
from qualcode.tui.screens.memo import MemoScreen
from qualcode.tui.screens.views import ListScreen
from qualcode.tui.widgets.codebook import CodebookPane
from qualcode.tui.widgets.codetree import CodeTree, TextPanel
from qualcode.tui.widgets.transcript import TranscriptView

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


def key_sections(app_bindings: Iterable) -> KeySections:
    """Every key of the coding screen, by where it works; ``app_bindings`` are the
    app's own (``CodingApp.BINDINGS``), which work anywhere outside the code filter."""
    return [
        ("Anywhere (outside the code filter)", binding_rows(app_bindings)),
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


def keys_markdown(app_bindings: Iterable) -> str:
    """The keys reference as Markdown tables (docs/coding-screen.md embeds this)."""
    lines = []
    for title, rows in key_sections(app_bindings):
        lines += [f"### {title}", "", "| Keys | Action |", "|---|---|"]
        lines += [f"| `{keys}` | {action} |" for keys, action in rows]
        lines.append("")
    return "\n".join(lines)
