"""The code form: a new code under the highlighted one, or the highlighted code's texts.

Dismisses with a :class:`~qualcode.codebook.grow.CodeTexts` (and, for a new code, the
id part typed), or None when cancelled. Examples are one per line.

Keys that move between fields (Tab, Shift+Tab, Enter in a one-line field) are taken
in the order they arrive (the app routes them here, :meth:`CodeFormScreen.take_key`):
Textual would queue the text typed after Tab for the field focused *before* Tab moves
focus, so ``Tab`` + text in one read (a paste, a slow link) landed in the wrong field.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, TextArea

from qualcode.codebook.grow import CodeTexts

FIELDS = (("definition", "Definition"), ("include", "Include"), ("exclude", "Exclude"),
          ("examples", "Examples (one per line)"))


class CodeFormScreen(ModalScreen[tuple[str, CodeTexts] | None]):
    """Edit a code's name, definition, include, exclude and examples; Ctrl+S saves, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close without saving"),
        Binding("ctrl+s", "save", "Save to the codebook file"),
    ]

    DEFAULT_CSS = """
    CodeFormScreen { align: center middle; }
    CodeFormScreen > VerticalScroll {
        width: 90%; max-width: 110; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    CodeFormScreen TextArea { height: 4; }
    CodeFormScreen Label { margin: 1 0 0 0; }
    CodeFormScreen #form-keys { color: $text-muted; }
    """

    def __init__(self, title: str, texts: CodeTexts, *, new_under: str | None = None, is_new: bool = False) -> None:
        super().__init__()
        self._title = title
        self._texts = texts
        self._is_new = is_new
        self._prefix = f"{new_under}." if new_under else ""
        self._answered = False
        self._ready = False  # True once a field has focus; keys before that wait in _early
        self._early: list[tuple[str, str | None]] = []

    def compose(self):
        with VerticalScroll():
            yield Label(self._title, id="form-title")
            yield Label("Tab moves between fields · Ctrl+S saves · Esc cancels", id="form-keys")
            if self._is_new:
                yield Label(f"Id: {self._prefix}…  (lowercase letters, digits, _ and -)")
                yield Input(placeholder="e.g. tip_lines", id="form-part", select_on_focus=False)
            yield Label("Name")
            # Tabbing back to the name must not select it: the next letter typed would wipe it
            yield Input(self._texts.name, id="form-name", select_on_focus=False)
            values = {**self._texts.values(), "examples": "\n".join(self._texts.examples)}
            for key, label in FIELDS:
                yield Label(label)
                yield TextArea(str(values[key]), id=f"form-{key}", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#form-part" if self._is_new else "#form-name"))
        self._ready = True
        early, self._early = self._early, []
        for key, character in early:  # typed straight after A or E, before the form was up
            if not self.take_key(key, character) and self.focused is not None:
                self.focused._forward_event(events.Key(key, character))

    def take_key(self, key: str, character: str | None) -> bool:
        """Move between fields now, in arrival order; False: the focused field takes the key as usual."""
        if key in ("ctrl+q", "ctrl+c"):
            return False
        if not self._ready:
            self._early.append((key, character))
            return True
        if key == "tab" or key == "enter" and isinstance(self.focused, Input):
            self.focus_next()
        elif key == "shift+tab":
            self.focus_previous()
        else:
            return False
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter is taken by take_key; a submit from elsewhere moves on too
        self.focus_next()

    def action_save(self) -> None:
        area = {key: self.query_one(f"#form-{key}", TextArea).text.strip() for key, _ in FIELDS}
        examples = tuple(line.strip() for line in area.pop("examples").splitlines() if line.strip())
        texts = CodeTexts(self.query_one("#form-name", Input).value.strip(), area["definition"], area["include"],
                          area["exclude"], examples)
        part = self.query_one("#form-part", Input).value.strip() if self._is_new else ""
        self._close((part, texts))

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, answer: tuple[str, CodeTexts] | None) -> None:
        if not self._answered:
            self._answered = True
            self.dismiss(answer)
