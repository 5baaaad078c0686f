"""The passages and memos views: a list to read, each line jumping to where it belongs.

Both answer ``(transcript_id, ordinal)`` to open (ordinal None: the transcript as it
is), or None when the coder closes the view. They are pick lists (type to filter, a
Line API list drawing only the visible rows) on one screen that the app installs
once and refills on each ``P``/``M``: mounting a new modal screen with an option
list each time cost 40-60 ms of CPU per key (220 ms at p95) on a big project.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.binding import Binding

from qualcode.tui.screens.pick import PickRow, PickScreen

if TYPE_CHECKING:
    from qualcode.coding.memos import MemoEntry
    from qualcode.tui.work import Passage

Target = tuple[str, int | None]
OWN = "bold #9ece6a"  # the coder's own passages


class ListScreen(PickScreen):
    """A titled list; Enter jumps to the highlighted line's place, Esc closes. Refilled, not re-created."""

    BINDINGS = [
        *PickScreen.BINDINGS[:1],
        Binding("enter", "choose", "Jump to the highlighted line's turn"),
        *PickScreen.BINDINGS[2:],
    ]

    def __init__(self) -> None:
        super().__init__("", [])

    @property
    def lines(self) -> list[str]:
        """The lines as shown (after any filter), for tests."""
        return [row.label for row in self.pick_list.rows]

    def action_choose(self) -> None:
        chosen = self.pick_list.chosen
        self._close(None if chosen is None else chosen.value)  # an empty list or a code memo: just close


def _snippet(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def passage_rows(code_id: str, name: str, passages: Sequence[Passage], coder: str) -> tuple[str, list[PickRow]]:
    """The passages view's title and rows: every passage coded with one code, the coder's own marked ●."""
    rows = [
        PickRow(
            (p.transcript_id, p.ordinal),
            f"{'●' if p.coder == coder else ' '} {p.transcript_id} #{p.ordinal:<4} {p.coder:<10} “{_snippet(p.text, 56)}”",
            OWN if p.coder == coder else "",
        )
        for p in passages
    ]
    return f"Passages coded {code_id} ({name}): {len(passages)}", rows


def memo_rows(entries: Sequence[MemoEntry]) -> tuple[str, list[PickRow]]:
    """The memos view's title and rows: every memo the coder may read, on codes, transcripts and codings."""
    rows = []
    for e in entries:
        target: Target | None
        if e.on == "code":
            where, target = f"{e.code_id}", None
        elif e.on == "transcript":
            where, target = f"{e.transcript_id}", (str(e.transcript_id), None)
        else:
            where, target = f"{e.transcript_id} #{e.ordinal} {e.code_id}", (str(e.transcript_id), e.ordinal)
        rows.append(PickRow(target, f"{e.on:<10} {where:<28} {e.coder:<10} {_snippet(e.text, 40)}"))
    return f"Memos: {len(entries)}", rows
