"""Suggestions for the coder: a registry of suggesters, and accepting or rejecting one.

A *suggester* proposes codes for one segment, each with its evidence (the rule that
fired and the matched text, or a model's probability). The coding screen asks every
registered suggester (``suggestions_for``) and shows the results in its suggestions
bar; accepting one creates a coding with the suggestion's origin (``rules``,
``model``) and records the decision, rejecting one records the decision so learners
can use it as a negative example. Both are actions of the coding session
(:meth:`CodingSession.accept`, :meth:`CodingSession.reject`): logged as ``accept`` and
``reject`` and undoable, an undo reopening the suggestion. The stored rule and model suggestions
are built in (``BUILTIN``); others register with :func:`register_suggester` (tests
register stubs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from qualcode.coding.actions import ActionResult
from qualcode.coding.autocode.stored import StoredSuggester
from qualcode.coding.session import CodingSession
from qualcode.coding.suggestion import Suggester, Suggestion

__all__ = [
    "BUILTIN", "SUGGESTERS", "Suggester", "SuggesterFactory", "Suggestion", "accept", "load_suggesters",
    "register_suggester", "reject", "suggestions_by_turn", "suggestions_for", "unregister_suggester",
]

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.rows import Segment, Transcript


SuggesterFactory = Callable[["Project"], Suggester]
# Built in: the stored rule and model suggestions (qualcode autocode, qualcode suggest train).
BUILTIN: dict[str, SuggesterFactory] = {StoredSuggester.name: StoredSuggester}
SUGGESTERS: dict[str, SuggesterFactory] = {}


def register_suggester(name: str, factory: SuggesterFactory) -> None:
    """Make a suggester available to every coding screen opened afterwards."""
    SUGGESTERS[name] = factory


def unregister_suggester(name: str) -> None:
    SUGGESTERS.pop(name, None)


def load_suggesters(project: Project) -> list[Suggester]:
    """The built-in suggesters, then those registered (a registered name replaces a built-in one)."""
    return [factory(project) for factory in {**BUILTIN, **SUGGESTERS}.values()]


def suggestions_for(
    suggesters: list[Suggester], transcript: Transcript, segment: Segment, coder: str,
    applied: set[str] | frozenset[str] = frozenset(),
) -> list[Suggestion]:
    """Every suggester's proposals for the segment, best first, minus codes already applied."""
    return _best(item for suggester in suggesters for item in suggester.suggest(transcript, segment, coder)
                 if item.code_id not in applied)


def suggestions_by_turn(suggesters: list[Suggester], transcript: Transcript, coder: str) -> dict[int, list[Suggestion]] | None:
    """:func:`suggestions_for` of every turn of the transcript at once (a turn without any: an
    empty list), when every suggester answers for a whole transcript (``suggest_transcript``,
    one query); None when one does not, to be asked turn by turn."""
    if not all(hasattr(suggester, "suggest_transcript") for suggester in suggesters):
        return None
    found: dict[int, list[Suggestion]] = {segment.ordinal: [] for segment in transcript.segments}
    for suggester in suggesters:
        for ordinal, items in suggester.suggest_transcript(transcript, coder).items():  # type: ignore[attr-defined]
            found.setdefault(ordinal, []).extend(items)
    return {ordinal: _best(items) for ordinal, items in found.items()}


def _best(items: Iterable[Suggestion]) -> list[Suggestion]:
    """One suggestion per (code, span), the best scored; best first."""
    found: dict[tuple[str, int, int], Suggestion] = {}
    for item in items:
        key = (item.code_id, item.start, item.end)
        if key not in found or (item.score or 0) > (found[key].score or 0):
            found[key] = item
    return sorted(found.values(), key=lambda s: (-(s.score or 0), s.code_id))


def accept(project: Project, coder: str, transcript_id: str, ordinal: int, suggestion: Suggestion) -> ActionResult:
    """Apply the suggested code as a coding with the suggestion's origin and score, and
    record the acceptance; one action, undone as a whole (the suggestion reopens)."""
    return CodingSession(project, coder).accept(transcript_id, ordinal, suggestion)


def reject(project: Project, coder: str, transcript_id: str, ordinal: int, suggestion: Suggestion) -> ActionResult:
    """Record that the coder rejected the suggestion (a negative example for training); undoable."""
    return CodingSession(project, coder).reject(transcript_id, ordinal, suggestion)
