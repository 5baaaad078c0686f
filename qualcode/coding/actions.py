"""What a coding action changed (shared by the session, undo/redo and batch writers)."""

from __future__ import annotations

from dataclasses import dataclass, field

DECISION = "suggestion"  # the "kind" of an event payload recording a suggestion decision


@dataclass
class ActionResult:
    """What one action changed: the codings now present and those removed."""

    action: str
    group_id: int | None = None
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    # Suggestion decisions this action recorded or withdrew: the decision row plus
    # "change" ("decided" or "reopened").
    decisions: list[dict] = field(default_factory=list)
    # Finish marks and memos on transcripts or codes this action set or cleared: the
    # event payload plus "change" ("set" or "cleared"); coding/finishing.py, coding/memos.py.
    marks: list[dict] = field(default_factory=list)
    memos: list[dict] = field(default_factory=list)
