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

Bounded: at most :data:`MAX_KEPT_CHARS` characters of text, the least recently used
dropped first; a text longer than that is never kept.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

MAX_KEPT_CHARS = 8_000_000  # ~8 MB of ASCII text: a few hundred interviews of 8,000 words

Version = tuple[str, str]  # (marker, digest of the text as stored)


@dataclass
class _Kept:
    version: Version
    text: str
    bounds: dict[int, tuple[int, int]] = field(default_factory=dict)  # ordinal -> (start, end), turns read so far


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

    def keep(self, transcript_id: str, version: Version | None, text: str) -> None:
        """Keep ``text`` as the transcript's at ``version`` (read from the store at it); None: not kept."""
        self._drop(transcript_id)
        if version is None or len(text) > self.max_chars:
            return
        self._kept[transcript_id] = _Kept(version, text)
        self._chars += len(text)
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
            self._chars -= len(kept.text)
