"""Esc and a key in one read reach Textual as Alt+key: the coding screen acts on both.

Each case presses ``alt+<key>`` and checks the screen did what Esc and then the key do:
what was open is closed (the filter, a prompt, the jump list, a selection) and the
key acted. One case feeds the bytes a terminal sends through Textual's own parser.
"""

from __future__ import annotations

import pytest
from textual import events
from textual._xterm_parser import XTermParser  # the parser the terminal driver uses

from qualcode.coding.listing import list_codings
from qualcode.tui.app import CodingApp
from qualcode.tui.metakeys import typed_after_escape
from qualcode.tui.screens.memo import MemoScreen
from tests.tui.conftest import settle
from tests.tui.test_app import SIZE

pytestmark = pytest.mark.coders("ana")


@pytest.mark.parametrize(
    ("key", "typed"),
    [("alt+t", "t"), ("alt+shift+t", "T"), ("alt+j", "j"), ("alt+é", "é"),
     ("t", None), ("escape", None), ("alt+up", None), ("alt+shift+left", None), ("ctrl+alt+t", None)],
)
def test_which_keys_are_esc_and_a_key(key, typed):
    assert typed_after_escape(key) == typed


CODED = "coded"  # stands for [(2, the code highlighted in the tree)]: t coded turn 2 with it
SPLIT = {  # keys, then (turn, coded, selecting, filtering, asking, done, screen) afterwards
    "filter, then t": (["slash", *"hous", "alt+t"], (2, CODED, False, False, False, False)),
    "filter, then j": (["slash", *"hous", "alt+j"], (4, [], False, False, False, False)),
    "find prompt, then j": (["f", *"hou", "alt+j"], (4, [], False, False, False, False)),
    "go-to prompt, then t": (["colon", "4", "alt+t"], (2, CODED, False, False, False, False)),
    "jump list, then t": (["g", "alt+t"], (2, CODED, False, False, False, False)),
    "word selection, then t": (["w", "W", "alt+t"], (2, CODED, False, False, False, False)),
    "sentence mode, then D": (["s", "l", "alt+shift+d"], (2, [], False, False, False, True)),
}


@pytest.mark.parametrize(("keys", "expected"), SPLIT.values(), ids=SPLIT.keys())
async def test_alt_key_acts_as_esc_then_the_key(project, interview, keys, expected):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await settle(pilot)
        whole_turn = (interview.segment(2).start, interview.segment(2).end)
        coded = [(r.segment, r.code) for r in list_codings(project, coder="ana")]
        assert all((r.start, r.end) == whole_turn for r in list_codings(project, coder="ana"))
        turn, want, *flags = expected
        want = [(2, app.codebook_pane.highlighted_code)] if want == CODED else want
        got = (app.state.current, coded, app.state.selecting, app.codebook_pane.filtering,
               app.prompt is not None, app.state.done)
        assert got == (turn, want, *flags)
        assert app.screen is app.screen_stack[0]  # no list left open


async def test_in_the_memo_box_alt_keys_stay_the_boxs(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", "alt+t")  # a memo on the transcript: the box is open
        await settle(pilot)
        assert isinstance(app.screen, MemoScreen)
        assert list_codings(project, coder="ana") == []


async def test_the_terminals_bytes_for_esc_t_close_the_filter_and_toggle(project, interview):
    """``/hous`` then ESC ``t`` in one read, through Textual's parser: the filter closes, t codes."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        parser = XTermParser(debug=False)
        keys = [e for e in [*parser.feed("/hous\x1bt"), *parser.feed("")] if isinstance(e, events.Key)]
        assert [k.key for k in keys][-1] == "alt+t"  # what Textual reads
        for key in keys:
            key.set_sender(app)
            app._driver.send_message(key)
        await settle(pilot)
        highlighted = app.codebook_pane.highlighted_code
        assert not app.codebook_pane.filtering and app.codebook_pane.filter_input.value == ""
        assert [r.code for r in list_codings(project, coder="ana")] == [highlighted]


@pytest.mark.parametrize("keys", [["g", "alt+t"], ["g", "escape", "t"], ["g", "escape", "j", "t"]],
                         ids=["g alt+t", "g esc t", "g esc j t"])
async def test_keys_after_the_jump_list_closes_before_it_was_shown_act_on_the_coding_screen(
        project, interview, keys):
    # Keys that come before the jump list is mounted (g, Esc and t in one read, handled
    # one after another with no turn of the event loop between) are kept by the list and
    # replayed once it is mounted: the Esc closes it, and the keys after it are the coding
    # screen's again (they were typed into the closed list's filter and lost).
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in keys:
            await app.on_event(events.Key(key, key[-1] if key[-1:].isalpha() and len(key) <= 5 else None))
        assert not app.screen.is_mounted  # the case: every key came before the list was mounted
        await settle(pilot)
        assert app.screen is app.screen_stack[0]  # the list closed
        moved = 4 if "j" in keys else 2
        assert app.state.current == moved
        assert [(r.segment, r.code) for r in list_codings(project, coder="ana")] == [
            (moved, app.codebook_pane.highlighted_code)]


async def test_a_filter_typed_before_the_jump_list_was_shown_is_replayed_into_it(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key, character in [("g", "g"), *((c, c) for c in "vsp"), ("space", " "), ("2", "2"), ("enter", "\r")]:
            await app.on_event(events.Key(key, character))
        assert not app.screen.is_mounted
        await settle(pilot)
        assert app.screen is app.screen_stack[0] and app.state.transcript.id == "vsp-2"
