"""The plain-Python twins of ``transcripts set|remove|restore``: frozen results, and a
state machine checking that any sequence of corrections, removals and restores
leaves the store equal to a simple model (transcripts with their site and codings)."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qualcode.coding.listing import list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import TranscriptError
from qualcode.transcripts.corrections import remove_transcript, restore_transcript, set_transcript
from qualcode.transcripts.reading import list_transcripts
from tests.helpers import INTERVIEW, add_transcript

pytestmark = pytest.mark.coders('ana', 'bob')


def test_results_are_frozen_and_json_ready(project, interview):
    result = set_transcript(project, "vsp-1", site="B", by="lee")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.transcript_id = "x"
    assert result.to_dict()["changes"] == {"site": {"from": "A", "to": "B"}}
    again = set_transcript(project, "vsp-1", site="B", by="lee")
    assert again.changes == () and "nothing to change" in again.summary()
    removed = remove_transcript(project, "vsp-1", by="lee")
    assert removed.to_dict()["codings"] == 0 and removed.event_group
    assert restore_transcript(project, "vsp-1", by="lee").to_dict()["removal_group"] == removed.event_group


def test_set_needs_something_to_change(project, interview):
    with pytest.raises(TranscriptError, match="nothing to change"):
        set_transcript(project, "vsp-1")


SERIAL = itertools.count(1)
SITES = ["A", "B", "C"]


class Corrections(RuleBasedStateMachine):
    """Model: live transcripts {id: (site, codings)}; removed ones as a stack per id."""

    def __init__(self, project) -> None:
        super().__init__()
        self.project = project
        self.prefix = f"m{next(SERIAL)}"
        self.live: dict[str, tuple[str, list]] = {}
        self.removed: dict[str, list[tuple[str, list]]] = {}
        for name, coder in (("a", "ana"), ("b", "bob")):
            tid = f"{self.prefix}-{name}"
            add_transcript(self.project, tid, "service_provider", INTERVIEW)
            CodingSession(project, coder).tag(tid, 2, ["referral.hotline"], text="Mostly the hotline.")
            self.live[tid] = ("A", self._codings(tid))

    def _codings(self, tid: str) -> list:
        return sorted((r.coder, r.code, r.segment, r.text) for r in list_codings(self.project, transcript=tid))

    def _id(self, n: int) -> str:
        return f"{self.prefix}-{'abc'[n]}"

    @rule(n=st.integers(0, 2), site=st.sampled_from(SITES))
    def set_site(self, n, site):
        tid = self._id(n)
        if tid not in self.live:
            with pytest.raises(Exception, match="No transcript"):
                set_transcript(self.project, tid, site=site)
            return
        set_transcript(self.project, tid, site=site, by="lead")
        self.live[tid] = (site, self.live[tid][1])

    @rule(n=st.integers(0, 2), m=st.integers(0, 2))
    def rename(self, n, m):
        old, new = self._id(n), self._id(m)
        if old not in self.live or (new in self.live and new != old):
            with pytest.raises(Exception, match="No transcript|already taken"):
                set_transcript(self.project, old, new_id=new)
            return
        set_transcript(self.project, old, new_id=new, by="lead")
        self.live[new] = self.live.pop(old)

    @rule(n=st.integers(0, 2))
    def remove(self, n):
        tid = self._id(n)
        if tid not in self.live:
            with pytest.raises(Exception, match="No transcript"):
                remove_transcript(self.project, tid)
            return
        result = remove_transcript(self.project, tid, by="lead")
        assert result.codings == len(self.live[tid][1])
        self.removed.setdefault(tid, []).append(self.live.pop(tid))

    @rule(n=st.integers(0, 2))
    def restore(self, n):
        tid = self._id(n)
        if tid in self.live or not self.removed.get(tid):
            with pytest.raises(TranscriptError):
                restore_transcript(self.project, tid)
            return
        restore_transcript(self.project, tid, by="lead")
        self.live[tid] = self.removed[tid].pop()

    @invariant()
    def store_matches_model(self):
        stored = {r.id: r.site for r in list_transcripts(self.project) if r.id.startswith(self.prefix + "-")}
        assert stored == {tid: site for tid, (site, _) in self.live.items()}
        for tid, (_, codings) in self.live.items():
            assert self._codings(tid) == codings


def test_corrections_state_machine(project):
    # Short runs: three transcript ids are exhausted in a dozen steps.
    run_state_machine_as_test(lambda: Corrections(project), settings=settings(stateful_step_count=12))
