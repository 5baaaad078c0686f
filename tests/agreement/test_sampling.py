"""Double-coding samples: largest-remainder allocation, reproducible draws, the store."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from qualcode.agreement.sampling import (
    AllocationRow,
    CoderProgress,
    allocate,
    create_sample,
    draw,
    get_sample,
    sample_progress,
    stratum_of,
)
from qualcode.coding.session import CodingSession
from qualcode.errors import AgreementError, NotFoundError, StoreError
from tests.helpers import INTERVIEW, add_transcript

pytestmark = pytest.mark.coders("ana", "ben")


@pytest.mark.parametrize(
    ("sizes", "total", "expected"),
    [
        # Quotas 3.5, 2.1, 1.4: floors 3, 2, 1 and the largest remainder (.5) takes the 7th.
        ({"a": 50, "b": 30, "c": 20}, 7, {"a": 4, "b": 2, "c": 1}),
        # Quotas 4.55, 3.64, 1.82: floors 4, 3, 1; remainders .82 and .64 win two more.
        ({"a": 50, "b": 40, "c": 20}, 10, {"a": 4, "b": 4, "c": 2}),
        # The example study: quotas 1.41, 0.24, 0.94, 1.41 -> the two small roles are
        # raised to one; the two large ones share the two places left.
        ({"le": 12, "oth": 2, "pros": 8, "vsp": 12}, 4, {"le": 1, "oth": 1, "pros": 1, "vsp": 1}),
        # Quotas 4.5, 4.5, 1 (exactly one: not raised); the tie for the last place goes
        # to the larger stratum (equal here), then the name.
        ({"a": 9, "b": 9, "c": 2}, 10, {"a": 5, "b": 4, "c": 1}),
        # Empty strata get nothing and do not count toward the minimum.
        ({"a": 10, "b": 0}, 3, {"a": 3, "b": 0}),
    ],
)
def test_allocate_largest_remainder_with_one_per_stratum(sizes, total, expected):
    allocation = allocate(sizes, total)
    assert {s.stratum: s.drawn for s in allocation.strata} == expected
    assert allocation.total == total and allocation.grown_by == 0


def test_largest_remainder_uses_exact_quotas():
    # 1/3 each: exact ties (no float noise) are broken by size then name.
    allocation = allocate({"x": 3, "y": 3, "z": 3}, 2)
    assert {s.stratum: s.drawn for s in allocation.strata} == {"x": 1, "y": 1, "z": 1}
    assert allocation.grown_by == 1  # three strata need three places
    allocation = allocate({"x": 30, "y": 30, "z": 30}, 4)
    assert [s.quota for s in allocation.strata] == [Fraction(4, 3)] * 3
    assert [s.drawn for s in allocation.strata] == [2, 1, 1]


def test_minimum_makes_the_sample_grow_when_strata_outnumber_places():
    allocation = allocate({"a": 40, "b": 1, "c": 1, "d": 1}, 2)
    assert {s.stratum: s.drawn for s in allocation.strata} == {"a": 1, "b": 1, "c": 1, "d": 1}
    assert (allocation.target, allocation.total, allocation.grown_by) == (2, 4, 2)
    assert all(s.raised_to_minimum for s in allocation.strata if s.stratum != "a")


@pytest.mark.parametrize("seed", range(40))
def test_allocation_is_proportional_within_one_and_never_exceeds_a_stratum(seed):
    rng = random.Random(seed)
    sizes = {f"s{i}": rng.randint(0, 30) for i in range(rng.randint(1, 6))}
    if not sum(sizes.values()):
        return
    total = rng.randint(1, sum(sizes.values()))
    allocation = allocate(sizes, total)
    present = [s for s in allocation.strata if s.population > 0]
    assert allocation.total == max(total, len(present))
    for stratum in present:
        assert 1 <= stratum.drawn <= stratum.population
        if not stratum.raised_to_minimum and allocation.grown_by == 0:
            # Largest remainder never moves a stratum more than one place from its quota
            # computed over the places left after the minimums.
            assert abs(stratum.drawn - stratum.quota) < 1 + sum(s.raised_to_minimum for s in present)


def transcripts(counts: dict[str, int]) -> list[dict]:
    rows = []
    for role, count in counts.items():
        rows += [{"id": f"{role}-{i:02d}", "role": role, "site": "AB"[i % 2],
                  "attributes": {"mode": "x" if i % 3 else "y"}} for i in range(count)]
    return rows


def test_draw_is_reproducible_and_independent_of_input_order():
    rows = transcripts({"le": 12, "oth": 2, "pros": 8, "vsp": 12})
    allocation, chosen = draw(rows, 0.10, 2026, ("role",))
    assert len(chosen) == math.ceil(0.10 * 34) == 4
    assert sorted(stratum for _, stratum in chosen) == ["le", "oth", "pros", "vsp"]
    assert draw(list(reversed(rows)), 0.10, 2026, ("role",))[1] == chosen
    other_seeds = {tuple(draw(rows, 0.10, seed, ("role",))[1]) for seed in range(20)}
    assert len(other_seeds) > 5


def test_draw_picks_the_smallest_random_keys_in_id_order():
    rows = transcripts({"le": 5})
    generator = random.Random(7)
    keys = {row["id"]: generator.random() for row in sorted(rows, key=lambda r: r["id"])}
    expected = sorted(sorted(keys, key=keys.get)[:2])
    assert [t for t, _ in draw(rows, 0.4, 7)[1]] == expected


def test_strata_from_role_site_and_attributes():
    row = {"id": "x", "role": "prosecutor", "site": "B", "attributes": {"mode": "virtual"}}
    assert stratum_of(row, ("role", "site")) == "prosecutor / B"
    assert stratum_of(row, ("mode",)) == "virtual"
    assert stratum_of({**row, "attributes": {}}, ("mode",)) == "(none)"
    assert stratum_of(row, ()) == "all"


def add_corpus(project, counts: dict[str, int]) -> None:
    for role, count in counts.items():
        for i in range(count):
            add_transcript(project, f"{role[:3]}-{i}", role, INTERVIEW, site="AB"[i % 2])


def test_create_sample_stores_and_assigns(project):
    add_corpus(project, {"law_enforcement": 6, "prosecutor": 3, "service_provider": 6, "other": 1})
    sample = create_sample(project, "dc", fraction=0.25, coders=["ana", "ben"], stratify=["role"], seed=11,
                           min_per_stratum=1)
    assert len(sample.transcripts) == 4  # ceil(0.25 * 16)
    assert sorted(s for _, s in sample.transcripts) == ["law_enforcement", "other", "prosecutor", "service_provider"]
    stored = get_sample(project, "dc")
    assert stored.transcripts == sample.transcripts and stored.coders == ("ana", "ben")
    assert stored.seed == 11 and stored.stratify == ("role",) and stored.population == 16
    assert "raised to the minimum of one transcript: other, prosecutor" in stored.notes[1]
    from qualcode.coding.assignments import assigned_transcripts

    with project.read() as conn:
        assert assigned_transcripts(conn, "ben") == stored.transcript_ids


def test_a_fresh_seed_is_recorded(project):
    add_corpus(project, {"service_provider": 5})
    sample = create_sample(project, "s", fraction=0.5, coders=["ana", "ben"])
    again = draw([{"id": t, "role": "service_provider", "site": "A", "attributes": {}}
                  for t in sorted(f"ser-{i}" for i in range(5))], 0.5, sample.seed)[1]
    assert [t for t, _ in again] == sample.transcript_ids


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fraction": 0.0}, "--fraction must be a share between 0"),
        ({"fraction": 1.5}, "--fraction must be a share between 0"),
        ({"coders": ["ana"]}, "two or more distinct coders"),
        ({"coders": ["ana", "ana"]}, "two or more distinct coders"),
        ({"stratify": ["region"]}, "cannot stratify by 'region'; transcripts have: role, site"),
        ({"seed": -1}, "--seed must be a whole number from 0 to 2147483647"),
        ({"seed": 2**31}, "--seed must be a whole number from 0 to 2147483647"),
    ],
)
def test_create_sample_refuses_bad_requests(project, kwargs, message):
    add_corpus(project, {"service_provider": 3})
    arguments = {"fraction": 0.5, "coders": ["ana", "ben"], "seed": 1, **kwargs}
    with pytest.raises(AgreementError, match=message):
        create_sample(project, "s", **arguments)


def test_names_are_unique_and_unknown_samples_are_listed(project):
    add_corpus(project, {"service_provider": 3})
    create_sample(project, "first", fraction=0.5, coders=["ana", "ben"], seed=1)
    with pytest.raises(AgreementError, match="a sample named 'first' exists"):
        create_sample(project, "first", fraction=0.5, coders=["ana", "ben"], seed=1)
    with pytest.raises(NotFoundError, match="No sample 'frist'; samples: first"):
        get_sample(project, "frist")


def test_progress_counts_respondent_turns(project):
    add_corpus(project, {"service_provider": 2})
    sample = create_sample(project, "s", fraction=1.0, coders=["ana", "ben"], seed=3)
    CodingSession(project, "ana").tag(sample.transcript_ids[0], 2, ["referral.hotline"])
    shown = sample_progress(project, "s")
    first = shown.transcripts[0]
    assert first.progress == {"ana": CoderProgress(1, 2), "ben": CoderProgress(0, 2)}
    assert shown.totals == {"ana": CoderProgress(1, 4), "ben": CoderProgress(0, 4)}
    assert shown.to_dict()["progress"] == {"ana": {"coded": 1, "total": 4}, "ben": {"coded": 0, "total": 4}}


def test_default_sample_has_exactly_the_target_size(project):
    # 8 strata (role x site), 10 % of 16 -> 2 places: the old one-per-stratum rule drew 8.
    add_corpus(project, {"law_enforcement": 6, "prosecutor": 3, "service_provider": 6, "other": 1})
    sample = create_sample(project, "dc", fraction=0.1, coders=["ana", "ben"], stratify=["role", "site"], seed=5)
    assert len(sample.transcripts) == 2 == sample.target
    assert any("strata with no transcript in the sample" in note for note in sample.notes)
    grown = create_sample(project, "dc1", fraction=0.1, coders=["ana", "ben"], stratify=["role", "site"], seed=5,
                          min_per_stratum=1)
    assert len(grown.transcripts) == 7 and any("more than the 2" in note for note in grown.notes)


def test_delete_and_redraw_are_recorded(project, monkeypatch):
    from qualcode.agreement.sampling import delete_sample, redraw_sample
    from qualcode.coding.listing import event_log
    from qualcode.coding.session import CodingSession
    from tests.helpers import set_lead

    set_lead(project, "lead")
    monkeypatch.setenv("QUALCODE_CODER", "lead")  # deleting an open sample is the lead's

    add_corpus(project, {"law_enforcement": 6, "service_provider": 6})
    first = create_sample(project, "dc", fraction=0.25, coders=["ana", "ben"], seed=1)
    again = redraw_sample(project, "dc", seed=2, by="lead")
    assert again.seed == 2 and len(again.transcripts) == 3 and get_sample(project, "dc").seed == 2
    assert again.transcript_ids != first.transcript_ids or again.seed != first.seed
    CodingSession(project, "ana").tag(again.transcript_ids[0], 2, ["referral.hotline"])
    with pytest.raises(AgreementError, match="has codings by its coders on 1 transcript"):
        redraw_sample(project, "dc", seed=3)
    delete_sample(project, "dc", by="lead")
    with pytest.raises(NotFoundError, match="No sample 'dc'"):
        get_sample(project, "dc")
    actions = [e.action for e in event_log(project, coder="lead")]
    assert actions == ["sample:redraw", "sample:delete"]


def test_a_coder_cannot_delete_an_open_sample_to_unblind_themselves(project, monkeypatch):
    from qualcode.agreement.sampling import delete_sample, get_sample
    from qualcode.coding.blind import BlindError
    from tests.helpers import add_coders, set_lead

    add_coders(project, "ana", "ben")
    add_corpus(project, {"law_enforcement": 4})
    create_sample(project, "dc", fraction=0.5, coders=["ana", "ben"], seed=1)
    set_lead(project, "lead")
    monkeypatch.setenv("QUALCODE_CODER", "ana")
    with pytest.raises(BlindError, match="only the lead \\(lead\\) deletes an open sample"):
        delete_sample(project, "dc")
    assert get_sample(project, "dc").name == "dc"


@pytest.mark.parametrize("sizes", [{"a": 50, "b": 30, "c": 20}, {"law_enforcement": 12, "other": 2}, {"x": 3}])
def test_allocation_rows_are_typed_and_read_back_from_their_dicts(sizes):
    for stratum in allocate(sizes, 3).strata:
        row = stratum.row()
        assert row.to_dict() == stratum.to_dict()
        assert AllocationRow.from_dict(row.to_dict(), "s") == row
        assert row.quota == round(float(stratum.quota), 4)


@pytest.mark.parametrize("stored", [{"stratum": "a", "population": 3, "drawn": 1}, "a", {"stratum": "a",
                                    "population": "many", "quota": 1.0, "drawn": 1}])
def test_a_malformed_stored_allocation_row_is_refused_naming_the_sample(stored):
    with pytest.raises(StoreError, match="sample 'dc': a stored allocation row is malformed"):
        AllocationRow.from_dict(stored, "dc")
