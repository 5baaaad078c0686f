"""The coding screen's key routing: keys handled in the order they arrive.

A mixin of :class:`~qualcode.tui.app.CodingApp` (kept apart so the app module stays
readable). Keys that open or feed the code filter, a prompt on the status line or a
pick list are handled the moment they arrive, before Textual hands them to the focused
widget; the others run the app's bindings at once (``CodingApp._run_binding``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import events
from textual.screen import ModalScreen

from qualcode.tui.metakeys import typed_after_escape
from qualcode.tui.screens.codeedit import CodeFormScreen
from qualcode.tui.screens.pick import PickScreen

if TYPE_CHECKING:
    from textual.app import App

    from qualcode.tui.prompt import Prompt
    from qualcode.tui.widgets.codebook import CodebookPane

    _App = App[None]  # what the mixin runs on, for type checkers
else:
    _App = object

# Keys that open a prompt on the status line; like /, they act the moment they arrive.
PROMPT_KEYS = {"f": "find", "colon": "turn", "F": "search"}


class KeyRouting(_App):
    """``on_event`` for CodingApp: the code filter, prompts and pick lists take keys in arrival order."""

    if TYPE_CHECKING:  # provided by CodingApp
        prompt: Prompt | None
        last_key_at: float

        @property
        def codebook_pane(self) -> CodebookPane: ...
        def _prompt_key(self, key: str, character: str | None) -> None: ...
        def action_find_code(self) -> None: ...
        def action_ask(self, kind: str) -> None: ...
        def action_jump(self) -> None: ...
        async def _run_binding(self, key: str) -> bool: ...
        def _escape_was_meant(self, key: str, typed: str) -> bool: ...

    async def on_event(self, event: events.Event) -> None:
        # Keys are routed here, in the order they arrive, before Textual hands them to
        # the focused widget (whose bindings run later, one event-loop turn each). So
        # ``/`` switches to filtering at once, and every key after it goes to the filter
        # even when they all arrive in one read (a paste, a slow SSH link). While
        # filtering, keys go to the filter box before any binding; focus never moves
        # there (a focus change repaints the whole screen). The same holds for the
        # prompts (f, :, F) and the pick lists (g, search hits).
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.last_key_at = time.monotonic()
            typed = typed_after_escape(event.key)
            if typed is not None and self._escape_was_meant(event.key, typed):  # see qualcode/tui/metakeys.py
                for key, character in (("escape", "\x1b"), (typed, typed)):
                    await self.on_event(events.Key(key, character))
                return
            if await self._route_key(event):
                return
        await super().on_event(event)

    async def _route_key(self, event: events.Key) -> bool:
        """Handle a key now if it opens or feeds a filter, prompt or list; False: usual handling."""
        key, character = event.key, event.character
        if isinstance(self.screen, PickScreen | CodeFormScreen):
            return self.screen.take_key(key, character)
        if not self._routes_keys():
            return False
        if self.prompt is not None:
            if key not in ("ctrl+q", "ctrl+c"):
                self._prompt_key(key, character)
                return True
            self.prompt = None
        pane = self.codebook_pane
        if pane.filtering:
            return await pane.filter_key(key, character)
        if key == "slash":
            self.action_find_code()
        elif key in PROMPT_KEYS:
            self.action_ask(PROMPT_KEYS[key])
        elif key == "g":  # the list takes the keys typed after it
            self.action_jump()
        else:
            return await self._run_binding(key)
        return True

    def _routes_keys(self) -> bool:
        """True while the coding screen itself (no modal) receives keys."""
        return self.codebook_pane_ready and not isinstance(self.screen, ModalScreen)

    @property
    def codebook_pane_ready(self) -> bool:
        return bool(self.query("#codebook")) if self.is_running else False
