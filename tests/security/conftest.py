"""Hostile-input fixtures: a coded project to export from, and a fresh one to attack."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.project import Project
from tests.interop.conftest import coded  # noqa: F401  (a fixture: two coders on two transcripts)


@pytest.fixture
def victim(tmp_path: Path) -> Project:
    """A fresh project that a hostile file is imported into."""
    project = Project.init(tmp_path / "victim")
    yield project
    project.close()
