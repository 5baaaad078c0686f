"""``autocode --as NAME`` writes its codings a part at a time (issue 21: bounded memory).

The streamed write (``stored.apply_as_coder`` -> ``bulk.apply_parts``) must store what
one ``apply_many`` of the whole run stores (the path it replaced): the same codings, the
same insert events batched the same way; and its memory must follow a part, not the run.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest
from sqlalchemy import select

from qualcode.coding.autocode import autocode, stored
from qualcode.coding.autocode.results import Proposal
from qualcode.coding.bulk import apply_many
from qualcode.coding.session import CodingSession
from qualcode.store import batches
from qualcode.store.codings import group_events
from qualcode.store.schema import codings, events
from qualcode.store.transcripts import segment_ids
from tests.coding.autocode_helpers import PROSECUTOR_TURNS, SERVICE_TURNS, use_rules_codebook
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("whole", "parts")

STAMPS = ("created_at", "updated_at", "at")


@pytest.fixture
def rules_project(project):
    reopened = use_rules_codebook(project)
    for n in range(4):
        add_transcript(reopened, f"vsp-{n}", "service_provider", SERVICE_TURNS)
        add_transcript(reopened, f"pros-{n}", "prosecutor", PROSECUTOR_TURNS)
    yield reopened
    reopened.close()


def write_whole(project, coder: str, proposals: list[Proposal], monkeypatch) -> None:
    """The path ``apply_as_coder`` took before: every coding built, then one apply_many."""
    session = CodingSession(project, coder)
    with project.write() as conn, monkeypatch.context() as patch:
        patch.setattr(stored, "PART", 10**9)
        rows = [row for part in stored.coding_parts(session, coder, session.codebook_version(conn), proposals)
                for row in part]
        assert len(rows) == len(proposals)
        apply_many(conn, coder, "tag", rows)


def coder_codings(project, coder: str) -> list[tuple]:
    """The coder's codings in id order, without id, coder and timestamps."""
    with project.read() as conn:
        rows = conn.execute(select(codings).where(codings.c.coder == coder).order_by(codings.c.id))
        return [tuple(v for k, v in r._mapping.items() if k not in ("id", "coder", *STAMPS)) for r in rows]


def coder_events(project, coder: str) -> tuple[list[tuple], list[str]]:
    """The coder's stored event rows (action, transcript, rows in a batch) in id order, and
    every event as expanded (ids counted from the coder's first coding, no stamps)."""
    with project.read() as conn:
        first = conn.execute(select(codings.c.id).where(codings.c.coder == coder).order_by(codings.c.id)).first()
        raw = [dict(r._mapping) for r in conn.execute(select(events).where(events.c.coder == coder).order_by(events.c.id))]
        expanded = [e for group in dict.fromkeys(r["group_id"] for r in raw) for e in group_events(conn, group)]
    base = first[0] if first else 0
    shape = [(r["action"], r["transcript_id"], r["after"].get("n") if batches.is_batch(r["after"]) else None) for r in raw]

    def plain(row):
        if row is None:
            return None
        row = {k: v for k, v in row.items() if k not in (*STAMPS, "coder")}
        return {**row, "id": row["id"] - base} if "id" in row else row
    flat = [json.dumps([e["action"], e["transcript_id"], plain(e["before"]), plain(e["after"])], sort_keys=True)
            for e in expanded]
    return shape, flat


@pytest.mark.parametrize(("part", "limit"), [(1, 2000), (3, 4), (5, 2), (10**9, 3)])
def test_streamed_write_stores_what_one_apply_many_stores(rules_project, monkeypatch, part, limit):
    proposals = autocode(rules_project, dry_run=True).proposals
    assert len(proposals) > 2 * part or part > len(proposals)
    monkeypatch.setattr(batches, "LIMIT", limit)  # batch events of a few codings: many of them
    write_whole(rules_project, "whole", proposals, monkeypatch)
    monkeypatch.setattr(stored, "PART", part)
    added, created = stored.apply_as_coder(rules_project, "parts", proposals)
    assert (added, created) == (len(coder_codings(rules_project, "whole")), False)
    assert coder_codings(rules_project, "parts") == coder_codings(rules_project, "whole")
    assert coder_events(rules_project, "parts") == coder_events(rules_project, "whole")


def test_streamed_write_merges_into_stored_codings_as_apply_many_does(rules_project, monkeypatch):
    """Narrow codings stored first are widened (moves): the same codings, the same events
    (a part's moves are logged with its part, so only their order may differ)."""
    proposals = autocode(rules_project, dry_run=True).proposals
    narrow = [Proposal(**{**vars(p), "end": p.start + 2}) for p in proposals[::3]]
    monkeypatch.setattr(batches, "LIMIT", 3)
    write_whole(rules_project, "whole", narrow, monkeypatch)
    write_whole(rules_project, "whole", proposals, monkeypatch)
    write_whole(rules_project, "parts", narrow, monkeypatch)
    before = coder_codings(rules_project, "parts")
    monkeypatch.setattr(stored, "PART", 4)
    stored.apply_as_coder(rules_project, "parts", proposals)
    assert coder_codings(rules_project, "parts") == coder_codings(rules_project, "whole")
    (shape_parts, parts), (shape_whole, whole) = coder_events(rules_project, "parts"), coder_events(rules_project, "whole")
    assert any(json.loads(e)[2] and json.loads(e)[3] for e in whole), "the run moved stored codings"
    assert sorted(parts) == sorted(whole) and sorted(shape_parts, key=str) == sorted(shape_whole, key=str)
    CodingSession(rules_project, "parts").undo()  # the run is still one group: one undo takes it back
    assert coder_codings(rules_project, "parts") == before


def many_proposals(project, transcripts: int, first: int) -> list[Proposal]:
    """One proposal per respondent sentence start of ``transcripts`` fresh transcripts."""
    proposals = []
    for n in range(first, first + transcripts):
        transcript = add_transcript(project, f"big-{n}", "service_provider", SERVICE_TURNS * 8)
        with project.read() as conn:
            ids = segment_ids(conn, transcript.id)
        for segment in transcript.respondent_segments:
            for code in ("referral", "housing_gap", "referral.hotline"):
                proposals.append(Proposal(transcript.id, segment.ordinal, ids[segment.ordinal], transcript.role,
                                          code, segment.start, segment.start + 5, 0.9, {}))
    return proposals


def write_peak(project, coder: str, proposals: list[Proposal]) -> int:
    tracemalloc.start()
    try:
        stored.apply_as_coder(project, coder, proposals)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.coders("small", "large")
def test_write_memory_follows_a_part_not_the_run(rules_project, monkeypatch):
    """Four times the transcripts: the write's traced peak grows far less than 4x (the
    whole-run write held every coding several times over: rows, plan, logged rows)."""
    monkeypatch.setattr(stored, "PART", 60)
    monkeypatch.setattr(batches, "LIMIT", 60)
    small = many_proposals(rules_project, 5, 0)
    large = many_proposals(rules_project, 20, 5)
    assert len(large) == 4 * len(small) > 20 * 60
    peaks = write_peak(rules_project, "small", small), write_peak(rules_project, "large", large)
    assert peaks[1] < 1.6 * peaks[0], f"peak {peaks[0]} -> {peaks[1]} bytes for 4x the codings"
