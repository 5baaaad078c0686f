"""The store: created at head, stamped, upgraded in order, pragmas on."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import delete, func, insert, inspect, select, text, update

from qualcode.coding.session import CodingSession
from qualcode.errors import StoreError
from qualcode.store import HEAD, open_engine, sqlite_url, upgrade
from qualcode.store.migrations import MIGRATIONS, current_version
from qualcode.store.schema import (
    code_turns,
    coder_turns,
    codings,
    metadata,
    schema_version,
    transcripts,
)
from qualcode.store.stored_counts import count_problems
from qualcode.store.transcripts import same_content, segment_ids, text_digest
from qualcode.transcripts.corrections import remove_transcript
from tests.store.schema18_pg import row_trigger_statements


def test_new_store_is_created_at_head(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    applied = upgrade(engine)
    assert [m.version for m in applied] == [HEAD]
    with engine.connect() as conn:
        assert current_version(conn) == HEAD
        assert set(metadata.tables) <= set(inspect(conn).get_table_names())
    assert upgrade(engine) == []  # idempotent


def test_sqlite_pragmas(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_store_newer_than_code_is_refused(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(schema_version.insert().values(version=HEAD + 5, name="future", applied_at=datetime.now()))
    with pytest.raises(StoreError, match="newer than this qualcode"):
        upgrade(engine)


def test_later_migrations_run_in_order(tmp_path, monkeypatch):
    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    upgrade(engine)
    ran = []
    extra = [
        type(MIGRATIONS[0])(HEAD + 1, "one", lambda conn: ran.append(1)),
        type(MIGRATIONS[0])(HEAD + 2, "two", lambda conn: ran.append(2)),
    ]
    monkeypatch.setattr("qualcode.store.migrations.MIGRATIONS", MIGRATIONS + extra)
    monkeypatch.setattr("qualcode.store.migrations.HEAD", HEAD + 2)
    applied = upgrade(engine)
    assert ran == [1, 2] and [m.name for m in applied] == ["one", "two"]
    with engine.connect() as conn:
        assert current_version(conn) == HEAD + 2


def test_assignments_migration_upgrades_an_older_store(tmp_path):
    # A store stamped before the assignments table existed gets it on open.
    from qualcode.store.schema import assignments

    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    upgrade(engine)

    def make_older(conn) -> None:
        assignments.drop(conn)

    upgrade_from_before(engine, "assignments", make_older)
    with engine.connect() as conn:
        assert "assignments" in inspect(conn).get_table_names()
        assert current_version(conn) == HEAD


def test_finish_marks_and_memos_migration_upgrades_an_older_store(tmp_path):
    # A store stamped before finish marks and memos existed gets both tables on open.
    from qualcode.store.schema import finish_marks, memos

    engine = open_engine(sqlite_url(tmp_path / "q.db"))
    upgrade(engine)

    def make_older(conn) -> None:
        finish_marks.drop(conn)
        memos.drop(conn)

    upgrade_from_before(engine, "finish marks", make_older)
    with engine.connect() as conn:
        assert {"finish_marks", "memos"} <= set(inspect(conn).get_table_names())
        assert current_version(conn) == HEAD


def test_coder_index_gains_segment_id_on_an_older_store(project):
    # A store stamped before migration 'index codings by coder, transcript and segment' has
    # ix_codings_coder on (coder, transcript_id); on open it is rebuilt with segment_id last,
    # on whichever back end the project uses (the analysis set's coded turns read it alone).
    engine = project.engine

    def make_older(conn) -> None:
        conn.exec_driver_sql("DROP INDEX ix_codings_coder")
        conn.exec_driver_sql("CREATE INDEX ix_codings_coder ON codings (coder, transcript_id)")

    upgrade_from_before(engine, "index codings by coder, transcript and segment", make_older)
    with engine.connect() as conn:
        found = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("codings")}
        assert found["ix_codings_coder"] == ["coder", "transcript_id", "segment_id"]
        assert current_version(conn) == HEAD


def test_transcript_texts_are_hashed_on_an_older_store(project, interview):
    # A store stamped before migration 12 has no transcripts.text_sha256: on open the
    # column is added, every stored text hashed and the index made, on either back end;
    # an import of the same text under another id is then found through it.
    engine = project.engine

    def make_older(conn) -> None:
        conn.exec_driver_sql("DROP INDEX ix_transcripts_text_sha256")
        conn.exec_driver_sql("ALTER TABLE transcripts DROP COLUMN text_sha256")

    upgrade_from_before(engine, "transcripts.text_sha256", make_older)
    with engine.connect() as conn:
        assert "ix_transcripts_text_sha256" in {i["name"] for i in inspect(conn).get_indexes("transcripts")}
        stored = conn.execute(select(transcripts.c.text, transcripts.c.text_sha256)).all()  # texts unpacked
        assert stored and all(digest == text_digest(body) for body, digest in stored)
        assert same_content(conn, "not-the-file-hash", stored[0][0], exclude="another-id") != []
        assert same_content(conn, "not-the-file-hash", stored[0][0] + " ", exclude="another-id") == []


def test_segment_index_loses_code_id_on_an_older_store(project):
    # A store stamped before migration 'index codings by segment alone' has
    # ix_codings_segment_code (segment_id, code_id); on open it is replaced by
    # ix_codings_segment (segment_id), on whichever back end the project uses.
    engine = project.engine

    def make_older(conn) -> None:
        conn.exec_driver_sql("DROP INDEX ix_codings_segment")
        conn.exec_driver_sql("CREATE INDEX ix_codings_segment_code ON codings (segment_id, code_id)")

    upgrade_from_before(engine, "index codings by segment alone", make_older)
    with engine.connect() as conn:
        found = {i["name"]: i["column_names"] for i in inspect(conn).get_indexes("codings")}
        assert found["ix_codings_segment"] == ["segment_id"] and "ix_codings_segment_code" not in found
        assert current_version(conn) == HEAD


def upgrade_from_before(engine, name_prefix: str, make_older) -> None:
    """Make the store as it was before the migration whose name starts with ``name_prefix``
    (``make_older(conn)``), stamp it one version earlier and upgrade it: that migration runs."""
    step = next(m for m in MIGRATIONS if m.name.startswith(name_prefix))
    with engine.begin() as conn:
        make_older(conn)
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=step.version - 1, name="older", applied_at=datetime.now()))
    assert step.version in [m.version for m in upgrade(engine)]


def _drop_trigger(conn, name: str, table: str) -> None:
    on = f" ON {table}" if conn.dialect.name == "postgresql" else ""
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}{on}")


def _coded(project) -> None:
    """Two coders' codings on two transcripts, an interviewer turn among them."""
    from qualcode.coding.session import CodingSession
    from tests.helpers import INTERVIEW, add_transcript

    for tid in ("m-a", "m-b"):
        add_transcript(project, tid, "service_provider", INTERVIEW)
        CodingSession(project, "ana").tag(tid, 2, ["referral.hotline", "challenge.housing"])
    CodingSession(project, "ben").tag("m-a", 4, ["referral.hotline"])


