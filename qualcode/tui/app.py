"""The coding screen: a Textual app over :class:`~qualcode.tui.state.CodingState`.

The app only translates keys into state calls and redraws what an action touched;
the coding logic lives in ``state`` (testable without a terminal). Every action is
committed to the store by the coding core as it happens, so there is no save step
and quitting (or a killed terminal) loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from qualcode.errors import QualcodeError
from qualcode.search.kept import KeptTexts
from qualcode.tui.header import HeaderFacts, fit_header
from qualcode.tui.keys import key_sections
from qualcode.tui.routing import KeyRouting
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.jump import JumpScreen
from qualcode.tui.screens.pick import PickScreen
from qualcode.tui.search_actions import SearchActions
from qualcode.tui.state import CodingState, Outcome
from qualcode.tui.widgets.codebook import CodebookPane
from qualcode.tui.widgets.codetree import TextPanel
from qualcode.tui.widgets.suggestions import SuggestionsBar
from qualcode.tui.widgets.transcript import TranscriptView
from qualcode.tui.work_actions import WorkActions

if TYPE_CHECKING:
    from textual.geometry import Size
    from textual.theme import Theme
    from textual.timer import Timer

    from qualcode.coding.suggesters import Suggester
    from qualcode.project import Project
    from qualcode.tui.prompt import Prompt


PickT = TypeVar("PickT", bound=PickScreen)

# A fixed line rather than Textual's Footer: the Footer rebuilds itself whenever focus
# moves (e.g. into the code filter), which costs a full layout; ? lists every key.
KEY_HINT = (
    "? help · j/k turn · / code · t toggle · w/W words · s sentences · f find · "
    "a/x accept/reject · u/U undo/redo · m memo · g jump · F search · q quit"
)


# How often the screen looks for other coders' changes and new suggestions: one small
# query per tick when nothing changed.
REFRESH_SECONDS = 2.0
# Every this many refresh ticks the codebook pane's counts are counted again in the store
# (one small query): each action and refresh moves them by what changed in the open
# transcript, this picks up other coders' codings in other transcripts.
RECOUNT_EVERY = 5
# A full garbage collection walks every object Textual keeps (its caches of rendered
# lines grow as the coder reads); at Python's default (one every 10 middle-generation
# collections) one landed in a few keypresses in a hundred, at 40-70 ms of CPU. One in 100:
# rarer pauses of the same kind; cyclic garbage lives a little longer.
GC_FULL_EVERY = 100


class CodingApp(KeyRouting, SearchActions, WorkActions, App[None]):
    """``qualcode code``: code one transcript after another, keyboard first."""

    TITLE = "qualcode"
    ENABLE_COMMAND_PALETTE = False

    BINDINGS = [
        Binding("j,down", "move(1)", "Next turn"),
        Binding("k,up", "move(-1)", "Previous turn"),
        Binding("n", "next_uncoded", "Next uncoded turn"),
        Binding("s", "sentence_mode", "Sentence mode on/off"),
        Binding("l,right", "sentence(1)", "Next sentence", show=False),
        Binding("h,left", "sentence(-1)", "Previous sentence", show=False),
        Binding("L,shift+right", "extend_sentence", "Extend the selection by a sentence", show=False),
        Binding("w", "word(1)", "Select the next word", show=False),
        Binding("b", "word(-1)", "Select the previous word", show=False),
        Binding("W", "extend_word(1)", "Grow the selection by a word", show=False),
        Binding("B", "extend_word(-1)", "Shrink the selection by a word", show=False),
        Binding("right_parenthesis", "extend_by_sentence(1)", "Grow the selection to the sentence's end", show=False),
        Binding("left_parenthesis", "extend_by_sentence(-1)", "Shrink the selection by a sentence", show=False),
        Binding("slash", "find_code", "Find a code"),
        Binding("f", "ask('find')", "Find text in this transcript (selects the match)"),
        Binding("greater_than_sign", "match(1)", "Next match of the text found", show=False),
        Binding("less_than_sign", "match(-1)", "Previous match of the text found", show=False),
        Binding("colon", "ask('turn')", "Go to turn N", show=False),
        Binding("F", "ask('search')", "Search every transcript (qualcode search), pick a hit to open"),
        Binding("right_curly_bracket", "scroll_definition(1)", "Scroll the code's definition down", show=False),
        Binding("left_curly_bracket", "scroll_definition(-1)", "Scroll the code's definition up", show=False),
        Binding("t", "toggle_code", "Apply or remove the highlighted code"),
        Binding("a", "accept", "Accept the suggestion"),
        Binding("x", "reject", "Reject the suggestion"),
        Binding("right_square_bracket", "suggestion(1)", "Next suggestion", show=False),
        Binding("left_square_bracket", "suggestion(-1)", "Previous suggestion", show=False),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r,U", "redo", "Redo"),
        Binding("m", "memo", "Memo on a coding"),
        Binding("g", "jump", "Jump to a transcript"),
        Binding("minus", "nothing", "Turn: nothing to code (again: clear)"),
        Binding("D", "done", "Transcript done (again: clear)"),
        Binding("T", "transcript_memo", "Memo on the transcript"),
        Binding("C", "code_memo", "Memo on the highlighted code"),
        Binding("P", "passages", "Passages of the highlighted code"),
        Binding("M", "memos", "Every memo (jump to one)"),
        Binding("A", "new_code", "New code under the highlighted code"),
        Binding("E", "edit_code", "Edit the highlighted code's definition etc."),
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False),
        Binding("escape", "leave", "Back to the whole turn (leave a sentence or word selection)", show=False),
        Binding("question_mark", "help", "Help: every key"),
        Binding("q,ctrl+q", "quit", "Quit (everything is already saved)"),
    ]

    CSS = """
    #header {
        dock: top; height: 1; padding: 0 1; background: $panel; color: $foreground;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    #header.blind { background: $warning-darken-2; }
    #panes { height: 1fr; }
    TranscriptView { width: 2fr; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #status.error { color: $error; }
    #keys {
        height: 1; padding: 0 1; background: $panel; color: $text-muted;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(
        self,
        project: Project,
        coder: str,
        transcript_id: str | None = None,
        *,
        suggesters: list[Suggester] | None = None,
        search: str | None = None,
    ) -> None:
        super().__init__()
        self.state = CodingState(project, coder, transcript_id, suggesters=suggesters)
        self.header_text = ""
        self._status: tuple[str, bool] = ("", False)  # the status line as shown
        self.prompt: Prompt | None = None  # f, : and F ask on the status line
        self._search_first = search  # qualcode code --search PATTERN: open on its hits
        self._gc_threshold = gc.get_threshold()  # restored on unmount
        self._ticks = 0  # refresh ticks so far
        self._indexing: Timer | None = None  # the next step bringing the search index up to date
        self.last_key_at = 0.0  # time.monotonic() of the latest key (routing.py): steps wait for a pause
        self._prepared: Size | None = None  # the size the hits screen was laid out at (search_actions.py)
        self.kept_texts = KeptTexts()  # texts F's searches read, for the next F (search/kept.py)

    @property
    def current_theme(self) -> Theme:
        """The theme, looked up once per theme name: Textual asks for it on every line it paints
        (~80 a key), and each lookup copied the dict of registered themes."""
        themes: dict[str, Theme] = vars(self).setdefault("_themes", {})  # App.__init__ asks already
        theme = themes.get(self.theme)
        if theme is None:
            theme = themes[self.theme] = super().current_theme
        return theme

    # -- layout ---------------------------------------------------------------

    def compose(self):
        yield Static("", id="header")
        with Horizontal(id="panes"):
            yield TranscriptView(self.state, id="transcript")
            yield CodebookPane(id="codebook")
        yield SuggestionsBar(id="suggestions")
        yield Static("", id="status")
        yield Static(KEY_HINT, id="keys")

    @property
    def transcript_view(self) -> TranscriptView:
        return self.query_one("#transcript", TranscriptView)

    @property
    def codebook_pane(self) -> CodebookPane:
        return self.query_one("#codebook", CodebookPane)

    def on_mount(self) -> None:
        self.codebook_pane.apply_now = lambda code_id: self._run(lambda: self.state.toggle(code_id))
        self._show_transcript()
        self.transcript_view.focus()
        self.status("? shows every key · / finds a code · everything is saved as you go")
        self.set_interval(REFRESH_SECONDS, self.refresh_from_store)
        gc.set_threshold(*self._gc_threshold[:2], max(self._gc_threshold[2], GC_FULL_EVERY))
        if self._search_first:
            self.call_after_refresh(self.show_hits, self._search_first)
        self.prepare_later()  # the hits screen, ahead of the first F

    def on_unmount(self) -> None:
        """Give the process its collector back (tests open many screens in one process)."""
        gc.unfreeze()
        gc.set_threshold(*self._gc_threshold)

    def on_resize(self, event: events.Resize) -> None:
        if self.codebook_pane_ready:
            self.call_after_refresh(self._update_side)  # the header fits the new width
        if self._prepared is not None:  # the hits screen was laid out at the old size
            self.prepare_later()

    def refresh_from_store(self) -> None:
        """Show what other coders and processes changed (codings, undos, new suggestions)."""
        from sqlalchemy.exc import OperationalError

        self._ticks += 1
        try:
            outcome = self.state.refresh()
            # now and then: other coders' codings in other transcripts, for the pane's counts
            recounted = self.state.recount() if self._ticks % RECOUNT_EVERY == 0 else {}
        except OperationalError:  # the store is busy: try again on the next tick
            return
        if outcome.changed:
            self.transcript_view.refresh_turns(outcome.changed)
            self._update_side()
            self._recount(outcome)
        if recounted:
            self.codebook_pane.set_counts(recounted)

    def _show_transcript(self) -> None:
        state = self.state
        self.title = f"qualcode · {state.transcript.id}"  # the terminal's title
        self.codebook_pane.set_codes(state.codebook, state.codes, state.applied())
        self.codebook_pane.set_counts(state.counts, replace=True)
        self.transcript_view.reload()
        self.call_after_refresh(self.transcript_view.scroll_to_current)
        self._update_side()
        # The transcript, its codings and the widgets live as long as the screen; left in
        # the collector's oldest generation, every full collection walks them all (50-120 ms
        # of CPU landing in some keypress every few seconds). Frozen, collections skip them;
        # they are still freed by reference counting (only cycles among them would outlive
        # a later open).
        self.call_after_refresh(gc.freeze)

    def _update_side(self) -> None:
        """Header, suggestions and ticks in the codebook: cheap, so after every action."""
        state = self.state
        coded, total = state.progress()
        facts = HeaderFacts(state.transcript.id, state.role_label, state.transcript.site, state.coder,
                            state.current, coded, total, state.blind,
                            done=state.done, nothing=state.nothing_count)
        header = self.query_one("#header", Static)
        text = fit_header(facts, self.size.width - 2)  # the bar spans the screen (padding 1)
        if text != self.header_text:  # most keys leave it as it was: no repaint then
            # Our own bar, not App.sub_title (which repaints the whole screen), and
            # layout=False: a one-line bar never changes size.
            self.header_text = text
            header.update(text, layout=False)
        header.set_class(state.blind, "blind")
        self.query_one("#suggestions", SuggestionsBar).show(state)
        self.codebook_pane.mark_applied(state.applied())

    def status(self, message: str, *, error: bool = False) -> None:
        line = self.query_one("#status", Static)
        if (message, error) == self._status:
            return  # as shown: no repaint
        self._status = (message, error)
        line.update(message, layout=False)
        line.set_class(error, "error")

    # -- running state actions ------------------------------------------------

    def _run(self, action: Callable[[], Outcome]) -> Outcome | None:
        """Run a state action; show its outcome, or its error on the status line."""
        from sqlalchemy.exc import OperationalError

        self.prompt = None  # an action (a click, a drag) ends any question on the status line

        try:
            outcome = action()
        except QualcodeError as error:
            self.status(str(error), error=True)
            self.bell()
            return None
        except OperationalError as error:  # e.g. the database stayed locked past the busy timeout
            self.status(f"The store is busy ({error.orig}); nothing was changed, try again", error=True)
            self.bell()
            return None
        self.transcript_view.refresh_turns(outcome.changed)
        if outcome.moved:
            self.transcript_view.scroll_to_current()
        self._update_side()
        self._recount(outcome)
        if outcome.message:
            self.status(outcome.message)
        return outcome

    def action_move(self, delta: int) -> None:
        self._run(lambda: self.state.move(delta))

    def action_next_uncoded(self) -> None:
        self._run(self.state.next_uncoded)

    def action_sentence_mode(self) -> None:
        self._run(self.state.toggle_sentence_mode)

    def action_sentence(self, delta: int) -> None:
        self._run(lambda: self.state.move_sentence(delta))

    def action_extend_sentence(self) -> None:
        self._run(self.state.extend_sentence)

    def action_word(self, delta: int) -> None:
        self._run(lambda: self.state.move_word(delta))

    def action_extend_word(self, delta: int) -> None:
        self._run(lambda: self.state.extend_word(delta))

    def action_extend_by_sentence(self, delta: int) -> None:
        self._run(lambda: self.state.extend_by_sentence(delta))

    def action_leave(self) -> None:
        self._run(self.state.leave_sentence_mode)

    def action_find_code(self) -> None:
        self.codebook_pane.open_filter()
        self.status("Type to find a code · ↑↓ choose · Enter applies it · Esc goes back")

    def action_toggle_code(self) -> None:
        code_id = self.codebook_pane.highlighted_code
        if code_id is None:
            self.status("Highlight a code in the codebook first (/ to find one)", error=True)
            return
        self._run(lambda: self.state.toggle(code_id))

    def action_accept(self) -> None:
        self._run(self.state.accept)

    def action_reject(self) -> None:
        self._run(self.state.reject)

    def action_suggestion(self, delta: int) -> None:
        self._run(lambda: self.state.select_suggestion(delta))

    def action_undo(self) -> None:
        self._run(self.state.undo)

    def action_redo(self) -> None:
        self._run(self.state.redo)

    def action_jump(self) -> None:
        def open_chosen(transcript_id: object) -> None:
            if not isinstance(transcript_id, str) or transcript_id == self.state.transcript.id:
                return
            if self._open(transcript_id):
                self.status(f"opened {transcript_id}" + (" (blind)" if self.state.blind else ""))

        jump = self._pick_screen("jump", JumpScreen)
        jump.fill(self.state.choices(), self.state.transcript.id)
        self.push_screen(jump, open_chosen)

    def action_scroll_definition(self, delta: int) -> None:
        self.codebook_pane.query_one("#code-detail", TextPanel).action_scroll_pages(delta)

    def _open(self, transcript_id: str) -> bool:
        """Show another transcript; False (and the reason on the status line) if it cannot be opened."""
        try:
            self.state.open(transcript_id)
        except QualcodeError as error:
            self.status(str(error), error=True)
            return False
        self._show_transcript()
        return True

    # -- counts and list screens (finishing, views, memos: qualcode/tui/work_actions.py) --

    def _recount(self, outcome: Outcome) -> None:
        """Show the counts of the codes an action or refresh moved (the state keeps them current)."""
        if outcome.codes:
            counts = self.state.counts
            self.codebook_pane.set_counts({code: counts[code] for code in outcome.codes if code in counts})

    def _pick_screen(self, name: str, kind: type[PickT]) -> PickT:
        """The pick-list screen ``name``: installed once, then refilled and pushed again on each key.

        A screen pushed new is mounted on each open, and removed on close, which makes
        Textual lay out and repaint the whole coding screen a second time (20-30 ms of CPU
        on Esc); an installed one is only hidden and shown.
        """
        if not self.is_screen_installed(name):
            self.install_screen(kind(), name)
        return self.get_screen(name, kind)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(key_sections(self.BINDINGS)))

    # -- messages from the panes ----------------------------------------------

    def on_codebook_pane_apply(self, message: CodebookPane.Apply) -> None:
        self._run(lambda: self.state.toggle(message.code_id))  # the pane already left filter mode

    def on_codebook_pane_closed(self, message: CodebookPane.Closed) -> None:
        if self.focused is not self.transcript_view:
            self.transcript_view.focus()

    def _escape_was_meant(self, key: str, typed: str) -> bool:
        """Whether ``key`` (``alt+t``) is read as Esc then ``typed`` (``t``): the screen binds no
        such key, and Esc means something here (a list, the filter or a prompt is open), or
        ``typed`` is one of the coding screen's own keys."""
        if key in _binding_actions():
            return False
        if isinstance(self.screen, PickScreen):
            return True
        if not self._routes_keys():
            return False  # the memo box, the code form and help keep Alt keys (text editing)
        if self.prompt is not None or self.codebook_pane.filtering:
            return True
        return typed in _binding_actions()

    async def _run_binding(self, key: str) -> bool:
        """Run the screen's binding for ``key`` now, unless the focused pane binds the key itself.

        Textual hands other keys to the focused widget first, whose binding then runs a
        few event-loop turns later — after keys routed here straight away (``/``, ``f``):
        ``w W /hotline Enter`` in one read would code before the words were selected.
        """
        focused = self.focused
        own_keys = () if focused is None or focused is self.transcript_view else focused.BINDINGS
        if any(isinstance(b, Binding) and key in b.key.split(",") for b in own_keys):
            return False  # e.g. ↑↓ Enter in the code tree
        action = _binding_actions().get(key)
        if action is None:
            return False
        await self.run_action(action)
        return True

    def on_transcript_view_turn_clicked(self, message: TranscriptView.TurnClicked) -> None:
        self._run(lambda: self.state.go_to(message.ordinal))

    def on_transcript_view_text_dragged(self, message: TranscriptView.TextDragged) -> None:
        self._run(lambda: self.state.select_text(message.ordinal, message.start, message.end, scroll=False))


def _binding_actions() -> dict[str, str]:
    """Each key of :attr:`CodingApp.BINDINGS` with its action (``"j"`` -> ``"move(1)"``)."""
    return {key: b.action for b in CodingApp.BINDINGS if isinstance(b, Binding) for key in b.key.split(",")}
