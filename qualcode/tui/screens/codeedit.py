"""The code form: a new code under the highlighted one, or the highlighted code's texts.

Dismisses with a :class:`~qualcode.codebook.grow.CodeTexts` (and, for a new code, the
id part typed), or None when cancelled. Examples are one per line.
"""

from __future__ import annotations

from typing import ClassVar

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

    def compose(self):
        with VerticalScroll():
            yield Label(self._title, id="form-title")
            yield Label("Tab moves between fields · Ctrl+S saves · Esc cancels", id="form-keys")
            if self._is_new:
                yield Label(f"Id: {self._prefix}…  (lowercase letters, digits, _ and -)")
                yield Input(placeholder="e.g. tip_lines", id="form-part")
            yield Label("Name")
            yield Input(self._texts.name, id="form-name")
            values = {**self._texts.values(), "examples": "\n".join(self._texts.examples)}
            for key, label in FIELDS:
                yield Label(label)
                yield TextArea(str(values[key]), id=f"form-{key}", soft_wrap=True, tab_behavior="focus")

    def on_mount(self) -> None:
        self.query_one("#form-part" if self._is_new else "#form-name").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
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
