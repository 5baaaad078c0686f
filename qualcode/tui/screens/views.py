"""The passages and memos views: a list to read, each line jumping to where it belongs.

Both dismiss with ``(transcript_id, ordinal)`` to open (ordinal None: the transcript
as it is), or None when the coder closes the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from qualcode.coding.memos import MemoEntry
    from qualcode.tui.work import Passage

Target = tuple[str, int | None]


class ListScreen(ModalScreen[Target | None]):
    """A titled list; Enter jumps to the highlighted line's place, Esc closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close the list"),
        Binding("enter", "choose", "Jump to the highlighted line's turn"),
    ]

    DEFAULT_CSS = """
    ListScreen { align: center middle; }
    ListScreen > Vertical {
        width: 90%; max-width: 120; height: 80%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ListScreen OptionList { height: 1fr; }
    """

    def __init__(self, title: str, items: Sequence[tuple[Text, Target | None]]) -> None:
        super().__init__()
        self._title = title
        self._targets = [target for _label, target in items]
        self._labels = [label for label, _target in items]
        self._answered = False

    def compose(self):
        with Vertical():
            yield Label(self._title, id="list-title")
            if self._labels:
                yield OptionList(*(Option(label, id=str(i)) for i, label in enumerate(self._labels)))
            else:
                yield Label(Text("Nothing to list.", style="italic"))

    def on_mount(self) -> None:
        if self._labels:
            self.query_one(OptionList).focus()

    @property
    def lines(self) -> list[str]:
        """The lines as shown (plain text), for tests."""
        return [label.plain for label in self._labels]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._close(self._targets[int(event.option.id or 0)])

    def action_choose(self) -> None:
        if not self._labels:
            self._close(None)
            return
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._close(self._targets[options.highlighted])

    def action_cancel(self) -> None:
        self._close(None)

    def _close(self, target: Target | None) -> None:
        if not self._answered:  # once: a second Enter in the same read would pop the coding screen
            self._answered = True
            self.dismiss(target)


def _snippet(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def passages_screen(code_id: str, name: str, passages: Sequence[Passage], coder: str) -> ListScreen:
    """Every passage coded with one code; the coder's own first marked ●."""
    items = []
    for p in passages:
        label = Text("● " if p.coder == coder else "  ", style="bold #9ece6a")
        label.append(f"{p.transcript_id} #{p.ordinal:<4}", style="bold")
        label.append(f" {p.coder:<10} ", style="dim")
        label.append(f"“{_snippet(p.text, 56)}”")
        items.append((label, (p.transcript_id, p.ordinal)))
    title = f"Passages coded {code_id} ({name}): {len(passages)}  (↑↓ choose · Enter jump · Esc close)"
    return ListScreen(title, items)


def memos_screen(entries: Sequence[MemoEntry]) -> ListScreen:
    """Every memo the coder may read: on codes, transcripts and codings."""
    items: list[tuple[Text, Target | None]] = []
    for e in entries:
        target: Target | None
        if e.on == "code":
            where, target = f"{e.code_id}", None
        elif e.on == "transcript":
            where, target = f"{e.transcript_id}", (str(e.transcript_id), None)
        else:
            where, target = f"{e.transcript_id} #{e.ordinal} {e.code_id}", (str(e.transcript_id), e.ordinal)
        label = Text(f"{e.on:<10} ", style="dim")
        label.append(f"{where:<28} ", style="bold")
        label.append(f"{e.coder:<10} ", style="dim")
        label.append(_snippet(e.text, 40))
        items.append((label, target))
    return ListScreen(f"Memos: {len(entries)}  (↑↓ choose · Enter jump · Esc close)", items)
