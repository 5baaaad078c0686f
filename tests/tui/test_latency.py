"""What the coding screen does per key (issue 20's latency), and that doing less never shows stale data.

After the coder's own action the screen re-reads only the turns it touched: no
fingerprint query (the refresh tick checks it), the codebook pane's counts moved by
what changed in those turns, the suggesters not asked again. Whatever the store
holds must still show: compared here with a screen opened afresh on the same store.
"""

from __future__ import annotations

import pytest

from qualcode.coding.blind import Viewer, close_sample
from qualcode.coding.lead import set_lead
from qualcode.coding.session import CodingSession
from qualcode.tui import app as app_module
from qualcode.tui import state as state_module
from qualcode.tui.app import CodingApp
from qualcode.tui.state import CodingState
from tests.tui.conftest import KeywordSuggester
from tests.tui.test_app import SIZE, type_code

pytestmark = pytest.mark.coders("ana", "ben", "lead")

HOTLINE = "referral.hotline"


def fresh(project, coder: str = "ana", transcript_id: str = "vsp-1") -> CodingState:
    """What a screen opened now would show: everything read from the store."""
    return CodingState(project, coder, transcript_id, suggesters=[])


def count(state: CodingState) -> tuple:
    """The screen's count of HOTLINE (a code nobody ever applied has no entry)."""
    return state.counts.get(HOTLINE, (0, None if state.blind else 0))


def held(state: CodingState, ordinal: int) -> list:
    return sorted(state.mine(ordinal) + state.others(ordinal), key=lambda m: m.id)


def assert_shows_the_store(app: CodingApp, project, ordinals=(2, 4)) -> None:
    now = fresh(project, app.state.coder, app.state.transcript.id)
    assert app.codebook_pane._counts.get(HOTLINE, (0, 0)) == count(now) == count(app.state)
    for ordinal in ordinals:
        assert held(app.state, ordinal) == held(now, ordinal)
        shown = app.transcript_view.turn_text(ordinal)
        assert all(m.code_id in shown for m in held(now, ordinal))


async def test_after_t_the_counts_and_turn_show_what_the_store_holds(project, interview, second):
    ben = CodingSession(project, "ben")
    ben.tag("vsp-1", 2, [HOTLINE])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "hotline")  # Enter in the filter applies it to turn 2
        assert app.codebook_pane._counts[HOTLINE] == (1, 2)
        # the whole tree again, on the applied code, its definition shown (drawn once, for it)
        assert app.codebook_pane.highlighted_code == HOTLINE
        assert app.codebook_pane.query_one("#code-detail").text.plain.startswith("Hotlines")
        assert_shows_the_store(app, project)
        await pilot.press("t")  # and t removes it again
        assert app.codebook_pane._counts[HOTLINE] == (0, 1)
        assert_shows_the_store(app, project)
        await pilot.press("u", "U", "u")  # undo, redo, undo: applied again
        assert app.codebook_pane._counts[HOTLINE] == (1, 2)
        assert_shows_the_store(app, project)
        # A second writer on the open transcript: shown on the next refresh tick, counts too.
        ben.tag("vsp-1", 4, [HOTLINE])
        app.refresh_from_store()
        await pilot.pause()
        assert HOTLINE in app.transcript_view.turn_text(4)
        assert app.codebook_pane._counts[HOTLINE] == (1, 3)
        assert_shows_the_store(app, project)


async def test_other_coders_codings_elsewhere_reach_the_counts_within_a_few_ticks(project, interview, second):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        CodingSession(project, "ben").tag("vsp-2", 2, [HOTLINE])  # not the open transcript
        for _ in range(app_module.RECOUNT_EVERY):
            app.refresh_from_store()
        await pilot.pause()
        assert app.codebook_pane._counts[HOTLINE] == (0, 1)
        assert_shows_the_store(app, project)


@pytest.fixture
def fingerprints(monkeypatch):
    """Counts the screen's fingerprint queries."""
    calls: list[str] = []
    real = state_module.transcript_fingerprint

    def counting(conn, transcript_id, coder):
        calls.append(transcript_id)
        return real(conn, transcript_id, coder)

    monkeypatch.setattr(state_module, "transcript_fingerprint", counting)
    return calls


