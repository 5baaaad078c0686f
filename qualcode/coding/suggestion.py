"""A suggestion and the protocol of a suggester (see :mod:`qualcode.coding.suggesters`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from qualcode.store.rows import Segment, Transcript


@dataclass(frozen=True)
class Suggestion:
    """A proposed coding with the evidence behind it."""

    code_id: str
    start: int
    end: int
    source: str  # the coding origin it becomes: "rules", "model", ...
    evidence: str  # for the coder: rule and matched text, or "p=0.83"
    score: float | None = None
    stored_id: int | None = None  # row in the suggestions table, when stored


class Suggester(Protocol):
    name: str

    def suggest(self, transcript: Transcript, segment: Segment, coder: str) -> list[Suggestion]: ...
