"""The suggestions bar: what the registered suggesters propose for the current turn.

Each suggestion shows its code, source (rules, model, ...), score and evidence; the
selected one is marked and is what the accept and reject keys act on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from qualcode.tui.colors import code_color

if TYPE_CHECKING:
    from qualcode.tui.state import CodingState

SHOWN = 3  # suggestions listed at once (the bar has a fixed height)


class SuggestionsBar(Static):
    """A few lines under the transcript listing the current turn's suggestions."""

    DEFAULT_CSS = """
    SuggestionsBar { height: 4; padding: 0 1; background: $boost; }
    """

    _shown: Text | None = None

    def show(self, state: CodingState) -> None:
        """Redraw from the state's (cached) suggestions for the current turn, if they show otherwise."""
        text = suggestions_text(state)
        if text != self._shown:  # most keys leave the bar as it was: no repaint then
            self._shown = text
            self.update(text, layout=False)  # fixed height: no layout pass


def suggestions_text(state: CodingState) -> Text:
    items = state.suggestions()
    if not items:
        return Text("No suggestions for this turn", style="dim")
    selected = state.suggestion_index if state.suggestion is not None else 0
    text = Text.assemble(
        ("Suggestions ", "bold"), (f"{selected + 1} of {len(items)}  ·  a accept · x reject · [ ] choose", "dim")
    )
    first = max(0, min(selected - SHOWN + 1, len(items) - SHOWN))
    for index in range(first, min(len(items), first + SHOWN)):
        item = items[index]
        mark = "▶ " if index == selected else "  "
        score = f" {item.score:.2f}" if item.score is not None else ""
        text.append("\n" + mark, style="bold #e0af68")
        text.append(item.code_id, style=f"bold {code_color(state.codebook, item.code_id)}")
        text.append(f"  {item.source}{score}  ", style="dim")
        text.append(_one_line(item.evidence), style="italic")
    return text


def _one_line(evidence: str, limit: int = 120) -> str:
    flat = " ".join(evidence.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