@pytest.mark.coders("ana", "ben")
@pytest.mark.parametrize("before", ["coder_turns and code_turns", "coder_transcripts and transcript_turns"])
def test_stored_counts_and_totals_are_filled_on_an_older_store(project, before):
    # A store stamped before the stored counts (migration 15) or before the totals
    # (migration 17) has none of the tables that migration makes: on open they are made,
    # with their triggers, and filled from what is stored, on either back end.
    from qualcode.store.stored_counts import count_problems

    _coded(project)
    engine = project.engine
    totals_only = before.startswith("coder_transcripts")

    def make_older(conn) -> None:
        for name in ("turn", "segment"):
            for op in ("insert", "delete", "update"):  # SQLite's; PostgreSQL's go with the function
                _drop_trigger(conn, f"qualcode_total_{name}_{op}", "segments")
        _drop_trigger(conn, "qualcode_total_segments", "segments")
        conn.exec_driver_sql("DROP TABLE coder_transcripts")
        conn.exec_driver_sql("DROP TABLE transcript_turns")
        if not totals_only:
            for op in ("insert", "delete", "update"):
                _drop_trigger(conn, f"qualcode_count_{op}", "codings")
            _drop_trigger(conn, "qualcode_count_codings", "codings")
            conn.exec_driver_sql("DROP TABLE coder_turns")
            conn.exec_driver_sql("DROP TABLE code_turns")

    upgrade_from_before(engine, before, make_older)
    with engine.connect() as conn:
        assert count_problems(conn) == []
        assert conn.execute(text("SELECT count(*) FROM coder_transcripts")).scalar() == 3
        assert conn.execute(text("SELECT sum(respondent_turns) FROM transcript_turns")).scalar() == 4
        assert current_version(conn) == HEAD
    from qualcode.coding.session import CodingSession

    CodingSession(project, "ben").tag("m-b", 2, ["referral.hotline"])  # the triggers keep them from now on
    with engine.connect() as conn:
        assert count_problems(conn) == []
        assert conn.execute(text("SELECT count(*) FROM coder_transcripts")).scalar() == 4


