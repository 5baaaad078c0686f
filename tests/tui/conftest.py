"""Fixtures for the coding screen: small transcripts, a second coder, a double-coding sample,
and a stub suggester registered for one test at a time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert

from qualcode.coding.suggesters import Suggestion, register_suggester, unregister_suggester
from qualcode.store.codings import ensure_coder
from qualcode.store.schema import sample_coders, sample_transcripts, samples
from tests.helpers import add_transcript

SECOND = [
    ("Interviewer", "What about housing?"),
    ("Respondent", "Housing is the biggest gap. Shelters are full."),
    ("Interviewer", "And training?"),
    ("Respondent", "We trained the police last year."),
]


@pytest.fixture
def second(project):
    """Another service-provider interview (respondent turns 2 and 4)."""
    return add_transcript(project, "vsp-2", "service_provider", SECOND)


def assign_sample(project, name: str, transcript_ids: list[str], coders: list[str]) -> None:
    """A double-coding sample with these transcripts and coders, written straight to the store."""
    with project.write() as conn:
        conn.execute(insert(samples).values(name=name, fraction=0.1, seed=1, strata=[], created_at=datetime.now(UTC)))
        for transcript_id in transcript_ids:
            conn.execute(insert(sample_transcripts).values(sample=name, transcript_id=transcript_id, stratum=None))
        for coder in coders:
            ensure_coder(conn, coder)
            conn.execute(insert(sample_coders).values(sample=name, coder=coder))


class KeywordSuggester:
    """Suggests ``referral.hotline`` on any turn that says "hotline" (span = the word)."""

    name = "stub"

    def __init__(self, project) -> None:
        self.project = project

    def suggest(self, transcript, segment, coder):
        text = transcript.text[segment.start : segment.end]
        found = text.find("hotline")
        if found < 0:
            return []
        start = segment.start + found
        return [
            Suggestion("referral.hotline", start, start + len("hotline"), "rules", "phrase 'hotline'", 0.9),
            Suggestion("challenge.case_length", segment.start, segment.end, "model", "p=0.61", 0.61),
        ]


@pytest.fixture
def stub_suggester():
    register_suggester(KeywordSuggester.name, KeywordSuggester)
    yield KeywordSuggester
    unregister_suggester(KeywordSuggester.name)


@pytest.fixture
def assign(project):
    """``assign(name, transcript_ids, coders)``: create a double-coding sample."""
    return lambda name, transcript_ids, coders: assign_sample(project, name, transcript_ids, coders)


def burst(app, keys) -> None:
    """Deliver keys the way one terminal read does: all queued at once, nothing awaited between.

    Builds each key event exactly as Textual's pilot does (``App._press_keys``), but
    sends them all before the app handles the first, as a paste or a slow SSH link does.
    """
    import unicodedata

    from textual import events
    from textual.app import _character_to_key
    from textual.keys import REPLACED_KEYS, _get_unicode_name_from_key

    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def settle(pilot, rounds: int = 4) -> None:
    """Let the app handle everything queued (each key may queue further messages)."""
    for _ in range(rounds):
        await pilot.pause()
