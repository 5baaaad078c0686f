"""The coding screen's finishing, counts, passages and memos, driven with Textual's pilot."""

from __future__ import annotations

import json

import pytest
from textual.geometry import Region
from typer.testing import CliRunner

from qualcode.cli.app import app as cli
from qualcode.coding.finishing import set_mark
from qualcode.coding.memos import target_memo
from qualcode.coding.session import CodingSession
from qualcode.tui.app import CodingApp
from qualcode.tui.screens.pick import HEAD
from qualcode.tui.screens.views import ListScreen
from tests.helpers import add_transcript
from tests.tui.test_app import SIZE, rows, type_code

pytestmark = pytest.mark.coders("ana", "ben")


def progress(project) -> dict:
    result = CliRunner().invoke(cli, ["-p", str(project.root), "progress", "--json"])
    assert result.exit_code == 0, result.output
    return {(r["coder"], r["transcript"]): (r["handled"], r["total"], r["done"]) for r in json.loads(result.output)}


async def test_nothing_to_code_and_done_show_in_progress_and_undo(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "minus")  # turn 4: "There's always a need for housing..."
        assert "nothing to code" in app.transcript_view.turn_text(4)
        assert "1 nothing to code" in app.header_text
        assert progress(project)[("ana", "vsp-1")] == (1, 2, False)
        await pilot.press("D")
        assert "DONE" in app.header_text
        assert progress(project)[("ana", "vsp-1")] == (1, 2, True)
        await pilot.press("u", "u")
        assert "nothing to code" not in app.transcript_view.turn_text(4)
        assert "DONE" not in app.header_text and ("ana", "vsp-1") not in progress(project)
        await pilot.press("U")
        assert "nothing to code" in app.transcript_view.turn_text(4)


async def test_a_coded_turn_cannot_be_marked_nothing_to_code(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "hotline")
        await pilot.press("minus")
        assert "so it is not nothing to code" in str(app.query_one("#status").content)
        assert ("ana", "vsp-1") in progress(project)  # the coding, no mark
        assert "nothing to code" not in app.transcript_view.turn_text(2)


async def test_reopens_where_the_coder_left_off(project, interview, second):
    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"])
    set_mark(session, "vsp-1", 4, True)  # vsp-1 handled: both respondent turns
    set_mark(session, "vsp-2", 2, True)
    app = CodingApp(project, "ana")
    async with app.run_test(size=SIZE) as pilot:
        assert (app.state.transcript.id, app.state.current) == ("vsp-2", 4)  # first unhandled turn
        await pilot.press("D")
    set_mark(CodingSession(project, "ana"), "vsp-1", 4, False)  # vsp-1 unfinished again
    app = CodingApp(project, "ana")
    async with app.run_test(size=SIZE):
        assert (app.state.transcript.id, app.state.current) == ("vsp-1", 4)


def test_the_jump_list_ticks_transcripts_finished_by_marks(project, interview, second):
    """✓ in the jump list means finished: done, or every respondent turn coded or marked."""
    from qualcode.coding.assignments import transcript_choices

    def ticked() -> dict[str, bool]:
        with project.read() as conn:
            return {c.id: c.finished for c in transcript_choices(conn, "ana")}

    session = CodingSession(project, "ana")
    session.tag("vsp-1", 2, ["referral.hotline"])
    assert ticked() == {"vsp-1": False, "vsp-2": False}
    set_mark(session, "vsp-1", 4, True)  # the other respondent turn: nothing to code
    set_mark(session, "vsp-2", None, True)  # done, though nothing is coded
    assert ticked() == {"vsp-1": True, "vsp-2": True}
    set_mark(session, "vsp-2", None, False)
    assert ticked() == {"vsp-1": True, "vsp-2": False}