def _count_triggers(conn) -> dict[str, str]:
    """The count triggers on codings: name -> 'ROW', or on PostgreSQL 'STATEMENT' with the
    transition tables it references (e.g. 'STATEMENT old_rows new_rows')."""
    if conn.dialect.name != "postgresql":
        found = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'codings'")
        return {name: "ROW" for name in found.scalars() if name.startswith("qualcode_count")}
    found = conn.exec_driver_sql(
        "SELECT DISTINCT trigger_name, action_orientation, action_reference_old_table, action_reference_new_table "
        "FROM information_schema.triggers WHERE event_object_schema = current_schema() "
        "AND event_object_table = 'codings' AND starts_with(trigger_name, 'qualcode_count')")
    return {name: " ".join(filter(None, (level, old, new))) for name, level, old, new in found}


@pytest.mark.coders("ana", "ben")
def test_counts_move_to_statement_triggers_on_an_older_store(project):
    # A store at the version before migration 19, its counts kept by the row trigger of
    # migrations 15-18 (on PostgreSQL), with codings written, moved and deleted through
    # that trigger: on open the row trigger gives way to three statement-level triggers,
    # the counts stay right, and the new triggers keep them through later writes.
    # SQLite keeps its row triggers.
    _coded(project)
    engine = project.engine
    postgres = engine.dialect.name == "postgresql"

    def make_older(conn) -> None:
        if postgres:
            for op in ("insert", "delete", "update"):
                _drop_trigger(conn, f"qualcode_count_{op}", "codings")
            for statement in row_trigger_statements(conn.execute(select(func.current_schema())).scalar_one()):
                conn.exec_driver_sql(statement)
            assert _count_triggers(conn) == {"qualcode_count_codings": "ROW"}
        turns = segment_ids(conn, "m-b")
        now = datetime.now()
        conn.execute(insert(codings), [  # three codings of one code on one turn, one statement
            {"transcript_id": "m-b", "segment_id": turns[4], "coder": "ben", "code_id": "challenge.housing",
             "start_offset": k, "end_offset": k + 3, "origin": "manual", "orphaned": False,
             "created_at": now, "updated_at": now} for k in range(3)])
        moved = conn.execute(select(func.min(codings.c.id)).where(codings.c.coder == "ben", codings.c.transcript_id == "m-b"))
        conn.execute(update(codings).where(codings.c.id == moved.scalar_one()).values(segment_id=turns[2]))
        conn.execute(delete(codings).where(codings.c.coder == "ana", codings.c.transcript_id == "m-a",
                                           codings.c.code_id == "challenge.housing"))
        assert count_problems(conn) == []  # kept right by the old trigger

    upgrade_from_before(engine, "PostgreSQL counts codings once a statement", make_older)
    expected = ({op: "STATEMENT" + {"insert": " new_rows", "delete": " old_rows", "update": " old_rows new_rows"}[op]
                 for op in ("insert", "delete", "update")} if postgres else {})
    with engine.connect() as conn:
        assert count_problems(conn) == []
        assert current_version(conn) == HEAD
        found = _count_triggers(conn)
        assert found == ({f"qualcode_count_{op}": level for op, level in expected.items()} if postgres
                         else dict.fromkeys(("qualcode_count_insert", "qualcode_count_delete", "qualcode_count_update"), "ROW"))
        before = conn.execute(select(func.sum(coder_turns.c.codings))).scalar_one()
    CodingSession(project, "ben").tag("m-b", 4, ["referral.hotline"])
    CodingSession(project, "ana").untag("m-b", 2, ["challenge.housing"])
    remove_transcript(project, "m-a", by="lead")
    with engine.connect() as conn:
        assert count_problems(conn) == []
        assert conn.execute(select(func.sum(coder_turns.c.codings))).scalar_one() < before
        assert conn.execute(select(func.count()).select_from(code_turns).where(code_turns.c.transcript_id == "m-a")).scalar() == 0
