"""The screen's refresh tick re-reads a transcript's codings only when someone else changed them.

After the coder's own action the screen has already re-read the turns it touched; a
full re-read on the next tick (every coding of the transcript) is what made keys slow
every two seconds. Anything another coder (or another window of the same coder) does
must still show.
"""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qualcode.coding.session import CodingSession
from qualcode.errors import QualcodeError
from qualcode.tui import state as state_module
from qualcode.tui.queries import load_marks
from qualcode.tui.state import CodingState
from tests.helpers import INTERVIEW, add_coders, add_transcript

pytestmark = pytest.mark.coders("ana", "ben")


@pytest.fixture
def full_reads(monkeypatch):
    """Counts the screen's reads of a whole transcript's codings (no segment filter)."""
    calls: list[str] = []

    def counting(conn, transcript_id, **kwargs):
        if kwargs.get("segment_ids") is None:
            calls.append(transcript_id)
        return load_marks(conn, transcript_id, **kwargs)

    monkeypatch.setattr(state_module, "load_marks", counting)
    return calls


def shown(state: CodingState, ordinal: int) -> set[tuple[str, str]]:
    return {(m.coder, m.code_id) for m in state.mine(ordinal) + state.others(ordinal)}


OWN_ACTIONS = {
    "toggle": lambda s: s.toggle("challenge.housing"),
    "toggle then undo": lambda s: (s.toggle("challenge.housing"), s.undo()),
    "nothing to code": lambda s: s.toggle_nothing(),
    "done": lambda s: s.toggle_done(),
    "toggle then memo": lambda s: (s.toggle("challenge.housing"), s.set_memo(s.mine(s.current)[0], "a note")),
}


@pytest.mark.parametrize("action", OWN_ACTIONS.values(), ids=OWN_ACTIONS.keys())
def test_own_action_does_not_cause_a_full_reread(project, interview, full_reads, action):
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    full_reads.clear()
    action(state)
    assert state.refresh().changed == set()
    assert full_reads == []


OTHER_CHANGES = {
    "ben tags before ana acts": (lambda ben, ana: ben.tag("vsp-1", 4, ["referral.hotline"]), "before"),
    "ben tags after ana acts": (lambda ben, ana: ben.tag("vsp-1", 4, ["referral.hotline"]), "after"),
    "ana in another window": (lambda ben, ana: ana.tag("vsp-1", 4, ["referral.hotline"]), "before"),
}


@pytest.mark.parametrize(("change", "when"), OTHER_CHANGES.values(), ids=OTHER_CHANGES.keys())
def test_other_changes_still_show_after_an_own_action(project, interview, full_reads, change, when):
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    ben, other_window = CodingSession(project, "ben"), CodingSession(project, "ana")
    if when == "before":
        change(ben, other_window)
    state.toggle("challenge.housing")  # turn 2
    if when == "after":
        change(ben, other_window)
    full_reads.clear()
    outcome = state.refresh()
    assert full_reads == ["vsp-1"]
    assert 4 in outcome.changed
    assert any(code == "referral.hotline" for _, code in shown(state, 4))


def test_another_coders_undo_right_after_an_own_action_shows(project, interview, full_reads):
    ben = CodingSession(project, "ben")
    ben.tag("vsp-1", 4, ["referral.hotline"])
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    ben.undo()
    state.toggle("challenge.housing")
    state.refresh()
    assert shown(state, 4) == set()


