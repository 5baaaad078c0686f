"""Team mode on a real PostgreSQL server: schema creation, per-coder locks, access rules.

These run only when QUALCODE_TEST_DATABASE_URL names a server (``.ci/postgres.sh``);
the rest of the suite runs on that server too, unchanged.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, func, inspect, select, text, update
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.listing import event_log, list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError, StoreError
from qualcode.project import Project
from qualcode.store import open_engine
from qualcode.store.access import AccessDenied, lock_coder
from qualcode.store.schema import codings, events, metadata
from tests import pg

pytestmark = pytest.mark.coders("ana", "ben")


@pytest.fixture
def server(database_server) -> str:
    """The lead's URL of this test's schema (the lead owns the tables)."""
    if database_server is None:
        pytest.skip(f"needs a PostgreSQL server: set {pg.TEST_URL_ENV} (see .ci/postgres.sh)")
    return database_server


def unique(name: str) -> str:
    return f"{name}_{secrets.token_hex(4)}"


@contextmanager
def opened_as(root, url: str, monkeypatch, coder: str | None = None) -> Iterator[Project]:
    """The project at ``root`` as another login (and, for a shared login, a bound coder)."""
    monkeypatch.setenv("QUALCODE_DATABASE_URL", url)
    if coder:
        monkeypatch.setenv("QUALCODE_CODER", coder)
    project = Project(root)
    try:
        yield project
    finally:
        project.close()


# -- schema ----------------------------------------------------------------------------


def test_init_with_database_url_creates_the_schema_on_the_server(server, tmp_path, monkeypatch):
    monkeypatch.delenv("QUALCODE_DATABASE_URL")
    result = CliRunner().invoke(app, ["init", str(tmp_path / "team"), "--database-url", server])
    assert result.exit_code == 0, result.output
    from sqlalchemy.engine import make_url

    password = make_url(server).password
    config = (tmp_path / "team" / "qualcode.toml").read_text(encoding="utf-8")
    assert password and password not in config and "was not written to qualcode.toml" in result.output
    assert make_url(Project(tmp_path / "team").setting("project", "database_url")) == make_url(server)._replace(password=None)
    monkeypatch.setenv("PGPASSWORD", password)
    store_folder = tmp_path / "team" / ".qualcode"  # in team mode it holds at most the parsed-codebook cache
    assert not list(store_folder.glob("*.db*")) and {p.name for p in store_folder.glob("*")} <= {"codebook-cache.json"}  # no SQLite file
    engine = open_engine(server)
    with engine.connect() as conn:
        assert set(metadata.tables) <= set(inspect(conn).get_table_names())
    engine.dispose()
    info = CliRunner().invoke(app, ["-p", str(tmp_path / "team"), "db", "info"])
    assert info.exit_code == 0 and "postgresql 15" in info.output.replace("backend   ", "")


def test_unreachable_server_is_a_clear_error(project, monkeypatch):
    monkeypatch.setenv("QUALCODE_DATABASE_URL", "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none")
    result = CliRunner().invoke(app, ["-p", str(project.root), "progress"])
    assert result.exit_code == 1
    if importlib.util.find_spec("psycopg") is None:  # the SQLite pass installs no driver
        assert "needs the Python driver 'psycopg'" in result.output
    else:
        assert "Error: Cannot connect to postgresql+psycopg://nobody:***@127.0.0.1:1/none" in result.output
    assert "wrong" not in result.output and "Traceback" not in result.output


# -- one writer per coder ------------------------------------------------------------------


def test_lock_coder_blocks_the_same_coder_only(project, server):
    engine = open_engine(server)
    holder = engine.connect()
    try:
        holder.begin()
        assert lock_coder(holder, "ana")
        with engine.connect() as other:
            other.begin()
            other.execute(text("SET LOCAL lock_timeout = '300ms'"))
            assert lock_coder(other, "ben")  # another coder: no wait
            with pytest.raises(Exception, match="lock timeout"):
                lock_coder(other, "ana")
    finally:
        holder.close()
        engine.dispose()


def test_one_coder_in_two_terminals_never_duplicates(project, interview, server):
    """Overlapping same-code spans from two sessions of one coder merge into one coding."""
    seg = interview.segments[1]
    errors: list[BaseException] = []

    def terminal(offset: int) -> None:
        session = CodingSession(Project(project.root), "ana")
        try:
            for i in range(30):  # spans that keep overlapping what the other terminal adds
                start = seg.start + (offset + 7 * i) % (seg.end - seg.start - 4)
                session.tag("vsp-1", 2, ["referral.hotline"], span=(start, start + 4))
                if i % 6 == 5:
                    with contextlib.suppress(CodingError):  # the other terminal may have untagged it all
                        session.untag("vsp-1", 2, ["referral.hotline"])
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            session.project.close()

    threads = [threading.Thread(target=terminal, args=(k,)) for k in (0, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    rows = list_codings(project, coder="ana")
    spans = sorted((r.start, r.end) for r in rows)
    assert all(a_end < b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))  # no overlaps


# -- row-level security ------------------------------------------------------------------------


@pytest.fixture
def coder_roles(server, project, interview):
    """Two coder roles with access granted by the lead; yields {name: URL}."""
    names = [unique("ana"), unique("ben")]
    with pg.login_role(server, names[0]) as first, pg.login_role(server, names[1]) as second:
        for name in names:
            result = CliRunner().invoke(app, ["-p", str(project.root), "db", "grant", name])
            assert result.exit_code == 0, result.output
        yield {names[0]: pg.with_user(server, names[0], first), names[1]: pg.with_user(server, names[1], second)}


def test_a_coder_writes_own_codings_and_reads_everyone(project, coder_roles, monkeypatch):
    (ana, ana_url), (ben, ben_url) = coder_roles.items()
    with opened_as(project.root, ben_url, monkeypatch) as as_ben:
        CodingSession(as_ben, ben).tag("vsp-1", 2, ["referral.hotline"])
    with opened_as(project.root, ana_url, monkeypatch) as as_ana:
        session = CodingSession(as_ana, ana)
        session.tag("vsp-1", 2, ["referral.hotline"], text="hotline")
        session.tag("vsp-1", 4, ["challenge.housing"])
        assert session.undo().removed[0].code_id == "challenge.housing"
        assert session.redo().added[0].code_id == "challenge.housing"
        assert {r.coder for r in list_codings(as_ana)} == {ana, ben}  # reads everyone's work


def test_writing_another_coders_codings_is_refused(project, coder_roles, monkeypatch):
    (ana, ana_url), (ben, ben_url) = coder_roles.items()
    with opened_as(project.root, ben_url, monkeypatch) as as_ben:
        CodingSession(as_ben, ben).tag("vsp-1", 2, ["referral.hotline"])
    with opened_as(project.root, ana_url, monkeypatch) as as_ana:
        with pytest.raises(AccessDenied, match=f"refused role '{ana}': new row violates row-level security"):
            CodingSession(as_ana, ben).tag("vsp-1", 4, ["challenge.housing"])
        with as_ana.write() as conn:  # behind qualcode's back: others' rows are out of reach
            assert conn.execute(delete(codings).where(codings.c.coder == ben)).rowcount == 0
            assert conn.execute(update(codings).values(memo="mine")).rowcount == 0
        result = CliRunner().invoke(
            app, ["-p", str(project.root), "tag", "vsp-1", "4", "challenge.housing", "--coder", ben]
        )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: the database refused role '{ana}'")
    assert "qualcode db grant" in result.output and "Traceback" not in result.output
    assert [r.coder for r in list_codings(project)] == [ben]


def test_a_coder_cannot_rewrite_or_delete_the_event_log(project, coder_roles, monkeypatch):
    (ana, ana_url), _ = coder_roles.items()
    with opened_as(project.root, ana_url, monkeypatch) as as_ana:
        CodingSession(as_ana, ana).tag("vsp-1", 2, ["referral.hotline"])
        for statement in (update(events).values(after=None), delete(events)):
            with pytest.raises(AccessDenied, match="permission denied for table events"), as_ana.write() as conn:
                conn.execute(statement.where(events.c.coder == ana))
    assert [e.coder for e in event_log(project)] == [ana]


def test_a_role_without_a_grant_is_refused_clearly(project, interview, server, monkeypatch):
    stranger = unique("cy")
    with pg.login_role(server, stranger) as password, opened_as(
        project.root, pg.with_user(server, stranger, password), monkeypatch
    ) as as_cy, pytest.raises(AccessDenied, match="(permission denied for (schema|table)|sees no schema to work in)"):
        list_codings(as_cy)


def test_shared_login_writes_only_as_the_bound_coder(project, interview, server, monkeypatch):
    team = unique("team")
    with pg.login_role(server, team) as password:
        granted = CliRunner().invoke(app, ["-p", str(project.root), "db", "grant", team, "--shared"])
        assert granted.exit_code == 0, granted.output
        url = pg.with_user(server, team, password)
        with opened_as(project.root, url, monkeypatch, coder="ana") as as_ana:
            CodingSession(as_ana, "ana").tag("vsp-1", 2, ["referral.hotline"])
            with pytest.raises(AccessDenied, match="row-level security"):
                CodingSession(as_ana, "ben").tag("vsp-1", 2, ["referral.hotline"])
        assert [r.coder for r in list_codings(project)] == ["ana"]


def test_grant_can_create_the_login_role(project, interview, server):
    coder = unique("dee")
    try:
        result = CliRunner().invoke(app, ["-p", str(project.root), "db", "grant", coder, "--create-role"])
        assert result.exit_code == 0, result.output
        url = result.output.split("QUALCODE_DATABASE_URL='")[1].split("'")[0]
        engine = open_engine(url)
        with engine.connect() as conn:
            assert conn.execute(select(func.current_user())).scalar() == coder
        engine.dispose()
        info = CliRunner().invoke(app, ["-p", str(project.root), "db", "info", "--json"])
        assert '"codings"' in info.output.split('"row_level_security"')[1]
    finally:
        pg.run_sql(server, f"GRANT {coder} TO CURRENT_USER", f"DROP OWNED BY {coder}", f"DROP ROLE {coder}")


def test_grant_refuses_sqlite_and_bad_names(tmp_path, monkeypatch):
    from qualcode.store.access import check_role_name

    monkeypatch.delenv("QUALCODE_DATABASE_URL", raising=False)
    Project.init(tmp_path / "local").close()
    result = CliRunner().invoke(app, ["-p", str(tmp_path / "local"), "db", "grant", "ana"])
    assert result.exit_code == 1 and "needs a PostgreSQL database (this project uses sqlite)" in result.output
    for bad in ("", "x" * 64, "pg_monitor", "public"):
        with pytest.raises(StoreError):
            check_role_name(bad)
