"""Selection in the coding screen's state: sentence mode, and words by keyboard and by mouse drag.

Mixins of :class:`~qualcode.tui.state.CodingState` (kept apart so the state module
stays readable); the offset logic is in :mod:`qualcode.tui.selection`. No Textual.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from qualcode.tui.outcome import Outcome
from qualcode.tui.selection import sentence_end, snap

if TYPE_CHECKING:
    from qualcode.transcripts.model import Segment, Transcript


class _SelectionParts:
    """What the selection mixins use of CodingState (for type checkers only)."""

    if TYPE_CHECKING:  # provided by CodingState
        transcript: Transcript
        current: int
        sentence: tuple[int, int] | None
        word_range: tuple[int, int] | None

        @property
        def segment(self) -> Segment: ...
        @property
        def selecting(self) -> bool: ...
        @property
        def span(self) -> tuple[int, int]: ...
        def words(self, ordinal: int) -> list[tuple[int, int]]: ...
        def sentences(self, ordinal: int) -> list[tuple[int, int]]: ...
        def selection_label(self) -> str: ...
        def go_to(self, ordinal: int) -> Outcome: ...
        def _neighbour(self, ordinal: int, delta: int) -> int | None: ...


class SentenceSelecting(_SelectionParts):
    """Sentence mode for CodingState: ``toggle_sentence_mode``, ``move_sentence``, ``extend_sentence``."""

    def toggle_sentence_mode(self) -> Outcome:
        if self.sentence is not None:
            return self.leave_sentence_mode()
        if not self.sentences(self.current):
            return Outcome("this turn has no text to select")
        self.sentence, self.word_range = (0, 0), None
        return Outcome(f"sentence mode: {self.selection_label()}", {self.current}, moved=True)

    def leave_sentence_mode(self) -> Outcome:
        """Back to the whole turn (from a sentence or word selection)."""
        if not self.selecting:
            return Outcome("")
        self.sentence = self.word_range = None
        return Outcome("whole turn selected", {self.current}, moved=True)

    def move_sentence(self, delta: int) -> Outcome:
        """Select the next/previous sentence, crossing into the neighbouring turn at the ends."""
        if self.word_range is not None:  # from words: the sentence holding the first word
            where = self.words(self.current)[self.word_range[0]][0]
            index = max(0, bisect.bisect_right([s for s, _ in self.sentences(self.current)], where) - 1)
            self.sentence, self.word_range = (index, index), None
            return Outcome(self.selection_label(), {self.current}, moved=True)
        if self.sentence is None:
            return self.toggle_sentence_mode()
        first, last = self.sentence
        count = len(self.sentences(self.current))
        index = last + 1 if delta > 0 else first - 1
        if 0 <= index < count:
            self.sentence = (index, index)
            return Outcome(self.selection_label(), {self.current}, moved=True)
        target = self._neighbour(self.current, delta)
        if target is None or not self.sentences(target):
            return Outcome("last sentence" if delta > 0 else "first sentence")
        outcome = self.go_to(target)
        index = 0 if delta > 0 else len(self.sentences(target)) - 1
        self.sentence = (index, index)
        outcome.message = self.selection_label()
        return outcome

    def extend_sentence(self) -> Outcome:
        """Add the next sentence of the turn to the selection."""
        if self.sentence is None:
            return self.toggle_sentence_mode()
        first, last = self.sentence
        if last + 1 >= len(self.sentences(self.current)):
            return Outcome("the selection already ends at the turn's last sentence")
        self.sentence = (first, last + 1)
        return Outcome(self.selection_label(), {self.current}, moved=True)


class WordSelecting(_SelectionParts):
    """``move_word``, ``extend_word``, ``extend_by_sentence`` and ``select_text`` for CodingState."""

    def move_word(self, delta: int) -> Outcome:
        """Select the next (+1) or previous (-1) single word, crossing into the neighbouring turn."""
        words = self.words(self.current)
        if self.word_range is None:
            start = self._word_start(delta)
            if start is None:
                return Outcome("this turn has no words to select")
            self.word_range, self.sentence = (start, start), None
            return Outcome(self.selection_label(), {self.current}, moved=True)
        first, last = self.word_range
        index = last + 1 if delta > 0 else first - 1
        if 0 <= index < len(words):
            self.word_range = (index, index)
            return Outcome(self.selection_label(), {self.current}, moved=True)
        target = self._neighbour(self.current, delta)
        if target is None or not self.words(target):
            return Outcome("last word" if delta > 0 else "first word")
        outcome = self.go_to(target)
        index = 0 if delta > 0 else len(self.words(target)) - 1
        self.word_range = (index, index)
        outcome.message = self.selection_label()
        return outcome

    def extend_word(self, delta: int) -> Outcome:
        """Grow (+1) or shrink (-1) the selection by one word at its end."""
        if not self.selecting:  # from the whole turn: start on its first word
            return self.move_word(1)
        if not self._start_words():
            return Outcome("this turn has no words to select")
        first, last = self.word_range  # type: ignore[misc]
        count = len(self.words(self.current))
        if delta > 0 and last + 1 >= count:
            return Outcome("the selection already ends at the turn's last word")
        if delta < 0 and last == first:
            return Outcome("one word selected: nothing left to shrink")
        self.word_range = (first, last + (1 if delta > 0 else -1))
        return Outcome(self.selection_label(), {self.current}, moved=True)

    def extend_by_sentence(self, delta: int) -> Outcome:
        """Grow (+1) the selection to the end of its sentence (or the next), or shrink (-1) by one."""
        if not self._start_words():
            return Outcome("this turn has no words to select")
        first, last = self.word_range  # type: ignore[misc]
        target = sentence_end(self.words(self.current), self.sentences(self.current), last, delta)
        target = max(first, target)
        if target == last:
            return Outcome("the selection already ends at the turn's last sentence" if delta > 0
                           else "nothing left to shrink")
        self.word_range = (first, target)
        return Outcome(self.selection_label(), {self.current}, moved=True)

    def select_text(self, ordinal: int, start: int, end: int, *, scroll: bool = True) -> Outcome:
        """Select the words that ``[start, end)`` touches in a turn (a mouse drag, a found match).

        ``scroll=False`` (a drag) leaves the view where it is: the words under the
        mouse must not move while it selects them.
        """
        outcome = self.go_to(ordinal) if ordinal != self.current else Outcome("", {ordinal}, moved=True)
        outcome.moved = outcome.moved and scroll
        seg = self.segment
        chosen = snap(self.words(ordinal), max(start, seg.start), min(end, seg.end))
        if chosen is None:
            outcome.message = "no words there: the whole turn is selected"
            return outcome
        self.word_range, self.sentence = chosen, None
        outcome.message = self.selection_label()
        return outcome

    def _word_start(self, delta: int) -> int | None:
        """The word a new word selection starts on: in the selected sentence, else the turn's first/last."""
        words = self.words(self.current)
        if not words:
            return None
        if self.sentence is not None:
            chosen = snap(words, *self.span)
            return chosen[0] if chosen else 0
        return 0 if delta > 0 else len(words) - 1

    def _start_words(self) -> bool:
        """Turn a sentence (or whole-turn) selection into a word selection covering it."""
        if self.word_range is not None:
            return True
        words = self.words(self.current)
        if not words:
            return False
        chosen = snap(words, *self.span) if self.sentence is not None else (0, 0)
        self.word_range, self.sentence = chosen or (0, 0), None
        return True
