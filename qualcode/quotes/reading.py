"""Reading the store for a quote set, a few transcripts at a time (issue 21).

What a quote set keeps for the whole selection is each candidate's place (transcript,
turn, offsets, code: no text), its score, each transcript's speaker labels, and the
quotes taken. Texts are read when they are needed and let go:

- the candidates' texts, to order them: :func:`candidate_texts` streams them in the
  candidates' order, reading ``CHUNK`` transcripts' texts at a time (the representative
  order reads them three times rather than hold them);
- the candidates' own spans as the walk reaches them, ``SPAN_BATCH`` at a time
  (:meth:`QuoteReader.spans`);
- one transcript (its turns and text) for a quote's context and for the leftover check,
  which visits the quotes transcript by transcript (:meth:`QuoteReader.get` keeps the
  last one only).

So memory follows the largest transcripts and the quotes taken, never the corpus.
The store is imported inside the functions that query: it loads SQLAlchemy, which
importing qualcode.quotes (or qualcode.report) does not.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.quotes.redaction import Redactor
    from qualcode.quotes.selection import Candidate
    from qualcode.store.handles import Connection
    from qualcode.transcripts.model import Transcript

CHUNK = 32
"""Transcripts whose texts are read in one statement while streaming the candidates' texts."""
SPAN_BATCH = 64
"""Candidates whose spans the walk reads in one statement (it stops early at the limit)."""


def candidate_texts(conn: Connection, candidates: list[Candidate]) -> Iterator[str]:
    """Each candidate's coded text, in the list's order (which keeps a transcript's
    candidates together, as the candidates' sort key does)."""
    from qualcode.store.transcripts import transcript_texts

    ids = list(dict.fromkeys(c.transcript for c in candidates))
    position = 0
    for first in range(0, len(ids), CHUNK):
        texts = transcript_texts(conn, ids[first : first + CHUNK])
        while position < len(candidates) and candidates[position].transcript in texts:
            candidate = candidates[position]
            yield texts[candidate.transcript][candidate.start : candidate.end]
            position += 1
    if position != len(candidates):  # a transcript removed mid-read, or candidates out of order
        raise RuntimeError(f"read the texts of {position} of {len(candidates)} candidates")


def with_texts(ordered: Sequence[tuple[Candidate, float | None]], reader: QuoteReader, timer
               ) -> Iterator[tuple[Candidate, float | None, str]]:
    """``(candidate, score, its text)`` in walk order, reading ``SPAN_BATCH`` spans ahead;
    nothing more is read once the walk stops."""
    for first in range(0, len(ordered), SPAN_BATCH):
        batch = ordered[first : first + SPAN_BATCH]
        with timer("query"):
            texts = reader.spans([candidate for candidate, _ in batch])
        for candidate, score in batch:
            yield candidate, score, texts[candidate.coding_id]


class QuoteReader:
    """One read transaction's view for building a quote set: spans, speakers, transcripts."""

    def __init__(self, conn: Connection, redactor: Redactor) -> None:
        self.conn = conn
        self.redactor = redactor
        self._speakers: dict[str, tuple[str, ...]] = {}  # a few labels per transcript
        self._last: Transcript | None = None
        self._speech: tuple[str, str] | None = None  # (transcript id, its masked speech)

    def get(self, transcript_id: str) -> Transcript:
        """The transcript with its turns; only the last one asked for is kept."""
        if self._last is None or self._last.id != transcript_id:
            from qualcode.store.transcripts import load_transcript

            self._last = None  # let the previous one go before reading the next
            self._last = load_transcript(self.conn, transcript_id)
        return self._last

    def spans(self, candidates: list[Candidate]) -> dict[int, str]:
        """coding id -> coded text of these candidates, in one statement."""
        from qualcode.store.quotes import span_texts

        return span_texts(self.conn, [c.coding_id for c in candidates])

    def speakers(self, transcript_id: str) -> tuple[str, ...]:
        if transcript_id not in self._speakers:
            from qualcode.store.transcripts import speaker_labels

            self._speakers[transcript_id] = speaker_labels(self.conn, transcript_id)
        return self._speakers[transcript_id]

    def redact(self, text: str, transcript_id: str) -> str:
        return self.redactor.redact(text, transcript_id, self.speakers(transcript_id))

    def redacted_speech(self, transcript_id: str) -> str:
        """All turns of the transcript, masked, one paragraph each (no speaker labels);
        the last transcript's is kept, so callers visit quotes transcript by transcript."""
        if self._speech is None or self._speech[0] != transcript_id:
            self._speech = None
            t = self.get(transcript_id)
            speech = "\n".join(t.segment_text(s) for s in t.segments)
            self._speech = (transcript_id, self.redact(speech, transcript_id))
        return self._speech[1]
