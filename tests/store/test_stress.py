"""Several coder processes coding one transcript at once, on SQLite and on PostgreSQL.

Four processes (three coders, one of them in two terminals) tag, untag, undo and
redo at random on the same transcript. Afterwards the event log must explain the
codings table exactly: replaying the log in id order, each event moving one coding
from ``before`` to ``after``, gives the table row for row; every action a process
saw succeed is in the log, no other is; no coder touched another's codings; the
same coder's overlapping same-code spans were merged, never duplicated.
Bounded: a fixed number of actions and a deadline, on loopback only.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing as mp
import random
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from qualcode.store.copy import as_utc
from qualcode.store.payloads import CODING_FIELDS, expand_event
from qualcode.store.schema import codings, events
from tests.helpers import add_coders, add_transcript

ACTIONS = 60
DEADLINE_SECONDS = 90
WORKERS = [("ana", 1), ("ana", 2), ("ben", 3), ("cy", 4)]  # ana codes in two terminals
CODES = ["referral.hotline", "referral.law_enforcement", "challenge.case_length", "challenge.housing"]
TURNS = [
    ("Interviewer", "Where do your cases come from, and what gets in the way?"),
    ("Respondent", ("Mostly the hotline and the national tip line. Police also bring us clients, "
                    "and sometimes a detective calls us from the hotel operation. It takes three years to trial.")),
    ("Interviewer", "And housing?"),
    ("Respondent", ("There's always a need for housing. Shelters are full, and the hotline cannot place "
                    "anyone after midnight. Trials drag on; survivors give up waiting for the case.")),
]
EXPECTED_REFUSALS = ("Nothing to undo", "Nothing to redo", "nothing removed", "was changed since")


def _work(root: str, coder: str, seed: int, out: str, deadline: float, start) -> None:
    """One coder process: random actions; writes what succeeded to ``out``."""
    from qualcode.coding.session import CodingSession
    from qualcode.errors import CodingError
    from qualcode.project import Project

    rng = random.Random(seed)
    project = Project(Path(root))
    session = CodingSession(project, coder)
    transcript = _transcript(project)
    groups, refused = [], defaultdict(int)
    start.wait(60)  # every process is ready: the actions really run at the same time
    began = time.time()
    for _ in range(ACTIONS):
        if time.time() > deadline:
            break
        kind = rng.choices(["tag", "untag", "undo", "redo"], weights=[6, 1, 2, 1])[0]
        try:
            result = _act(session, transcript, kind, rng)
        except CodingError as error:
            refused[next((r for r in EXPECTED_REFUSALS if r in str(error)), str(error))] += 1
            continue
        if result.group_id is not None:  # None: the tag was already there, nothing logged
            groups.append(result.group_id)
    window = (began, time.time())
    project.close()
    report = {"coder": coder, "groups": groups, "refused": refused, "window": window}
    Path(out).write_text(json.dumps(report), encoding="utf-8")


def _transcript(project):
    from qualcode.store.transcripts import load_transcript

    with project.read() as conn:
        return load_transcript(conn, "vsp-1")


def _act(session, transcript, kind: str, rng: random.Random):
    if kind == "undo":
        return session.undo()
    if kind == "redo":
        return session.redo()
    segment = rng.choice([s for s in transcript.segments if not s.is_interviewer])
    code = rng.choice(CODES)
    start = rng.randrange(segment.start, segment.end - 12)
    span = (start, start + rng.randrange(4, 12))
    if kind == "untag":
        return session.untag("vsp-1", segment.ordinal, [code], span=span)
    return session.tag("vsp-1", segment.ordinal, [code], span=span)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_project(request, project, database_server, monkeypatch):
    """The test project on the back end named by the parameter."""
    if request.param == "postgresql" and database_server is None:
        pytest.skip("needs a PostgreSQL server: set QUALCODE_TEST_DATABASE_URL (see .ci/postgres.sh)")
    if request.param == "sqlite" and database_server is not None:
        monkeypatch.delenv("QUALCODE_DATABASE_URL")
        project.close()
    add_transcript(project, "vsp-1", "service_provider", TURNS)
    add_coders(project, *dict.fromkeys(coder for coder, _seed in WORKERS))  # on the back end in use
    return project


def test_concurrent_coders_match_the_event_log(shared_project, tmp_path):
    deadline = time.time() + DEADLINE_SECONDS
    context = mp.get_context("spawn")
    outputs = [tmp_path / f"worker-{i}.json" for i in range(len(WORKERS))]
    start = context.Barrier(len(WORKERS))
    processes = [
        context.Process(target=_work, args=(str(shared_project.root), coder, seed, str(out), deadline, start))
        for (coder, seed), out in zip(WORKERS, outputs, strict=True)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(DEADLINE_SECONDS + 60)
        assert process.exitcode == 0, "a coder process failed (see its traceback above)"
    reports = [json.loads(out.read_text(encoding="utf-8")) for out in outputs]

    with shared_project.read() as conn:
        # Payloads as the store's readers give them (coding payloads are stored compactly).
        log = [expand_event(dict(r._mapping)) for r in conn.execute(select(events).order_by(events.c.id))]
        table = {r.id: dict(r._mapping) for r in conn.execute(select(codings))}
    assert sum(len(r["groups"]) for r in reports) >= len(WORKERS) * ACTIONS // 3  # real work happened
    assert max(r["window"][0] for r in reports) < min(r["window"][1] for r in reports)  # all at once
    assert_log_replays_to_table(log, table)
    assert_actions_match_log(reports, log)
    assert_no_overlapping_duplicates(table)
    for report in reports:  # a coder alone in one terminal never finds its work changed under it
        if sum(r["coder"] == report["coder"] for r in reports) == 1:
            assert "was changed since" not in report["refused"], report


def assert_log_replays_to_table(log: list[dict], table: dict[int, dict]) -> None:
    ids = [e["id"] for e in log]
    assert ids == sorted(set(ids))  # serial, totally ordered, no gaps in meaning
    state: dict[int, dict] = {}
    for event in log:
        current = state.get(event["coding_id"])
        assert _canonical(current) == _canonical(event["before"]), f"event {event['id']} starts from another state"
        owner = (event["before"] or event["after"])["coder"]
        assert owner == event["coder"], f"event {event['id']}: {event['coder']} changed {owner}'s coding"
        if event["after"] is None:
            state.pop(event["coding_id"])
        else:
            state[event["coding_id"]] = event["after"]
    assert {k: _canonical(v) for k, v in state.items()} == {k: _canonical(v) for k, v in table.items()}


def assert_actions_match_log(reports: list[dict], log: list[dict]) -> None:
    reported = defaultdict(set)
    for report in reports:
        reported[report["coder"]].update(report["groups"])
    logged = defaultdict(set)
    for event in log:
        logged[event["coder"]].add(event["group_id"])
    assert dict(logged) == dict(reported)  # no action lost, none invented


def assert_no_overlapping_duplicates(table: dict[int, dict]) -> None:
    spans = defaultdict(list)
    for row in table.values():
        spans[(row["coder"], row["segment_id"], row["code_id"])].append((row["start_offset"], row["end_offset"]))
    for key, found in spans.items():
        found.sort()
        for (_, end), (start, _) in itertools.pairwise(found):
            assert end <= start, f"{key}: overlapping codings {found}"


def _canonical(row: dict | None) -> dict | None:
    """A coding (table row or event payload) with datetimes as UTC ISO text."""
    if row is None:
        return None
    out = {}
    for key in CODING_FIELDS:
        value = row[key]
        if isinstance(value, str) and key in ("created_at", "updated_at"):
            value = datetime.fromisoformat(value)
        out[key] = as_utc(value).isoformat() if isinstance(value, datetime) else value
    return out



@pytest.mark.coders("ana", "ben")
def test_a_deleted_codings_id_is_never_handed_out_again(project, interview):
    """Otherwise ana's undo would find ben's new coding under her old coding's id."""
    from qualcode.coding.session import CodingSession

    ana, ben = CodingSession(project, "ana"), CodingSession(project, "ben")
    first = ana.tag("vsp-1", 2, ["referral.hotline"]).added[0].id
    ana.untag("vsp-1", 2, ["referral.hotline"])
    assert ben.tag("vsp-1", 4, ["challenge.housing"]).added[0].id != first
    assert ana.undo().added[0].id == first