class ScreenAgainstStore(RuleBasedStateMachine):
    """Ana's screen and Ben (another process) act in any order; after each refresh the screen
    shows exactly what the store holds, the codebook pane's counts included."""

    def __init__(self) -> None:
        super().__init__()
        self.tid = f"vsp-m{len(PROJECT)}"  # a fresh transcript per example: nothing left from the last one
        PROJECT.append(add_transcript(PROJECT[0], self.tid, "service_provider", INTERVIEW))
        self.state = CodingState(PROJECT[0], "ana", self.tid, suggesters=[])
        # Ben is new in each example: his undo never reaches an earlier example's transcript,
        # whose counts the screen picks up only on a later recount (CodingApp: RECOUNT_EVERY).
        ben = f"ben{len(PROJECT)}"
        add_coders(PROJECT[0], ben)
        self.ben = CodingSession(PROJECT[0], ben)
        self.other_window = CodingSession(PROJECT[0], "ana")  # ana's second window (issue 20)
        self.edited_elsewhere = False  # since the last tick

    @rule(turn=st.sampled_from([2, 4]), code=st.sampled_from(["challenge.housing", "referral.hotline"]))
    def ana_toggles(self, turn, code):
        self.state.go_to(turn)
        with contextlib.suppress(QualcodeError):  # the turn is marked nothing to code
            self.state.toggle(code)

    @rule()
    def ana_marks_nothing(self):
        with contextlib.suppress(QualcodeError):  # the turn has ana's codings
            self.state.toggle_nothing()

    @rule()
    def ana_undoes(self):
        with contextlib.suppress(QualcodeError):  # nothing left to undo
            self.state.undo()

    @rule(turn=st.sampled_from([2, 4]), code=st.sampled_from(["challenge.housing", "referral.hotline"]))
    def ben_tags(self, turn, code):
        self.ben.tag(self.tid, turn, [code])

    @rule()
    def ben_undoes(self):
        with contextlib.suppress(QualcodeError):  # nothing left to undo
            self.ben.undo()

    @rule(memo=st.sampled_from(["first thought", "second thought", None]))
    def ana_edits_a_memo_in_another_window(self, memo):
        with PROJECT[0].read() as conn:
            mine = load_marks(conn, self.tid, coder="ana")
        if mine:
            self.other_window.set_memo(mine[0].id, memo)
            self.edited_elsewhere = True

    @rule()
    def tick(self):
        self.state.refresh()
        self.edited_elsewhere = False
        with PROJECT[0].read() as conn:
            stored = load_marks(conn, self.tid)
        held = [m for o in (2, 4) for m in self.state.mine(o) + self.state.others(o)]
        assert sorted(held, key=lambda m: m.id) == sorted(stored, key=lambda m: m.id)
        assert counted(self.state) == counted(CodingState(PROJECT[0], "ana", self.tid, suggesters=[]))

    @invariant()
    def own_codings_always_current(self):
        """The coder's own codings are current even between ticks (each action re-reads its turns),
        unless another window of the coder changed one since the last tick."""
        if self.edited_elsewhere:
            return
        with PROJECT[0].read() as conn:
            stored = load_marks(conn, self.tid, coder="ana")
        held = [m for o in (2, 4) for m in self.state.mine(o)]
        assert sorted(held, key=lambda m: m.id) == sorted(stored, key=lambda m: m.id)
        fresh = CodingState(PROJECT[0], "ana", self.tid, suggesters=[])
        mine = {c: n[0] for c, n in counted(self.state).items() if n[0]}
        assert mine == {c: n[0] for c, n in counted(fresh).items() if n[0]}  # others' show on the tick


PROJECT: list = []


def counted(state: CodingState) -> dict[str, tuple]:
    """The codebook pane's counts, leaving out codes with none (a fresh screen lists no entry for them)."""
    return {code: n for code, n in state.counts.items() if n[0] or n[1]}


def test_screen_matches_the_store_after_every_refresh(project):
    PROJECT[:] = [project]
    try:
        run_state_machine_as_test(ScreenAgainstStore, settings=settings(stateful_step_count=10))
    finally:
        PROJECT.clear()


@pytest.mark.parametrize("own_action_between", [False, True], ids=["tick only", "own action, then tick"])
def test_a_memo_edit_in_another_window_shows_at_the_next_tick(project, interview, own_action_between):
    """Window two of the same coder edits the memo of an existing coding (issue 20): window one
    must show it at its next tick, even when its own action came in between."""
    other_window = CodingSession(project, "ana")
    coding = other_window.tag("vsp-1", 4, ["referral.hotline"]).added[0]
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    other_window.set_memo(coding.id, "seen from window two")
    if own_action_between:
        state.go_to(2)
        state.toggle("challenge.housing")
    assert 4 in state.refresh().changed
    assert [m.memo for m in state.mine(4)] == ["seen from window two"]


async def test_two_screens_of_one_coder_see_each_others_memo_edits(project, interview):
    from qualcode.tui.app import CodingApp
    from tests.tui.test_app import SIZE

    CodingSession(project, "ana").tag("vsp-1", 4, ["referral.hotline"])
    one, two = CodingApp(project, "ana", "vsp-1"), CodingApp(project, "ana", "vsp-1")
    async with one.run_test(size=SIZE) as pilot_one, two.run_test(size=SIZE) as pilot_two:
        assert "✎" not in one.transcript_view.turn_text(4)
        [mark] = two.state.mine(4)
        two.state.go_to(4)
        two.state.set_memo(mark, "windows agree")  # what the memo screen saves
        await pilot_one.press("t")  # window one's own action on turn 2 before its tick
        one.refresh_from_store()
        await pilot_one.pause()
        await pilot_two.pause()
        assert "✎" in one.transcript_view.turn_text(4)
        assert [m.memo for m in one.state.mine(4)] == ["windows agree"]
