"""The memo modal: a multi-line editor for a memo on a coding, a transcript or a code."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class MemoScreen(ModalScreen[str | None]):
    """Edit a memo; Ctrl+S saves (empty clears it), Escape cancels. Enter starts a new line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close without saving"),
        Binding("ctrl+s", "save", "Save the memo (empty removes it)"),
    ]

    DEFAULT_CSS = """
    MemoScreen { align: center middle; }
    MemoScreen > Vertical {
        width: 80%; max-width: 100; height: auto; max-height: 90%;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    MemoScreen Label { width: 100%; margin-bottom: 1; }
    MemoScreen TextArea { height: 10; }
    MemoScreen #memo-keys { color: $text-muted; margin: 1 0 0 0; }
    """

    def __init__(self, title: str, memo: str | None) -> None:
        super().__init__()
        self._title = title
        self._memo = memo or ""
        self._answered = False

    def compose(self):
        with Vertical():
            yield Label(self._title, id="memo-title")
            yield TextArea(self._memo, id="memo-input", soft_wrap=True, tab_behavior="focus")
            yield Label("Ctrl+S saves · Enter new line · Esc cancels · an empty memo is removed", id="memo-keys")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self._close(self.query_one(TextArea).text.strip())

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, memo: str | None) -> None:
        # Dismiss once: a second key in the same read would pop the coding screen.
        if not self._answered:
            self._answered = True
            self.dismiss(memo)
