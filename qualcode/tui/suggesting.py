"""The suggestions of the coding screen's state: what the suggesters propose for a turn, accept, reject.

A mixin of :class:`~qualcode.tui.state.CodingState` (kept apart so the state module
stays readable). No Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.coding.suggesters import Suggestion, suggestions_by_turn, suggestions_for
from qualcode.errors import CodingError
from qualcode.tui.outcome import Outcome

if TYPE_CHECKING:
    from qualcode.coding.session import ActionResult
    from qualcode.coding.suggesters import Suggester
    from qualcode.project import Project
    from qualcode.transcripts.model import Segment, Transcript


class Suggesting:
    """``suggestions``, ``select_suggestion``, ``accept`` and ``reject`` for CodingState."""

    if TYPE_CHECKING:  # provided by CodingState
        project: Project
        coder: str
        transcript: Transcript
        current: int
        suggesters: list[Suggester]
        suggestion_index: int
        _suggestions: dict[int, list[Suggestion]]
        _proposed: dict[int, list[Suggestion]]
        _rejected: set[tuple[int, str, int, int]]

        @property
        def segment(self) -> Segment: ...
        def applied(self, ordinal: int | None = None) -> set[str]: ...
        def _after(self, result: ActionResult) -> Outcome: ...

    def suggestions(self) -> list[Suggestion]:
        """Every suggester's proposals for the current turn, minus rejected and applied ones.

        The suggesters are asked once per turn (the stored suggester queries the store;
        when every suggester can, once for all the transcript's turns) and again only when
        the transcript's suggestions or other coders' codings move (:meth:`refresh`: all
        turns) or the coder decides on a suggestion (that turn): applying or removing a
        code only filters their answer again.
        """
        ordinal = self.current
        if ordinal not in self._suggestions:
            if not self._proposed:  # asked afresh: every turn at once when the suggesters can (one query)
                self._proposed.update(suggestions_by_turn(self.suggesters, self.transcript, self.coder) or {})
            if ordinal not in self._proposed:
                self._proposed[ordinal] = suggestions_for(self.suggesters, self.transcript, self.segment, self.coder)
            applied = self.applied(ordinal)
            self._suggestions[ordinal] = [
                s for s in self._proposed[ordinal]
                if s.code_id not in applied and (ordinal, s.code_id, s.start, s.end) not in self._rejected
            ]
        return self._suggestions[ordinal]

    @property
    def suggestion(self) -> Suggestion | None:
        items = self.suggestions()
        if not items:
            return None
        self.suggestion_index = min(self.suggestion_index, len(items) - 1)
        return items[self.suggestion_index]

    def select_suggestion(self, delta: int) -> Outcome:
        items = self.suggestions()
        if not items:
            return Outcome("no suggestions for this turn")
        self.suggestion_index = (self.suggestion_index + delta) % len(items)
        # the current turn is redrawn: it marks the chosen suggestion's evidence
        return Outcome(f"suggestion {self.suggestion_index + 1} of {len(items)}", {self.current})

    def accept(self) -> Outcome:
        """Apply the selected suggestion (origin = its source: rules, model, ...)."""
        from qualcode.coding.suggesters import accept

        chosen = self._chosen_suggestion()
        result = accept(self.project, self.coder, self.transcript.id, self.current, chosen)
        outcome = self._after(result)
        outcome.message = f"accepted {chosen.code_id} ({chosen.source})"
        return outcome

    def reject(self) -> Outcome:
        """Record that the coder rejected the selected suggestion; it is not shown again."""
        from qualcode.coding.suggesters import reject

        chosen = self._chosen_suggestion()
        outcome = self._after(reject(self.project, self.coder, self.transcript.id, self.current, chosen))
        outcome.message = f"rejected {chosen.code_id} ({chosen.source})"
        return outcome

    def _chosen_suggestion(self) -> Suggestion:
        chosen = self.suggestion
        if chosen is None:
            raise CodingError(f"No suggestions for turn {self.current} of '{self.transcript.id}'")
        return chosen
