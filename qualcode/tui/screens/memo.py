"""The memo modal: a one-line input for the memo on one coding."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class MemoScreen(ModalScreen[str | None]):
    """Edit a coding's memo; Enter saves (empty clears it), Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Close without saving"),
        Binding("enter", "save", "Save the memo (empty clears it)"),
    ]

    DEFAULT_CSS = """
    MemoScreen { align: center middle; }
    MemoScreen > Vertical {
        width: 80%; max-width: 100; height: auto;
        border: thick $primary; background: $surface; padding: 1 2;
    }
    MemoScreen Label { width: 100%; margin-bottom: 1; }
    """

    def __init__(self, title: str, memo: str | None) -> None:
        super().__init__()
        self._title = title
        self._memo = memo or ""
        self._answered = False

    def compose(self):
        with Vertical():
            yield Label(self._title, id="memo-title")
            yield Input(value=self._memo, placeholder="Memo (Enter saves, Esc cancels)", id="memo-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        self._close(self.query_one(Input).value.strip())

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, memo: str | None) -> None:
        # Dismiss once: a second Enter or Escape in the same read would pop the coding screen.
        if not self._answered:
            self._answered = True
            self.dismiss(memo)
