"""The coding screen's keys for finding and searching: ``f``, ``>``/``<``, ``:``, ``F`` and its hits.

A mixin of :class:`~qualcode.tui.app.CodingApp` (kept apart so the app module stays
readable). ``f`` and ``:`` run state actions (:mod:`qualcode.tui.finding`); ``F``
searches every transcript with the engine behind ``qualcode search`` and lists the hits
on a pick list (:class:`~qualcode.tui.screens.hits.HitsScreen`). Nothing is written
inside a key: the search index is brought up to date between keys, and the hits screen
is built and laid out ahead of the first ``F`` (:meth:`SearchActions.prepare_search`).
"""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.search.engine import SearchOptions, search
from qualcode.search.index import SearchError
from qualcode.search.index import refresh as refresh_search_index
from qualcode.search.kept import KeptTexts, read_ahead
from qualcode.search.lemmas import lemmas
from qualcode.tui.prompt import Prompt
from qualcode.tui.screens.hits import HitsScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.geometry import Size
    from textual.screen import Screen
    from textual.timer import Timer

    from qualcode.tui.outcome import Outcome
    from qualcode.tui.screens.pick import PickScreen
    from qualcode.tui.state import CodingState

    _App = App[None]  # what the mixin runs on, for type checkers
else:
    _App = object

HITS_SHOWN = 500  # search hits listed by F / --search (the title says how many there are)
# After F, transcripts the search index lacks are indexed one per step, this far apart
# (each step one transaction, ~20 ms of CPU for an 8,000-word transcript), between keys:
# until they are, each F searches them in their text (~3 ms each), so catch up quickly.
INDEX_STEP_SECONDS = 0.2
# ...and only once the coder has pressed no key for this long: a step (~20 ms of CPU)
# taken while they type lands inside their next key. The hits screen is prepared after
# such a pause too (prepare_search).
INDEX_IDLE_SECONDS = 1.0

PROMPTS = {"find": "Find in this transcript", "turn": "Go to turn (number)",
           "search": "Search every transcript (respondent turns; qualcode search syntax)"}

# Transcripts the index lacks (just imported) whose texts, turns and words F's prompt reads
# ahead while the coder types the pattern (~2 ms of CPU each for 8,000 words; search/kept.py).
READ_AHEAD = 4

LAYOUT_AGAIN_SECONDS = 0.05  # between the hidden hits screen's layouts (_lay_out)
WORD = re.compile(r"[^\W\d_]{4,}")  # a word to warm the search with (see _warm_search)


