"""Finding text inside the open transcript (the coding screen's ``f``, ``>``, ``<`` and ``:``).

Case-insensitive and literal; a space in the query matches any run of whitespace (plain
transcripts are hard-wrapped). Only speech is searched — never speaker labels or the
preamble — so every match lies inside one turn and can be selected and coded.
:class:`Finding` is a mixin of :class:`~qualcode.tui.state.CodingState`. No Textual.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.errors import CodingError
from qualcode.tui.outcome import Outcome

if TYPE_CHECKING:
    from qualcode.transcripts.model import Segment, Transcript

def find_matches(text: str, segments: Sequence[Segment], query: str) -> list[tuple[int, int, int]]:
    """``(ordinal, start, end)`` of every match of ``query``, in transcript order.

    >>> from qualcode.transcripts.model import Turn, render
    >>> text, segs = render([Turn("I", "Any housing?"), Turn("R", "Housing is\\nhard. HOUSING.")], {"I"})
    >>> [(o, text[s:e]) for o, s, e in find_matches(text, segs, "housing is hard")]
    [(2, 'Housing is\\nhard')]
    """
    words = query.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    return [
        (segment.ordinal, m.start(), m.end())
        for segment in segments
        for m in pattern.finditer(text, segment.start, segment.end)
    ]


class Finding:
    """``find``, ``next_match``, ``matches_in`` and ``go_to_turn`` for CodingState."""

    if TYPE_CHECKING:  # provided by CodingState
        transcript: Transcript
        query: str
        matches: list[tuple[int, int, int]]
        match_index: int
        _match_spans: dict[int, list[tuple[int, int]]]

        @property
        def span(self) -> tuple[int, int]: ...
        def go_to(self, ordinal: int) -> Outcome: ...
        def select_text(self, ordinal: int, start: int, end: int) -> Outcome: ...

    def matches_in(self, ordinal: int) -> list[tuple[int, int]]:
        """The spans of the last find's matches in a turn (highlighted on screen)."""
        return self._match_spans.get(ordinal, [])

    def find(self, query: str) -> Outcome:
        """Find ``query`` in the transcript and select the first match from the current turn on."""
        before = {o for o, _, _ in self.matches}
        self.query = query.strip()
        self.matches = find_matches(self.transcript.text, self.transcript.segments, self.query)
        self.match_index = -1
        spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for ordinal, start, end in self.matches:
            spans[ordinal].append((start, end))
        self._match_spans = dict(spans)
        after = set(self._match_spans)
        if not self.matches:
            return Outcome(f"“{self.query}” is not in {self.transcript.id}" if self.query else "find cleared",
                           before)
        start = self.span[0]
        self.match_index = next((i for i, m in enumerate(self.matches) if m[1] >= start), 0) - 1
        outcome = self.next_match(1)
        outcome.changed |= before | after
        return outcome

    def next_match(self, delta: int) -> Outcome:
        """Select the next (+1) or previous (-1) match of the last find, wrapping around."""
        if not self.matches:
            return Outcome("nothing found to go to: f finds text in the transcript")
        index = self.match_index + delta
        wrapped = not 0 <= index < len(self.matches)
        self.match_index = index % len(self.matches)
        ordinal, start, end = self.matches[self.match_index]
        outcome = self.select_text(ordinal, start, end)
        outcome.message = (f"“{self.query}”: match {self.match_index + 1} of {len(self.matches)}, "
                           f"turn {ordinal}{' (wrapped)' if wrapped else ''}")
        return outcome

    def go_to_turn(self, text: str) -> Outcome:
        """Go to the turn numbered ``text`` (any turn, interviewer turns too)."""
        count = len(self.transcript.segments)
        wanted = text.strip()
        if not wanted.isdigit() or not 1 <= int(wanted) <= count:
            raise CodingError(f"go to turn: expected a turn number from 1 to {count}; got '{wanted[:20]}'")
        return self.go_to(int(wanted))