OWN_ACTIONS = {
    "toggle": lambda s: s.toggle("challenge.housing"),
    "toggle, undo, redo": lambda s: (s.toggle("challenge.housing"), s.undo(), s.redo()),
    "nothing to code": lambda s: s.toggle_nothing(),
}


@pytest.mark.parametrize("action", OWN_ACTIONS.values(), ids=OWN_ACTIONS.keys())
def test_an_own_action_queries_no_fingerprint_and_the_tick_one(project, interview, fingerprints, action):
    state = fresh(project)
    fingerprints.clear()
    action(state)
    assert fingerprints == []
    assert state.refresh().changed == set()  # only the coder's own action moved it
    assert fingerprints == ["vsp-1"]


def test_another_window_of_the_coder_still_shows_after_an_own_action(project, interview):
    state = fresh(project)
    state.toggle("challenge.housing")  # turn 2
    CodingSession(project, "ana").tag("vsp-1", 4, [HOTLINE])  # the same coder, another window
    assert 4 in state.refresh().changed
    assert [m.code_id for m in state.mine(4)] == [HOTLINE]
    assert count(state) == count(fresh(project)) == (1, 1)


class CountingSuggester(KeywordSuggester):
    asked: list[int] = []

    def suggest(self, transcript, segment, coder):
        self.asked.append(segment.ordinal)
        return super().suggest(transcript, segment, coder)


def test_suggesters_are_asked_once_per_turn_until_something_else_moves(project, interview):
    CountingSuggester.asked = []
    state = CodingState(project, "ana", "vsp-1", suggesters=[CountingSuggester(project)])
    assert [s.code_id for s in state.suggestions()] == [HOTLINE, "challenge.case_length"]
    state.toggle("challenge.housing")
    state.toggle(HOTLINE)  # applied: no longer suggested, without asking again
    assert [s.code_id for s in state.suggestions()] == ["challenge.case_length"]
    state.undo()
    assert [s.code_id for s in state.suggestions()] == [HOTLINE, "challenge.case_length"]
    assert CountingSuggester.asked == [2]
    state.reject()  # a decision: the suggestions are asked for again
    assert [s.code_id for s in state.suggestions()] == ["challenge.case_length"]
    CodingSession(project, "ben").tag("vsp-1", 2, ["challenge"])  # someone else: asked again after the tick
    state.refresh()
    state.suggestions()
    assert CountingSuggester.asked == [2, 2, 2]


class WholeTranscriptSuggester(KeywordSuggester):
    """Answers for a turn, or for every turn at once (as the stored suggester does); records which."""

    asked: list[object] = []

    def suggest(self, transcript, segment, coder):
        self.asked.append(segment.ordinal)
        return super().suggest(transcript, segment, coder)

    def suggest_transcript(self, transcript, coder):
        self.asked.append("all")
        return {s.ordinal: KeywordSuggester.suggest(self, transcript, s, coder) for s in transcript.segments}


def test_a_whole_transcripts_suggestions_are_read_at_once_and_a_decision_asks_for_its_turn(project, interview):
    WholeTranscriptSuggester.asked = []
    state = CodingState(project, "ana", "vsp-1", suggesters=[WholeTranscriptSuggester(project)])
    alone = CodingState(project, "ana", "vsp-1", suggesters=[KeywordSuggester(project)])
    for ordinal in (2, 4, 2):
        state.go_to(ordinal)
        alone.go_to(ordinal)
        assert state.suggestions() == alone.suggestions()
    assert WholeTranscriptSuggester.asked == ["all"]  # one read for every turn shown
    state.go_to(2)
    state.reject()  # a decision: its turn is asked again, alone
    assert [s.code_id for s in state.suggestions()] == ["challenge.case_length"]
    assert WholeTranscriptSuggester.asked == ["all", 2]
    state.undo()  # the rejected suggestion is back
    assert [s.code_id for s in state.suggestions()] == [HOTLINE, "challenge.case_length"]
    assert WholeTranscriptSuggester.asked == ["all", 2, 2]
    CodingSession(project, "ben").tag("vsp-1", 4, ["challenge"])  # someone else: all asked again after the tick
    state.refresh()
    state.suggestions()
    assert WholeTranscriptSuggester.asked == ["all", 2, 2, "all"]


