"""Quote sets read the store a few transcripts at a time (issue 21): the same quote set
as reading every candidate's text at once, and memory that follows the largest
transcripts and the quotes taken, not the corpus."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.quotes import reading
from qualcode.quotes.identifiers import transcript_vocabulary
from qualcode.quotes.ordering import order_items, representative_scores
from qualcode.quotes.quoteset import build_quote_set
from qualcode.quotes.redaction import Redactor, rules_from_config
from qualcode.quotes.selection import ORDERS, QuoteQuery, fetch_candidates
from tests.streaming import coded_corpus, peaks

pytestmark = pytest.mark.coders("ana", "ben")

words = st.sampled_from(["housing", "shelter", "beds", "court", "the", "Trial", "x", "police", "need", "full"])
texts = st.lists(st.lists(words, max_size=12).map(" ".join), max_size=12)


@given(texts)
def test_streamed_scores_are_the_scores_of_the_list(items):
    assert representative_scores(lambda: iter(items)) == representative_scores(items)


@given(st.lists(st.tuples(st.integers(0, 5), st.lists(words, max_size=8).map(" ".join)), max_size=10),
       st.sampled_from(ORDERS))
def test_a_stream_of_texts_orders_as_the_texts_do(items, order):
    key = lambda i: (i[0], i[1])  # noqa: E731
    streamed = order_items(items, order, key=key, texts=lambda sorted_items: (t for _, t in sorted_items), seed=2)
    assert streamed == order_items(items, order, key=key, text=lambda i: i[1], seed=2)


def test_streamed_candidate_texts_are_the_coded_spans(project, monkeypatch):
    """The model: the store cutting every coded span's text in one query, as before."""
    from qualcode.store.quotes import respondent_spans

    coded_corpus(project, 0, 5)
    monkeypatch.setattr(reading, "CHUNK", 2)
    with project.read() as conn:
        candidates = fetch_candidates(conn, project.codebook, QuoteQuery(), "ana", "challenge")
        expected = sorted(respondent_spans(conn, "ana", "challenge"), key=lambda s: (s.transcript_id, s.start, s.end,
                                                                                       s.code_id))
        assert list(reading.candidate_texts(conn, candidates)) == [s.raw for s in expected]
    assert len(candidates) > 10


@pytest.mark.parametrize("query", [
    QuoteQuery(coder="ana", context=1, limit=8),
    QuoteQuery(coder="ana", order="length", limit=4, per_transcript=1),
    QuoteQuery(coder="ana", order="transcript", min_words=20, max_words=40, limit=8),
    QuoteQuery(coder="ana", order="random", seed=5, limit=6),
], ids=["representative", "length", "transcript", "random"])
def test_the_quote_set_does_not_depend_on_the_chunks(project, monkeypatch, query):
    coded_corpus(project, 0, 3)

    def built():
        return replace(build_quote_set(project, query), timings={}, generated_at="")

    whole = built()
    monkeypatch.setattr(reading, "CHUNK", 1)
    monkeypatch.setattr(reading, "SPAN_BATCH", 3)  # the walk reads its spans three at a time
    assert built() == whole
    assert whole.quotes


def test_transcripts_without_rules_of_their_own_share_one_matcher():
    rules = rules_from_config({"transcripts": {"vsp-1": {"names": ["Dana"]}}, "builtin": []})
    redactor = Redactor(rules)
    masked = [redactor.redact("Dana called", tid, ("Interviewer", "Respondent")) for tid in ("vsp-1", "vsp-2", "vsp-3")]
    assert masked == ["[name] called", "Dana called", "Dana called"]
    assert len(redactor._matchers) == 2  # vsp-1's own, and one for the others


def test_memory_follows_the_largest_transcripts_not_the_corpus(project, monkeypatch):
    """Four times the transcripts, about the same peak for a quote set of a few quotes
    per theme in the representative order, which scores every candidate (1.1x; reading
    every candidate's text at once took 2.9x here, 3.5x from 6 to 24 transcripts)."""
    monkeypatch.setattr(reading, "CHUNK", 2)
    query = QuoteQuery(coder="ana", limit=3, context=1)
    small, large = peaks(project, lambda: build_quote_set(project, query), 3,
                         fresh=transcript_vocabulary.cache_clear)
    assert large < 1.5 * small, f"peak {small:,} -> {large:,} bytes for 4x the transcripts"
