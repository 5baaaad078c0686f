"""After the coder's own action the screen updates the touched turns from the action's result.

No re-read (issue 20's latency): the result's rows are checked against what the screen
held, and any disagreement falls back to reading the store. Whatever path is taken,
the screen must show exactly the coder's codings as stored, after t, u, U and the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import event

from qualcode.coding.actions import ActionResult, StoredCoding
from qualcode.coding.session import CodingSession
from qualcode.errors import QualcodeError
from qualcode.tui.app import CodingApp
from qualcode.tui.owned import mark_order, own_turns_after
from qualcode.tui.queries import Mark, load_marks
from qualcode.tui.state import CodingState
from tests.helpers import INTERVIEW, add_coders, add_transcript
from tests.tui.test_app import SIZE

pytestmark = pytest.mark.coders("ana", "ben")

CODES = ["referral.hotline", "referral.law_enforcement", "challenge.case_length", "challenge.housing"]


# -- own_turns_after on its own ------------------------------------------------------


def stored(id_: int, segment_id: int = 20, **changes) -> StoredCoding:
    row = StoredCoding(id_, "t", segment_id, "ana", "referral.hotline", 10, 20, "manual", None, None, None,
                       False, None, None, None)
    return dataclasses.replace(row, **changes)


def mark(id_: int, ordinal: int = 2, **changes) -> Mark:
    return dataclasses.replace(Mark(id_, ordinal, "ana", "referral.hotline", 10, 20, "manual", None), **changes)


HELD = {2: [mark(2, start=5), mark(1)], 4: [mark(3, 4)]}  # as the screen holds them: by start, code, id


def after(result: ActionResult, ordinals=(2,)):
    return own_turns_after(HELD, result, coder="ana", ordinal_of={20: 2, 40: 4}, transcript_id="t",
                           ordinals=set(ordinals))


def test_an_action_that_matches_the_screen_gives_the_turns_new_state():
    result = ActionResult("tag", added=(stored(9, start_offset=0), stored(2, start_offset=5, memo="new")),
                          removed=(stored(1),))
    assert after(result) == {2: [mark(9, start=0), mark(2, start=5, memo="new")]}  # by start, code, id
    assert after(ActionResult("untag", removed=(stored(3, 40),)), (2, 4)) == {2: HELD[2], 4: []}


CANNOT_PROVE = {
    "removed, not held": ActionResult("untag", removed=(stored(7),)),
    "removed, held otherwise": ActionResult("untag", removed=(stored(1, memo="edited elsewhere"),)),
    "unchanged, held otherwise": ActionResult("tag", unchanged=(stored(1, end_offset=25),)),
    "another coder's": ActionResult("tag", added=(stored(9, coder="ben"),)),
    "another transcript": ActionResult("tag", added=(stored(9, transcript_id="u"),)),
    "a turn not touched": ActionResult("tag", added=(stored(9, 40),)),
    "no segment": ActionResult("tag", added=(stored(9, None),)),
    "orphaned": ActionResult("tag", added=(stored(9, orphaned=True),)),
    "one coding twice": ActionResult("tag", added=(stored(9),), removed=(stored(9),)),
    "stored on a turn, held on another": ActionResult("tag", added=(stored(3),)),
}


@pytest.mark.parametrize("result", CANNOT_PROVE.values(), ids=CANNOT_PROVE.keys())
def test_a_result_that_disagrees_with_the_screen_proves_nothing(result):
    assert after(result) is None


# -- the state: own actions against the store ------------------------------------------------------


@pytest.fixture
def statements(project, monkeypatch):
    """SQL statements run, split into those inside the coding core's write and the rest."""
    counts = {"write": 0, "screen": 0}
    inside = [False]

    def count(*_args) -> None:
        counts["write" if inside[0] else "screen"] += 1

    def within(real):
        def wrapped(*args, **kwargs):
            inside[0] = True
            try:
                return real(*args, **kwargs)
            finally:
                inside[0] = False
        return wrapped

    for name in ("tag", "untag", "undo", "redo", "set_memo"):
        monkeypatch.setattr(CodingSession, name, within(getattr(CodingSession, name)))
    event.listen(project.engine, "before_cursor_execute", count)
    yield counts
    event.remove(project.engine, "before_cursor_execute", count)


