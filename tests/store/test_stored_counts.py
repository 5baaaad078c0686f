"""The counts kept as data (store/stored_counts.py, store/turn_totals.py): after any
sequence of writes -- tag, untag, remove, undo, redo, bulk autocoding as a coder, codings
import, a bundle merge, re-anchoring after a re-import, a transcript's new id, its removal
and restore, a new transcript's import -- the stored ``coder_turns`` and ``code_turns``
equal a recomputation from ``codings``, and the totals kept from them and from the
segments (``coder_transcripts``, ``transcript_turns``) a recomputation from those. Bulk autocoding counts each part once
(``counted_once``: the triggers skip its keys, the part's end recounts them), and the
counts are also checked against a count of the codings rows in Python.
Runs on both back ends (QUALCODE_TEST_DATABASE_URL selects PostgreSQL)."""

from __future__ import annotations

import csv
import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, insert, select

from qualcode.coding.autocode.results import Proposal
from qualcode.coding.autocode.stored import apply_as_coder
from qualcode.coding.session import CodingSession
from qualcode.errors import QualcodeError
from qualcode.interop.bundles import export_coder_bundle
from qualcode.interop.merge import merge_bundle
from qualcode.interop.spreadsheets import import_codings
from qualcode.project import Project
from qualcode.store.schema import code_turns, coder_turns, codings, counts_deferred, segments
from qualcode.store.stored_counts import count_problems, counted_once, rebuild_counts
from qualcode.store.transcripts import (
    load_transcript,
    replace_transcript,
    segment_ids,
    transcript_row,
)
from qualcode.transcripts.corrections import remove_transcript, restore_transcript, set_transcript
from qualcode.transcripts.model import Transcript, Turn, render
from qualcode.transcripts.reanchor import reanchor_codings
from tests.conftest import use_codebook
from tests.helpers import DATA, INTERVIEW, add_coders, add_transcript

pytestmark = pytest.mark.coders("ana", "ben")

CODES = ["referral.hotline", "referral.law_enforcement", "challenge.housing", "challenge.case_length"]
PHRASES = {2: [None, "Mostly", "hotline", "Police", "three years"], 4: [None, "housing", "Shelters"]}
CORRECTED = [INTERVIEW[0], ("Interviewer", "One more thing first."), ("Respondent", "Sure, the hotline."),
             ("Respondent", "Mostly, um, the hotline. Police also bring us clients."), *INTERVIEW[2:]]
SERIAL = itertools.count(1)


def test_counts_follow_every_write_path_of_codings(project, tmp_path):
    bundle = _alice_bundle(tmp_path)
    run_state_machine_as_test(lambda: CountsMachine(project, bundle), settings=settings(stateful_step_count=15))


def test_a_wrong_count_is_found_and_rebuilt(project, interview):
    CodingSession(project, "ana").tag("vsp-1", 2, ["referral.hotline"])
    with project.write() as conn:
        conn.execute(code_turns.update().values(turns=code_turns.c.turns + 1))
        assert count_problems(conn) == [
            "code_turns: 1 row(s) differ from codings, e.g. ('ana', 'referral.hotline', 'vsp-1'): stored 2, recomputed 1"]
        rebuild_counts(conn)
        assert count_problems(conn) == []


def test_codings_of_one_code_in_one_statement_are_one_turn(project, interview):
    """Several codings of one key in one statement: PostgreSQL's statement trigger counts
    them together (one turn, three codings), SQLite's row triggers one after another."""
    now = datetime.now(UTC)
    with project.write() as conn:
        second = segment_ids(conn, "vsp-1")[2]
        conn.execute(insert(codings), [
            {"transcript_id": "vsp-1", "segment_id": second, "coder": "ana", "code_id": "referral.hotline",
             "start_offset": 40 + k * 5, "end_offset": 42 + k * 5, "origin": "manual", "orphaned": False,
             "created_at": now, "updated_at": now} for k in range(3)])
    with project.read() as conn:
        assert conn.execute(select(code_turns.c.turns)).scalars().all() == [1]
        assert conn.execute(select(coder_turns.c.codings)).scalars().all() == [3]
        assert count_problems(conn) == []


