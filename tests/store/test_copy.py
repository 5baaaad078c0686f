"""``db copy``: whole stores between SQLite and PostgreSQL, verified by counts and hashes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, insert, inspect, select, update
from typer.testing import CliRunner

from qualcode.agreement.sampling import create_sample
from qualcode.cli.app import app
from qualcode.coding.session import CodingSession
from qualcode.errors import StoreError
from qualcode.store import open_engine, sqlite_url
from qualcode.store.copy import canonical_row, copy_store, data_tables, store_digests
from qualcode.store.schema import code_turns, coder_turns, codings, events, metadata, models
from qualcode.store.stored_counts import COUNTED_TABLES, count_problems
from tests import pg
from tests.helpers import REPO, add_coders, add_transcript
from tests.twins import assert_json_is_twins, record

pytestmark = pytest.mark.coders("alice", "ana", "ben", "bob", "cy")

EXAMPLE = REPO / "transcripts" / "manifest.csv"


def digests(url: str):
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            return store_digests(conn)
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def other_store(request, tmp_path):
    """An empty database of each back end, as a URL."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "other" / "copy.db")
        return
    with pg.fresh_schema(pg.require_server()) as url:
        yield url


def fill(project) -> None:
    """A bit of everything: codings, undone and redone events, a sample, a model blob."""
    add_transcript(project, "vsp-2", "service_provider", [("Interviewer", "Why?"), ("Respondent", "Housing — «é» ✓.")])
    ana, ben = CodingSession(project, "ana"), CodingSession(project, "ben")
    ana.tag("vsp-1", 2, ["referral.hotline"], text="hotline")
    ana.tag("vsp-1", 4, ["challenge.housing"], memo="always a need")
    ana.undo()
    ana.redo()
    ben.tag("vsp-2", 2, ["challenge.housing"])
    ben.tag("vsp-1", 2, ["referral.hotline"])
    ben.untag("vsp-1", 2, ["referral.hotline"])
    create_sample(project, "double", fraction=0.5, coders=["ana", "ben"], seed=7)
    with project.write() as conn:
        conn.execute(insert(models).values(
            name="m", trained_from="ana", codebook_hash="h", data_hash="d", payload=bytes(range(256)),
            report={"f1": 0.5, "codes": ["a", "b"]}, created_at=datetime(2026, 1, 2, 3, 4, 5, 123456, UTC),
        ))


def test_round_trip_is_exact(project, interview, other_store, tmp_path):
    fill(project)
    source = digests(project.database_url)
    copied = copy_store(project.database_url, other_store)
    assert copied.tables == source and copied.rows > 20
    assert digests(other_store) == source
    back = sqlite_url(tmp_path / "back.db")
    copy_store(other_store, back)
    assert digests(back) == source
    # Every table but the stored counts, which the target's triggers make from the codings.
    assert {t.table for t in source} == set(metadata.tables) - {t.name for t in COUNTED_TABLES}
    for url in (other_store, back):
        engine = open_engine(url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(code_turns)).scalar() > 0
            assert count_problems(conn) == []
        engine.dispose()


def test_copied_project_keeps_working(project, interview, other_store, monkeypatch):
    """Ids continue after the copied ones (sequences reset) and undo still works."""
    fill(project)
    from qualcode.coding.listing import event_log

    largest = max(e.coding for e in event_log(project))  # ben's untagged coding: only in the log
    assert largest > max(r.id for r in _codings(project.database_url))
    copy_store(project.database_url, other_store)
    monkeypatch.setenv("QUALCODE_DATABASE_URL", other_store)
    from qualcode.project import Project

    moved = Project(project.root)
    try:
        added = CodingSession(moved, "cy").tag("vsp-1", 4, ["challenge.housing"]).added[0]
        assert added.id == largest + 1
        assert CodingSession(moved, "ana").undo().action == "undo"
    finally:
        moved.close()


def _codings(url):
    engine = open_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(codings)).all()
    finally:
        engine.dispose()


def test_non_empty_target_is_refused_unless_replace(project, interview, other_store):
    fill(project)
    copy_store(project.database_url, other_store)
    with pytest.raises(StoreError, match=r"already holds data \(tables .*codings.*\); use --replace"):
        copy_store(project.database_url, other_store)
    CodingSession(project, "ana").tag("vsp-1", 2, ["challenge.housing"])
    report = copy_store(project.database_url, other_store, replace=True)
    assert report.replaced and digests(other_store) == digests(project.database_url)


def test_failed_verification_copies_nothing(project, interview, other_store, monkeypatch):
    fill(project)

    def corrupted(table, row):  # what lands in the target differs from what was read
        return {**row, "memo": "changed"} if table.name == "codings" else dict(row)

    monkeypatch.setattr("qualcode.store.copy._writable", corrupted)
    with pytest.raises(StoreError, match=r"does not match the source in codings \(\d+ rows vs \d+\); nothing was copied"):
        copy_store(project.database_url, other_store)
    assert all(t.rows == 0 for t in digests(other_store) if t.table != "schema_version")


