"""The jump modal: pick another transcript to code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from qualcode.coding.assignments import TranscriptChoice


class JumpScreen(ModalScreen[str | None]):
    """A list of transcripts (assigned first) with the coder's progress on each."""

    BINDINGS = [
        Binding("escape", "cancel", "Close without jumping"),
        Binding("enter", "choose", "Open the highlighted transcript"),
    ]

    DEFAULT_CSS = """
    JumpScreen { align: center middle; }
    JumpScreen > Vertical {
        width: 90%; max-width: 110; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    JumpScreen OptionList { height: 1fr; }
    """

    def __init__(self, choices: Sequence[TranscriptChoice], current: str) -> None:
        super().__init__()
        self._choices = list(choices)
        self._current = current
        self._answered = False

    def compose(self):
        with Vertical():
            yield Label("Jump to a transcript  (↑↓ choose · Enter open · Esc cancel)")
            yield OptionList(*(Option(choice_label(c, c.id == self._current), id=c.id) for c in self._choices))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        ids = [c.id for c in self._choices]
        if self._current in ids:
            options.highlighted = ids.index(self._current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._close(event.option.id)

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._close(options.get_option_at_index(options.highlighted).id)

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, transcript_id: str | None) -> None:
        # Dismiss once: a second Enter in the same read (g Enter Enter) is already
        # queued for this screen and would pop the coding screen too (ScreenStackError).
        if self._answered:
            return
        self._answered = True
        self.dismiss(transcript_id)


def choice_label(choice: TranscriptChoice, is_open: bool) -> Text:
    done = "✓" if choice.finished else " "
    label = Text(f"{done} {choice.id:<24} {choice.role:<18} site {choice.site:<6} ")
    label.append(f"{choice.coded:>4}/{choice.total:<4} turns coded", style="dim" if choice.finished else "")
    if choice.assigned:
        label.append("  assigned (blind)", style="bold #e0af68")
    if is_open:
        label.append("  ← open", style="italic")
    return label
