"""The real Textual app, driven with Textual's pilot on small transcripts."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from sqlalchemy import select

from qualcode.coding.listing import list_codings
from qualcode.coding.session import CodingSession
from qualcode.store.schema import suggestions
from qualcode.tui.app import CodingApp
from qualcode.tui.keys import key_sections
from qualcode.tui.screens.help import HelpScreen
from qualcode.tui.screens.jump import JumpScreen
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

SIZE = (140, 36)


def rows(project, coder="ana"):
    return [(r.segment, r.code, r.start, r.end, r.origin) for r in list_codings(project, coder=coder)]


async def type_code(pilot, query: str) -> None:
    """Find a code by typing in the filter and apply it with Enter."""
    await pilot.press("slash", *query, "enter")
    await pilot.pause()


async def test_fuzzy_typing_finds_and_applies_a_code(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "hotlne")  # a typo still finds "Hotlines and tip lines"
        seg = interview.segment(2)
        assert rows(project) == [(2, "referral.hotline", seg.start, seg.end, "manual")]
        assert app.focused is app.transcript_view  # back to the transcript, filter cleared
        assert app.codebook_pane.filter_input.value == ""
        assert "referral.hotline" in app.transcript_view.turn_text(2)


async def test_filter_narrows_the_tree_and_arrows_choose(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"refer")
        shown = [row.code_id for row in app.codebook_pane.tree.rows]
        assert shown[:3] == ["referral", "referral.hotline", "referral.law_enforcement"]
        assert "challenge.housing" not in shown
        await pilot.press("down", "enter")
        assert [r[1] for r in rows(project)] == ["referral.hotline"]


async def test_sentence_mode_codes_one_sentence(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "l")  # sentence mode, second sentence
        assert "sentence 2 of 3" in app.transcript_view.turn_text(2)
        await type_code(pilot, "lawenforcement")
        text = interview.text
        (segment, code, start, end, _), = rows(project)
        assert (segment, code, text[start:end]) == (2, "referral.law_enforcement", "Police also bring us clients.")
        assert "~referral.law_enforcement" in app.transcript_view.turn_text(2)  # a sub-span tag


async def test_toggle_key_applies_and_removes_the_highlighted_code(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert app.codebook_pane.highlighted_code == "referral"
        await pilot.press("t")
        assert [r[1] for r in rows(project)] == ["referral"]
        await pilot.press("t")
        assert rows(project) == []


async def test_accept_and_reject_suggestions(project, interview, stub_suggester):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert "referral.hotline" in str(app.query_one("#suggestions").content)
        await pilot.press("a")
        (segment, code, start, end, origin), = rows(project)
        assert (code, interview.text[start:end], origin) == ("referral.hotline", "hotline", "rules")
        await pilot.press("x")  # the remaining model suggestion
        with project.read() as conn:
            decided = conn.execute(
                select(suggestions.c.code_id, suggestions.c.source, suggestions.c.status, suggestions.c.decided_by)
            ).all()
        assert sorted(decided) == [
            ("challenge.case_length", "model", "rejected", "ana"),
            ("referral.hotline", "rules", "accepted", "ana"),
        ]
        assert "No suggestions" in str(app.query_one("#suggestions").content)


async def test_undo_and_redo_keys(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "hotline")
        await pilot.press("u")
        assert rows(project) == []
        assert "referral.hotline" not in app.transcript_view.turn_text(2)
        await pilot.press("U")
        assert [r[1] for r in rows(project)] == ["referral.hotline"]
        await pilot.press("u", "ctrl+r")
        assert [r[1] for r in rows(project)] == ["referral.hotline"]
        assert "referral.hotline" in app.transcript_view.turn_text(2)


async def test_next_uncoded_skips_coded_turns_and_wraps(project):
    turns = [("Interviewer" if i % 2 == 0 else "Respondent", f"Turn {i + 1} text.") for i in range(8)]
    add_transcript(project, "vsp-8", "service_provider", turns)
    session = CodingSession(project, "ana")
    for ordinal in (4, 6):
        session.tag("vsp-8", ordinal, ["challenge"])
    app = CodingApp(project, "ana", "vsp-8")
    async with app.run_test(size=SIZE) as pilot:
        assert app.state.current == 2
        await pilot.press("n")
        assert app.state.current == 8
        await pilot.press("n")
        assert app.state.current == 2
        await pilot.press("j")
        assert app.state.current == 4


async def test_other_coders_dimmed_outside_blind_mode(project, interview):
    CodingSession(project, "ben").tag("vsp-1", 2, ["challenge.housing"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE):
        assert "ben: challenge.housing" in app.transcript_view.turn_text(2)
        assert "BLIND" not in app.header_text


async def test_blind_mode_hides_the_other_coder(project, interview, assign):
    CodingSession(project, "ben").tag("vsp-1", 2, ["challenge.housing"])
    assign("irr-1", ["vsp-1"], ["ana", "ben"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert "BLIND" in app.header_text
        for ordinal in (1, 2, 3, 4):
            drawn = app.transcript_view.turn_text(ordinal)
            assert "ben" not in drawn and "challenge.housing" not in drawn
        screen = app.export_screenshot()
        assert "ben" not in screen and "BLIND" in screen
        await pilot.press("n")  # ben's coding does not count as coded for ana
        assert app.state.current == 4


async def test_help_overlay_lists_every_key(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        buffer = io.StringIO()
        Console(file=buffer, width=120, color_system=None).print(app.screen.query_one("#help-keys").content)
        shown = buffer.getvalue()
        listed = [row for _, section in key_sections(CodingApp.BINDINGS) for row in section]
        assert len(listed) >= len(CodingApp.BINDINGS)
        for keys, action in listed:
            assert keys in shown and action in shown
        for binding in CodingApp.BINDINGS:  # the overlay is generated from BINDINGS
            assert binding.description in shown
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_opening_without_transcript_picks_the_assigned_unfinished_one(project, interview, second, assign):
    assign("irr-1", ["vsp-2"], ["ana", "ben"])
    app = CodingApp(project, "ana")
    async with app.run_test(size=SIZE):
        assert app.state.transcript.id == "vsp-2"
        assert "vsp-2" in app.header_text and "BLIND" in app.header_text


async def test_memo_modal_saves_a_memo(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "hotline")
        await pilot.press("m", *"tipline", "enter", *"second line", "ctrl+s")  # Enter starts a new line
        await pilot.pause()
        assert [r.memo for r in list_codings(project, coder="ana")] == ["tipline\nsecond line"]
        assert "✎" in app.transcript_view.turn_text(2)


async def test_jump_modal_opens_another_transcript(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.state.transcript.id == "vsp-2"
        assert "Housing is the biggest gap." in app.transcript_view.turn_text(2)


async def test_errors_show_on_the_status_line(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("u")  # nothing to undo yet
        status = app.query_one("#status")
        assert "Nothing to undo" in str(status.content)
        assert status.has_class("error")


@pytest.mark.parametrize("size", [(60, 20), (200, 50)])
async def test_layout_survives_small_and_large_terminals(project, interview, size):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=size) as pilot:
        await type_code(pilot, "housing")
        assert [r[1] for r in rows(project)] == ["challenge.housing"]
        drawn = app.transcript_view.turn_text(2)
        assert "ousing" in drawn.splitlines()[0]  # the tag, shortened from the left if need be
        width = app.transcript_view.scrollable_content_region.width
        assert all(len(line) <= width for line in drawn.splitlines())


async def test_a_second_coder_working_at_the_same_time_loses_nothing(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        CodingSession(project, "ben").tag("vsp-1", 2, ["challenge.housing"])  # while ana's screen is open
        await type_code(pilot, "hotline")
        assert [r[1] for r in rows(project, "ana")] == ["referral.hotline"]
        assert [r[1] for r in rows(project, "ben")] == ["challenge.housing"]
        # ana's action updates turn 2 from its own result; ben's coding shows at the next tick.
        app.refresh_from_store()
        await pilot.pause()
        assert "ben: challenge.housing" in app.transcript_view.turn_text(2)
        assert "referral.hotline" in app.transcript_view.turn_text(2)
