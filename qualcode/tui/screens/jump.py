"""The jump list: pick another transcript to code, filtered by typing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.binding import Binding

from qualcode.tui.screens.pick import PickRow, PickScreen

if TYPE_CHECKING:
    from qualcode.coding.assignments import TranscriptChoice


class JumpScreen(PickScreen):
    """Transcripts (assigned first) with the coder's progress; typing filters them."""

    BINDINGS = [
        *PickScreen.BINDINGS[:1],
        Binding("enter", "choose", "Open the highlighted transcript"),
        *PickScreen.BINDINGS[2:],
    ]

    def __init__(self) -> None:
        super().__init__("", [])  # installed once by the app and refilled on each g (see PickScreen.refill)

    def fill(self, choices: Sequence[TranscriptChoice], current: str) -> None:
        """The transcripts to list, the cursor on the open one."""
        ids = [c.id for c in choices]
        rows = [choice_row(c, c.id == current) for c in choices]
        self.refill("Jump to a transcript", rows, ids.index(current) if current in ids else 0)


def choice_label(choice: TranscriptChoice, is_open: bool) -> str:
    """One line: done mark, id, role, site, progress, then the notes (cropped at the right)."""
    done = "✓" if choice.finished else " "
    label = f"{done} {choice.id:<14} {choice.coded:>4}/{choice.total:<4} {choice.role:<16} site {choice.site}"
    if choice.assigned:
        label += "  assigned"  # an open sample or `qualcode assign`; blind mode is the header's to say
    if is_open:
        label += "  ← open"
    return label


def choice_row(choice: TranscriptChoice, is_open: bool) -> PickRow:
    style = "bold #e0af68" if choice.assigned else ("dim" if choice.finished else "")
    # the filter reads the id, role and site, not the counts ("2" would match "0/2")
    return PickRow(choice.id, choice_label(choice, is_open), style, f"{choice.id} {choice.role} site {choice.site}")