def _coding(segment: int, coder: str, code: str, start: int) -> dict:
    now = datetime.now(UTC)
    return {"transcript_id": "vsp-1", "segment_id": segment, "coder": coder, "code_id": code, "start_offset": start,
            "end_offset": start + 2, "origin": "rules", "orphaned": False, "created_at": now, "updated_at": now}


def _counted(conn) -> tuple[list, list]:
    return (conn.execute(select(coder_turns.c.coder, coder_turns.c.codings).order_by(coder_turns.c.coder)).all(),
            conn.execute(select(code_turns.c.coder, code_turns.c.turns).order_by(code_turns.c.coder)).all())


def test_a_bulk_write_is_counted_once_at_the_end_of_its_block(project, interview):
    """Inside counted_once the triggers leave the deferred (coder, transcript) alone (the
    rows appear only at the end, recounted); another coder's write is counted at once."""
    with project.write() as conn:
        second = segment_ids(conn, "vsp-1")[2]
        with counted_once(conn, {("ana", "vsp-1")}) as deferred:
            conn.execute(insert(codings), [_coding(second, "ana", "referral.hotline", 40 + 5 * k) for k in range(3)])
            conn.execute(insert(codings), [_coding(second, "ben", "referral.hotline", 40)])
            assert deferred is True
            assert _counted(conn) == ([("ben", 1)], [("ben", 1)])
        assert _counted(conn) == ([("ana", 3), ("ben", 1)], [("ana", 1), ("ben", 1)])
        assert count_problems(conn) == []


def test_a_failure_inside_the_block_still_recounts_and_switches_back(project, interview):
    """A caller that catches the error and commits must not leave the triggers off."""
    with project.write() as conn:
        second = segment_ids(conn, "vsp-1")[2]
        with pytest.raises(ValueError, match="planned"), counted_once(conn, {("ana", "vsp-1")}):
            conn.execute(insert(codings), [_coding(second, "ana", "referral.hotline", 40)])
            raise ValueError("planned")
    with project.read() as conn:
        assert count_problems(conn) == []
        assert conn.execute(select(func.count()).select_from(counts_deferred)).scalar() == 0
    CodingSession(project, "ana").tag("vsp-1", 4, ["challenge.housing"])  # the triggers count again
    with project.read() as conn:
        assert _counted(conn) == ([("ana", 1), ("ana", 1)], [("ana", 1), ("ana", 1)])
        assert count_problems(conn) == []


def _alice_bundle(tmp_path):
    """A coder bundle of alice's codings of vsp-1, made on her own copy of the project."""
    root = tmp_path / "laptop"
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    laptop = Project(root)
    add_transcript(laptop, "vsp-1", "service_provider", INTERVIEW)
    add_coders(laptop, "alice")
    alice = CodingSession(laptop, "alice")
    alice.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline")
    alice.tag("vsp-1", 2, ["referral.hotline"], text="three years")
    alice.tag("vsp-1", 4, ["challenge.housing"])
    return export_coder_bundle(laptop, "alice", tmp_path / "alice.qcb").path


