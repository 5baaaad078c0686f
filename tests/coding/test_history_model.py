"""A model-based test of the coding core.

A Hypothesis state machine drives random sequences of tag, sub-span tag, bulk tags (as
autocoding as a coder applies them), untag, memo, accept, reject, undo and redo across
two coders, and after every step checks that each
coder's codings and suggestion decisions in the store equal a small in-memory model:

- a coder's state is their codings (in creation order, with memos) and decisions;
- tagging merges overlapping spans of one code in one turn into one coding (the
  oldest coding survives, with its memo); a tag that changes nothing is no action;
- every other action (untag, memo, accept, reject) is one action even when it
  changes nothing visible; an action that fails changes nothing;
- undo and redo are a per-coder stack of (before, after) states: a fresh action
  pushes onto the undo stack and clears the redo stack.

One rule also checks that k undos followed by k redos restore the store exactly
(ids, spans, memos, origins), at any depth. A second test runs the same machine while
another process codes as a third coder in the same project.
"""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import insert, select

from qualcode.coding.bulk import apply_many
from qualcode.coding.coders import add_coder
from qualcode.coding.session import CodingSession
from qualcode.coding.suggesters import Suggestion, accept, reject
from qualcode.errors import CodingError
from qualcode.store.codings import now
from qualcode.store.schema import codings, segments, suggestions
from qualcode.store.transcripts import segment_ids
from tests.helpers import INTERVIEW, add_transcript

CODES = ("referral.hotline", "challenge.housing")
MEMOS = (None, "key quote", "unsure: hotline or police?")
TURNS = (2, 4)  # the respondent turns of INTERVIEW
STEPS = settings(stateful_step_count=30)


# -- the model -----------------------------------------------------------------------


class CoderModel:
    """What one coder expects: codings by birth order, decisions, and the undo/redo stacks."""

    def __init__(self) -> None:
        self.codings: dict[int, tuple] = {}  # birth -> (ordinal, code, start, end, memo)
        self.decisions: frozenset = frozenset()  # (ordinal, code, source, status)
        self.undo_stack: list[tuple] = []
        self.redo_stack: list[tuple] = []

    def snapshot(self) -> tuple:
        return (tuple(sorted(self.codings.items())), self.decisions)

    def restore(self, snap: tuple) -> None:
        self.codings, self.decisions = dict(snap[0]), snap[1]

    def act(self, before: tuple) -> None:
        self.undo_stack.append((before, self.snapshot()))
        self.redo_stack.clear()

    def tag(self, ordinal, code, start, end, births) -> bool:
        """The session's merge rule; False when nothing changed (no action is logged)."""
        overlaps = sorted(b for b, (o, c, s, e, _m) in self.codings.items()
                          if o == ordinal and c == code and s < end and e > start)
        if not overlaps:
            self.codings[next(births)] = (ordinal, code, start, end, None)
            return True
        keep, *others = overlaps
        new_start = min(start, *(self.codings[b][2] for b in overlaps))
        new_end = max(end, *(self.codings[b][3] for b in overlaps))
        for b in others:
            del self.codings[b]
        _o, _c, s, e, memo = self.codings[keep]
        self.codings[keep] = (ordinal, code, new_start, new_end, memo)
        return bool(others) or (s, e) != (new_start, new_end)

    def untag(self, ordinal, code) -> bool:
        doomed = [b for b, (o, c, *_rest) in self.codings.items() if o == ordinal and c == code]
        for b in doomed:
            del self.codings[b]
        return bool(doomed)

    def expected(self) -> list[tuple]:
        return [value for _birth, value in sorted(self.codings.items())]


def _births():
    n = 0
    while True:
        n += 1
        yield n


# -- reading the store -----------------------------------------------------------------


def stored_codings(project, coder: str, *, exact: bool = False) -> list[tuple]:
    """The coder's codings in id order: (ordinal, code, start, end, memo) [+ id, origin, confidence]."""
    query = (
        select(codings.c.id, segments.c.ordinal, codings.c.code_id, codings.c.start_offset,
               codings.c.end_offset, codings.c.memo, codings.c.origin, codings.c.confidence)
        .join(segments, segments.c.id == codings.c.segment_id)
        .where(codings.c.coder == coder).order_by(codings.c.id)
    )
    with project.read() as conn:
        rows = conn.execute(query).all()
    return [tuple(r[1:6]) + ((r[0], r[6], r[7]) if exact else ()) for r in rows]


def stored_decisions(project, coder: str) -> frozenset:
    query = (
        select(segments.c.ordinal, suggestions.c.code_id, suggestions.c.source, suggestions.c.status)
        .join(segments, segments.c.id == suggestions.c.segment_id)
        .where(suggestions.c.decided_by == coder)
    )
    with project.read() as conn:
        return frozenset(tuple(r) for r in conn.execute(query))


