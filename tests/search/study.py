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
    from qualcode.store.search import coder_exists

    with project.write() as conn:
        if not coder_exists(conn, name):
            conn.execute(insert(coders).values(name=name, created_at=datetime.now(UTC)))


# ana's codings: (transcript, turn, code, phrase or None for the whole turn)
CODINGS = [
    ("vsp-1", 2, "referral.hotline", "Mostly the hotline."),
    ("vsp-1", 2, "referral.law_enforcement", "Police also bring us clients."),
    ("vsp-1", 2, "challenge.case_length", "It takes three years to trial."),
    ("vsp-1", 4, "challenge.housing", None),
    ("le-1", 1, "challenge.housing", "We house victims in hotels."),
    ("le-1", 1, "challenge.case_length", "The T visa process takes years."),
    ("le-1", 3, "challenge.housing", None),
    ("le-1", 3, "referral.law_enforcement", "The shelter referred two women to us;"),
    ("pros-1", 1, "challenge.case_length", "Trust matters in trial, the T-visa helps."),
]


def code_study(project: Project, coder: str = "ana") -> Project:
    from qualcode.coding.session import CodingSession

    add_coder(project, coder)
    session = CodingSession(project, coder)
    for transcript_id, turn, code, phrase in CODINGS:
        session.tag(transcript_id, turn, [code], text=phrase)
    return project