class CountsMachine(RuleBasedStateMachine):
    """Model: the recomputation of the counts from the codings table (count_problems)."""

    def __init__(self, project: Project, bundle) -> None:
        super().__init__()
        self.project, self.bundle = project, bundle
        # Each example has its own transcripts and coders (their own undo stacks), so an
        # example replays alike; vsp-1 is shared: the bundle's codings are merged onto it.
        prefix = self.prefix = f"c{next(SERIAL)}"
        self.ids = [f"{prefix}-a", f"{prefix}-b"]
        self.coders = [f"ana-{prefix}", f"ben-{prefix}"]
        add_coders(project, *self.coders)
        for tid in [*self.ids, "vsp-1"]:
            if not self._exists(tid):
                add_transcript(project, tid, "service_provider", INTERVIEW)
        self.removed: list[str] = []
        with project.write() as conn:  # each example starts right, whatever the last one left
            rebuild_counts(conn)

    def _exists(self, tid: str) -> bool:
        with self.project.read() as conn:
            return transcript_row(conn, tid) is not None

    @rule(c=st.integers(0, 1), n=st.integers(0, 1), ordinal=st.sampled_from([2, 4]),
          code=st.sampled_from(CODES), phrase=st.integers(0, 4))
    def tag(self, c, n, ordinal, code, phrase):
        coder = self.coders[c]
        text = PHRASES[ordinal][phrase % len(PHRASES[ordinal])]
        _attempt(lambda: CodingSession(self.project, coder).tag(self.ids[n], ordinal, [code], text=text))

    @rule(c=st.integers(0, 1), n=st.integers(0, 1), code=st.sampled_from(CODES))
    def tag_two_spans(self, c, n, code):
        """Two codings of one code on one turn: one reference, two codings."""
        coder = self.coders[c]
        session = CodingSession(self.project, coder)
        _attempt(lambda: session.tag(self.ids[n], 2, [code], text="Mostly"))
        _attempt(lambda: session.tag(self.ids[n], 2, [code], text="three years"))

    @rule(c=st.integers(0, 1), n=st.integers(0, 1), ordinal=st.sampled_from([2, 4]),
          code=st.sampled_from(CODES))
    def untag(self, c, n, ordinal, code):
        coder = self.coders[c]
        _attempt(lambda: CodingSession(self.project, coder).untag(self.ids[n], ordinal, [code]))

    @rule(c=st.integers(0, 1))
    def remove_one(self, c):
        coder = self.coders[c]
        with self.project.read() as conn:
            found = conn.execute(select(func.max(codings.c.id)).where(codings.c.coder == coder)).scalar()
        if found is not None:
            _attempt(lambda: CodingSession(self.project, coder).remove(found))

    @rule(c=st.integers(0, 1), times=st.integers(1, 3))
    def undo(self, c, times):
        coder = self.coders[c]
        for _ in range(times):
            _attempt(CodingSession(self.project, coder).undo)

    @rule(c=st.integers(0, 1))
    def redo(self, c):
        coder = self.coders[c]
        _attempt(CodingSession(self.project, coder).redo)

    @rule(c=st.integers(0, 1), which=st.sampled_from([[0], [1], [0, 1]]), code=st.sampled_from(CODES),
          every_turn=st.booleans(), spans=st.sampled_from(["start", "both ends", "whole"]))
    def autocode_as(self, c, which, code, every_turn, spans):
        """Bulk (counted once per part, not by the triggers), on one transcript or both:
        proposals on the respondent turns or on every turn, at a turn's start, at both
        its ends (two codings of one code on one turn) or over the whole turn (merging
        the codings there: deletes and updates); the first one twice (merged like a tag)."""
        where = {"start": lambda s: [(s.start, s.start + 6)], "both ends": lambda s: [(s.start, s.start + 6), (s.end - 6, s.end)],
                 "whole": lambda s: [(s.start, s.end)]}[spans]
        proposals = []
        with self.project.read() as conn:
            for tid in (self.ids[n] for n in which if transcript_row(conn, self.ids[n]) is not None):
                transcript, ids = load_transcript(conn, tid), segment_ids(conn, tid)
                proposals += [Proposal(tid, s.ordinal, ids[s.ordinal], "service_provider", code, start, end, 1.0, {})
                              for s in transcript.segments if every_turn or not s.is_interviewer for start, end in where(s)]
        _attempt(lambda: apply_as_coder(self.project, self.coders[c], proposals + proposals[:1]))

    @rule(c=st.integers(0, 1), n=st.integers(0, 1), codes=st.lists(st.sampled_from(CODES), min_size=1,
                                                                               max_size=3))
    def import_rows(self, c, n, codes):
        coder = self.coders[c]
        path = self.project.root / f"import-{next(SERIAL)}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["transcript", "coder", "code", "segment"])
            writer.writerows([self.ids[n], coder, code, 2 + 2 * (k % 2)] for k, code in enumerate(codes))
        _attempt(lambda: import_codings(self.project, path))

    @rule()
    def merge(self):
        _attempt(lambda: merge_bundle(self.project, self.bundle))

    @rule(n=st.integers(0, 1), back=st.booleans())
    def reimport(self, n, back):
        """A corrected text: the codings are re-anchored onto the new turns or orphaned."""
        tid = self.ids[n]
        turns = INTERVIEW if back else CORRECTED
        text, segments = render([Turn(s, t) for s, t in turns], {"Interviewer"})
        new = Transcript(id=tid, title=tid, role="service_provider", site="A", text=text, segments=segments,
                         format="text", source_path=f"{tid}.txt", sha256="v2" if not back else "v1")
        with self.project.write() as conn:
            row = transcript_row(conn, tid)
            if row is None or row.text == text:
                return
            replace_transcript(conn, new)
            reanchor_codings(conn, tid, row.text, new)

    @rule(c=st.integers(0, 1), n=st.integers(0, 1), code=st.sampled_from(CODES),
          ordinals=st.lists(st.integers(1, len(INTERVIEW)), min_size=1, max_size=3))
    def insert_statement(self, c, n, code, ordinals):
        """Codings written by one multi-row INSERT, interviewer turns (1, 3) among them."""
        with self.project.write() as conn:
            if transcript_row(conn, self.ids[n]) is None:
                return
            turns = {o: (i, s, e) for o, i, s, e in conn.execute(
                select(segments.c.ordinal, segments.c.id, segments.c.start_offset, segments.c.end_offset)
                .where(segments.c.transcript_id == self.ids[n]))}
            now = datetime.now(UTC)
            conn.execute(insert(codings), [
                {"transcript_id": self.ids[n], "segment_id": turns[o][0], "coder": self.coders[c], "code_id": code,
                 "start_offset": turns[o][1], "end_offset": turns[o][2], "origin": "manual", "orphaned": False,
                 "created_at": now, "updated_at": now} for o in ordinals])

    @rule(turns=st.integers(1, len(INTERVIEW)))
    def import_transcript(self, turns):
        """A new transcript's segments (interviewer and respondent turns) are inserted."""
        add_transcript(self.project, f"{self.prefix}-new{next(SERIAL)}", "service_provider", INTERVIEW[:turns])

    @rule(n=st.integers(0, 1))
    def rename(self, n):
        """A new id: the turns and codings move to it (an UPDATE of codings.transcript_id)."""
        old = self.ids[n]
        new = f"{old}-r"
        if _attempt(lambda: set_transcript(self.project, old, new_id=new, by="lead")):
            self.ids[n] = new

    @rule(n=st.integers(0, 1))
    def remove_transcript(self, n):
        tid = self.ids[n]
        if _attempt(lambda: remove_transcript(self.project, tid, by="lead")):
            self.removed.append(tid)

    @rule()
    def restore_transcript(self):
        if self.removed:
            tid = self.removed.pop()
            _attempt(lambda: restore_transcript(self.project, tid, by="lead"))

    @invariant()
    def counts_match_the_codings(self):
        with self.project.read() as conn:
            assert count_problems(conn) == []
            assert stored(conn) == counted_in_python(conn)