def test_same_store_and_empty_source_are_refused(project, tmp_path):
    with pytest.raises(StoreError, match="same database"):
        copy_store(project.database_url, project.database_url)
    empty = sqlite_url(tmp_path / "empty.db")
    open_engine(empty).dispose()
    with pytest.raises(StoreError, match="holds no qualcode store"):
        copy_store(empty, sqlite_url(tmp_path / "target.db"))


def test_source_at_another_schema_version_is_refused(project, tmp_path):
    from qualcode.store.schema import schema_version

    with project.write() as conn:
        conn.execute(update(schema_version).values(version=schema_version.c.version + 100))
    with pytest.raises(StoreError, match=r"schema version \d+, this qualcode at \d+; run 'qualcode db upgrade'"):
        copy_store(project.database_url, sqlite_url(tmp_path / "target.db"))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (datetime(2026, 3, 1, 12, 0), datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        (datetime(2026, 3, 1, 13, 0, tzinfo=timezone(timedelta(hours=1))), datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        (memoryview(b"\x00\x01"), b"\x00\x01"),
        ({"b": 1, "a": [1.5, None]}, {"a": [1.5, None], "b": 1}),
    ],
    ids=["naive is UTC", "offset", "binary", "json key order"],
)
def test_canonical_encoding_ignores_back_end_differences(first, second):
    column = "at" if isinstance(first, datetime) else "before" if isinstance(first, dict) else None
    table = events if column else models
    column = column or "payload"
    row = {c.name: None for c in table.columns}
    assert canonical_row(table, {**row, column: first}) == canonical_row(table, {**row, column: second})


def test_canonical_encoding_sees_real_changes():
    row = {c.name: None for c in codings.columns}
    assert canonical_row(codings, {**row, "memo": "a"}) != canonical_row(codings, {**row, "memo": "b"})
    assert canonical_row(codings, {**row, "confidence": 0.1}) != canonical_row(codings, {**row, "confidence": 0.1000001})


# -- ids are never handed out twice ------------------------------------------------------


def test_copy_retires_the_ids_of_deleted_codings(project, interview, other_store, monkeypatch):
    ana = CodingSession(project, "ana")
    ana.tag("vsp-1", 2, ["referral.hotline"])
    deleted = ana.tag("vsp-1", 4, ["challenge.housing"]).added[0].id
    ana.untag("vsp-1", 4, ["challenge.housing"])  # the largest id is now only in the log
    copy_store(project.database_url, other_store)
    monkeypatch.setenv("QUALCODE_DATABASE_URL", other_store)
    from qualcode.project import Project

    moved = Project(project.root)
    try:
        assert CodingSession(moved, "ben").tag("vsp-1", 4, ["challenge.housing"]).added[0].id > deleted
        assert CodingSession(moved, "ana").undo().added[0].id == deleted
    finally:
        moved.close()


def test_migration_3_rebuilds_sqlite_codings_keeping_every_row(project, interview, tmp_path):
    from sqlalchemy import MetaData

    from qualcode.store.migrations import MIGRATIONS, upgrade

    fill(project)
    ana = CodingSession(project, "ana")
    deleted = ana.tag("vsp-2", 2, ["referral.hotline"], text="Housing").added[0].id
    ana.untag("vsp-2", 2, ["referral.hotline"])
    engine = open_engine(sqlite_url(tmp_path / "v2.db"))
    old = MetaData()
    for table in metadata.tables.values():
        table.to_metadata(old)
    old.tables["codings"].dialect_options["sqlite"]["autoincrement"] = False  # as versions 1-2 made it
    with project.read() as source, engine.begin() as conn:
        old.create_all(conn)
        for table in data_tables():
            rows = [dict(r._mapping) for r in source.execute(select(table))]
            if rows:
                conn.execute(insert(old.tables[table.name]), rows)
        conn.execute(insert(old.tables["schema_version"]), [
            {"version": m.version, "name": m.name, "applied_at": datetime.now(UTC)} for m in MIGRATIONS[:2]
        ])
        before = store_digests(conn)
        assert "AUTOINCREMENT" not in _codings_ddl(conn)
    assert [m.version for m in upgrade(engine)] == [m.version for m in MIGRATIONS[2:]]
    with engine.connect() as conn:
        after = store_digests(conn)
        assert "AUTOINCREMENT" in _codings_ddl(conn)
        assert conn.exec_driver_sql("SELECT seq FROM sqlite_sequence WHERE name = 'codings'").scalar() == deleted
        indexes = {i["name"] for i in inspect(conn).get_indexes("codings")}
        assert {i.name for i in codings.indexes} <= indexes
        # Migration 15 filled the stored counts from the codings already there.
        assert conn.execute(select(func.count()).select_from(coder_turns)).scalar() > 0
        assert count_problems(conn) == []
    engine.dispose()
    assert [d for d in after if d.table != "schema_version"] == [d for d in before if d.table != "schema_version"]


