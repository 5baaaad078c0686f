"""A model-based test of finish marks and memos on the coder's undo/redo stack.

A Hypothesis state machine drives random sequences of whole-turn tags and untags,
"nothing to code" marks on turns, "done" on the transcript, memos on the transcript
and on codes, undo and redo, for two coders; after every step each coder's codings,
marks and memos in the store equal a small model:

- a coder's state is (turns coded with which codes, turns marked nothing to code,
  done, memos by target);
- an action that changes nothing (a tag already there, an unchanged memo) is no
  action; a refused one (marking a coded or marked turn, tagging a turn marked
  nothing to code, clearing what is not marked, untagging nothing) changes nothing;
- undo and redo are one per-coder stack of (before, after) states, as for codings:
  a fresh action pushes and clears the redo stack.

``progress`` and the analysis set are checked against the same model: handled turns
are the coded ones and the ones marked nothing to code; done counts as finished.
"""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from qualcode.analysis.analysis_set import analysis_set
from qualcode.analysis.assignments import assign
from qualcode.coding.coders import add_coder
from qualcode.coding.finishing import set_mark
from qualcode.coding.listing import progress
from qualcode.coding.memos import set_target_memo
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError
from qualcode.store.schema import codings, finish_marks, memos, segments
from tests.helpers import INTERVIEW, add_transcript

TURNS = (2, 4)  # the respondent turns of INTERVIEW
CODES = ("referral.hotline", "challenge.housing")
TARGETS = (("transcript", None), ("code", "referral.hotline"), ("code", "challenge"))  # None: the run's transcript
TEXTS = ("", "a note", "two\nlines")
STEPS = settings(stateful_step_count=30)


class Model:
    def __init__(self) -> None:
        self.coded: frozenset = frozenset()  # (ordinal, code)
        self.nothing: frozenset = frozenset()  # ordinals
        self.done = False
        self.memos: dict = {}  # target -> text
        self.undo_stack: list[tuple] = []
        self.redo_stack: list[tuple] = []

    def snapshot(self) -> tuple:
        return self.coded, self.nothing, self.done, tuple(sorted(self.memos.items()))

    def restore(self, snap: tuple) -> None:
        self.coded, self.nothing, self.done, memo_items = snap
        self.memos = dict(memo_items)

    def act(self, before: tuple) -> None:
        self.undo_stack.append((before, self.snapshot()))
        self.redo_stack.clear()


def stored(project, coder: str) -> tuple:
    with project.read() as conn:
        coded = frozenset(conn.execute(
            select(segments.c.ordinal, codings.c.code_id).join(segments, segments.c.id == codings.c.segment_id)
            .where(codings.c.coder == coder)).all())
        marks = conn.execute(select(finish_marks.c.kind, finish_marks.c.ordinal)
                             .where(finish_marks.c.coder == coder)).all()
        notes = conn.execute(select(memos.c.transcript_id, memos.c.code_id, memos.c.text)
                             .where(memos.c.coder == coder)).all()
    nothing = frozenset(o for k, o in marks if k == "nothing")
    memo_map = {("transcript", t) if t else ("code", c): text for t, c, text in notes}
    assert len(notes) == len(memo_map), "one memo per coder and target"
    return coded, nothing, any(k == "done" for k, _ in marks), tuple(sorted(memo_map.items()))


