"""A small hand-made study for search tests: three transcripts, two roles' worth of
words chosen so every count below can be checked by reading the turns."""

from __future__ import annotations

from qualcode.project import Project
from tests.helpers import add_transcript

VSP = [
    ("Interviewer", "Where do your cases come from?"),
    ("Respondent", "Mostly the hotline. Police also bring us clients. It takes three years to trial."),
    ("Interviewer", "And housing?"),
    ("Respondent", "There's always a need for housing. Shelters are full."),
]
LE = [
    ("Respondent", "We house victims in hotels. The T visa process takes years. Detective Rodriguez handles the referrals."),
    ("Interviewer", "Do you trust the shelters?"),
    ("Respondent", "Trust is earned. The shelter referred two women to us; we referred them back for housing."),
]
PROS = [
    ("Respondent", "Housing is not our job. Trust matters in trial, the T-visa helps. Rodrigues said so."),
]


def build_study(project: Project) -> Project:
    from qualcode.store.transcripts import update_metadata

    add_transcript(project, "vsp-1", "service_provider", VSP, site="A")
    add_transcript(project, "le-1", "law_enforcement", LE, site="B")
    add_transcript(project, "pros-1", "prosecutor", PROS, site="A")
    with project.write() as conn:
        update_metadata(conn, "vsp-1", {"attributes": {"region": "south"}})
        update_metadata(conn, "le-1", {"attributes": {"region": "north"}})
        update_metadata(conn, "pros-1", {"attributes": {"region": "north"}})
    return project


def add_coder(project: Project, name: str) -> None:
    """Create a coder row deliberately (search never creates one)."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from qualcode.store.schema import coders

    with project.write() as conn:
        conn.execute(insert(coders).values(name=name, created_at=datetime.now(UTC)))
