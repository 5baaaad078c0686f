"""The coding screen's view of the coder's work: finishing, counts, passages and memos.

A mixin of :class:`~qualcode.tui.state.CodingState` (no Textual import), kept in its
own module: marking a turn "nothing to code" and the transcript "done", reopening
where the coder left off, code counts for the codebook pane, every passage of a code,
every memo, and memos on the transcript and on codes. Each change goes through the
coding core (:mod:`qualcode.coding.finishing`, :mod:`qualcode.coding.memos`), one
undoable action each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.codebook.grow import CodeTexts, GrowResult, add_code, edit_code
from qualcode.coding.actions import MarkChange, MemoChange
from qualcode.coding.blind import BlindRule
from qualcode.coding.finishing import finish_marks, set_mark
from qualcode.coding.memos import MemoEntry, memo_list, set_target_memo, target_memo
from qualcode.store.coded_text import coded_passages
from qualcode.store.counts import code_coder_counts

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.codebook.model import Code, Codebook
    from qualcode.coding.blind import Viewer
    from qualcode.coding.session import ActionResult, CodingSession
    from qualcode.project import Project
    from qualcode.transcripts.model import Transcript
    from qualcode.tui.queries import Mark
    from qualcode.tui.state import Outcome


@dataclass(frozen=True)
class Passage:
    """One passage coded with a code, for the passages view."""

    transcript_id: str
    ordinal: int
    coder: str
    code_id: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript_id, "turn": self.ordinal, "coder": self.coder, "code": self.code_id,
                "text": self.text}


class _StateParts:
    """What the mixins use of :class:`~qualcode.tui.state.CodingState` (for type checkers only)."""

    if TYPE_CHECKING:
        project: Project
        coder: str
        viewer: Viewer
        session: CodingSession
        transcript: Transcript
        codebook: Codebook
        codes: list[Code]
        _code_ids: set[str]
        units: list[int]
        _mine: dict[int, list]
        _others: dict[int, list]
        blind: bool
        current: int

        def _after(self, result: ActionResult) -> Outcome: ...
        def open(self, transcript_id: str) -> None: ...
        def go_to(self, ordinal: int) -> Outcome: ...


Counts = dict[str, tuple[int, int | None]]  # code -> (the coder's codings, everyone's; None when blind)


class WorkMixin(_StateParts):
    """Finishing, counts, passages and memos for :class:`CodingState` (which sets the attributes used here)."""

    _nothing: set[int]
    done: bool
    counts: Counts  # what the codebook pane shows: read on open, moved by each action and refresh

    def _load_finish(self, conn: Connection) -> None:
        self._nothing, self.done = finish_marks(conn, self.coder, self.transcript.id)

    # -- finishing ----------------------------------------------------------------

    def nothing_marked(self, ordinal: int) -> bool:
        return ordinal in self._nothing

    def handled_progress(self) -> tuple[int, int]:
        """(handled, total) respondent turns: coded or marked nothing to code."""
        return sum(1 for o in self.units if self._mine.get(o) or o in self._nothing), len(self.units)

    @property
    def nothing_count(self) -> int:
        """Turns of the open transcript the coder marked nothing to code (the header says how many)."""
        return len(self._nothing)

    def toggle_nothing(self) -> Outcome:
        """Mark the current turn "nothing to code", or clear that mark."""
        on = self.current not in self._nothing
        return self._after(set_mark(self.session, self.transcript.id, self.current, on))

    def toggle_done(self) -> Outcome:
        """Mark the transcript done, or clear that mark."""
        return self._after(set_mark(self.session, self.transcript.id, None, not self.done))

    def _after_records(self, result: ActionResult) -> set[int]:
        """Turns of the open transcript whose finish marks changed (re-reads the coder's marks)."""
        if not result.marks:
            return set()
        with self.project.read() as conn:
            self._load_finish(conn)
        return {m.ordinal for m in result.marks if m.transcript_id == self.transcript.id and m.ordinal}

    # -- counts and passages ------------------------------------------------------------

    def code_counts(self, code_ids: set[str] | None = None) -> Counts:
        """code -> (the coder's codings, everyone's the coder may see; None on a blind transcript).

        Everyone's leaves out other coders' codings on transcripts the coder codes blind
        (:mod:`qualcode.coding.blind`). ``code_ids``: count only these. The open
        transcript's codings are counted as the screen holds them, the rest in the store:
        each action and refresh then moves the counts by exactly what it re-read
        (:meth:`_shift_counts`), and a change the screen has not shown yet is never
        counted twice.
        """
        with self.project.read() as conn:
            hidden = BlindRule.load(conn).blind_transcripts(self.viewer)
            rows = code_coder_counts(conn, self.coder, hidden, code_ids, leave_out=self.transcript.id)
        held = Counter((m.code_id, m.coder) for marks in (*self._mine.values(), *self._others.values())
                       for m in marks if code_ids is None or m.code_id in code_ids)
        counts: Counts = {c: (0, None if self.blind else 0) for c in code_ids or ()}
        for code, coder, n in [*rows, *((code, coder, n) for (code, coder), n in held.items())]:
            mine, seen = counts.get(code, (0, None if self.blind else 0))
            counts[code] = (mine + (n if coder == self.coder else 0), None if self.blind else (seen or 0) + n)
        return counts

    def recount(self, code_ids: set[str] | None = None) -> Counts:
        """Count these codes (default: all) in the store again; those whose counts changed.

        The screen moves its counts by what each action and refresh re-read in the open
        transcript (:meth:`_shift_counts`); this catches the rest (codings elsewhere, a
        sample closing, the codebook growing).
        """
        if code_ids is not None and not code_ids:
            return {}
        fresh = self.code_counts(code_ids)
        if code_ids is None:  # codes whose last codings went are not in the query's answer
            zero = (0, None if self.blind else 0)
            fresh = {**{code: zero for code in self.counts}, **fresh}
        changed = {code: n for code, n in fresh.items() if self.counts.get(code) != n}
        self.counts.update(changed)
        return changed

    def _shift_counts(self, before: Iterable[Mark], after: Iterable[Mark]) -> set[str]:
        """Move the counts by the difference between two readings of the same turns; the codes moved."""
        delta: Counter[tuple[str, bool]] = Counter()
        for mark in after:
            delta[mark.code_id, mark.coder == self.coder] += 1
        for mark in before:
            delta[mark.code_id, mark.coder == self.coder] -= 1
        moved = set()
        for (code, mine), n in delta.items():
            if n:
                own, seen = self.counts.get(code, (0, None if self.blind else 0))
                self.counts[code] = (own + n if mine else own, None if seen is None else seen + n)
                moved.add(code)
        return moved

    def passages(self, code_id: str) -> list[Passage]:
        """Every passage coded with ``code_id`` (not its children) the coder may see, in reading order.

        On a blind transcript only the coder's own passages are listed.
        """
        with self.project.read() as conn:
            rows = coded_passages(conn, code_id)
            hidden = BlindRule.load(conn).blind_transcripts(self.viewer)
        return [
            Passage(r.transcript_id, r.ordinal, r.coder, code_id, " ".join(r.text.split()))
            for r in rows
            if r.coder == self.coder or r.transcript_id not in hidden
        ]

    # -- memos ----------------------------------------------------------------------------

    def memo_entries(self) -> list[MemoEntry]:
        with self.project.read() as conn:
            return memo_list(conn, self.viewer)

    def transcript_memo(self) -> str:
        return target_memo(self.project, self.coder, transcript_id=self.transcript.id)

    def code_memo(self, code_id: str) -> str:
        return target_memo(self.project, self.coder, code_id=code_id)

    def set_transcript_memo(self, text: str) -> Outcome:
        return self._memo_outcome(set_target_memo(self.session, text, transcript_id=self.transcript.id),
                                  f"transcript {self.transcript.id}")

    def set_code_memo(self, code_id: str, text: str) -> Outcome:
        return self._memo_outcome(set_target_memo(self.session, text, code_id=code_id), f"code {code_id}")

    def _memo_outcome(self, result: ActionResult, where: str) -> Outcome:
        outcome = self._after(result)
        if not result.memos:
            outcome.message = f"memo on {where} unchanged"
        return outcome

    # -- jumping ------------------------------------------------------------------------

    def open_at(self, transcript_id: str, ordinal: int | None) -> Outcome:
        """Open a transcript (when another) and go to a turn of it: the views' jump-to."""
        if transcript_id != self.transcript.id:
            self.open(transcript_id)
        return self.go_to(self.current if ordinal is None else ordinal)


def describe_record(row: MarkChange | MemoChange) -> str:
    """A finish mark or memo change for the status line: ``+nothing to code (turn 7)``, ``-done``."""
    sign = "+" if row.change == "set" else "-"
    if isinstance(row, MarkChange):
        where = row.transcript_id + ("" if row.ordinal is None else f" turn {row.ordinal}")
        return f"{sign}{'done' if row.mark == 'done' else 'nothing to code'} ({where})"
    target = f"transcript {row.transcript_id}" if row.transcript_id else f"code {row.code_id}"
    return f"{sign}memo on {target}"


class GrowMixin(_StateParts):
    """Growing the codebook from the screen (:mod:`qualcode.codebook.grow`); part of :class:`CodingState`."""

    def code_texts(self, code_id: str) -> CodeTexts:
        code = self.codebook.get(code_id)
        return CodeTexts(code.name, code.definition, code.include, code.exclude, tuple(code.examples))

    def add_code(self, parent_id: str, part: str, texts: CodeTexts) -> GrowResult:
        """A new code under ``parent_id`` in the codebook file; the screen's codes follow."""
        result = add_code(self.project, parent_id, part, texts)
        self._codebook_changed()
        return result

    def edit_code(self, code_id: str, texts: CodeTexts) -> GrowResult:
        result = edit_code(self.project, code_id, texts)
        self._codebook_changed()
        return result

    def _codebook_changed(self) -> None:
        self.codebook = self.project.codebook  # reloaded by the save
        self.codes = self.codebook.codes_for(self.transcript.role)
        self._code_ids = {c.id for c in self.codes}