def stored(conn) -> tuple[dict, dict]:
    return ({(c, t, s): (bool(i), n) for c, t, s, i, n in conn.execute(select(*coder_turns.c))},
            {(c, k, t): n for c, k, t, n in conn.execute(select(*code_turns.c))})


def counted_in_python(conn) -> tuple[dict, dict]:
    """The model: both tables counted from the codings rows in Python, apart from the
    store's own SQL (count_problems' recomputation, the bulk path's recount)."""
    interviewer = dict(conn.execute(select(segments.c.id, segments.c.is_interviewer)).all())
    turns: dict = {}
    referenced: dict = {}
    for coder, code, tid, segment in conn.execute(
            select(codings.c.coder, codings.c.code_id, codings.c.transcript_id, codings.c.segment_id)):
        if segment is None:  # orphaned: counted nowhere
            continue
        _, n = turns.get((coder, tid, segment), (False, 0))
        turns[(coder, tid, segment)] = (bool(interviewer[segment]), n + 1)
        referenced.setdefault((coder, code, tid), set()).add(segment)
    return turns, {key: len(found) for key, found in referenced.items()}


def _attempt(action) -> bool:
    """Run a write; a refusal (nothing to undo, a code already there ...) changes nothing."""
    try:
        action()
    except QualcodeError:
        return False
    return True