def add_open_suggestions(project, transcript) -> list[Suggestion]:
    """Open suggestions every coder is offered: whole turns and a sub-span, rules and model."""
    wanted = [(2, "referral.hotline", "rules", None), (2, "challenge.housing", "model", (0, 12)),
              (4, "challenge.housing", "rules", None), (4, "referral.hotline", "model", (5, 30))]
    out = []
    with project.write() as conn:
        ids = segment_ids(conn, transcript.id)
        for ordinal, code, source, part in wanted:
            seg = transcript.segment(ordinal)
            start, end = (seg.start + part[0], seg.start + part[1]) if part else (seg.start, seg.end)
            sid = conn.execute(insert(suggestions).values(
                transcript_id=transcript.id, segment_id=ids[ordinal], code_id=code, start_offset=start,
                end_offset=end, source=source, score=0.8, evidence={"text": "test"}, status="open",
                created_at=now(),
            )).inserted_primary_key[0]
            out.append(Suggestion(code, start, end, source, "test", 0.8, sid))
    return out


# -- the machine -----------------------------------------------------------------------------


class CodingMachine(RuleBasedStateMachine):
    """Two fresh coders per run, in a project shared by the runs (set by the test)."""

    project = None
    transcript = None
    offered: list[Suggestion] = []
    runs = 0

    @initialize()
    def start(self):
        cls = type(self)
        cls.runs += 1
        self.coders = [f"m{cls.runs}a", f"m{cls.runs}b"]
        for name in self.coders:
            add_coder(self.project, name)
        self.models = {name: CoderModel() for name in self.coders}
        self.births = _births()  # store ids grow across coders; births only need the same order

    # -- actions ---------------------------------------------------------------------

    def _span(self, ordinal, cut):
        seg = self.transcript.segment(ordinal)
        if cut is None:
            return seg.start, seg.end
        a, b = sorted(cut)
        length = seg.end - seg.start
        start, end = seg.start + length * a // 10, seg.start + length * b // 10
        return (start, end) if start < end else (seg.start, seg.end)

    @rule(who=st.integers(0, 1), ordinal=st.sampled_from(TURNS), code=st.sampled_from(CODES),
          cut=st.none() | st.tuples(st.integers(0, 10), st.integers(0, 10)))
    def tag(self, who, ordinal, code, cut):
        coder, model = self.coders[who], self.models[self.coders[who]]
        start, end = self._span(ordinal, cut)
        before = model.snapshot()
        CodingSession(self.project, coder).tag(self.transcript.id, ordinal, [code], span=(start, end))
        if model.tag(ordinal, code, start, end, self.births):
            model.act(before)

    @rule(who=st.integers(0, 1), items=st.lists(
        st.tuples(st.sampled_from(TURNS), st.sampled_from(CODES), st.none() | st.tuples(st.integers(0, 10), st.integers(0, 10))),
        min_size=1, max_size=4,
    ))
    def tag_many(self, who, items):
        """A bulk run (``autocode --as NAME``, a codings import): many tags, one action,
        its inserts logged as one event per transcript."""
        coder, model = self.coders[who], self.models[self.coders[who]]
        spans = [(ordinal, code, *self._span(ordinal, cut)) for ordinal, code, cut in items]
        before = model.snapshot()
        with self.project.write() as conn:
            ids = segment_ids(conn, self.transcript.id)
            apply_many(conn, coder, "autocode", [
                {"transcript_id": self.transcript.id, "segment_id": ids[ordinal], "coder": coder, "code_id": code,
                 "start_offset": start, "end_offset": end, "origin": "rules", "confidence": 0.5, "memo": None,
                 "codebook_version_id": None}
                for ordinal, code, start, end in spans
            ])
        changed = [model.tag(ordinal, code, start, end, self.births) for ordinal, code, start, end in spans]
        if any(changed):
            model.act(before)

    @rule(who=st.integers(0, 1), ordinal=st.sampled_from(TURNS), code=st.sampled_from(CODES))
    def untag(self, who, ordinal, code):
        coder, model = self.coders[who], self.models[self.coders[who]]
        before = model.snapshot()
        if model.untag(ordinal, code):
            CodingSession(self.project, coder).untag(self.transcript.id, ordinal, [code])
            model.act(before)
        else:
            with pytest.raises(CodingError, match="nothing removed"):
                CodingSession(self.project, coder).untag(self.transcript.id, ordinal, [code])

    @rule(who=st.integers(0, 1), pick=st.integers(0, 20), memo=st.sampled_from(MEMOS))
    def memo(self, who, pick, memo):
        coder, model = self.coders[who], self.models[self.coders[who]]
        if not model.codings:
            return
        birth = sorted(model.codings)[pick % len(model.codings)]
        ordinal, code, start, end, _old = model.codings[birth]
        (coding_id,) = [r[5] for r in stored_codings(self.project, coder, exact=True)
                        if r[:4] == (ordinal, code, start, end)]
        before = model.snapshot()
        CodingSession(self.project, coder).set_memo(coding_id, memo)
        model.codings[birth] = (ordinal, code, start, end, memo)
        model.act(before)

    def _undecided(self, model):
        decided = {(o, c, s) for o, c, s, _status in model.decisions}
        return [(s, self._ordinal_of(s)) for s in self.offered
                if (self._ordinal_of(s), s.code_id, s.source) not in decided]

    def _ordinal_of(self, suggestion):
        return next(s.ordinal for s in self.transcript.segments if s.start <= suggestion.start < s.end)

    @rule(who=st.integers(0, 1), pick=st.integers(0, 20), accepting=st.booleans())
    def decide(self, who, pick, accepting):
        coder, model = self.coders[who], self.models[self.coders[who]]
        open_ones = self._undecided(model)
        if not open_ones:
            return
        suggestion, ordinal = open_ones[pick % len(open_ones)]
        before = model.snapshot()
        if accepting:
            accept(self.project, coder, self.transcript.id, ordinal, suggestion)
            model.tag(ordinal, suggestion.code_id, suggestion.start, suggestion.end, self.births)
        else:
            reject(self.project, coder, self.transcript.id, ordinal, suggestion)
        status = "accepted" if accepting else "rejected"
        model.decisions = model.decisions | {(ordinal, suggestion.code_id, suggestion.source, status)}
        model.act(before)

    @rule(who=st.integers(0, 1))
    def undo(self, who):
        coder, model = self.coders[who], self.models[self.coders[who]]
        if not model.undo_stack:
            with pytest.raises(CodingError, match="Nothing to undo"):
                CodingSession(self.project, coder).undo()
            return
        CodingSession(self.project, coder).undo()
        before, after = model.undo_stack.pop()
        model.restore(before)
        model.redo_stack.append((before, after))

    @rule(who=st.integers(0, 1))
    def redo(self, who):
        coder, model = self.coders[who], self.models[self.coders[who]]
        if not model.redo_stack:
            with pytest.raises(CodingError, match="Nothing to redo"):
                CodingSession(self.project, coder).redo()
            return
        CodingSession(self.project, coder).redo()
        before, after = model.redo_stack.pop()
        model.restore(after)
        model.undo_stack.append((before, after))

    @precondition(lambda self: any(m.undo_stack for m in self.models.values()))
    @rule(who=st.integers(0, 1), depth=st.integers(1, 8))
    def undo_then_redo_restores_exactly(self, who, depth):
        coder, model = self.coders[who], self.models[self.coders[who]]
        depth = min(depth, len(model.undo_stack))
        exact = (stored_codings(self.project, coder, exact=True), stored_decisions(self.project, coder))
        session = CodingSession(self.project, coder)
        for _ in range(depth):
            session.undo()
        for _ in range(depth):
            session.redo()
        assert (stored_codings(self.project, coder, exact=True), stored_decisions(self.project, coder)) == exact
        # The stacks are where they were: the model needs no change.

    # -- the invariant -------------------------------------------------------------------

    @invariant()
    def store_equals_model(self):
        for coder, model in self.models.items():
            assert stored_codings(self.project, coder) == model.expected(), coder
            assert stored_decisions(self.project, coder) == model.decisions, coder