class FinishingMachine(RuleBasedStateMachine):
    project = None
    runs = 0

    @initialize()
    def start(self):
        cls = type(self)
        cls.runs += 1
        self.coders = [f"f{cls.runs}a", f"f{cls.runs}b"]
        for name in self.coders:
            add_coder(self.project, name)
        self.models = {name: Model() for name in self.coders}
        self.tid = f"vsp-{cls.runs}"  # a transcript per run, its first coder assigned (the analysis set counts them)
        add_transcript(self.project, self.tid, "service_provider", INTERVIEW)
        assign(self.project, self.coders[0], [self.tid])

    def _who(self, who):
        coder = self.coders[who]
        return coder, self.models[coder], CodingSession(self.project, coder)

    @rule(who=st.integers(0, 1), ordinal=st.sampled_from(TURNS), code=st.sampled_from(CODES))
    def tag(self, who, ordinal, code):
        _coder, model, session = self._who(who)
        before = model.snapshot()
        if ordinal in model.nothing:  # marked nothing to code: refused until cleared
            with pytest.raises(CodingError, match="marked nothing to code"):
                session.tag(self.tid, ordinal, [code])
            return
        session.tag(self.tid, ordinal, [code])
        if (ordinal, code) not in model.coded:
            model.coded |= {(ordinal, code)}
            model.act(before)

    @rule(who=st.integers(0, 1), ordinal=st.sampled_from(TURNS), code=st.sampled_from(CODES))
    def untag(self, who, ordinal, code):
        _coder, model, session = self._who(who)
        before = model.snapshot()
        if (ordinal, code) in model.coded:
            session.untag(self.tid, ordinal, [code])
            model.coded -= {(ordinal, code)}
            model.act(before)
        else:
            with pytest.raises(CodingError):
                session.untag(self.tid, ordinal, [code])

    @rule(who=st.integers(0, 1), ordinal=st.sampled_from(TURNS), on=st.booleans())
    def nothing(self, who, ordinal, on):
        _coder, model, session = self._who(who)
        before = model.snapshot()
        coded_here = any(o == ordinal for o, _ in model.coded)
        allowed = (ordinal not in model.nothing and not coded_here) if on else ordinal in model.nothing
        if not allowed:
            with pytest.raises(CodingError):
                set_mark(session, self.tid, ordinal, on)
            return
        set_mark(session, self.tid, ordinal, on)
        model.nothing = model.nothing | {ordinal} if on else model.nothing - {ordinal}
        model.act(before)

    @rule(who=st.integers(0, 1), on=st.booleans())
    def done(self, who, on):
        _coder, model, session = self._who(who)
        before = model.snapshot()
        if model.done == on:
            with pytest.raises(CodingError):
                set_mark(session, self.tid, None, on)
            return
        set_mark(session, self.tid, None, on)
        model.done = on
        model.act(before)

    @rule(who=st.integers(0, 1), place=st.sampled_from(TARGETS), text=st.sampled_from(TEXTS))
    def memo(self, who, place, text):
        _coder, model, session = self._who(who)
        before = model.snapshot()
        kind, name = place
        name = name or self.tid
        place = (kind, name)
        result = set_target_memo(session, text, **({"transcript_id": name} if kind == "transcript" else {"code_id": name}))
        if model.memos.get(place, "") == text:
            assert result.group_id is None  # no action
            return
        if text:
            model.memos[place] = text
        else:
            del model.memos[place]
        model.act(before)

    @rule(who=st.integers(0, 1))
    def undo(self, who):
        _coder, model, session = self._who(who)
        if not model.undo_stack:
            with pytest.raises(CodingError, match="Nothing to undo"):
                session.undo()
            return
        session.undo()
        before, after = model.undo_stack.pop()
        model.restore(before)
        model.redo_stack.append((before, after))

    @rule(who=st.integers(0, 1))
    def redo(self, who):
        _coder, model, session = self._who(who)
        if not model.redo_stack:
            with pytest.raises(CodingError, match="Nothing to redo"):
                session.redo()
            return
        session.redo()
        before, after = model.redo_stack.pop()
        model.restore(after)
        model.undo_stack.append((before, after))

    @invariant()
    def store_equals_model(self):
        rows = {(r.coder, r.transcript): r for r in progress(self.project)}
        TID = self.tid
        for coder, model in self.models.items():
            assert stored(self.project, coder) == model.snapshot(), coder
            handled = len({o for o, _ in model.coded} | model.nothing)
            row = rows.get((coder, TID))
            if row is not None:
                assert (row.handled, row.done, row.finished) == (handled, model.done,
                                                                          model.done or handled == len(TURNS))
            else:
                assert not handled and not model.done
        model = self.models[self.coders[0]]
        handled = len({o for o, _ in model.coded} | model.nothing)
        entry, = (e for e in analysis_set(self.project).entries if e.transcript == self.tid)
        assert (entry.handled_turns, entry.done, entry.finished) == (handled, model.done,
                                                                     model.done or handled == len(TURNS))


def test_finish_marks_and_memos_match_their_model(project):
    machine = type("ProjectFinishingMachine", (FinishingMachine,), {"project": project, "runs": 0})
    run_state_machine_as_test(machine, settings=STEPS)
