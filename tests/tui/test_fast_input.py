"""Keys that arrive in one read (a paste, a slow SSH link, a busy app) act exactly as typed ones.

Each test queues the keys all at once (``burst``) and asserts exactly what was coded.
"""

from __future__ import annotations

import pytest

from qualcode.coding.listing import list_codings
from qualcode.tui.app import CodingApp
from tests.tui.conftest import burst, settle

pytestmark = pytest.mark.coders("ana", "ben")

SIZE = (140, 36)


def coded(project, coder="ana"):
    return sorted((r.segment, r.code, r.origin) for r in list_codings(project, coder=coder))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # No code matches "labor traf": nothing is coded, and none of a, t, x, u, q ran.
        ("labor traf", []),
        ("hotlne", [(2, "referral.hotline", "manual")]),
        ("quit tax", []),  # q, u, t, a, x are letters, not commands, after /
    ],
)
async def test_everything_after_slash_goes_to_the_filter(project, interview, stub_suggester, typed, expected):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["slash", *typed, "enter"])
        await settle(pilot)
        assert coded(project) == expected
        assert app.is_running  # q did not quit


async def test_keys_after_enter_are_commands_again(project, interview):
    """``/hotline⏎t`` in one read: the code is applied, then ``t`` toggles that same code off."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["slash", *"hotline", "enter", "j"])
        await settle(pilot)
        assert coded(project) == [(2, "referral.hotline", "manual")]
        assert app.state.current == 4 and app.codebook_pane.filter_input.value == ""


async def test_highlight_stays_on_the_applied_code(project, interview):
    """After applying from the filter, ``t`` toggles the code just applied, not the tree's first."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"housing", "enter")
        await settle(pilot)
        assert app.codebook_pane.highlighted_code == "challenge.housing"
        await pilot.press("t")
        assert coded(project) == []


async def test_jump_then_two_enters_in_one_read_does_not_crash(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["g", "enter", "enter"])
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1
        assert app.state.transcript.id == "vsp-1"  # the highlighted (open) transcript
        assert coded(project) == []


async def test_other_coders_changes_and_new_suggestions_show_without_reopening(project, interview, stub_suggester):
    from qualcode.coding.session import CodingSession

    ben = CodingSession(project, "ben")
    ben.tag("vsp-1", 2, ["challenge.housing"])
    app = CodingApp(project, "ana", "vsp-1", suggesters=[])
    async with app.run_test(size=SIZE) as pilot:
        assert "ben: challenge.housing" in app.transcript_view.turn_text(2)
        ben.undo()  # another coder's undo, in another process
        app.refresh_from_store()  # what the screen's timer runs
        await pilot.pause()
        assert "challenge.housing" not in app.transcript_view.turn_text(2)
        ben.tag("vsp-1", 2, ["referral.law_enforcement"])
        await pilot.pause(2.5)  # the timer alone picks it up
        assert "ben: referral.law_enforcement" in app.transcript_view.turn_text(2)


def test_new_stored_suggestions_show_after_a_refresh(project, interview):
    from qualcode.tui.state import CodingState
    from tests.coding.test_blind import store_model_suggestion

    state = CodingState(project, "ana", "vsp-1")
    assert state.suggestions() == []
    with project.write() as conn:
        from sqlalchemy import insert

        from qualcode.store.codings import now
        from qualcode.store.schema import models

        model_id = conn.execute(insert(models).values(
            name="m", trained_from="ben", codebook_hash="x", data_hash="x", payload=b"", report={"trained_on": []},
            created_at=now())).inserted_primary_key[0]
    store_model_suggestion(project, interview, model_id)
    state.refresh()
    assert [s.code_id for s in state.suggestions()] == ["challenge.housing"]


@pytest.mark.parametrize(
    ("keys", "text"),
    [
        (["w", "w", "W", "slash", *"hotline", "enter"], "the hotline"),  # select words, then code them
        (["s", "l", "slash", *"hotline", "enter"], "Police also bring us clients."),
        (["j", "w", "W", "W", "W", "slash", *"housing", "enter"], "There's always a need"),
        (["f", *"police", "enter", "W", "slash", *"hotline", "enter"], "Police also"),
    ],
)
async def test_commands_before_slash_act_before_it(project, interview, keys, text):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, keys)
        await settle(pilot, rounds=8)
        assert [r.text for r in list_codings(project, coder="ana")] == [text]


@pytest.mark.parametrize("opened_first", [True, False], ids=["form-open", "same-read-as-E"])
async def test_text_after_tab_in_one_read_goes_to_the_next_field(project, interview, opened_first):
    """``E`` then Tab and text without pause: the text lands in Definition, not in Name (issue 20)."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        keys = ["tab", *"Also tips. ", "shift+tab", "end", *" (all)"]
        if opened_first:
            await pilot.press("E")
            await settle(pilot)
        burst(app, keys if opened_first else ["E", *keys])
        await settle(pilot)
        assert app.screen.query_one("#form-name").value == "Referral sources (all)"
        assert app.screen.query_one("#form-definition").text == "Also tips. Where cases come from."


async def test_a_new_code_typed_in_one_read_fills_each_field(project, interview):
    """``A`` id Enter name Tab definition Ctrl+S, all in one read, writes the code as typed."""
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        burst(app, ["A", *"tip_lines", "enter", *"Tip lines", "tab", *"Calls to a tip line.", "ctrl+s"])
        await settle(pilot, rounds=8)
        code = project.codebook.get("referral.tip_lines")
        assert (code.name, code.definition) == ("Tip lines", "Calls to a tip line.")
