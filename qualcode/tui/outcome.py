"""What a coding-screen action returns: a status line and the turns to redraw."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcome:
    """What an action did: a line for the status bar and the turns to redraw."""

    message: str
    changed: set[int] = field(default_factory=set)  # ordinals in the open transcript
    moved: bool = False  # the current turn or the selection changed
    codes: set[str] = field(default_factory=set)  # codes whose codings changed (the pane's counts)
