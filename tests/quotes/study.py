"""A small coded study for the quote-set tests (and the CLI's): four transcripts,
two coders.

Planted identifiers (the example study's list): Tasha, Riverton PD, Detective Ramos,
Marlow County Sheriff's Office and the phone number (555) 014-2298.
"""

from __future__ import annotations

from qualcode.coding.session import CodingSession
from tests.helpers import add_coders, add_transcript

REDACTION = '''
[redaction]
names = ["Tasha", "Detective Ramos", "Ramos"]
places = ["Riverton", "Marlow County"]
agencies = ["Riverton PD", "Marlow County Sheriff's Office"]
allow = []
'''

TRANSCRIPTS = {
    "vsp-1": ("service_provider", "A", {"mode": "virtual"}, [
        ("Interviewer", "Where do your cases come from?"),
        ("Respondent", "Mostly the hotline. Um, the the hotline sends us, you know, most of our clients. [laughs]"),
        ("Interviewer", "And housing?"),
        ("Respondent", "There's always a need for housing. Shelters are full and I-I worry about it."),
        ("Interviewer", "Who calls you?"),
        ("Respondent", "Tasha from Riverton PD calls us at (555) 014-2298 when she finds someone."),
    ]),
    "vsp-2": ("service_provider", "B", {"mode": "in_person"}, [
        ("Interviewer", "What do survivors need most?"),
        ("Respondent", "There's always a need for housing. The shelters are full."),
        ("Interviewer", "Where do clients come from?"),
        ("Respondent", "Police bring clients to us. It takes three years to get to trial."),
    ]),
    "le-1": ("law_enforcement", "A", {"mode": "in_person"}, [
        ("Interviewer", "How do cases start?"),
        ("Respondent", ("We get tips from the hotline every week. Detective Ramos handles the "
                        "Marlow County Sheriff's Office cases.")),
        ("Interviewer", "How long do they take?"),
        ("Respondent", "Cases take years. It takes three years to trial, sometimes four."),
    ]),
    "pros-1": ("prosecutor", "C", {"mode": "virtual"}, [
        ("Interviewer", "What do you charge?"),
        ("Respondent", "We charged promoting prostitution in most cases."),
        ("Interviewer", "And how long do cases run?"),
        ("Respondent", "Cases take a long time because the victims move away and we lose them."),
    ]),
}

# (coder, transcript, segment, codes)
CODINGS = [
    ("ana", "vsp-1", 2, ["referral.hotline"]),
    ("ana", "vsp-1", 4, ["challenge.housing"]),
    ("ana", "vsp-1", 6, ["referral.law_enforcement"]),
    ("ana", "vsp-2", 2, ["challenge.housing"]),
    ("ana", "vsp-2", 4, ["referral.law_enforcement", "challenge.case_length"]),
    ("ana", "le-1", 2, ["referral.hotline"]),
    ("ana", "le-1", 4, ["challenge.case_length"]),
    ("ana", "pros-1", 2, ["pros.charging"]),
    ("ana", "pros-1", 4, ["challenge.case_length"]),
    ("ben", "vsp-1", 2, ["referral"]),
]


def set_attributes(project, transcript_id: str, attributes: dict) -> None:
    from sqlalchemy import update

    from qualcode.store.schema import transcripts

    with project.write() as conn:
        conn.execute(update(transcripts).where(transcripts.c.id == transcript_id).values(attributes=attributes))


def add_redaction(project, section: str = REDACTION) -> None:
    """Append a [redaction] section (replacing the starter one) and reload the config."""
    config = project.config_path.read_text(encoding="utf-8")
    config = config.split("[redaction]")[0] + section
    project.config_path.write_text(config, encoding="utf-8")
    from qualcode.project import _read_config

    project.config = _read_config(project.config_path)


def build_study(project):
    """Add the four transcripts and the codings to ``project``; return it."""
    add_redaction(project)
    for tid, (role, site, attributes, turns) in TRANSCRIPTS.items():
        add_transcript(project, tid, role, turns, site=site)
        set_attributes(project, tid, attributes)
    add_coders(project, *dict.fromkeys(coder for coder, *_ in CODINGS))
    for coder, tid, segment, codes in CODINGS:
        CodingSession(project, coder).tag(tid, segment, codes)
    return project
