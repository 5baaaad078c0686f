"""The coding screen's model: everything the widgets call, with no Textual import.

A :class:`CodingState` is one coder on one open transcript. It keeps the transcript's
codings in memory, grouped by turn (segment ordinal), and after each action updates
only the turns that action touched (from the action's own result, see
:mod:`qualcode.tui.owned`, else re-read from the store); each action returns an
:class:`Outcome` naming those turns so the screen redraws just them.

Every change goes through :class:`~qualcode.coding.session.CodingSession` (or the
suggesters' ``accept``/``reject``), which commits it at once: there is no save step.

Navigation moves over respondent turns (the coding unit); interviewer turns are
context. The *selection* is the current turn, or in sentence mode a run of its
sentences; toggling a code applies it to the selection, or removes it when one of
the coder's codings of that code already covers the selection.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from qualcode.coding.assignments import (
    TranscriptChoice,
    next_transcript,
    transcript_choices,
)
from qualcode.coding.blind import is_blind, viewer_of
from qualcode.coding.session import ActionResult, CodingSession
from qualcode.coding.suggesters import Suggestion, load_suggesters
from qualcode.errors import CodingError
from qualcode.transcripts.sentences import split_sentences
from qualcode.tui.finding import Finding
from qualcode.tui.outcome import Outcome
from qualcode.tui.owned import mark_order, own_turns_after
from qualcode.tui.queries import (
    Fingerprint,
    Mark,
    load_marks,
    rejected_suggestions,
    transcript_fingerprint,
    untouched_update,
    update_times,
)
from qualcode.tui.selecting import SentenceSelecting, WordSelecting
from qualcode.tui.selection import word_spans
from qualcode.tui.suggesting import Suggesting
from qualcode.tui.work import GrowMixin, WorkMixin, describe_record

if TYPE_CHECKING:
    from datetime import datetime

    from qualcode.codebook.model import Code
    from qualcode.coding.actions import DecisionChange, StoredCoding
    from qualcode.coding.suggesters import Suggester
    from qualcode.project import Project
    from qualcode.transcripts.model import Segment


class CodingState(SentenceSelecting, WordSelecting, Suggesting, Finding, WorkMixin, GrowMixin):
    """One coder working through one transcript at a time.

    Parameters
    ----------
    project
        The open project.
    coder
        The coder's name; every action is recorded under it.
    transcript_id
        The transcript to open; ``None`` opens the coder's next unfinished assigned
        transcript (see :func:`qualcode.coding.assignments.next_transcript`).
    suggesters
        The suggesters to ask; ``None`` loads every registered one.
    """

    def __init__(
        self,
        project: Project,
        coder: str,
        transcript_id: str | None = None,
        *,
        suggesters: Sequence[Suggester] | None = None,
    ) -> None:
        from qualcode.coding.coders import check_known_coder

        self.project = project
        self.session = CodingSession(project, coder)
        self.coder = self.session.coder
        with project.read() as conn:
            check_known_coder(conn, self.coder)  # a typo never opens a screen as a new coder
        self.viewer = viewer_of(project, self.coder)  # the lead is never blind
        self.codebook = project.codebook
        self.suggesters = list(load_suggesters(project) if suggesters is None else suggesters)
        self.open(transcript_id or next_transcript(project, self.coder))

    # -- opening --------------------------------------------------------------

    def open(self, transcript_id: str) -> None:
        """Load a transcript, its codings (only the coder's when blind) and go to work."""
        self.session.forget(transcript_id)  # pick up a re-import since the last visit
        with self.project.read() as conn:
            transcript, segment_ids = self.session.transcript(conn, transcript_id)
            blind = is_blind(conn, self.viewer, transcript_id)
            marks = load_marks(conn, transcript_id, coder=self.coder if blind else None)
            rejected = rejected_suggestions(conn, self.coder, transcript_id)
            self._fingerprint: Fingerprint | None = transcript_fingerprint(conn, transcript_id, self.coder)
        if not transcript.segments:
            raise CodingError(f"Transcript '{transcript_id}' has no turns to code")
        self.transcript, self.blind, self._rejected = transcript, blind, rejected
        self.codes: list[Code] = self.codebook.codes_for(transcript.role)
        self._code_ids = {c.id for c in self.codes}
        self._segment_ids = segment_ids
        self._ordinal_of = {sid: ordinal for ordinal, sid in segment_ids.items()}
        respondent = [s.ordinal for s in transcript.segments if not s.is_interviewer]
        self.units = respondent or [s.ordinal for s in transcript.segments]
        self._mine: dict[int, list[Mark]] = defaultdict(list)
        self._others: dict[int, list[Mark]] = defaultdict(list)
        self._file(marks)
        self._sentences: dict[int, list[tuple[int, int]]] = {}
        self._suggestions: dict[int, list[Suggestion]] = {}  # shown: minus applied and rejected
        self._proposed: dict[int, list[Suggestion]] = {}  # what the suggesters said (see suggestions())
        self._own_moved = False  # the coder's own actions moved the fingerprint since it was read
        self._own_ids: set[int] = set()  # the codings those actions wrote (see _settled)
        self._own_stamps: dict[int, datetime | None] = {}  # their update times as stored, if still here
        self.sentence: tuple[int, int] | None = None  # first, last sentence index
        self._words: dict[int, list[tuple[int, int]]] = {}
        self.word_range: tuple[int, int] | None = None  # first, last word index (free selection)
        self.query = ""  # the last text found in the transcript (f)
        self.matches: list[tuple[int, int, int]] = []  # (ordinal, start, end) of each match
        self.match_index = -1
        self._match_spans: dict[int, list[tuple[int, int]]] = {}
        self.suggestion_index = 0
        with self.project.read() as conn:
            self._load_finish(conn)  # nothing-to-code turns and done: where the coder left off
        self.counts = self.code_counts()  # the codebook pane's; kept up to date by each action
        self.current = self._next_uncoded_after(0) or self.units[0]

    def refresh(self) -> Outcome:
        """Pick up what others changed since: codings (an undo too), suggestions, the sample closing.

        One cheap fingerprint query when nothing changed (or only the coder's own actions,
        see :meth:`_settled`); otherwise the transcript's marks are re-read, every turn
        whose marks changed is redrawn and the counts of the codes on them move.
        """
        tid = self.transcript.id
        with self.project.read() as conn:
            fingerprint = transcript_fingerprint(conn, tid, self.coder)
            if self._settled(conn, fingerprint):
                return Outcome("")
            blind = is_blind(conn, self.viewer, tid)
            marks = load_marks(conn, tid, coder=self.coder if blind else None)
        self._fingerprint, self._own_moved, self._own_ids, self._own_stamps = fingerprint, False, set(), {}
        before = self._by_turn()
        was_blind, self.blind = self.blind, blind
        self._mine, self._others = defaultdict(list), defaultdict(list)
        self._file(marks)
        after = self._by_turn()
        changed = {o for o in set(before) | set(after) if before.get(o, []) != after.get(o, [])}
        if blind != was_blind:  # the sample closed (or opened): everyone's counts appear (or go)
            codes = set(self.recount())
        else:
            codes = self._shift_counts([m for o in changed for m in before.get(o, [])],
                                       [m for o in changed for m in after.get(o, [])])
        self._suggestions.clear()  # new or replaced suggestions show on the next draw
        self._proposed.clear()
        return Outcome("", changed | {self.current}, codes=codes)

    def _settled(self, conn, fingerprint: Fingerprint) -> bool:
        """True when the store holds nothing the screen has not shown.

        Either nothing moved since the fingerprint was read, or only the coder's own
        actions did (each updated the turns it touched): other coders' part, the
        suggestions and the closed samples are as read, the coder's live codings in
        the store are exactly as many, up to the same largest id, as the screen holds
        (another window of the same coder adding or removing one fails that), and none
        of the coder's codings those actions did not write was updated since (another
        window editing a memo fails that), and those they wrote are stored as they left
        them, by update time (another window changing one after them fails that: a
        later own action's update time would hide it). Checked here, on the tick, rather than after
        each action: the queries run once per tick instead of once per key.
        """
        if fingerprint == self._fingerprint:
            return True
        if not self._own_moved:
            return False
        live_ids = (m.id for marks in self._mine.values() for m in marks)
        untouched = untouched_update(conn, self.transcript.id, self.coder, self._own_ids)
        if not fingerprint.only_mine_moved(self._fingerprint, live_ids, untouched):
            return False
        if update_times(conn, self._own_stamps) != self._own_stamps:
            return False  # a coding these actions wrote was changed or removed since (another window)
        self._fingerprint, self._own_moved, self._own_ids, self._own_stamps = fingerprint, False, set(), {}
        return True

    def _by_turn(self) -> dict[int, list[Mark]]:
        return {o: sorted(self._mine.get(o, []) + self._others.get(o, []), key=lambda m: m.id)
                for o in set(self._mine) | set(self._others)}

    def choices(self) -> list[TranscriptChoice]:
        """The transcripts the coder can jump to, with progress."""
        with self.project.read() as conn:
            return transcript_choices(conn, self.coder)

    # -- what is shown --------------------------------------------------------

    @property
    def segment(self) -> Segment:
        return self.transcript.segment(self.current)

    @property
    def role_label(self) -> str:
        return self.codebook.role_label(self.transcript.role)

    def mine(self, ordinal: int) -> list[Mark]:
        return self._mine.get(ordinal, [])

    def others(self, ordinal: int) -> list[Mark]:
        """Other coders' codings of a turn; always empty in blind mode."""
        return [] if self.blind else self._others.get(ordinal, [])

    def applied(self, ordinal: int | None = None) -> set[str]:
        """Codes the coder applied anywhere in a turn (default: the current one)."""
        return {m.code_id for m in self.mine(self.current if ordinal is None else ordinal)}

    def progress(self) -> tuple[int, int]:
        """(coded, total) respondent turns for this coder."""
        return sum(1 for o in self.units if self._mine.get(o)), len(self.units)

    def sentences(self, ordinal: int) -> list[tuple[int, int]]:
        if ordinal not in self._sentences:
            seg = self.transcript.segment(ordinal)
            self._sentences[ordinal] = split_sentences(self.transcript.text[seg.start : seg.end], seg.start)
        return self._sentences[ordinal]

    def words(self, ordinal: int) -> list[tuple[int, int]]:
        """The turn's words as transcript spans (see :mod:`qualcode.tui.selection`)."""
        if ordinal not in self._words:
            seg = self.transcript.segment(ordinal)
            self._words[ordinal] = word_spans(self.transcript.text[seg.start : seg.end], seg.start)
        return self._words[ordinal]

    @property
    def selecting(self) -> bool:
        """True when part of the current turn is selected (sentences or words)."""
        return self.sentence is not None or self.word_range is not None

    @property
    def span(self) -> tuple[int, int]:
        """The selection: the current turn, the selected sentences, or the selected words."""
        seg = self.segment
        if self.word_range is not None:
            words = self.words(seg.ordinal)
            return words[self.word_range[0]][0], words[self.word_range[1]][1]
        if self.sentence is None:
            return seg.start, seg.end
        spans = self.sentences(seg.ordinal)
        first, last = self.sentence
        return spans[first][0], spans[last][1]

    def selection_label(self) -> str:
        if self.word_range is not None:
            first, last = self.word_range
            count = len(self.words(self.current))
            which = f"word {first + 1}" if first == last else f"words {first + 1}-{last + 1}"
            return f"{which} of {count}"
        if self.sentence is None:
            return "whole turn"
        first, last = self.sentence
        count = len(self.sentences(self.current))
        which = f"{first + 1}" if first == last else f"{first + 1}-{last + 1}"
        return f"sentence {which} of {count}"

    # -- navigation -----------------------------------------------------------

    def go_to(self, ordinal: int) -> Outcome:
        """Make a turn current (any turn, e.g. a clicked interviewer turn)."""
        self.transcript.segment(ordinal)  # NotFoundError for a bad ordinal
        old, self.current = self.current, ordinal
        self.sentence = self.word_range = None
        self.suggestion_index = 0
        return Outcome(f"turn {ordinal}", {old, ordinal}, moved=True)

    def move(self, delta: int) -> Outcome:
        """Go to the next (+1) or previous (-1) respondent turn."""
        target = self._neighbour(self.current, delta)
        if target is None:
            return Outcome("last turn" if delta > 0 else "first turn")
        return self.go_to(target)

    def next_uncoded(self) -> Outcome:
        """Go to the next respondent turn without any of the coder's codings (wrapping)."""
        target = self._next_uncoded_after(self.current) or self._next_uncoded_after(0)
        if target is None:
            return Outcome(f"every turn of {self.transcript.id} is coded or marked nothing to code by {self.coder}")
        return self.go_to(target)

    # -- coding ---------------------------------------------------------------

    def toggle(self, code_id: str) -> Outcome:
        """Apply a code to the selection, or remove the coder's coding that covers it."""
        if code_id not in self._code_ids:
            self.codebook.check_applicable(code_id, self.transcript.role)  # explains why not
        start, end = self.span
        covering = [m for m in self.mine(self.current) if m.code_id == code_id and m.covers(start, end)]
        tid = self.transcript.id
        if covering:
            result = self.session.untag(tid, self.current, [code_id], span=(start, end))
        else:
            result = self.session.tag(tid, self.current, [code_id], span=(start, end))
        return self._after(result)

    def undo(self) -> Outcome:
        return self._after(self.session.undo())

    def redo(self) -> Outcome:
        return self._after(self.session.redo())

    def memo_target(self, code_id: str | None = None) -> Mark | None:
        """The coding a memo goes on: the selected code's coding here, else the newest here."""
        start, end = self.span
        here = [m for m in self.mine(self.current) if m.overlaps(start, end)]
        preferred = [m for m in here if m.code_id == code_id]
        pool = preferred or here
        return max(pool, key=lambda m: m.id) if pool else None

    def set_memo(self, mark: Mark, memo: str | None) -> Outcome:
        return self._after(self.session.set_memo(mark.id, memo))

    # -- internals ------------------------------------------------------------

    def _neighbour(self, ordinal: int, delta: int) -> int | None:
        if delta > 0:
            index = bisect.bisect_right(self.units, ordinal)
            return self.units[index] if index < len(self.units) else None
        index = bisect.bisect_left(self.units, ordinal) - 1
        return self.units[index] if index >= 0 else None

    def _next_uncoded_after(self, ordinal: int) -> int | None:
        start = bisect.bisect_right(self.units, ordinal)
        return next((o for o in self.units[start:] if not self._mine.get(o) and o not in self._nothing), None)

    def _file(self, marks: Iterable[Mark]) -> None:
        filed = set()
        for mark in marks:
            turns = self._mine if mark.coder == self.coder else self._others
            turns[mark.ordinal].append(mark)
            filed.add((turns is self._mine, mark.ordinal))
        for mine, ordinal in filed:
            (self._mine if mine else self._others)[ordinal].sort(key=mark_order)

    def _after(self, result: ActionResult) -> Outcome:
        """Update the turns an action touched, move the counts by what changed there; describe it."""
        rows = result.added + result.removed + result.unchanged + result.decisions
        if result.decisions:  # an accept/reject, or its undo/redo: the suggestions of its turn change
            with self.project.read() as conn:
                self._rejected = rejected_suggestions(conn, self.coder, self.transcript.id)
            for row in result.decisions:
                self._proposed.pop(self._ordinal_of.get(row.segment_id), None)  # type: ignore[arg-type]
        tid = self.transcript.id

        def located(row: StoredCoding | DecisionChange) -> bool:
            return row.transcript_id == tid and row.segment_id in self._ordinal_of

        here = {self._ordinal_of[row.segment_id] for row in rows if located(row) and row.segment_id is not None}
        elsewhere = sorted({row.transcript_id for row in rows} - {tid})
        codes = self._reload(here, result)
        # Codings outside the open transcript's turns (an undo elsewhere): counted in the store.
        codes |= set(self.recount({row.code_id for row in result.added + result.removed if not located(row)}))
        # The next refresh tick checks that nothing but this moved the fingerprint (_settled).
        # A finish mark or a memo on a transcript or code leaves codings and suggestions alone.
        self._own_moved = self._own_moved or bool(rows)
        self._own_ids |= {row.id for row in result.added + result.removed + result.unchanged}
        self._note_own_stamps(result)
        here |= self._after_records(result)  # turns whose finish marks changed: redrawn, not re-read
        return Outcome(describe(result, elsewhere), here, codes=codes)

    def _note_own_stamps(self, result: ActionResult) -> None:
        """Keep the update time of each coding of the open transcript the action left stored (see _settled)."""
        kept = [row for row in result.added + result.unchanged if row.transcript_id == self.transcript.id]
        if {row.id for row in kept} & {row.id for row in result.removed}:
            self._fingerprint = None  # stored and removed in one action: which came last is not said; re-read
        for row in result.removed:
            self._own_stamps.pop(row.id, None)
        self._own_stamps.update((row.id, row.updated_at) for row in kept)

    def _reload(self, ordinals: set[int], result: ActionResult) -> set[str]:
        """Bring these turns' codings up to date; the codes whose counts that moved.

        From the action's own rows when they prove the turns' new state (:mod:`qualcode.tui.owned`),
        else re-read from the store.
        """
        if not ordinals:
            return set()
        own = own_turns_after(self._mine, result, coder=self.coder, ordinal_of=self._ordinal_of,
                              transcript_id=self.transcript.id, ordinals=ordinals)
        if own is None:
            return self._reread(ordinals)
        before = [m for o in ordinals for m in self._mine.pop(o, [])]
        for ordinal, marks in own.items():
            self._suggestions.pop(ordinal, None)
            if marks:
                self._mine[ordinal] = marks
        return self._shift_counts(before, [m for marks in own.values() for m in marks])

    def _reread(self, ordinals: set[int]) -> set[str]:
        """Re-read these turns' codings from the store; the codes whose counts that moved."""
        with self.project.read() as conn:
            marks = load_marks(
                conn, self.transcript.id, coder=self.coder if self.blind else None,
                segment_ids=[self._segment_ids[o] for o in ordinals],
            )
        others = [m for o in ordinals for m in self._others.pop(o, [])]
        before = [m for o in ordinals for m in self._mine.pop(o, [])] + others
        for ordinal in ordinals:
            self._suggestions.pop(ordinal, None)
        self._file(marks)
        if sorted(others, key=lambda m: m.id) != sorted((m for m in marks if m.coder != self.coder), key=lambda m: m.id):
            # Another coder changed these turns since the last tick: their other turns may have
            # changed too (and may yet change back, leaving the fingerprint as it was). Re-read all.
            self._fingerprint = None
        return self._shift_counts(before, marks)


def describe(result: ActionResult, elsewhere: Sequence[str] = ()) -> str:
    """A one-line summary of an action: ``tag: +referral.hotline -challenge``."""
    parts = [f"+{r.code_id}" for r in result.added]
    parts += [f"-{r.code_id}" for r in result.removed]
    parts += [f"={r.code_id} (already there)" for r in result.unchanged]
    parts += [
        f"{r.code_id} suggestion {'reopened' if r.change == 'reopened' else r.status}"
        for r in result.decisions
    ]
    parts += [describe_record(r) for r in result.marks + result.memos]
    where = f" in {', '.join(elsewhere)}" if elsewhere else ""
    return f"{result.action}: {' '.join(parts) or 'nothing changed'}{where}"
