"""Matching in chunks on one or several processes: same matches, in input order, with progress."""

from __future__ import annotations

import gc
import multiprocessing

import pytest

from qualcode.coding.autocode.parallel import default_processes, match_units
from tests.coding.autocode_helpers import use_rules_codebook

UNITS = [
    ("The hotline and the emergency room.", "other"),
    ("A need for housing.", "other"),
    ("Nothing to see here.", "other"),
    ("Pollaris called us.", "other"),
] * 15


@pytest.fixture
def codes(project):
    reopened = use_rules_codebook(project)
    yield list(reopened.codebook.codes.values())
    reopened.close()


def allowed(codes) -> dict[str, frozenset[str]]:
    return {"other": frozenset(c.id for c in codes)}


@pytest.mark.parametrize("method", [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()])
def test_two_processes_match_like_one(codes, method):
    one = match_units(codes, UNITS, allowed(codes), processes=1, chunk_words=12)
    two = match_units(codes, UNITS, allowed(codes), processes=2, chunk_words=12, start_method=method)
    assert two == one and len(two) == len(UNITS)
    assert [{m.code_id for m in found} for found in two[:4]] == [
        {"referral.hotline", "referral.medical"},
        {"housing_gap"},
        set(),
        {"referral.hotline"},
    ]


@pytest.mark.parametrize("processes", [1, 2])
def test_progress_reaches_every_word_in_order(codes, processes):
    seen: list[tuple[int, int]] = []
    match_units(codes, UNITS, allowed(codes), processes=processes, chunk_words=10, progress=lambda *p: seen.append(p))
    total = sum(len(text.split()) for text, _ in UNITS)
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and len(seen) > 5


@pytest.mark.parametrize(("words", "expected"), [(1_000, 1), (399_999, 1)])
def test_small_jobs_stay_on_one_process(words, expected):
    assert default_processes(words) == expected


def test_large_jobs_use_up_to_two_cores(monkeypatch):
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert default_processes(10_000_000) == 2
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert default_processes(10_000_000) == 1


def code_ids(matches) -> set[str]:
    return {m.code_id for m in matches}


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("method", [m for m in ("fork", "spawn") if m in multiprocessing.get_all_start_methods()])
def test_finish_runs_where_the_matching_is_done(codes, processes, method):
    plain = match_units(codes, UNITS, allowed(codes), processes=1)
    finished = match_units(
        codes, UNITS, allowed(codes), processes=processes, chunk_words=12, start_method=method, finish=code_ids
    )
    assert finished == [code_ids(found) for found in plain]


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("fail", [False, True])
def test_the_collector_is_left_as_it_was_found(codes, processes, fail):
    """match_units holds the cycle collector off and freezes the heap while it runs; after
    it, even when a progress callback raises, the collector is on and nothing is frozen."""

    def progress(done: int, total: int) -> None:
        if done:  # after a chunk: held off during the run
            assert not gc.isenabled()
            if fail:
                raise RuntimeError("stop")

    try:
        match_units(codes, UNITS, allowed(codes), processes=processes, chunk_words=12, progress=progress)
    except RuntimeError:
        assert fail
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.mark.parametrize("processes", [1, 2])
def test_the_runs_matches_are_not_left_to_a_young_collection(codes, processes):
    """What the run made and kept goes straight to the oldest generation (no collection walks
    it all at once after the run); the matches themselves are unchanged, and still freed."""
    gc.collect()
    found = match_units(codes, UNITS, allowed(codes), processes=processes, chunk_words=12)
    hits = [hit for matches in found for match in matches for hit in match.hits]
    young = {id(o) for generation in (0, 1) for o in gc.get_objects(generation)}
    assert hits and not any(id(hit) in young for hit in hits)
    assert id(found) not in young
    assert found == match_units(codes, UNITS, allowed(codes), processes=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0


@pytest.mark.parametrize("processes", [1, 2])
def test_word_counts_given_by_the_caller_are_used_as_counted(codes, processes):
    counted: list[tuple[int, int]] = []
    given: list[tuple[int, int]] = []
    expected = match_units(codes, UNITS, allowed(codes), processes=processes, chunk_words=10, progress=lambda *p: counted.append(p))
    counts = [len(text.split()) for text, _ in UNITS]
    found = match_units(
        codes, UNITS, allowed(codes), processes=processes, chunk_words=10, progress=lambda *p: given.append(p), counts=counts
    )
    assert found == expected and given == counted and given[-1] == (sum(counts), sum(counts))


def test_word_counts_must_be_one_per_unit(codes):
    with pytest.raises(ValueError, match="3 word counts for 60 units"):
        match_units(codes, UNITS, allowed(codes), processes=1, counts=[1, 2, 3])
