"""Shared fixtures of the autocoding and learning tests: a codebook with rules and a corpus."""

from __future__ import annotations

from qualcode.project import Project
from tests.helpers import add_transcript

ROLES_YAML = """\
roles:
  law_enforcement: {label: Law enforcement official}
  prosecutor: {label: Prosecutor}
  service_provider: {label: Service provider}
  other: {label: Other stakeholder}
"""

RULES_CODEBOOK = (
    "format: 1\ntitle: Autocode test study\n"
    + ROLES_YAML
    + """\
codes:
  - id: referral
    name: Referral sources
    definition: Where cases come from.
    rules:
      phrases: [referral]
    children:
      - id: referral.hotline
        name: Hotlines
        definition: Hotlines and tip lines.
        rules:
          phrases: [hotline, tip line]
          fuzzy: [{term: Polaris, min_score: 85}]
      - id: referral.medical
        name: Medical
        definition: Hospitals and nurses.
        rules:
          phrases: [emergency room, sane nurse]
  - id: housing_gap
    name: Housing gap
    definition: Lack of housing.
    rules:
      regex: ['\\b(need|lack|shortage)\\s+(of\\s+|for\\s+)?housing\\b']
      exclude: [plenty]
      exclude_within: segment
  - id: charging
    name: Charging
    roles: [prosecutor]
    definition: Charges filed.
    rules:
      phrases: [charge, plea]
      near: [{terms: [federal, court], within: 4}]
  - id: notes
    name: Notes without rules
    definition: Never autocoded.
"""
)

SERVICE_TURNS = [
    ("Interviewer", "Where do clients come from? Do you get hotline calls?"),
    ("Respondent", "Mostly the hotline. A tip from Pollaris came in last week. Then the emergency room too."),
    ("Interviewer", "And housing?"),
    ("Respondent", "There is always a need for housing here. We charge nothing."),
    ("Interviewer", "Anything else?"),
    ("Respondent", "No, that's all."),
]

PROSECUTOR_TURNS = [
    ("Interviewer", "How do you charge?"),
    ("Respondent", "We charge promoting. Some go to federal court. A plea is common."),
    ("Interviewer", "Referrals?"),
    ("Respondent", "A referral from the SANE nurse, sometimes."),
]


def use_rules_codebook(project: Project, text: str = RULES_CODEBOOK) -> Project:
    """Make a codebook with rules the project's codebook; returns the reopened project."""
    import re

    (project.root / "codebooks" / "rules.yaml").write_text(text, encoding="utf-8")
    config = project.root / "qualcode.toml"
    settings = re.sub(
        r'(?m)^codebook = ".*"$', 'codebook = "codebooks/rules.yaml"', config.read_text(encoding="utf-8")
    )
    config.write_text(settings, encoding="utf-8")
    project.close()
    return Project(project.root)


def add_corpus(project: Project) -> None:
    add_transcript(project, "vsp-1", "service_provider", SERVICE_TURNS)
    add_transcript(project, "pros-1", "prosecutor", PROSECUTOR_TURNS)
