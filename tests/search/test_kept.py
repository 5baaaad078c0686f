"""Texts kept between the coding screen's searches (search/kept.py): never a stale hit."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from qualcode.search.engine import SearchOptions, search
from qualcode.search.index import refresh
from qualcode.search.kept import KeptTexts, read_ahead
from tests.search.test_index import IDS, PATTERNS, SPOKEN, _put


def test_kept_texts_are_bounded_and_dropped_first_when_least_recently_used():
    kept = KeptTexts(max_chars=10)
    kept.keep("a", ("m1", "d1"), "aaaa")
    kept.keep("b", ("m1", "d2"), "bbbb")
    assert kept.text("a", ("m1", "d1")) == "aaaa"  # a used last: b goes first
    kept.keep("c", ("m1", "d3"), "cccc")
    assert (kept.text("a", ("m1", "d1")), kept.text("b", ("m1", "d2")), kept.text("c", ("m1", "d3"))) == (
        "aaaa", None, "cccc")
    assert kept.chars == 8
    kept.keep("d", ("m1", "d4"), "d" * 11)  # longer than the bound: never kept
    assert kept.text("d", ("m1", "d4")) is None and kept.chars == 8


@pytest.mark.parametrize("asked", [("m2", "d1"), ("m1", "d2"), None])
def test_a_kept_text_is_given_only_at_the_version_it_was_read_at(asked):
    kept = KeptTexts()
    kept.keep("a", ("m1", "d1"), "text")
    kept.bounds("a", ("m1", "d1"))[3] = (0, 4)
    assert kept.text("a", asked) is None and kept.bounds("a", asked) is None
    if asked is not None:  # another version: dropped for good
        assert len(kept) == 0 and kept.chars == 0


def test_a_replaced_transcript_is_searched_and_shown_as_it_is_now(study):
    """The text read by the first search is kept; a replace (same words elsewhere) must not show it."""
    kept = KeptTexts()
    options = SearchOptions(context=20)
    _put(study, "k-1", [(False, ["housing", "first", "then", "visas"])], 1)
    refresh(study)
    first = search(study, "housing", options, refresh_index=False, kept=kept)
    assert len(kept) >= 1 and any(h.transcript == "k-1" for h in first.hits)
    _put(study, "k-1", [(True, ["what", "next"]), (False, ["visas", "and", "then", "housing", "housing"])], 2)
    for indexed in (False, True):  # searched in its new text, then from the refreshed index
        again = search(study, "housing", options, refresh_index=False, kept=kept)
        assert again.to_dict() == search(study, "housing", options, refresh_index=False).to_dict()
        assert [(h.left, h.matched) for h in again.hits if h.transcript == "k-1"] == [
            ("visas and then ", "housing"), ("as and then housing ", "housing")]
        if not indexed:
            refresh(study)


@pytest.mark.parametrize("max_chars", [40, 10_000])
def test_kept_texts_never_change_what_a_search_finds(project, max_chars):
    """Model: the same search with nothing kept, after any imports, replaces, removals, index steps and
    reads ahead (texts, turns and words of the transcripts the index lacks, kept before the search)."""
    run_state_machine_as_test(lambda: KeptMachine(project, max_chars), settings=settings(stateful_step_count=12))


class KeptMachine(RuleBasedStateMachine):
    def __init__(self, project, max_chars: int) -> None:
        from qualcode.store.transcripts import delete_transcript

        super().__init__()
        self.project, self.kept, self.version = project, KeptTexts(max_chars), 0
        with project.write() as conn:
            for transcript_id in IDS:
                delete_transcript(conn, transcript_id)
        refresh(project)

    @rule(transcript_id=st.sampled_from(IDS), spoken=SPOKEN)
    def put(self, transcript_id, spoken):
        self.version += 1
        _put(self.project, transcript_id, spoken, self.version)

    @rule(transcript_id=st.sampled_from(IDS))
    def remove(self, transcript_id):
        from qualcode.store.transcripts import delete_transcript

        with self.project.write() as conn:
            delete_transcript(conn, transcript_id)

    @rule(limit=st.sampled_from([1, None]))
    def index(self, limit):
        refresh(self.project, limit=limit)

    @rule(limit=st.sampled_from([1, 4]))
    def read_ahead(self, limit):  # as F's prompt does while the coder types
        read_ahead(self.project, self.kept, limit)

    @rule(pattern=st.sampled_from(PATTERNS), speaker=st.sampled_from(["respondent", "any"]),
          limit=st.sampled_from([None, 2]))
    def search_again(self, pattern, speaker, limit):
        options = SearchOptions(mode=pattern[1], speaker=speaker, limit=limit, context=15)
        with_kept = search(self.project, pattern[0], options, refresh_index=False, kept=self.kept)
        assert with_kept.to_dict() == search(self.project, pattern[0], options, refresh_index=False).to_dict()

    @invariant()
    def bounded(self):
        assert self.kept.chars <= self.kept.max_chars


def test_reading_ahead_keeps_the_unindexed_transcripts_words_and_writes_nothing(study):
    from qualcode.search.index import unindexed
    from tests.helpers import statements_of

    for n in range(3):
        _put(study, f"k-{n}", [(False, ["housing", "first"])], n)
    kept = KeptTexts()
    with study.read() as conn:
        stale = unindexed(conn)
    with statements_of(study.engine) as statements:
        assert read_ahead(study, kept, 2) == 2
    assert statements and {s.split()[0].upper() for s, _ in statements} <= {"BEGIN", "SELECT", "COMMIT", "ROLLBACK"}, statements
    assert [t for t in stale if kept.searched(t, _version(study, t)) is not None] == stale[:2]


def _version(project, transcript_id):
    from qualcode.search.kept import version_of
    from qualcode.store.search import text_versions

    with project.read() as conn:
        return version_of(text_versions(conn, [transcript_id]).get(transcript_id))
