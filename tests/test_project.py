"""Finding, creating and configuring projects."""

from __future__ import annotations

import pytest

from qualcode.errors import ProjectError
from qualcode.project import Project


@pytest.mark.sqlite_only  # the .qualcode/qualcode.db file
def test_init_creates_layout(tmp_path):
    project = Project.init(tmp_path / "study")
    for folder in ("codebooks", "transcripts", "reports"):
        assert (project.root / folder).is_dir()
    assert (project.root / "qualcode.toml").is_file()
    assert (project.root / ".qualcode" / "qualcode.db").is_file()
    assert set(project.codebook.roles) == {"law_enforcement", "prosecutor", "service_provider", "other"}
    project.close()


def test_init_refuses_existing_project(tmp_path):
    Project.init(tmp_path).close()
    with pytest.raises(ProjectError, match="already a qualcode project"):
        Project.init(tmp_path)


def test_find_walks_up(tmp_path):
    Project.init(tmp_path).close()
    deep = tmp_path / "transcripts" / "a" / "b"
    deep.mkdir(parents=True)
    assert Project.find(deep).root == tmp_path.resolve()


def test_find_without_project(tmp_path):
    with pytest.raises(ProjectError, match="No qualcode project in .* run 'qualcode init'"):
        Project.find(tmp_path)


def test_database_url_from_environment(tmp_path, monkeypatch):
    project = Project.init(tmp_path)
    monkeypatch.setenv("QUALCODE_DATABASE_URL", "sqlite+pysqlite:///elsewhere.db")
    assert project.database_url == "sqlite+pysqlite:///elsewhere.db"
    project.close()


def test_bad_toml_is_a_clear_error(tmp_path):
    (tmp_path / "qualcode.toml").write_text("[project\nname=", encoding="utf-8")
    with pytest.raises(ProjectError, match="invalid TOML"):
        Project.find(tmp_path)