def whole(s):
    return s.toggle("referral.hotline")


def words(s):
    s.select_text(2, *s.words(2)[1])
    return s.toggle("referral.hotline")


def merged(s):  # two sub-spans, then a span over both: one coding removed, one extended
    first, second, third = s.words(2)[:3]
    for start, end in (first, third, (first[0], third[1])):
        s.select_text(2, start, end)
        s.toggle("challenge.housing")


def memo(s):
    return s.set_memo(s.mine(2)[0], "a note")


SEQUENCES = {
    "t": [whole], "t t": [whole, whole], "t u": [whole, "undo"], "t u U": [whole, "undo", "redo"],
    "t u U u": [whole, "undo", "redo", "undo"], "words t u U": [words, "undo", "redo"],
    "merge u u U": [merged, "undo", "undo", "redo"], "t memo u U": [whole, memo, "undo", "redo"],
}


@pytest.mark.parametrize("steps", SEQUENCES.values(), ids=SEQUENCES.keys())
def test_an_own_action_asks_the_store_nothing_beyond_its_write(project, interview, statements, steps):
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    state.go_to(2)
    for step in steps:
        statements.update(write=0, screen=0)
        getattr(state, step)() if isinstance(step, str) else step(state)
        assert statements["write"] > 0
        assert statements["screen"] == 0  # before: a read transaction re-reading the turn
        assert_shows_the_store(state)


def stored_turns(project, coder: str, transcript_id: str) -> dict[int, list[Mark]]:
    with project.read() as conn:
        marks = load_marks(conn, transcript_id, coder=coder)
    turns: dict[int, list[Mark]] = {}
    for m in marks:
        turns.setdefault(m.ordinal, []).append(m)
    return {o: sorted(ms, key=mark_order) for o, ms in turns.items()}


def assert_shows_the_store(state: CodingState) -> None:
    """The coder's codings on every turn exactly as stored (order of the tags too), and their counts."""
    held = {o: state.mine(o) for o in range(1, len(state.transcript.segments) + 1) if state.mine(o)}
    assert held == stored_turns(state.project, state.coder, state.transcript.id)
    fresh = CodingState(state.project, state.coder, state.transcript.id, suggesters=[])
    assert {c: n[0] for c, n in state.counts.items() if n[0]} == {c: n[0] for c, n in fresh.counts.items() if n[0]}


def test_a_coding_changed_in_another_window_falls_back_to_the_store(project, interview, statements):
    state = CodingState(project, "ana", "vsp-1", suggesters=[])
    state.go_to(2)
    coding = state.toggle("referral.hotline")
    CodingSession(project, "ana").set_memo(state.mine(2)[0].id, "window two")  # not shown yet
    assert coding.changed == {2}
    statements.update(write=0, screen=0)
    state.toggle("referral.hotline")  # the removed row's memo disagrees with the screen's
    assert statements["screen"] >= 1  # so the turn is read again (SQLite counts its BEGIN too)
    assert_shows_the_store(state)


