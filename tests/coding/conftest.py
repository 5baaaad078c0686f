"""Fixtures shared by the learning and review-queue tests."""

from __future__ import annotations

import random

import pytest

from qualcode.coding.session import CodingSession
from tests.coding.autocode_helpers import use_rules_codebook
from tests.helpers import add_transcript

THEMES = {
    "housing_gap": [
        "There are never enough beds for them.",
        "The shelter is always full, nowhere to stay tonight.",
        "Finding an apartment she can afford is impossible.",
    ],
    "referral.hotline": [
        "The national hotline sends us tips.",
        "A caller on the tip line told us about her.",
        "We got a hotline tip about a massage parlor.",
    ],
}
FILLER = [
    "We meet every month.",
    "The weather was fine that week.",
    "Our team has four people.",
    "I have been here for years.",
    "It depends on the day.",
]


def make_turn(rng: random.Random, theme: str | None) -> str:
    sentences = rng.sample(FILLER, 2)
    if theme:
        sentences.insert(1, rng.choice(THEMES[theme]))
    return " ".join(sentences)


@pytest.fixture
def coded_project(project):
    """Six service-provider transcripts fully coded by alice, one uncoded."""
    reopened = use_rules_codebook(project)
    rng = random.Random(3)
    session = CodingSession(reopened, "alice")
    for number in range(7):
        themes = [None, "housing_gap", "referral.hotline", None, "housing_gap", "referral.hotline"]
        turns = []
        for theme in themes:
            turns += [("Interviewer", "Tell me more?"), ("Respondent", make_turn(rng, theme))]
        transcript_id = f"vsp-{number}"
        add_transcript(reopened, transcript_id, "service_provider", turns)
        if number == 6:
            continue  # left uncoded
        for index, theme in enumerate(themes):
            if theme:
                session.tag(transcript_id, 2 * index + 2, [theme])
        session.tag(transcript_id, 2, ["notes"]) if number == 0 else None
    yield reopened
    reopened.close()
