"""The coding screen's keys for finishing, memos, the passages and memos views and growing the codebook.

A mixin of :class:`~qualcode.tui.app.CodingApp` (kept apart so the app module stays
readable); the state side is :mod:`qualcode.tui.work`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from qualcode.codebook.grow import CodeTexts
from qualcode.errors import QualcodeError
from qualcode.tui.screens.codeedit import CodeFormScreen
from qualcode.tui.screens.memo import MemoScreen
from qualcode.tui.screens.views import ListScreen, memo_rows, passage_rows

if TYPE_CHECKING:
    from textual.app import App

    from qualcode.codebook.grow import GrowResult
    from qualcode.tui.outcome import Outcome
    from qualcode.tui.state import CodingState
    from qualcode.tui.widgets.codebook import CodebookPane
    from qualcode.tui.widgets.transcript import TranscriptView

    _App = App[None]  # what the mixin runs on, for type checkers
else:
    _App = object


class WorkActions(_App):
    """``-`` ``D`` ``m`` ``T`` ``C`` ``P`` ``M`` ``A`` ``E`` for CodingApp."""

    if TYPE_CHECKING:  # provided by CodingApp
        state: CodingState

        @property
        def codebook_pane(self) -> CodebookPane: ...
        @property
        def transcript_view(self) -> TranscriptView: ...
        def status(self, message: str, *, error: bool = False) -> None: ...
        def _run(self, action: Callable[[], Outcome]) -> Outcome | None: ...
        def _pick_screen(self, name: str, kind: type[ListScreen]) -> ListScreen: ...
        def _show_transcript(self) -> None: ...
        def _update_side(self) -> None: ...

    def action_memo(self) -> None:
        target = self.state.memo_target(self.codebook_pane.highlighted_code)
        if target is None:
            self.status("No coding of yours on the selection to put a memo on", error=True)
            return
        excerpt = " ".join(self.state.transcript.text[target.start : target.end].split())[:80]
        title = f"Memo on {target.code_id} (turn {target.ordinal}): “{excerpt}”"

        def save(memo: str | None) -> None:
            if memo is not None:
                self._run(lambda: self.state.set_memo(target, memo))

        self.push_screen(MemoScreen(title, target.memo), save)

    def action_nothing(self) -> None:
        self._run(self.state.toggle_nothing)

    def action_done(self) -> None:
        self._run(self.state.toggle_done)

    def action_transcript_memo(self) -> None:
        state = self.state
        title = f"Memo on transcript {state.transcript.id} ({state.role_label}, site {state.transcript.site})"
        self._edit_memo(title, state.transcript_memo(), state.set_transcript_memo)

    def action_code_memo(self) -> None:
        code_id = self.codebook_pane.highlighted_code
        if code_id is None:
            self.status("Highlight a code in the codebook first (/ to find one)", error=True)
            return
        title = f"Memo on code {code_id} ({self.state.codebook.codes[code_id].name})"
        self._edit_memo(title, self.state.code_memo(code_id), lambda text: self.state.set_code_memo(code_id, text))

    def _edit_memo(self, title: str, memo: str, save_with: Callable[[str], Outcome]) -> None:
        def save(text: str | None) -> None:
            if text is not None:
                self._run(lambda: save_with(text))

        self.push_screen(MemoScreen(title, memo), save)

    def action_passages(self) -> None:
        code_id = self.codebook_pane.highlighted_code
        if code_id is None:
            self.status("Highlight a code in the codebook first (/ to find one)", error=True)
            return
        found = self.state.passages(code_id)
        name = self.state.codebook.codes[code_id].name
        self._show_list(*passage_rows(code_id, name, found, self.state.coder))

    def action_memos(self) -> None:
        self._show_list(*memo_rows(self.state.memo_entries()))

    def _show_list(self, title: str, rows: list) -> None:
        """Show the passages or memos list (one screen for both)."""
        views = self._pick_screen("views", ListScreen)
        views.refill(title, rows)
        self.push_screen(views, self._jump_to)

    def _jump_to(self, target: object) -> None:
        """Open a view's chosen ``(transcript_id, ordinal)``; None (closed, or a code memo): stay."""
        if not isinstance(target, tuple):
            return
        transcript_id, ordinal = target
        before = self.state.transcript.id
        try:
            outcome = self.state.open_at(transcript_id, ordinal)
        except QualcodeError as error:
            self.status(str(error), error=True)
            return
        if transcript_id != before:
            self._show_transcript()
        else:
            self.transcript_view.refresh_turns(outcome.changed)
            self.transcript_view.scroll_to_current()
            self._update_side()
        self.status(f"{transcript_id} turn {self.state.current}")

    def _tree_code(self) -> str | None:
        """The code under the tree cursor, grouping nodes included (they can take children)."""
        row = self.codebook_pane.tree.highlighted
        if row is None:
            self.status("Highlight a code in the codebook first (/ to find one, Tab to the tree)", error=True)
        return row.code_id if row is not None else None

    def action_new_code(self) -> None:
        parent = self._tree_code()
        if parent is None:
            return
        blank = CodeTexts("")
        title = f"New code under {parent} ({self.state.codebook.codes[parent].name})"

        def save(answer) -> None:
            if answer is not None:
                part, texts = answer
                self._grow(lambda: self.state.add_code(parent, part, texts))

        self.push_screen(CodeFormScreen(title, blank, new_under=parent, is_new=True), save)

    def action_edit_code(self) -> None:
        code_id = self._tree_code()
        if code_id is None:
            return

        def save(answer) -> None:
            if answer is not None:
                self._grow(lambda: self.state.edit_code(code_id, answer[1]))

        self.push_screen(CodeFormScreen(f"Edit code {code_id}", self.state.code_texts(code_id)), save)

    def _grow(self, change: Callable[[], GrowResult]) -> None:
        try:
            result = change()
        except QualcodeError as error:
            self.status(str(error), error=True)
            self.bell()
            return
        state = self.state
        state.recount()
        self.codebook_pane.set_codes(state.codebook, state.codes, state.applied())
        self.codebook_pane.set_counts(state.counts, replace=True)
        self.codebook_pane.highlight(result.code_id)
        self.status(f"{result.action} {result.code_id} in {result.path} (codebook version {result.snapshot_id})")