def machine_for(project) -> type[CodingMachine]:
    transcript = add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    offered = add_open_suggestions(project, transcript)
    return type("ProjectCodingMachine", (CodingMachine,),
                {"project": project, "transcript": transcript, "offered": offered, "runs": 0})


def test_the_coding_core_matches_its_model(project):
    run_state_machine_as_test(machine_for(project), settings=STEPS)


# -- with another coder's process writing at the same time -------------------------------------


def _other_coder(root: str, started, stop, done) -> None:
    """Code as 'ben' until told to stop: one-character spans on another transcript, with
    undo/redo cycles at depth two."""
    from qualcode.project import Project
    from qualcode.store.transcripts import load_transcript

    project = Project(Path(root))
    session = CodingSession(project, "ben")
    with project.read() as conn:
        seg = load_transcript(conn, "long-1").segment(2)
    started.set()
    count = 0
    while count < 2 or (not stop.is_set() and count < (seg.end - seg.start) // 2):
        start = seg.start + 2 * count
        session.tag("long-1", 2, ["challenge.housing"], span=(start, start + 1))
        count += 1
        if count % 4 == 0:  # undo and redo interleaved at depth two
            session.undo()
            session.undo()
            session.redo()
            session.undo()
            session.redo()
            session.redo()
        done.value = count
    project.close()


@pytest.mark.coders("ben")
def test_the_model_holds_while_another_coder_process_writes(project):
    machine = machine_for(project)
    seg = add_transcript(project, "long-1", "service_provider",
                         [("Interviewer", "Tell me?"), ("Respondent", "Words and more words. " * 60)]).segment(2)
    context = mp.get_context("spawn")
    started, stop, done = context.Event(), context.Event(), context.Value("i", 0)
    worker = context.Process(target=_other_coder, args=(str(project.root), started, stop, done))
    worker.start()
    try:
        assert started.wait(120), "the other coder's process did not start"
        before = done.value
        run_state_machine_as_test(machine, settings=settings(STEPS, max_examples=5))
        assert done.value > before, "the other coder wrote nothing while the machine ran"
    finally:
        stop.set()
        worker.join(120)
    assert worker.exitcode == 0
    expected = [(2, "challenge.housing", seg.start + 2 * i, seg.start + 2 * i + 1, None) for i in range(done.value)]
    assert stored_codings(project, "ben") == expected
