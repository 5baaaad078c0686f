"""Search hits across transcripts as a pick list: choose one to open its turn with the words selected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding

from qualcode.tui.screens.pick import PickRow, PickScreen

if TYPE_CHECKING:
    from qualcode.search.engine import Hit, SearchResult


class HitsScreen(PickScreen):
    """``qualcode search`` hits (keyword in context); Enter opens the hit's turn."""

    BINDINGS = [
        *PickScreen.BINDINGS[:1],
        Binding("enter", "choose", "Open the hit's turn with its words selected"),
        *PickScreen.BINDINGS[2:],
    ]

    def __init__(self) -> None:
        super().__init__("", [])  # installed once by the app and refilled on each search (PickScreen.refill)

    def fill(self, result: SearchResult) -> None:
        """A search's hits, the first one highlighted."""
        shown = f" (the first {len(result.hits)})" if result.truncated else ""
        title = f"{result.total} hits for “{result.pattern}” in {result.speaker} turns{shown}"
        self.refill(title, [hit_row(h) for h in result.hits])


def hit_label(hit: Hit) -> str:
    """``vsp-a-01  t12  …left «match» right``: where first, so a cropped line still says where."""
    return f"{hit.transcript:<10} t{hit.segment:<4} {hit.left.lstrip()}«{hit.matched}»{hit.right.rstrip()}"


def hit_row(hit: Hit) -> PickRow:
    return PickRow((hit.transcript, hit.segment, hit.start, hit.end), hit_label(hit))