def test_an_undo_in_another_transcript_moves_the_counts(project, interview, second):
    state = fresh(project, transcript_id="vsp-2")
    state.toggle(HOTLINE)
    state.open("vsp-1")
    assert state.counts[HOTLINE] == (1, 1)
    outcome = state.undo()  # undoes the tag in vsp-2
    assert HOTLINE in outcome.codes
    assert count(state) == count(fresh(project)) == (0, 0)


def test_closing_the_sample_shows_everyones_counts(project, interview, assign, monkeypatch):
    assign("irr-1", ["vsp-1"], ["ana", "ben"])
    set_lead(project, "lead")
    CodingSession(project, "ben").tag("vsp-1", 4, [HOTLINE])
    state = fresh(project)
    assert state.blind and count(state) == (0, None)
    close_sample(project, "irr-1", Viewer("lead", lead=True))
    outcome = state.refresh()
    assert not state.blind and HOTLINE in outcome.codes
    assert count(state) == count(fresh(project)) == (0, 1)


def tree_line(app: CodingApp, code_id: str) -> str:
    """The code's row as the tree paints it now."""
    tree = app.codebook_pane.tree
    index = next(i for i, row in enumerate(tree.rows) if row.code_id == code_id)
    return tree.render_line(index - int(tree.scroll_y)).text


async def test_the_tree_row_shows_each_new_count_and_tick(project, interview):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        code = app.codebook_pane.highlighted_code
        assert code is not None
        for applied in (True, False, True, False, True):
            await pilot.press("t")  # apply, remove, apply, ...: every label is new, and so is the row
            line = tree_line(app, code)
            assert ("✓" in line, "1/1" in line) == (applied, applied), line


PICK_KEYS = {
    "jump list": ("g",),
    "search hits": ("F", *"housing", "enter"),
    "passages": ("P",),
}


@pytest.mark.parametrize("keys", PICK_KEYS.values(), ids=PICK_KEYS.keys())
async def test_a_pick_list_is_mounted_once_and_closing_it_lays_out_nothing(project, interview, keys):
    # A list screen pushed new each time is removed on Esc, and Textual then lays out
    # and repaints the whole coding screen a second time (20-30 ms of CPU on Esc):
    # each list is one installed screen, refilled on each open.
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        first = app.screen
        coding_screen = app.screen_stack[0]
        layouts: list[object] = []
        real = coding_screen._refresh_layout
        coding_screen._refresh_layout = lambda *a, **k: (layouts.append(a), real(*a, **k))[1]
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is coding_screen and first.is_mounted
        assert layouts == []  # shown again as it was: painted, not laid out
        await pilot.press(*keys)
        await pilot.pause()
        assert app.screen is first  # the same screen, not mounted again
        await pilot.press("escape")


async def test_refilling_a_pick_list_repaints_it_and_lays_out_nothing(project, interview, second):
    # The passages then the memos, on the one installed list screen: other rows, another
    # count, a scroll bar or none. A list of widgets or a ScrollView laid the whole screen
    # out once or twice on each open (5-12 ms of CPU each); one fixed-size widget is repainted.
    CodingSession(project, "ben").tag("vsp-2", 4, ["challenge.housing"])
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await type_code(pilot, "housing gap")
        await pilot.press("P")
        await pilot.pause()
        views = app.screen
        layouts: list[object] = []
        real = views._refresh_layout
        views._refresh_layout = lambda *a, **k: (layouts.append(a), real(*a, **k))[1]
        await pilot.press("escape", "M")
        await pilot.pause()
        assert app.screen is views and views.lines == []
        await pilot.press("escape", "P", *"ben")
        await pilot.pause()
        assert app.screen is views and [line.split()[:2] for line in views.lines] == [["vsp-2", "#4"]]
        assert layouts == []
