"""The example study's scratch copy: found, copied, its transcripts imported.

``prepare_demo_project`` copies the project's settings, codebooks and transcripts
(never its store) to a scratch folder and opens it there; the other steps of
:mod:`qualcode.demo` then run on it.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualcode.errors import ProjectError
from qualcode.project import CONFIG_NAME, Project
from qualcode.transcripts.importing import import_transcripts, read_manifest
from qualcode.transcripts.reading import corpus_summary

COPIED = ("codebooks", "transcripts")


@dataclass(frozen=True)
class ImportStep:
    """The example transcripts imported, and the corpus by role and site."""

    imported: int
    outcomes: tuple
    corpus: Any  # transcripts.reading.CorpusSummary

    def to_dict(self) -> dict[str, Any]:
        summary = self.corpus
        return {"imported": self.imported, "transcripts": summary.total,
                "respondent_turns": summary.respondent_turns, "words": summary.words,
                "by_role_and_site": {f"{r}/{s}": n for (r, s), n in summary.counts.items()}}


def example_project_root(start: Path | None = None) -> Path:
    """The example project: the one around ``start`` if it is the example study, else the
    checkout qualcode runs from. Inside some other project (a real study) the demo still
    runs: it copies the example, never touches the study around it."""
    try:
        around = Project.find(start).root
    except ProjectError:
        around = None
    if around is not None and is_example(around):
        return around
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / CONFIG_NAME).is_file() and is_example(checkout):
        return checkout
    raise ProjectError(
        "No example study found: it needs qualcode.toml, transcripts/manifest.csv and "
        "transcripts/double-coding/ (run 'qualcode demo' in a qualcode checkout)"
    )


def is_example(root: Path) -> bool:
    """Whether ``root`` holds the example study's inputs (the manifest and the double-coding CSVs)."""
    return (root / "transcripts" / "manifest.csv").is_file() and (root / "transcripts" / "double-coding").is_dir()


def prepare_demo_project(source: Path, workdir: Path | None = None) -> Project:
    """Copy the example project's inputs to ``workdir`` (or a temp folder) and open it."""
    target = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="qualcode-demo-"))
    if (target / CONFIG_NAME).exists():
        shutil.rmtree(target / ".qualcode", ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / CONFIG_NAME, target / CONFIG_NAME)
    for folder in COPIED:
        if (target / folder).exists():
            shutil.rmtree(target / folder)
        shutil.copytree(source / folder, target / folder)
    (target / "reports").mkdir(exist_ok=True)
    project = Project(target)
    project.migrate()
    project.warm_codebook_cache()  # as `qualcode init` does
    return project


def import_example_transcripts(project: Project) -> ImportStep:
    """Import the example's transcripts (transcripts/manifest.csv) into the scratch project."""
    manifest = project.root / "transcripts" / "manifest.csv"
    outcomes = tuple(import_transcripts(project, read_manifest(manifest)))
    imported = sum(1 for o in outcomes if o.status == "imported")
    return ImportStep(imported, outcomes, corpus_summary(project))


def checkout_root() -> Path:
    """The qualcode checkout this package runs from (its tests/data holds the gold set)."""
    return Path(__file__).resolve().parents[2]
