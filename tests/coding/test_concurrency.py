"""Two coder processes writing to one SQLite project at the same time lose nothing."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import pytest

from qualcode.coding.listing import event_log, list_codings

pytestmark = pytest.mark.coders("ana", "ben")

ACTIONS = 40


def _code_many(root: str, coder: str, spans: list[tuple[int, int]]) -> None:
    from qualcode.coding.session import CodingSession
    from qualcode.project import Project

    session = CodingSession(Project(Path(root)), coder)
    for i, span in enumerate(spans):
        code = "referral.hotline" if i % 2 else "challenge.case_length"
        session.tag("vsp-1", 2, [code], span=span)
        if i % 10 == 9:
            session.undo()
            session.redo()


def test_two_processes_code_the_same_transcript(project, interview):
    seg = interview.segments[1]
    # Disjoint one-character spans so no merging happens: every action must survive.
    spans = [(seg.start + i, seg.start + i + 1) for i in range(0, 2 * ACTIONS, 2)][:ACTIONS]
    context = mp.get_context("spawn")
    workers = [
        context.Process(target=_code_many, args=(str(project.root), coder, spans))
        for coder in ("ana", "ben")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    for coder in ("ana", "ben"):
        rows = list_codings(project, coder=coder)
        assert len(rows) == ACTIONS
        assert len({(r.start, r.end) for r in rows}) == ACTIONS
    ids = [e.id for e in event_log(project)]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