class SearchActions(_App):
    """``f`` ``>`` ``<`` ``:`` ``F`` for CodingApp, and the idle steps behind ``F``."""

    if TYPE_CHECKING:  # provided by CodingApp
        state: CodingState
        prompt: Prompt | None
        last_key_at: float
        _indexing: Timer | None
        _prepared: Size | None
        kept_texts: KeptTexts

        def status(self, message: str, *, error: bool = False) -> None: ...
        def _run(self, action: Callable[[], Outcome]) -> Outcome | None: ...
        def _open(self, transcript_id: str) -> bool: ...
        def _pick_screen(self, name: str, kind: type[HitsScreen]) -> HitsScreen: ...

    def action_ask(self, kind: str) -> None:
        self.prompt = Prompt(kind, PROMPTS[kind])
        self.status(self.prompt.line)
        if kind == "search":
            # The match keys' table (~20 ms, once per process) is read now, while the
            # coder types the pattern, rather than inside the Enter that searches; so is
            # the hits screen built, if no pause came for it yet, and the transcripts the index
            # lacks read, which the search would otherwise read in the key.
            self.call_after_refresh(lemmas)
            self.call_after_refresh(self.prepare_search)
            self.call_after_refresh(self._read_ahead)

    def _prompt_key(self, key: str, character: str | None) -> None:
        """A key typed while the status line asks (see :mod:`qualcode.tui.prompt`)."""
        prompt = self.prompt
        assert prompt is not None
        answer = prompt.key(key, character)
        if answer is None:
            self.status(prompt.line)
            return
        self.prompt = None
        self.status("")
        if answer == "cancel":
            return
        if prompt.kind == "find":
            self._run(lambda: self.state.find(prompt.value))
        elif prompt.kind == "turn":
            self._run(lambda: self.state.go_to_turn(prompt.value))
        elif prompt.value.strip():
            self.show_hits(prompt.value)

    def _read_ahead(self) -> None:
        """Keep the texts, turns and words of new transcripts for the search being typed (a read)."""
        from sqlalchemy.exc import OperationalError

        try:
            read_ahead(self.state.project, self.kept_texts, READ_AHEAD)
        except (QualcodeError, OperationalError):  # only ahead: the search reads them itself and says what is wrong
            pass

    def action_match(self, delta: int) -> None:
        self._run(lambda: self.state.next_match(delta))

    def show_hits(self, pattern: str) -> None:
        """Run a corpus search (the engine behind ``qualcode search``) and list its hits.

        Nothing is written inside the key: transcripts the index does not hold as they
        are now (imported since it was built; ``qualcode import`` does not index, which
        would triple its time) are searched in their text, with the same hits as a
        refreshed index. Building the index for a whole import inside the key took
        seconds; instead, where this role may write it, it is brought up to date
        afterwards between keys, one transcript per step (:meth:`_index_step`).
        """
        try:
            options = SearchOptions(limit=HITS_SHOWN, context=40)
            result = search(self.state.project, pattern, options, refresh_index=False, kept=self.kept_texts)
        except QualcodeError as error:
            self.status(str(error), error=True)
            self.bell()
            return
        if not result.hits:
            self.status(f"no hits for “{pattern}” in respondent turns", error=True)
            return

        def open_hit(chosen: object) -> None:
            if chosen is not None:
                self.open_at(*chosen)  # type: ignore[misc]

        hits = self._pick_screen("hits", HitsScreen)
        hits.fill(result)
        self.push_screen(hits, open_hit)
        self.call_after_refresh(self._index_later)  # the hits painted first

    def open_at(self, transcript_id: str, ordinal: int, start: int, end: int) -> None:
        """Open a transcript (if another) at a turn with ``[start, end)``'s words selected."""
        if transcript_id != self.state.transcript.id and not self._open(transcript_id):
            return
        self._run(lambda: self.state.select_text(ordinal, start, end))

    # -- between keys ----------------------------------------------------------

    def _typing_for(self) -> float:
        """How much longer to wait for the coder's pause (<= 0: they have paused)."""
        return INDEX_IDLE_SECONDS - (time.monotonic() - self.last_key_at)

    def _index_later(self) -> None:
        if self._indexing is None:
            self._indexing = self.set_timer(INDEX_STEP_SECONDS, self._index_step)

    def _index_step(self) -> None:
        """Index one transcript the search index lacks; again later while any is left."""
        from sqlalchemy.exc import OperationalError

        self._indexing = None
        typing_for = self._typing_for()
        if typing_for > 0:  # not while the coder types: try again once they pause
            self._indexing = self.set_timer(max(typing_for, INDEX_STEP_SECONDS), self._index_step)
            return
        try:
            report = refresh_search_index(self.state.project, limit=1)
        except (SearchError, OperationalError):  # not this role's to write; another process indexing; busy
            return
        if report.left:
            self._indexing = self.set_timer(INDEX_STEP_SECONDS, self._index_step)

    def prepare_later(self) -> None:
        """Prepare the hits screen once the coder pauses (at start, after a resize)."""
        self.set_timer(INDEX_IDLE_SECONDS, self._prepare_when_idle)

    def _prepare_when_idle(self) -> None:
        typing_for = self._typing_for()
        if typing_for > 0:
            self.set_timer(typing_for, self._prepare_when_idle)
            return
        self.call_later(self.prepare_search)

    async def prepare_search(self) -> None:
        """Build, mount and lay out the hits screen at the terminal's size, and run one search.

        The session's first F paid for Textual mounting the hits screen, laying it out
        twice and painting it three times (~16 ms of CPU), and for the search's first
        run (its statements compiled: a few ms); later ones only refill the installed
        screen and paint it once. So this does it ahead, between keys: after the coder's first
        pause, or while they type the pattern. The screen is refilled from a new search
        on every F, so nothing prepared here can be out of date; nothing is written.
        """
        if self._prepared == self.size:
            return
        first = self._prepared is None
        self._prepared = self.size
        hits = self._pick_screen("hits", HitsScreen)
        if hits not in self.screen_stack:
            await mount_hidden(self, "hits", hits)
        if first:
            self._warm_search()
        # What this built lives as long as the screen, like what the app froze at its start
        # (app.py, _show_transcript): the hits screen, the search's compiled statements and
        # the lemma tables the warm-up loaded. Left in the oldest generation, each full
        # collection walked them: one press of ~145 ms CPU in bench_tui's run. Frozen, it is
        # skipped; reference counting still frees it.
        self.call_after_refresh(gc.freeze)

    def _warm_search(self) -> None:
        """One search for a word of the open transcript, its hits thrown away (a read, never a write)."""
        from sqlalchemy.exc import OperationalError

        for segment in self.state.transcript.respondent_segments[:5]:
            word = WORD.search(self.state.transcript.text, segment.start, segment.end)
            if word is not None:
                try:
                    search(self.state.project, word.group(), SearchOptions(limit=1, context=40), refresh_index=False,
                           kept=self.kept_texts)
                except (QualcodeError, OperationalError):  # only a warm-up: F will say what is wrong
                    pass
                return


async def mount_hidden(app: _App, name: str, screen: PickScreen) -> None:
    """Mount the installed screen ``name`` and lay it out at the app's size, without showing it.

    Textual has no public call for this: ``_get_screen`` is what ``push_screen`` mounts
    a screen with, ``_refresh_layout`` what a screen shown at a new size runs. Shown
    afterwards, at that size, the screen is only repainted. (Checked with Textual 8.)
    """
    if not (hasattr(app, "_get_screen") and hasattr(screen, "_refresh_layout")):
        return  # another Textual: the first F mounts and lays it out, as it did before
    if not screen.is_mounted:
        _, mounted = app._get_screen(name)
        await mounted
    screen.call_later(_lay_out, screen, app.size, 3)  # after the mount's own messages to the screen


def _lay_out(screen: Screen, size: Size, times: int) -> None:
    """Lay ``screen`` out; again (up to ``times``) while that asks for another layout.

    A first layout sizes the widgets, which asks for a second (their virtual sizes
    change): Textual laid a new screen out twice when it was first shown.
    """
    screen._refresh_layout(size)
    screen._layout_required = False
    if times > 1:  # once its widgets have handled their new sizes
        screen.set_timer(LAYOUT_AGAIN_SECONDS, lambda: _relay_out(screen, size, times - 1))


def _relay_out(screen: Screen, size: Size, times: int) -> None:
    if screen._layout_required:
        _lay_out(screen, size, times)
