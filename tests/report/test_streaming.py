"""The report walks the corpus a few transcripts at a time (issue 21): the interviews
table reads texts a chunk at a time (counted in statements), and its quotes and
agreement sections stream as their commands do (tests/quotes, tests/agreement)."""

from __future__ import annotations

import pytest

from qualcode.quotes import reading
from qualcode.store import transcripts as transcript_store
from qualcode.transcripts.reading import corpus_summary, list_transcripts
from tests.helpers import INTERVIEW, add_transcript
from tests.streaming import coded_corpus

pytestmark = pytest.mark.coders("ana", "ben")


def _model(project) -> list[dict]:
    """Each transcript loaded whole, one by one: what the summary counts."""
    with project.read() as conn:
        loaded = [transcript_store.load_transcript(conn, tid) for tid in sorted(transcript_store.transcript_ids(conn))]
    return [{"id": t.id, "title": t.title, "role": t.role, "site": t.site, "format": t.format,
             "turns": len(t.segments), "respondent_turns": len(t.respondent_segments),
             "words": sum(len(t.segment_text(s).split()) for s in t.segments), "attributes": t.attributes}
            for t in loaded]


@pytest.mark.parametrize("chunk", [1, 2, 32])
def test_chunked_summaries_are_each_transcript_counted_whole(project, monkeypatch, chunk):
    coded_corpus(project, 0, 5)
    add_transcript(project, "a-first", "prosecutor", INTERVIEW, site="Z")  # sorts before the others
    monkeypatch.setattr(transcript_store, "SUMMARY_CHUNK", chunk)
    with project.read() as conn:
        assert transcript_store.summaries(conn) == _model(project)
    assert [row.id for row in list_transcripts(project)][:2] == ["a-first", "s-0000"]


def test_the_interviews_summary_reads_a_chunk_of_texts_per_statement(project, monkeypatch):
    """Counted in statements, not traced: on SQLite the old full scan streamed through its
    cursor, but a PostgreSQL client holds a whole result (in libpq, out of tracemalloc's
    sight), so one statement reading every text held the corpus."""
    from sqlalchemy import event

    coded_corpus(project, 0, 7)
    monkeypatch.setattr(transcript_store, "SUMMARY_CHUNK", 3)
    reading_texts: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "transcripts.text" in statement:
            reading_texts.append(statement)

    event.listen(project.engine, "before_cursor_execute", seen)
    try:
        listed = list_transcripts(project)
    finally:
        event.remove(project.engine, "before_cursor_execute", seen)
    assert len(listed) == 7
    assert len(reading_texts) == 3 and all(" IN " in statement for statement in reading_texts), reading_texts


def test_the_report_reads_its_transcripts_through_the_streamed_walks(project, monkeypatch, tmp_path):
    """The report's interviews and quotes sections take the chunked paths (its peak is
    dominated by charts and the .docx writer: bench_scaling.py measures it)."""
    from qualcode.report.build import build_report

    coded_corpus(project, 0, 5)
    monkeypatch.setattr(transcript_store, "SUMMARY_CHUNK", 2)
    monkeypatch.setattr(reading, "CHUNK", 2)
    asked: list[int] = []
    real = transcript_store.transcript_texts
    monkeypatch.setattr(transcript_store, "transcript_texts", lambda conn, ids: asked.append(len(ids)) or real(conn, ids))
    output = build_report(project, tmp_path / "out", coder="ana", sections=["corpus", "quotes", "methods"])
    assert output.markdown.exists() and asked and max(asked) <= 2
    assert summary_words(project) == sum(row["words"] for row in _model(project))


def summary_words(project) -> int:
    return corpus_summary(project).words
