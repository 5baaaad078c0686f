"""The SQL counting core: key maps and distinct references per transcript."""

from __future__ import annotations

import pytest

from qualcode.tally.counting import CountTable, children_keymap, reference_counts
from tests.tally.seed_study import CODER


@pytest.mark.parametrize(("rollup", "housing_key"), [(False, "challenge.service_gaps.housing"),
                                                     (True, "challenge.service_gaps")])
def test_keymap_maps_descendants_only_under_rollup(seed_project, rollup, housing_key):
    keymap = children_keymap(seed_project.codebook, "challenge", rollup=rollup)
    assert keymap.mapping["challenge.service_gaps.housing"] == housing_key
    assert keymap.mapping["challenge"] == "challenge"
    assert "challenge.service_gaps" in keymap.keys
    assert "challenge.service_gaps.housing" not in keymap.keys
    assert keymap.is_deeper(keymap.mapping["challenge.service_gaps.housing"]) is not rollup


def test_reference_counts_are_distinct_segments_per_transcript(seed_project):
    from qualcode.coding.listing import list_codings

    keymap = children_keymap(seed_project.codebook, "referral", rollup=False)
    with seed_project.read() as conn:
        rows = reference_counts(conn, CODER, keymap)
    expected: dict[tuple[str, str], set[int]] = {}
    for c in list_codings(seed_project, coder=CODER, code="referral"):
        expected.setdefault((c.transcript, c.code), set()).add(c.segment)
    assert {(t, k): n for t, k, n in rows} == {key: len(turns) for key, turns in expected.items()}


def test_count_table_aggregates():
    table = CountTable([("t1", "a", 2), ("t1", "b", 1), ("t2", "a", 3), ("t3", "b", 0)])
    assert table.references(["t1", "t2"], "a") == 5
    assert table.transcripts_with(["t1", "t2", "t3"], ["b"]) == {"t1"}


def test_a_store_made_before_the_tally_index_gets_it_on_open(project):
    from datetime import UTC, datetime

    from sqlalchemy import delete, insert, inspect, text

    from qualcode.project import Project
    from qualcode.store.schema import schema_version

    with project.write() as conn:  # make it look like a store stamped at version 1
        conn.execute(text("DROP INDEX ix_codings_coder_code"))
        conn.execute(delete(schema_version))
        conn.execute(insert(schema_version).values(version=1, name="initial schema", applied_at=datetime.now(UTC)))
    project.close()
    reopened = Project(project.root)
    with reopened.read() as conn:
        names = {index["name"] for index in inspect(conn).get_indexes("codings")}
    reopened.close()
    assert "ix_codings_coder_code" in names
