"""The search index: match keys of every word, refreshed before each search.

One row per (transcript, key, kind of turn) holds the positions of that key's words
as a JSON list of five ints per word: token number in the transcript, segment
ordinal, start and end offsets, and ``joined`` (1 when only a space or hyphen
separates the word from the previous one, so a phrase never runs across a full
stop). An ordinary table keyed by the autocoder's lemma keys, portable across
SQLite and PostgreSQL, rather than FTS5 or tsvector: both of those stem with their
own rules (Porter / Snowball), so "referral" would not find "referred" as the
autocoder does, and one code path serves both back ends.

*Self-refreshing.* Each indexed transcript records a marker (the sha256 of its
source and its import time, both rewritten by every import, ``--replace`` and
restore) and a digest of its text. :func:`refresh` compares markers with the
transcripts table before every search: it indexes new and changed transcripts and
drops those removed, so importers need not know the index exists (``qualcode import``
does not index: that tripled its time). The coding screen's ``F`` reads the index
without refreshing and searches what it lacks in the text (see
:func:`qualcode.search.engine.find`), then brings it up to date between keys, one
transcript per step (``refresh(limit=1)``). Texts read to show
hits are checked against the digest; a mismatch (text changed by something that did
not touch the marker) is refused with a pointer to ``--reindex``, never shown wrong.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.search.lemmas import MAX_KEY, WORD, lemmas
from qualcode.store.access import may_write
from qualcode.store.rows import text_digest

if TYPE_CHECKING:
    from qualcode.project import Project

STRIDE = 5  # ints per word in a positions list
JOINED = re.compile(r"[ \t\-\u2010\u2011]{1,3}")  # what may separate two words of a phrase


class SearchError(QualcodeError):
    """A search or query that cannot be run as asked."""


@dataclass(frozen=True)
class RefreshReport:
    indexed: int
    dropped: int
    left: int = 0  # stale transcripts a refresh with a ``limit`` left for later

    def to_dict(self) -> dict[str, int]:
        return {"indexed": self.indexed, "dropped": self.dropped, "left": self.left}


def refresh(project: Project, *, rebuild: bool = False, announce=None, limit: int | None = None) -> RefreshReport:
    """Index missing or changed transcripts and drop removed ones (one transaction).

    ``limit``: index at most this many of the stale transcripts (the coding screen
    indexes one at a time between keys); each is indexed whole with its marker, so
    the index holds the others as stale and searches read them from their text.

    ``announce(n)`` is called before indexing ``n`` transcripts (the CLI says so: the
    first search after importing a large corpus takes a while). A cheap read decides
    whether there is work; the write transaction then decides again what to do, so
    an import committed in between is not indexed under an old marker. Two processes
    refreshing at once on a server: the second one's insert collides with the first
    one's rows, and it simply looks again (the first did the work).
    """
    from qualcode.store.handles import ConstraintConflict  # the store loads SQLAlchemy

    with project.read() as conn:
        stale, removed, _ = _work(conn, rebuild)
        writable = may_write(conn, "search_indexed", "search_postings") if stale or removed else True
    if not stale and not removed:
        return RefreshReport(0, 0)
    if not writable:  # team mode: the index is the lead's; a stale one would miss hits
        raise SearchError(
            f"the search index is out of date ({len(stale) + len(removed)} transcript(s) imported, changed or removed "
            "since it was built) and in team mode only the lead refreshes it: ask the lead to run "
            "'qualcode search --reindex WORD' once (any search refreshes it), then search again"
        )
    if announce is not None and stale:
        announce(len(stale))
    for attempt in range(3):
        try:
            with project.write() as conn:
                return _rebuild(conn, rebuild and attempt == 0, limit)
        except ConstraintConflict:
            if attempt == 2:
                raise SearchError("Another process kept re-indexing the transcripts; try the search again") from None
    raise AssertionError("unreachable")


def unindexed(conn, transcript_ids: list[str] | None = None) -> list[str]:
    """Of these transcripts (None: all, in id order), those the index does not hold as they are now
    (new, replaced, restored)."""
    from qualcode.store import search as store

    current = store.transcript_markers(conn)
    indexed = store.indexed_markers(conn)
    ids = sorted(current) if transcript_ids is None else transcript_ids
    return [t for t in ids if t in current and indexed.get(t) != current[t]]


def _work(conn, rebuild: bool) -> tuple[list[str], list[str], dict[str, str]]:
    from qualcode.store import search as store

    current = store.transcript_markers(conn)
    indexed = store.indexed_markers(conn)
    if rebuild:
        indexed = dict.fromkeys(indexed, "")
    stale = sorted(t for t, marker in current.items() if indexed.get(t) != marker)
    return stale, sorted(set(indexed) - set(current)), current


def _rebuild(conn, rebuild: bool, limit: int | None = None) -> RefreshReport:
    from qualcode.store import search as store

    stale, removed, current = _work(conn, rebuild)
    now = stale if limit is None else stale[:limit]
    store.drop_index_of(conn, now + removed)
    for transcript_id in now:
        _index_one(conn, transcript_id, current[transcript_id])
    return RefreshReport(len(now), len(removed), len(stale) - len(now))


def _index_one(conn, transcript_id: str, marker: str) -> None:
    from qualcode.store import search as store

    text = store.transcript_texts(conn, [transcript_id])[transcript_id]
    spans = [(r.ordinal, bool(r.is_interviewer), r.start_offset, r.end_offset)
             for r in store.segment_rows(conn, [transcript_id])]
    # "[1,2,...]" built by hand: valid JSON, several times faster than json.dumps here
    rows = [{"key": k, "is_interviewer": kind, "positions": "[" + ",".join(map(str, p)) + "]"}
            for (k, kind), p in postings_of(text, spans).items()]
    store.write_index_of(conn, transcript_id, marker, text_digest(text), rows)


def postings_of(text: str, spans) -> dict[tuple[str, bool], list[int]]:
    """(key, is_interviewer) -> flat positions, for turns ``(ordinal, interviewer, start, end)``."""
    keyed = lemmas().key
    joins = JOINED.fullmatch
    found: dict[tuple[str, bool], list[int]] = defaultdict(list)
    token = 0
    for ordinal, interviewer, start, end in spans:
        previous_end = -1
        for match in WORD.finditer(text, start, end):
            s, e = match.span()
            joined = 1 if previous_end >= 0 and joins(text, previous_end, s) else 0
            word_key = keyed(match.group())
            if len(word_key) > MAX_KEY:
                word_key = word_key[:MAX_KEY]
            found[(word_key, interviewer)].extend((token, ordinal, s, e, joined))
            token += 1
            previous_end = e
        token += 1  # never adjacent across turns
    return found


@dataclass(frozen=True)
class TurnWords:
    """A transcript's words as :func:`postings_for` reads them, whatever is searched for."""

    counts: tuple[int, ...]  # words in each turn, in the order of the turns given
    distinct: frozenset[str]  # every word of those turns, once

    @property
    def chars(self) -> int:
        """About what keeping this costs, in characters (search/kept.py's bound)."""
        return sum(map(len, self.distinct)) + len(self.counts)