async def test_code_counts_mine_and_all_in_the_codebook_pane(project, interview, second):
    CodingSession(project, "ben").tag("vsp-2", 2, ["referral.hotline"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        pane = app.codebook_pane
        assert pane._counts["referral.hotline"] == (0, 1)
        await type_code(pilot, "hotline")
        assert pane._counts["referral.hotline"] == (1, 2)
        label = next(r.label.plain for r in pane.tree.rows if r.code_id == "referral.hotline")
        assert "1/2" in label


async def test_a_blind_coder_sees_only_their_own_counts(project, interview, second, assign):
    assign("irr-1", ["vsp-2"], ["ana", "ben"])
    CodingSession(project, "ben").tag("vsp-2", 2, ["referral.hotline"])
    CodingSession(project, "ben").tag("vsp-1", 2, ["referral.hotline"])  # outside the sample
    app = CodingApp(project, "ana", "vsp-2")
    async with app.run_test(size=SIZE) as pilot:
        assert app.state.blind
        assert app.codebook_pane._counts["referral.hotline"] == (0, None)
        await type_code(pilot, "hotline")
        label = next(r.label.plain for r in app.codebook_pane.tree.rows if r.code_id == "referral.hotline")
        assert " 1 " in label and "/" not in label
        await pilot.press("P")  # passages: ben's on the blind transcript are not listed
        assert isinstance(app.screen, ListScreen)
        shown = [line.replace("●", " ").split()[:3] for line in app.screen.lines]
        assert shown == [["vsp-1", "#2", "ben"], ["vsp-2", "#2", "ana"]]


async def test_passages_view_jumps_to_the_turn(project, interview, second):
    CodingSession(project, "ben").tag("vsp-2", 4, ["challenge.housing"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "housing gap")  # ana codes vsp-1 turn 2; the highlight stays on the code
        await pilot.press("P")
        assert isinstance(app.screen, ListScreen)
        assert len(app.screen.lines) == 2
        await pilot.press("down", "enter")  # ben's passage in vsp-2, turn 4
        await pilot.pause()
        assert (app.state.transcript.id, app.state.current) == ("vsp-2", 4)
        assert "vsp-2" in app.header_text


async def test_a_long_passages_view_scrolls_and_jumps_to_the_highlighted_turn(project, interview):
    # 40 passages: more than a page; the row drawn under the cursor is the turn opened
    add_transcript(project, "vsp-3", "service_provider",
                   [turn for i in range(40) for turn in (("Interviewer", f"And {i}?"), ("Respondent", f"Answer {i}."))])
    session = CodingSession(project, "ben")
    for ordinal in range(2, 81, 2):
        session.tag("vsp-3", ordinal, ["challenge.housing"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        app.codebook_pane.highlight("challenge.housing")
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ListScreen)
        assert [line.split()[:2] for line in app.screen.lines] == [["vsp-3", f"#{n}"] for n in range(2, 81, 2)]
        view = app.screen.pick_list
        page = [s.text for s in view.render_lines(Region(0, HEAD, view.outer_size.width, view.page))]
        assert [line.split()[:2] for line in page] == [["vsp-3", f"#{n}"] for n in range(2, 2 + 2 * view.page, 2)]
        await pilot.press("pagedown", "pagedown", "down", "down", "down")  # row 23 of 40
        shown = [s.text for s in view.render_lines(Region(0, HEAD, view.outer_size.width, view.page))]
        assert sum("vsp-3 #48 " in line for line in shown) == 1  # on the page
        await pilot.press("enter")
        await pilot.pause()
        assert (app.state.transcript.id, app.state.current) == ("vsp-3", 48)
        assert "Answer 23." in app.transcript_view.turn_text(48)


async def test_passages_view_is_one_screen_refilled_with_the_filter_cleared(project, interview, second):
    CodingSession(project, "ben").tag("vsp-2", 4, ["challenge.housing"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "housing gap")  # ana codes vsp-1 turn 2
        await pilot.press("P", *"ben")  # typing filters the passages
        await pilot.pause()
        first = app.screen
        assert [line.split()[:2] for line in first.lines] == [["vsp-2", "#4"]]
        await pilot.press("escape", "j", "t")  # ana: the highlighted code on turn 4 too
        await pilot.pause()
        await pilot.press("P")
        await pilot.pause()
        assert app.screen is first  # not mounted again
        shown = sorted("".join(line.replace("●", " ").split()[:2]) for line in app.screen.lines)
        assert shown == ["vsp-1#2", "vsp-1#4", "vsp-2#4"]  # the new passage, and the filter "ben" is gone
        await pilot.press("escape", "M")
        await pilot.pause()
        assert app.screen is first and app.screen.lines == []


async def test_memos_transcript_and_code_memos_are_multi_line_and_listed(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T", *"calm", "enter", *"interview", "ctrl+s")
        await pilot.pause()
        assert target_memo(project, "ana", transcript_id="vsp-1") == "calm\ninterview"
        await pilot.press("C", *"about referrals", "ctrl+s")  # the highlighted code: referral
        await pilot.pause()
        assert target_memo(project, "ana", code_id="referral") == "about referrals"
        await pilot.press("g", "down", "enter")  # to vsp-2
        await pilot.pause()
        assert app.state.transcript.id == "vsp-2"
        await pilot.press("M")
        assert isinstance(app.screen, ListScreen)
        assert [line.split()[:2] for line in app.screen.lines] == [["code", "referral"], ["transcript", "vsp-1"]]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.state.transcript.id == "vsp-1"
        await pilot.press("u")  # the code memo is one undoable action
        assert target_memo(project, "ana", code_id="referral") == ""
        assert rows(project) == []


async def test_new_code_here_is_written_to_the_yaml_and_applied(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        assert app.codebook_pane.highlighted_code == "referral"
        await pilot.press("A", *"tip_lines", "enter", *"Tip lines", "tab", *"Calls to a tip line.", "ctrl+s")
        await pilot.pause()
        text = project.codebook_path.read_text(encoding="utf-8")
        assert "- id: referral.tip_lines" in text and "# A small codebook for tests" in text
        assert project.codebook.get("referral.tip_lines").definition == "Calls to a tip line."
        assert app.codebook_pane.highlighted_code == "referral.tip_lines"
        await pilot.press("t")  # the new code is applied at once
        assert [r[1] for r in rows(project)] == ["referral.tip_lines"]
        await pilot.press("E", "tab", "end", *" Or a hotline.", "ctrl+s")
        await pilot.pause()
        assert project.codebook.get("referral.tip_lines").definition == "Calls to a tip line. Or a hotline."
        assert "Or a hotline." in app.codebook_pane.query_one("#code-detail").text.plain


async def test_an_invalid_new_code_is_refused_and_the_file_unchanged(project, interview):
    before = project.codebook_path.read_text(encoding="utf-8")
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A", *"Bad Id", "enter", *"Name", "ctrl+s")
        await pilot.pause()
        assert "Invalid code id part" in str(app.query_one("#status").content)
    assert project.codebook_path.read_text(encoding="utf-8") == before


def test_the_memos_view_hides_other_coders_memos_on_a_blind_transcript(project, interview, second, assign):
    from qualcode.coding.memos import set_target_memo
    from qualcode.tui.state import CodingState

    assign("irr-1", ["vsp-2"], ["ana", "ben"])
    ben = CodingSession(project, "ben")
    for tid in ("vsp-1", "vsp-2"):
        coding = ben.tag(tid, 2, ["referral.hotline"]).added[0]
        ben.set_memo(coding.id, f"ben on {tid}")
        set_target_memo(ben, f"ben's transcript memo on {tid}", transcript_id=tid)
    set_target_memo(ben, "ben on a code", code_id="referral")
    shown = {(e.on, e.text) for e in CodingState(project, "ana", "vsp-1", suggesters=[]).memo_entries()}
    assert shown == {("code", "ben on a code"), ("coding", "ben on vsp-1"),
                     ("transcript", "ben's transcript memo on vsp-1")}


async def test_a_turn_marked_nothing_to_code_is_not_coded_until_cleared(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("minus")
        await type_code(pilot, "hotline")
        assert "marked nothing to code by ana; clear that mark first" in str(app.query_one("#status").content)
        assert rows(project) == []
        await pilot.press("minus")  # cleared: now it codes
        await type_code(pilot, "hotline")
        assert [r[1] for r in rows(project)] == ["referral.hotline"]
        assert "-nothing to code (vsp-1 turn 2)" not in str(app.query_one("#status").content)
