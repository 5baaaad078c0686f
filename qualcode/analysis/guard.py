"""The blind double-coding rule (coding/blind.py) for whatever a figure counts.

A tally, crosstab, matrix or quote set counts either one named coder's codings on every
transcript, or the analysis set's: per transcript, the coder that counts there. Both
readers guard the same way, through :func:`guard_counted_codings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.project import Project


def guard_counted_codings(
    project: Project, *, named: str | None, coder_for: Mapping[str, str] | None, what: str
) -> None:
    """Refuse (coding/blind.py) when the viewer may not read the codings counted: ``named``'s
    everywhere, else each counted coder's on the transcripts it counts for."""
    # coding.blind loads the store (SQLAlchemy); importing qualcode.tally must not.
    from qualcode.coding.blind import guard, guard_counted

    if named:
        guard(project, coders=[named], what=what)
    else:
        guard_counted(project, dict(coder_for or {}), what=what)
