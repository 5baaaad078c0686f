"""Test helpers shared across test packages (import as ``tests.helpers``)."""

from __future__ import annotations

from pathlib import Path

from qualcode.project import Project
from qualcode.transcripts.model import Transcript, Turn, render

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
SHARED = REPO.parent / "shared"

INTERVIEW = [
    ("Interviewer", "Where do your cases come from?"),
    ("Respondent", "Mostly the hotline. Police also bring us clients. It takes three years to trial."),
    ("Interviewer", "And housing?"),
    ("Respondent", "There's always a need for housing. Shelters are full."),
]


# Coders are created deliberately (``qualcode coders add``); test projects start with
# these, so tests name them as a team would. "zed" and "nobody" stay unknown on purpose.
TEST_CODERS = ("ana", "ben", "alice", "bob", "ann", "cleo", "carol", "cy", "robot", "lead")


def add_coders(project: Project, *names: str) -> None:
    """Add coders the way ``qualcode coders add`` does."""
    from qualcode.coding.coders import add_coder

    for name in names or TEST_CODERS:
        add_coder(project, name)


def add_transcript(project: Project, transcript_id: str, role: str, turns, site: str = "A") -> Transcript:
    """Store a transcript made of (speaker, text) turns; 'Interviewer' asks."""
    from qualcode.store.transcripts import insert_transcript

    parsed = [Turn(speaker, text) for speaker, text in turns]
    text, segments = render(parsed, {"Interviewer"})
    transcript = Transcript(
        id=transcript_id, title=transcript_id, role=role, site=site, text=text,
        segments=segments, format="text", source_path=f"{transcript_id}.txt", sha256=transcript_id,
    )
    with project.write() as conn:
        insert_transcript(conn, transcript)
    return transcript