class OwnActionsAgainstStore(RuleBasedStateMachine):
    """Ana codes words, sentences and whole turns, undoes, redoes and writes memos in any
    order; her other window sometimes changes a coding. Unless that window acted since the
    last tick, after every step the screen holds exactly her stored codings (each tag in
    the stored order); after a tick, always."""

    def __init__(self) -> None:
        super().__init__()
        self.tid = f"vsp-o{len(PROJECT)}"
        PROJECT.append(add_transcript(PROJECT[0], self.tid, "service_provider", INTERVIEW))
        coder = f"ana{len(PROJECT)}"  # new in each example: undo never reaches an earlier one's transcript
        add_coders(PROJECT[0], coder)
        self.state = CodingState(PROJECT[0], coder, self.tid, suggesters=[])
        self.other_window = CodingSession(PROJECT[0], coder)
        self.stale = False  # the other window acted since the last tick

    @rule(turn=st.sampled_from([2, 4]), code=st.sampled_from(CODES), first=st.integers(0, 9), size=st.integers(0, 9))
    def toggles_words(self, turn, code, first, size):
        spans = self.state.words(turn)
        first = min(first, len(spans) - 1)
        last = min(first + size, len(spans) - 1)
        self.state.select_text(turn, spans[first][0], spans[last][1])
        with contextlib.suppress(QualcodeError):  # the turn is marked nothing to code
            self.state.toggle(code)

    @rule(turn=st.sampled_from([2, 4]), code=st.sampled_from(CODES))
    def toggles_the_turn(self, turn, code):
        self.state.go_to(turn)
        with contextlib.suppress(QualcodeError):
            self.state.toggle(code)

    @rule()
    def undoes(self):
        with contextlib.suppress(QualcodeError):  # nothing to undo, or changed since by the other window
            self.state.undo()

    @rule()
    def redoes(self):
        with contextlib.suppress(QualcodeError):  # nothing to redo, or changed since
            self.state.redo()

    @rule(text=st.sampled_from(["a note", "another", ""]))
    def writes_a_memo(self, text):
        target = self.state.memo_target()
        if target is not None:
            with contextlib.suppress(QualcodeError):  # the other window removed it
                self.state.set_memo(target, text)

    @rule()
    def marks_nothing_to_code(self):
        with contextlib.suppress(QualcodeError):  # the turn has codings
            self.state.toggle_nothing()

    @rule(turn=st.sampled_from([2, 4]), code=st.sampled_from(CODES), memo=st.booleans())
    def other_window_acts(self, turn, code, memo):
        with contextlib.suppress(QualcodeError):
            if memo:
                mine = stored_turns(PROJECT[0], self.state.coder, self.tid).get(turn)
                if mine:
                    self.other_window.set_memo(mine[0].id, "from window two")
            else:
                self.other_window.tag(self.tid, turn, [code])
            self.stale = True

    @precondition(lambda self: self.stale)
    @rule()
    def tick(self):
        self.state.refresh()
        self.stale = False
        assert_shows_the_store(self.state)

    @invariant()
    def shows_the_store(self):
        if not self.stale:
            assert_shows_the_store(self.state)


PROJECT: list = []


def test_own_actions_show_exactly_what_the_store_holds(project):
    PROJECT[:] = [project]
    try:
        run_state_machine_as_test(OwnActionsAgainstStore, settings=settings(stateful_step_count=15))
    finally:
        PROJECT.clear()


# -- the screen itself, key by key --------------------------------------------------------


KEYS = {"t": ["t"], "t u U": ["t", "u", "U"], "t t u u U U": ["t", "t", "u", "u", "U", "U"],
        "w W t u U u": ["w", "W", "t", "u", "U", "u"], "s t l t u u U": ["s", "t", "l", "t", "u", "u", "U"]}


@pytest.mark.parametrize("keys", KEYS.values(), ids=KEYS.keys())
async def test_after_each_key_the_screen_shows_what_the_store_holds(project, interview, keys):
    app = CodingApp(project, "ana", "vsp-1")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.codebook_pane.highlight("challenge.housing")  # what t applies
        assert app.codebook_pane.highlighted_code == "challenge.housing"
        coded = False
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            assert_shows_the_store(app.state)
            for ordinal, marks in stored_turns(project, "ana", "vsp-1").items():
                drawn = app.transcript_view.turn_text(ordinal)
                assert all(m.code_id in drawn for m in marks)
            assert "challenge.housing" not in app.transcript_view.turn_text(4)  # only turn 2 was coded
            coded = coded or "challenge.housing" in app.transcript_view.turn_text(2)
        assert coded  # t did code (the sequence is not trivially empty)
