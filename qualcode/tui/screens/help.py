"""The help overlay: every key of the coding screen, in sections by where it works.

The sections are :func:`qualcode.tui.keys.key_sections`, generated from the widgets'
BINDINGS so they are never stale; the app hands them in (this screen does not import
the app, whose bindings are one of the sections).
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# (section title, [(keys, action), ...]) for each place keys work
KeySections = list[tuple[str, list[tuple[str, str]]]]


def keys_table(sections: KeySections) -> Group:
    """Every key, one small table per section under its title.

    The titles sit on lines of their own (not in the keys column, where the longest
    title would make that column half the screen wide and wrap every action on a
    narrow terminal); the keys column is as wide as the longest key label.
    """
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

    def __init__(self, sections: KeySections) -> None:
        super().__init__()
        self.sections = sections

    def compose(self):
        with VerticalScroll():
            yield Static(Text("Keys of the coding screen  (Esc closes)", style="bold"))
            yield Static(keys_table(self.sections), id="help-keys")

    def action_close(self) -> None:
        self.dismiss(None)
