"""Shared fixtures: a temp-dir project with the small test codebook, and transcripts
built directly from turns (so coding tests do not depend on the importers)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qualcode.project import Project
from qualcode.transcripts.model import Transcript
from tests.helpers import DATA, INTERVIEW, add_transcript


def use_codebook(root: Path, source: Path) -> None:
    """Copy a codebook into the project and make it the active one."""
    shutil.copy(source, root / "codebooks" / source.name)
    config = (root / "qualcode.toml").read_text(encoding="utf-8")
    config = config.replace('codebook = "codebooks/codebook.yaml"', f'codebook = "codebooks/{source.name}"')
    (root / "qualcode.toml").write_text(config, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh project using tests/data/codebooks/small.yaml."""
    root = tmp_path / "proj"
    Project.init(root).close()
    use_codebook(root, DATA / "codebooks" / "small.yaml")
    project = Project(root)
    yield project
    project.close()


@pytest.fixture
def interview(project: Project) -> Transcript:
    """A service-provider interview with two respondent turns (segments 2 and 4)."""
    return add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
