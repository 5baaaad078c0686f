"""Files about people are private (0700 store folder, 0600 data and exports) and no
password is ever written to qualcode.toml."""

from __future__ import annotations

import os
import stat
import tomllib

import pytest

from qualcode.project import Project, without_password
from tests.quotes.study import build_study
from tests.security.hostile import exported_qdpx, run_cli


@pytest.fixture(autouse=True)
def usual_umask():
    old = os.umask(0o022)  # what most systems use: new files 0644, folders 0755
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.sqlite_only
def test_the_sqlite_store_is_private(tmp_path):
    project = Project.init(tmp_path / "p")
    with project.write() as conn:  # a write creates the WAL, if the store uses one
        from qualcode.store.codings import ensure_coder

        ensure_coder(conn, "ana")
    store = tmp_path / "p" / ".qualcode"
    assert mode(store) == 0o700
    for path in store.iterdir():
        assert mode(path) == 0o600, path.name
    project.close()


@pytest.mark.sqlite_only
def test_an_existing_world_readable_store_is_tightened_when_opened(tmp_path):
    Project.init(tmp_path / "p").close()
    store = tmp_path / "p" / ".qualcode"
    os.chmod(store, 0o755)
    os.chmod(store / "qualcode.db", 0o644)
    project = Project(tmp_path / "p")
    project.migrate()
    assert mode(store) == 0o700 and mode(store / "qualcode.db") == 0o600
    project.close()


@pytest.mark.parametrize("suffix", ["docx", "md", "csv", "xlsx", "json"])
def test_quote_set_exports_are_private(project, tmp_path, suffix):
    study = build_study(project)
    target = tmp_path / f"set.{suffix}"
    result = run_cli(study, "quotes", "referral", "--coder", "ana", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600


def test_an_existing_export_file_is_made_private_too(project, tmp_path):
    study = build_study(project)
    target = tmp_path / "set.md"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o644)
    assert run_cli(study, "quotes", "referral", "--coder", "ana", "-o", str(target)).exit_code == 0
    assert mode(target) == 0o600


def test_qdpx_and_bundle_exports_are_private(coded, tmp_path):
    assert mode(exported_qdpx(coded, tmp_path / "x.qdpx")) == 0o600
    assert run_cli(coded, "export", "coder", "alice", "-o", str(tmp_path / "a.qcb")).exit_code == 0
    assert mode(tmp_path / "a.qcb") == 0o600


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("postgresql+psycopg://ana:s%40cret@db.example:5432/q?options=-csearch_path%3Decm",
         "postgresql+psycopg://ana@db.example:5432/q?options=-csearch_path%3Decm"),
        ("postgresql+psycopg://db.example/q", "postgresql+psycopg://db.example/q"),
    ],
)
def test_without_password(url, stored):
    assert without_password(url) == stored


def test_init_never_writes_the_password(tmp_path, monkeypatch):
    import qualcode.project as module

    monkeypatch.setattr(module.Project, "migrate", lambda self: [])  # no server needed to write the file
    result = run_cli_init(tmp_path / "team", "postgresql+psycopg://ana:hunter2@db.example/q")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "team" / "qualcode.toml").read_text(encoding="utf-8")
    assert "hunter2" not in text
    assert tomllib.loads(text)["project"]["database_url"] == "postgresql+psycopg://ana@db.example/q"
    assert "was not written to qualcode.toml" in result.output and "hunter2" not in result.output


def run_cli_init(root, url):
    from typer.testing import CliRunner

    from qualcode.cli.app import app

    return CliRunner().invoke(app, ["init", str(root), "--database-url", url])
