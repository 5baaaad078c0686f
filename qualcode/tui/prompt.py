"""A one-line prompt on the status line (find text, go to turn, search every transcript).

Plain logic, no Textual: the app feeds it keys in the order they arrive (like the code
filter), so a burst such as ``f`` ``labor`` Enter ``t`` finds, then toggles, and no
letter typed into the prompt runs a command.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Prompt:
    """What is being asked (``kind``), the label shown and the text typed so far."""

    kind: str
    label: str
    value: str = ""

    def key(self, key: str, character: str | None) -> str | None:
        """Take one key: ``"submit"``, ``"cancel"``, or None while typing goes on."""
        if key == "enter":
            return "submit"
        if key == "escape":
            return "cancel"
        if key == "backspace":
            self.value = self.value[:-1]
        elif key == "ctrl+u":
            self.value = ""
        elif character is not None and len(character) == 1 and character.isprintable():
            self.value += character
        return None

    @property
    def line(self) -> str:
        return f"{self.label}: {self.value}▏  (Enter · Esc cancels)"