def turn_words(text: str, spans) -> TurnWords:
    """Each turn's words counted and every distinct word listed, by the regular expression engine."""
    counts, distinct = [], set()
    for _, _, start, end in spans:
        words = WORD.findall(text, start, end)
        counts.append(len(words))
        distinct.update(words)
    return TurnWords(tuple(counts), frozenset(distinct))


def postings_for(text: str, spans, wanted: set[str], words: TurnWords | None = None) -> dict[tuple[str, bool], list[int]]:
    """:func:`postings_of` restricted to the words whose key is in ``wanted``: the same positions.

    For searching a transcript the index lacks: keying every word in order costs about a
    microsecond a word in Python; here each turn's words are counted and listed by the
    regular expression engine (``words``, :func:`turn_words` of the same text and turns,
    when the caller has them already), each distinct word is keyed once, and only the
    wanted words are positioned.
    """
    keyed = lemmas().key
    if words is None:
        words = turn_words(text, spans)
    surfaces = {w for w in words.distinct if keyed(w)[:MAX_KEY] in wanted}
    found: dict[tuple[str, bool], list[int]] = defaultdict(list)
    if not surfaces:
        return found
    longest_first = sorted(surfaces, key=len, reverse=True)
    # No look-behind in the pattern: one at its start keeps the regular expression engine
    # from scanning for the words' first letters (10x slower on a turn). A match right after
    # a letter or digit is inside a longer word, and so is every other start within it.
    hit = re.compile(r"(?:" + "|".join(map(re.escape, longest_first)) + r")(?![^\W_])")
    inside_word, count = WORD.match, WORD.findall
    token = 0
    for (ordinal, interviewer, start, end), words_in_turn in zip(spans, words.counts, strict=True):
        seen, counted = start, token
        for match in hit.finditer(text, start, end):
            s, e = match.span()
            if s > start and inside_word(text, s - 1, s):
                continue
            counted += len(count(text, seen, s))
            found[(keyed(match.group())[:MAX_KEY], interviewer)].extend(
                (counted, ordinal, s, e, _joined(text, start, s)))
            seen, counted = e, counted + 1
        token += words_in_turn + 1  # never adjacent across turns
    return found


def _joined(text: str, start: int, s: int) -> int:
    """1 when the word at ``s`` follows another word of its turn (from ``start``) across only JOINED characters."""
    gap = 0
    while gap < 4 and s - gap > start and not WORD.match(text, s - gap - 1, s - gap):
        gap += 1
    if not 0 < gap < 4 or s - gap == start:
        return 0
    return 1 if JOINED.fullmatch(text, s - gap, s) else 0
