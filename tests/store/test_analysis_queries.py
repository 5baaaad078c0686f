"""store/analysis.py reads the analysis set's coded turns and coding origins off indexes;
the model is the plain whole-table queries below, which it must equal for any mix of
coders, turns, origins and orphaned codings."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, delete, func, select

from qualcode.store import analysis
from qualcode.store.codings import insert_coding
from qualcode.store.schema import codings, segments, transcripts
from qualcode.store.search import segment_rows
from qualcode.store.tally import transcript_infos
from tests.helpers import add_transcript

pytestmark = pytest.mark.coders("ana", "ben", "autocoder")

TURNS = [("Interviewer", "How do referrals reach you?"), ("R", "Mostly from the police."),
         ("Interviewer", "And then?"), ("R", "A shelter calls us back.")]

CODINGS = st.lists(st.tuples(
    st.sampled_from(["ana", "ben", "autocoder"]),
    st.sampled_from(["one", "two"]),  # transcript
    st.integers(0, 3),  # turn (0 and 2 are the interviewer's)
    st.sampled_from(["manual", "rules", "model", "imported"]),
    st.booleans(),  # orphaned (no segment, as store/codings.orphan_coding leaves it)
), max_size=25)


def whole_table_origins(conn) -> dict[str, set[str]]:
    """coder -> the origins of its live codings, read row by row (the model)."""
    query = select(codings.c.coder, codings.c.origin).where(codings.c.orphaned.is_(False)).distinct()
    found: dict[str, set[str]] = {}
    for coder, origin in conn.execute(query):
        found.setdefault(coder, set()).add(origin)
    return found


def whole_table_turns(conn, *, interviewer: bool = False) -> dict[tuple[str, str], int]:
    """(coder, transcript) -> distinct turns of that kind with a live coding (the model)."""
    query = (
        select(codings.c.coder, codings.c.transcript_id, func.count(func.distinct(codings.c.segment_id)))
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(and_(segments.c.is_interviewer.is_(interviewer), codings.c.orphaned.is_(False)))
        .group_by(codings.c.coder, codings.c.transcript_id)
    )
    return {(c, t): n for c, t, n in conn.execute(query)}


@pytest.fixture
def turns(project):
    for transcript_id, site in (("one", "A"), ("two", "B")):
        add_transcript(project, transcript_id, "service_provider", TURNS, site=site)
    with project.read() as conn:
        return {(r.transcript_id, r.ordinal - 1): r for r in segment_rows(conn)}


def _store(project, turns, rows) -> None:
    with project.write() as conn:
        conn.execute(delete(codings))
        for coder, transcript_id, turn, origin, orphaned in rows:
            segment = turns[(transcript_id, turn)]
            insert_coding(conn, {
                "transcript_id": transcript_id, "segment_id": None if orphaned else segment.id, "coder": coder,
                "code_id": "referral.police", "start_offset": segment.start_offset,
                "end_offset": segment.end_offset, "origin": origin, "orphaned": orphaned,
            })


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(rows=CODINGS)
def test_indexed_reads_equal_the_whole_table_reads(project, turns, rows):
    _store(project, turns, rows)
    with project.read() as conn:
        model = whole_table_turns(conn), whole_table_turns(conn, interviewer=True)
        assert analysis.coded_turns(conn) == model
        assert analysis.coding_origins(conn) == whole_table_origins(conn)
        for coder in ("ana", "ben", "autocoder"):
            expected = tuple({t: n for (c, t), n in kind.items() if c == coder} for kind in model)
            assert analysis.coded_turns_of(conn, coder) == expected
            assert analysis.origins_of(conn, coder) == whole_table_origins(conn).get(coder, set())


@pytest.mark.parametrize("attributes", [True, False])
def test_transcript_infos_decode_attributes_only_when_asked(project, turns, attributes):
    with project.write() as conn:
        conn.execute(transcripts.update().where(transcripts.c.id == "one").values(attributes={"region": "South"}))
        infos = transcript_infos(conn, attributes=attributes)
    assert [(t.id, t.role, t.site) for t in infos] == [("one", "service_provider", "A"), ("two", "service_provider", "B")]
    assert [t.attributes for t in infos] == ([{"region": "South"}, {}] if attributes else [{}, {}])
