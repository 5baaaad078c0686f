"""Shared fixtures: a temp-dir project with the small test codebook, and transcripts
built directly from turns (so coding tests do not depend on the importers)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from qualcode.project import DATABASE_URL_ENV, Project
from qualcode.transcripts.model import Transcript
from tests import pg
from tests.helpers import DATA, INTERVIEW, add_coders, add_transcript

# Hypothesis: CI is derandomized with bounded examples so a run is repeatable and its
# time predictable on a 2-core machine; locally the default profile explores more.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "dev",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "coders(*names): coders the project fixture starts with")
    config.addinivalue_line(
        "markers", "sqlite_only: tests of the SQLite store itself; skipped when the suite runs on PostgreSQL"
    )


@pytest.fixture(autouse=True)
def database_server(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """On PostgreSQL (QUALCODE_TEST_DATABASE_URL set): a fresh schema per test.

    Every project the test opens uses that schema through QUALCODE_DATABASE_URL,
    so the code under test is the same on both back ends. Yields the schema's URL,
    or None on SQLite.
    """
    url = pg.server_url()
    if url is None:
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)  # a team server set in the shell
        yield None
        return
    if request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite-specific (the suite runs on PostgreSQL)")
    with pg.fresh_schema(url) as schema_url:
        monkeypatch.setenv(DATABASE_URL_ENV, schema_url)
        schemas = pg.SchemaPerProject(url, schema_url)
        # A test with two projects (export here, import there) gets two schemas,
        # as it gets two SQLite files; a URL the test sets itself is left alone.
        in_env = Project.database_url.fget

        def database_url(self: Project) -> str:
            if os.environ.get(DATABASE_URL_ENV) != schema_url:
                return in_env(self)
            return schemas.url_for(self.root)

        monkeypatch.setattr(Project, "database_url", property(database_url))
        try:
            yield schema_url
        finally:
            schemas.drop()


def use_codebook(root: Path, source: Path) -> None:
    """Copy a codebook into the project and make it the active one."""
    shutil.copy(source, root / "codebooks" / source.name)
    config = (root / "qualcode.toml").read_text(encoding="utf-8")
    config = config.replace('codebook = "codebooks/codebook.yaml"', f'codebook = "codebooks/{source.name}"')
    (root / "qualcode.toml").write_text(config, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, request: pytest.FixtureRequest) -> Project:
    """A fresh project using tests/data/codebooks/small.yaml.

    Coders are created deliberately (``qualcode coders add``): a test or module names
    the coders its project starts with by ``@pytest.mark.coders("ana", "ben")``.
    """
    root = tmp_path / "proj"
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    project = Project(root)
    marker = request.node.get_closest_marker("coders")
    if marker is not None:
        add_coders(project, *marker.args)
    yield project
    project.close()


@pytest.fixture
def interview(project: Project) -> Transcript:
    """A service-provider interview with two respondent turns (segments 2 and 4)."""
    return add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
