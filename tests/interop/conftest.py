"""A coded project with hard text (emoji, ZWJ sequences, combining marks) for interop tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from qualcode.coding.session import CodingSession
from qualcode.project import Project
from tests.helpers import INTERVIEW, add_coders, add_transcript

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # /work/shared next to the checkout
SAMPLES = SHARED / "refdata" / "refi-qda" / "samples"
PROJECT_XSD = SHARED / "refdata" / "refi-qda" / "Project.xsd"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/refdata/refi-qda not present")

HARD_TURNS = [
    ("Interviewer", "Any emoji? 😀"),
    ("Respondent", "Café 👩\u200d👩\u200d👧 hotline, q\u0323\u0307 and Ω ok. The hotline 🎉 helps."),
    ("Interviewer", "Housing?"),
    ("Respondent", "Shelters are full 🏠; we need housing."),
]


@pytest.fixture
def coded(project: Project) -> Project:
    """Two transcripts coded by alice (with a memo) and bob, one code per role set."""
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW, site="A")
    add_transcript(project, "pros-1", "prosecutor", HARD_TURNS, site="B")
    add_coders(project, "alice", "bob")
    alice, bob = CodingSession(project, "alice"), CodingSession(project, "bob")
    alice.tag("vsp-1", 2, ["referral.hotline"], text="Mostly the hotline", memo="clear referral 👍")
    alice.tag("vsp-1", 4, ["challenge.housing"])
    alice.tag("pros-1", 2, ["referral.hotline"], text="The hotline 🎉 helps")
    alice.tag("pros-1", 2, ["pros.charging"], text="q\u0323\u0307 and Ω")
    bob.tag("pros-1", 2, ["referral.hotline"], text="Café 👩\u200d👩\u200d👧 hotline")
    bob.tag("pros-1", 4, ["challenge.housing"], text="we need housing")
    return project


def fresh_project(tmp_path: Path, name: str = "fresh") -> Project:
    return Project.init(tmp_path / name)
