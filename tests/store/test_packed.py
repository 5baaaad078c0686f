"""Transcript texts (store/packed.py): compressed on SQLite, text on PostgreSQL.

Whatever the back end, a stored text reads back as the same ``str``, and the coded spans
cut from it are the same code points; on SQLite a compressible text takes fewer bytes
than its UTF-8. Migration 16 packs an older store's texts without changing one of them.
"""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from qualcode.coding.session import CodingSession
from qualcode.errors import StoreError
from qualcode.store.packed import PackedText, pack, unpack
from qualcode.store.quotes import respondent_spans, span_texts
from qualcode.store.schema import codings, transcripts
from qualcode.store.transcripts import load_transcript
from tests.helpers import INTERVIEW, add_transcript
from tests.store.test_migrations import upgrade_from_before

pytestmark = pytest.mark.coders("ana")

scratch = MetaData()
probe = Table("packed_probe", scratch, Column("id", Integer, primary_key=True), Column("body", PackedText()))

# What either back end stores: no NUL (PostgreSQL text refuses it), no lone surrogates (not UTF-8).
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300)
repetitive = st.lists(texts, min_size=1, max_size=4).map(lambda parts: "".join(parts) * 20)


@given(st.lists(st.one_of(texts, repetitive), min_size=1, max_size=6))
def test_texts_round_trip_on_either_back_end(project, values):
    with project.write() as conn:
        probe.drop(conn, checkfirst=True)
        probe.create(conn)
        conn.execute(insert(probe), [{"id": n, "body": v} for n, v in enumerate(values)])
    with project.read() as conn:
        back = dict(conn.execute(select(probe.c.id, probe.c.body)).all())
    assert back == dict(enumerate(values))


@given(st.one_of(texts, repetitive))
def test_pack_is_smaller_or_the_text_itself(value):
    packed = pack(value)
    assert unpack(packed) == value
    assert packed == value if isinstance(packed, str) else len(packed) < len(value.encode("utf-8"))


def long_interview(repeat: int = 40) -> list[tuple[str, str]]:
    return [(speaker, f"{said} (part {n})") for n in range(repeat) for speaker, said in INTERVIEW]


@pytest.mark.sqlite_only
def test_sqlite_stores_a_transcript_compressed(project):
    stored = add_transcript(project, "t1", "VSP", long_interview())
    with project.read() as conn:
        kind, size = conn.exec_driver_sql("SELECT typeof(text), length(CAST(text AS BLOB)) FROM transcripts").one()
        assert load_transcript(conn, "t1").text == stored.text
    assert kind == "blob" and size < len(stored.text.encode("utf-8")) / 2


@pytest.mark.sqlite_only
def test_plain_text_of_an_older_store_still_reads(project):
    stored = add_transcript(project, "t1", "VSP", INTERVIEW)
    with project.write() as conn:
        conn.exec_driver_sql("UPDATE transcripts SET text = ?", (stored.text,))
    with project.read() as conn:
        assert conn.exec_driver_sql("SELECT typeof(text) FROM transcripts").scalar_one() == "text"
        assert load_transcript(conn, "t1").text == stored.text


@pytest.mark.sqlite_only
@pytest.mark.parametrize("damage", [b"not zlib at all", zlib.compress(b"cut short " * 100)[:-8]], ids=["garbage", "truncated"])
def test_a_damaged_text_is_refused_in_one_line(project, damage):
    add_transcript(project, "t1", "VSP", INTERVIEW)
    with project.write() as conn:
        conn.exec_driver_sql("UPDATE transcripts SET text = ?", (damage,))
    with project.read() as conn, pytest.raises(StoreError, match="the store is damaged") as refused:
        conn.execute(select(transcripts.c.text)).scalar_one()
    assert "\n" not in str(refused.value) and "cut short" not in str(refused.value)


def test_coded_spans_are_the_texts_code_points(project):
    """span_texts and respondent_spans cut each coding's span from the stored text
    (the model: Python's slice of the transcript read back)."""
    stored = add_transcript(project, "t1", "VSP", long_interview(5))
    add_transcript(project, "t2", "VSP", [("Interviewer", "Ça va?"), ("Respondent", "Très bien — 😀 merci.")])
    session = CodingSession(project, "ana")
    for transcript_id, ordinal in [("t1", 2), ("t1", 4), ("t1", 10), ("t2", 2)]:
        session.tag(transcript_id, ordinal, ["challenge"])
    with project.read() as conn:
        rows = conn.execute(select(codings.c.id, codings.c.transcript_id, codings.c.start_offset, codings.c.end_offset)).all()
        full = {t: load_transcript(conn, t).text for t in ("t1", "t2")}
        expected = {r.id: full[r.transcript_id][r.start_offset:r.end_offset] for r in rows}
        assert span_texts(conn, [r.id for r in rows] + [10**6]) == expected
        assert {s.coding_id: s.raw for s in respondent_spans(conn, "ana", "challenge")} == expected
    assert len(expected) == 4 and stored.text


def test_migration_packs_an_older_stores_texts(project):
    # A store stamped before migration 16 holds plain texts: on open each is packed on
    # SQLite (PostgreSQL keeps text), every text and coding read back as before.
    add_transcript(project, "t1", "VSP", long_interview())
    add_transcript(project, "t2", "VSP", INTERVIEW)
    CodingSession(project, "ana").tag("t1", 2, ["challenge"])
    with project.read() as conn:
        before = {t: load_transcript(conn, t).text for t in ("t1", "t2")}
        coded = conn.execute(select(codings).order_by(codings.c.id)).all()

    def make_older(conn) -> None:
        for transcript_id, text in before.items():
            conn.exec_driver_sql("UPDATE transcripts SET text = %s WHERE id = %s" if conn.dialect.name != "sqlite"
                                 else "UPDATE transcripts SET text = ? WHERE id = ?", (text, transcript_id))

    upgrade_from_before(project.engine, "transcript texts compressed", make_older)
    with project.read() as conn:
        assert {t: load_transcript(conn, t).text for t in before} == before
        assert conn.execute(select(codings).order_by(codings.c.id)).all() == coded
        if conn.dialect.name == "sqlite":
            kinds = dict(conn.exec_driver_sql("SELECT id, typeof(text) FROM transcripts").all())
            assert kinds == {t: "blob" if isinstance(pack(text), bytes) else "text" for t, text in before.items()}
            assert kinds["t1"] == "blob"


def test_no_sql_looks_inside_the_text():
    """On SQLite the column holds compressed bytes: an SQL function of it (substr, length,
    lower, instr ...) or a comparison in SQL would silently see those, so none is written."""
    import re
    from pathlib import Path

    import qualcode

    inside = re.compile(r"func\.\w+\(\s*transcripts\.c\.text\b|transcripts\.c\.text\s*(==|!=|<|>)|"
                        r"transcripts\.c\.text\.(like|ilike|contains|startswith|endswith|in_|regexp_match)\b")
    found = [f"{path.name}:{number}" for path in Path(qualcode.__file__).parent.rglob("*.py")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if inside.search(line)]
    assert found == []
