"""Texts a search read, kept for the next search of the same session (the coding screen's ``F``).

A page of hits is cut from its transcripts' texts, each checked against the digest it
was searched by, and clipped to the turns hit. On SQLite the texts are stored
compressed: unpacking them was most of what showing a page of hits read (~1.5 ms of CPU
for bench_tui's seven transcripts, on every ``F``). The coding screen searches the
same transcripts again and again, so it keeps what it read here, by transcript, under
the transcript's *version*: its marker (sha256 of the source and when it was imported,
both rewritten by every import, ``--replace`` and restore, which also lay its turns
down again) and the digest of its text as stored (``transcripts.text_sha256``, written
with the text by every store function that writes one). A search reads the versions
(one statement, no text) and uses a kept text only under the same version; anything
else is read again, so nothing kept is ever shown for a transcript that changed.

Bounded: at most :data:`MAX_KEPT_CHARS` characters of text (and of the distinct words
kept for a transcript the index lacks), the least recently used dropped first; a text
longer than that is never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.search.index import TurnWords, turn_words, unindexed
from qualcode.store.rows import text_digest
from qualcode.store.search import iter_texts, segment_rows, text_versions

if TYPE_CHECKING:
    from qualcode.project import Project

MAX_KEPT_CHARS = 8_000_000  # ~8 MB of ASCII text: ~170 interviews of 8,000 words

Version = tuple[str, str]  # (marker, digest of the text as stored)
Turn = tuple[int, bool, int, int]  # (ordinal, interviewer, start, end), as the indexer reads a turn


@dataclass
class _Kept:
    version: Version
    text: str
    bounds: dict[int, tuple[int, int]] = field(default_factory=dict)  # ordinal -> (start, end), turns read so far
    # A transcript the index lacks, searched in its text: its turns as the indexer reads them
    # and their words (search/index.py, postings_for), which no pattern changes.
    turns: list[Turn] | None = None
    words: TurnWords | None = None

    @property
    def chars(self) -> int:
        return len(self.text) + (self.words.chars if self.words is not None else 0)


class KeptTexts:
    """Transcript texts and turn bounds by id, each under the version it was read at (see the module)."""

    def __init__(self, max_chars: int = MAX_KEPT_CHARS) -> None:
        self.max_chars = max_chars
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._chars = 0

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def chars(self) -> int:
        return self._chars

    def text(self, transcript_id: str, version: Version | None) -> str | None:
        """The kept text of this transcript at this version, or None (not kept, or kept at another)."""
        kept = self._get(transcript_id, version)
        return kept.text if kept is not None else None

    def bounds(self, transcript_id: str, version: Version | None) -> dict[int, tuple[int, int]] | None:
        """The kept turn bounds at this version (to read from and add to), or None."""
        kept = self._get(transcript_id, version)
        return kept.bounds if kept is not None else None

    def searched(self, transcript_id: str, version: Version | None) -> _Kept | None:
        """The kept text at this version if its turns and words are kept too (:meth:`keep_words`)."""
        kept = self._get(transcript_id, version)
        return kept if kept is not None and kept.words is not None else None

    def keep(self, transcript_id: str, version: Version | None, text: str) -> None:
        """Keep ``text`` as the transcript's at ``version`` (read from the store at it); None: not kept."""
        self._drop(transcript_id)
        if version is None or len(text) > self.max_chars:
            return
        self._kept[transcript_id] = _Kept(version, text)
        self._chars += len(text)
        self._trim()

    def keep_words(self, transcript_id: str, version: Version | None, turns: list[Turn],
                   words: TurnWords) -> None:
        """Keep the turns and words of a kept text (at the same version; else nothing is kept)."""
        kept = self._get(transcript_id, version)
        if kept is None or kept.words is not None:
            return
        kept.turns, kept.words = turns, words
        kept.bounds.update((ordinal, (start, end)) for ordinal, _, start, end in turns)  # for its page of hits
        self._chars += words.chars
        self._trim()

    def _trim(self) -> None:
        while self._chars > self.max_chars:
            self._drop(next(iter(self._kept)))

    def _get(self, transcript_id: str, version: Version | None) -> _Kept | None:
        kept = self._kept.get(transcript_id)
        if kept is None or version is None:
            return None
        if kept.version != version:  # imported, replaced or restored since: never used again
            self._drop(transcript_id)
            return None
        self._kept.move_to_end(transcript_id)
        return kept

    def _drop(self, transcript_id: str) -> None:
        kept = self._kept.pop(transcript_id, None)
        if kept is not None:
            self._chars -= kept.chars


def version_of(stored: tuple[str, str | None, str | None] | None) -> Version | None:
    """What a text is kept under, from a row of :func:`~qualcode.store.search.text_versions`; None: never kept."""
    return (stored[0], stored[1]) if stored is not None and stored[1] is not None else None


def turns_of(conn, transcript_ids: list[str]) -> dict[str, list[Turn]]:
    """The turns as the indexer reads them, in one statement."""
    turns: dict[str, list[Turn]] = {t: [] for t in transcript_ids}
    for r in segment_rows(conn, transcript_ids) if transcript_ids else ():
        turns[r.transcript_id].append((r.ordinal, bool(r.is_interviewer), r.start_offset, r.end_offset))
    return turns


def searched_texts(conn, ids: list[str], kept: KeptTexts | None) -> Iterator[tuple[str, str, str, list[Turn], TurnWords]]:
    """``(id, text, digest of the text, turns, words)`` of transcripts to search in their text, one at a time.

    Texts, turns and words kept at the transcript's current version are used; the others
    are read (texts one at a time: a large import stays bounded in memory) and kept.
    """
    versions = text_versions(conn, ids) if kept is not None else {}
    ready = {}
    for transcript_id in ids:
        version = version_of(versions.get(transcript_id))
        found = kept.searched(transcript_id, version) if kept is not None else None
        if found is not None and version is not None:
            ready[transcript_id] = (found, version)  # held here: keeping the others may drop it from ``kept``
    turns = turns_of(conn, [t for t in ids if t not in ready])
    for transcript_id in ids:
        if transcript_id in ready:
            found, version = ready[transcript_id]
            assert found.turns is not None and found.words is not None
            yield transcript_id, found.text, version[1], found.turns, found.words
            continue
        version = version_of(versions.get(transcript_id))
        text = kept.text(transcript_id, version) if kept is not None else None
        digest = version[1] if text is not None and version is not None else None
        if text is None:
            for _, text in iter_texts(conn, [transcript_id]):
                digest = text_digest(text)
                if kept is not None and version is not None and digest == version[1]:
                    kept.keep(transcript_id, version, text)
        if text is None or digest is None:  # removed since
            continue
        words = turn_words(text, turns[transcript_id])
        if kept is not None:
            kept.keep_words(transcript_id, version, turns[transcript_id], words)
        yield transcript_id, text, digest, turns[transcript_id], words


def read_ahead(project: Project, kept: KeptTexts, limit: int) -> int:
    """Keep the texts, turns and words of up to ``limit`` transcripts the index lacks; how many.

    A read (nothing written), for the coding screen to run while the coder types a
    search: the search then finds them kept, at their version, or reads them as always.
    """
    with project.read() as conn:
        ahead = unindexed(conn)[:limit]
        for _ in searched_texts(conn, ahead, kept):
            pass
    return len(ahead)