def _codings_ddl(conn) -> str:
    return conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'codings'").scalar()


# -- the CLI ---------------------------------------------------------------------------


def test_cli_copy_and_info(project, interview, other_store):
    fill(project)
    runner = CliRunner()
    result = runner.invoke(app, ["-p", str(project.root), "db", "copy", "--to", other_store])
    assert result.exit_code == 0, result.output
    assert "row counts and content hashes verified" in result.output
    assert "codings" in result.output and "sha256" in result.output
    again = runner.invoke(app, ["-p", str(project.root), "db", "copy", "--to", other_store])
    assert again.exit_code == 1 and "Error: " in again.output and "--replace" in again.output
    assert "Traceback" not in again.output
    info = runner.invoke(app, ["-p", str(project.root), "db", "info", "--json"])
    assert info.exit_code == 0, info.output
    found = json.loads(info.output)
    assert found["schema_version"] == found["head"]
    assert found["rows"]["codings"] == len(_codings(project.database_url)) == 3


def test_db_copy_json_is_the_twins_to_dict(project, interview, other_store, monkeypatch):
    from qualcode.store import copy as store_copy

    fill(project)
    returned = record(monkeypatch, store_copy, "copy_store")
    result = CliRunner().invoke(app, ["-p", str(project.root), "db", "copy", "--to", other_store, "--json"])
    assert result.exit_code == 0, result.output
    assert_json_is_twins(result.output, returned)


def test_db_info_json_is_the_twins_to_dict(project, interview, monkeypatch):
    """On PostgreSQL the role, schema and secured tables are there too; on SQLite they are left out."""
    from qualcode.store import copy as store_copy

    fill(project)
    returned = record(monkeypatch, store_copy, "database_info")
    result = CliRunner().invoke(app, ["-p", str(project.root), "db", "info", "--json"])
    assert result.exit_code == 0, result.output
    assert_json_is_twins(result.output, returned)
    on_server = project.database_url.startswith("postgresql")
    assert ("row_level_security" in json.loads(result.output)) == (returned[0].user is not None) == on_server


def test_cli_upgrade_reports_up_to_date(project):
    result = CliRunner().invoke(app, ["-p", str(project.root), "db", "upgrade"])
    assert result.exit_code == 0 and "already up to date" in result.output


# -- the example study ---------------------------------------------------------------------


@pytest.mark.skipif(not EXAMPLE.is_file(), reason="the example transcripts are not in this checkout")
def test_example_study_round_trips_through_postgresql(tmp_path, monkeypatch):
    """Import the example study into SQLite, copy it to PostgreSQL and back: identical."""
    server = pg.require_server()
    monkeypatch.delenv("QUALCODE_DATABASE_URL", raising=False)
    project = example_project(tmp_path / "study")
    try:
        source = digests(project.database_url)
        assert {t.table: t.rows for t in source}["codings"] > 300
        with pg.fresh_schema(server) as on_server:
            assert copy_store(project.database_url, on_server).tables == source
            back = sqlite_url(tmp_path / "back" / "qualcode.db")
            assert copy_store(on_server, back).tables == source
        assert digests(back) == source
    finally:
        project.close()


def example_project(folder: Path):
    from qualcode.demo import import_example_transcripts, prepare_demo_project
    from qualcode.interop.spreadsheets import import_codings

    project = prepare_demo_project(REPO, folder)
    import_example_transcripts(project)
    add_coders(project, "alice", "bob")  # the lead adds the coders before loading their files
    for coder in ("alice", "bob"):
        import_codings(project, project.root / "transcripts" / "double-coding" / f"{coder}.csv")
    create_sample(project, "double-coding", fraction=0.1, coders=["alice", "bob"], stratify=["role"], seed=2026)
    session = CodingSession(project, "alice")
    session.tag("le-c-01", 4, ["referral.hotline"], memo="ünïcode memo ✓")
    session.undo()
    session.redo()
    return project


def test_demo_step_copies_and_checks_the_store(project, interview):
    from rich.console import Console

    from qualcode.cli.demo import STAGES

    fill(project)
    out = Console(record=True, width=200)
    dict(STAGES)["A verified copy of the store"](project, out, {})
    text = out.export_text()
    rows = sum(t.rows for t in digests(project.database_url))
    assert f"db copy: {rows} rows in {len(metadata.tables) - len(COUNTED_TABLES)} tables" in text and "hashes match" in text
    assert not list((project.root / ".qualcode").glob("copy-check*"))
