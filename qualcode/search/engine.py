"""``qualcode search``: keyword-in-context hits, filtered, counted by role and site.

:func:`search` is the plain twin of the command. It refreshes the index, selects the
transcripts (role, site, attributes, ids), finds the occurrences from the index (or
by scanning the text for ``--regex``), keeps those inside / outside a code, and
builds KWIC lines for the page asked for. Texts are read only for the transcripts on
that page, so the first page of a common word costs a few index rows, not the corpus.

``refresh_index=False`` (the coding screen's ``F``) never writes: the index is read as
it is, and the transcripts it does not hold as they are now (imported, replaced or
restored since it was built) are searched from their text with the indexer's own code,
so the hits are the ones a refreshed index would give.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.search.filters import Selection, code_filter, select
from qualcode.search.index import (
    SearchError,
    postings_for,
    postings_of,
    refresh,
    text_digest,
    unindexed,
)
from qualcode.search.kept import KeptTexts, searched_texts, turns_of, version_of
from qualcode.search.matching import Occurrence, is_exact_phrase, occurrences
from qualcode.search.patterns import FUZZY_DEFAULT, Pattern, parse_pattern
from qualcode.store.search import text_versions, texts_with_digests, turn_bounds

if TYPE_CHECKING:
    from qualcode.project import Project

SPEAKERS = ("respondent", "interviewer", "any")
CONTEXT_DEFAULT = 40
PAGE_READ = 200  # transcripts whose texts a page of hits holds in memory at once


@dataclass(frozen=True)
class Hit:
    transcript: str
    segment: int
    start: int
    end: int
    matched: str
    left: str
    right: str
    role: str
    site: str

    @property
    def context(self) -> str:
        return f"{self.left}{self.matched}{self.right}"

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "segment": self.segment, "start": self.start,
                "end": self.end, "matched": self.matched, "left": self.left, "right": self.right,
                "context": self.context, "role": self.role, "site": self.site}


@dataclass(frozen=True)
class CountRow:
    group: str
    hits: int
    turns: int
    transcripts: int

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "hits": self.hits, "turns": self.turns, "transcripts": self.transcripts}


@dataclass(frozen=True)
class SearchResult:
    pattern: str
    mode: str
    speaker: str
    total: int
    hits: tuple[Hit, ...]
    by_role: tuple[CountRow, ...] = ()
    by_site: tuple[CountRow, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def truncated(self) -> bool:
        return len(self.hits) < self.total

    def to_dict(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "mode": self.mode, "speaker": self.speaker, "total": self.total,
                "shown": len(self.hits), "hits": [h.to_dict() for h in self.hits],
                "by_role": [r.to_dict() for r in self.by_role], "by_site": [r.to_dict() for r in self.by_site],
                "notes": list(self.notes)}


@dataclass(frozen=True)
class SearchOptions:
    """Everything ``qualcode search`` takes besides the pattern (saved with a query)."""

    mode: str = "lemma"
    speaker: str = "respondent"
    roles: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    attrs: tuple[str, ...] = ()
    transcripts: tuple[str, ...] = ()
    in_code: tuple[str, ...] = ()
    not_in_code: tuple[str, ...] = ()
    coder: str | None = None
    threshold: int = FUZZY_DEFAULT
    context: int = CONTEXT_DEFAULT
    limit: int | None = None
    count: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in vars(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SearchOptions:
        known: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in cls.__dataclass_fields__
        }
        return cls(**known)


@dataclass
class Found:
    """Occurrences per transcript before KWIC lines are built (also for coding the hits)."""

    selection: Selection
    pattern: Pattern
    by_transcript: dict[str, list[Occurrence]] = field(default_factory=dict)
    # transcripts searched in their text rather than the index -> digest of that text
    # (their KWIC lines are built only from the same text)
    searched: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.by_transcript.values())


def search(project: Project, pattern: str, options: SearchOptions | None = None, *,
           refreshed: bool = False, refresh_index: bool = True, kept: KeptTexts | None = None) -> SearchResult:
    """The plain twin of ``qualcode search`` (see the module docstring).

    ``refreshed=True``: the caller has just refreshed the index (the command does, to
    announce the indexing), so it is not checked a second time. ``refresh_index=False``:
    write nothing; search what the index does not hold from the text. ``kept``: texts
    kept from the session's earlier searches, used while unchanged (search/kept.py).
    """
    options = options or SearchOptions()
    found = find(project, pattern, options, refreshed=refreshed, refresh_index=refresh_index, kept=kept)
    with project.read() as conn:
        hits = kwic_page(conn, found, options.limit, options.context, kept)
    by_role, by_site = counts(found) if options.count else ((), ())
    return SearchResult(pattern, options.mode, options.speaker, found.total, tuple(hits), by_role, by_site,
                        tuple(found.selection.notes))


def find(project: Project, pattern: str, options: SearchOptions, *, refreshed: bool = False,
         refresh_index: bool = True, kept: KeptTexts | None = None) -> Found:
    """Refresh the index (unless ``refreshed``), select transcripts, find and filter the occurrences.

    ``refresh_index=False``: no refresh; transcripts the index does not hold as they are
    now are searched from their text (see the module docstring).
    """
    if options.speaker not in SPEAKERS:
        raise SearchError(f"Unknown --speaker '{options.speaker}'; speakers: {', '.join(SPEAKERS)}")
    if refresh_index and not refreshed:
        refresh(project)
    with project.read() as conn:
        selection = select(project, conn, options, attributes=False)
        stale = [] if refresh_index else unindexed(conn, sorted(selection.ids))
        vocabulary = _vocabulary(conn, stale) if options.mode == "fuzzy" else None
        parsed = parse_pattern(pattern, options.mode, vocabulary=vocabulary, threshold=options.threshold)
        speaker = None if options.speaker == "any" else options.speaker
        searched: dict[str, str] = {}
        if parsed.regex is not None:
            by_transcript = _scan(conn, parsed, selection, speaker, searched if not refresh_index else None)
        else:
            by_transcript = _from_index(conn, parsed, selection, speaker, stale, searched, kept)
        if parsed.mode == "phrase":
            by_transcript = _exact_only(conn, parsed, by_transcript)
        by_transcript = code_filter(conn, project, selection, options, by_transcript)
    return Found(selection, parsed, {t: v for t, v in by_transcript.items() if v}, searched)


def _vocabulary(conn, stale: list[str]) -> list[str]:
    """The indexed keys, and the keys of the transcripts the index does not hold as they are now."""
    from qualcode.store.search import vocabulary

    keys = set(vocabulary(conn))
    turns = turns_of(conn, stale)
    for transcript_id, text in _texts(conn, stale):
        keys.update(key for key, _ in postings_of(text, turns[transcript_id]))
    return sorted(keys)


def _from_index(conn, pattern: Pattern, selection: Selection, speaker, stale: list[str],
                searched: dict[str, str], kept: KeptTexts | None = None) -> dict[str, list[Occurrence]]:
    """Occurrences from the index; those of the ``stale`` transcripts from their text (digests into ``searched``)."""
    from qualcode.store.search import postings

    keys = sorted({k for term in pattern.terms for keys in term.keys for k in keys})
    per_transcript: dict[str, dict[str, list[int]]] = defaultdict(dict)
    skip = set(stale)  # the index's rows for these are out of date (or absent)
    for transcript_id, key, _kind, positions in postings(conn, keys, None, speaker):
        if transcript_id in selection.ids and transcript_id not in skip:
            per_transcript[transcript_id].setdefault(key, []).extend(json.loads(positions))
    wanted = set(keys)
    for transcript_id, text, digest, turns, words in searched_texts(conn, stale, kept):
        searched[transcript_id] = digest
        for (key, interviewer), positions in postings_for(text, turns, wanted, words).items():
            if speaker is None or interviewer == (speaker == "interviewer"):
                per_transcript[transcript_id].setdefault(key, []).extend(positions)
    return {t: occurrences(pattern, p) for t, p in sorted(per_transcript.items())}


def _texts(conn, ids: list[str]):
    from qualcode.store.search import iter_texts

    return iter_texts(conn, ids)


def _scan(conn, pattern: Pattern, selection: Selection, speaker,
          searched: dict[str, str] | None) -> dict[str, list[Occurrence]]:
    """Regex mode: every selected turn's text, one transcript at a time (digests into ``searched`` if given)."""
    from qualcode.store.search import iter_texts, segment_rows

    regex = pattern.regex
    assert regex is not None, "regex mode compiles its pattern"
    turns = defaultdict(list)
    for row in segment_rows(conn, None):
        if row.transcript_id in selection.ids and (speaker is None or bool(row.is_interviewer) == (speaker == "interviewer")):
            turns[row.transcript_id].append((row.ordinal, row.start_offset, row.end_offset))
    found = {}
    for transcript_id, text in iter_texts(conn, sorted(turns)):
        if searched is not None:
            searched[transcript_id] = text_digest(text)
        found[transcript_id] = [
            Occurrence(m.start(), m.end(), ordinal, -1, -1)
            for ordinal, start, end in turns[transcript_id]
            for m in regex.finditer(text, start, end) if m.end() > m.start()
        ]
    return found


def _exact_only(conn, pattern: Pattern, by_transcript):
    from qualcode.store.search import iter_texts

    kept = {}
    for transcript_id, text in iter_texts(conn, sorted(by_transcript)):
        kept[transcript_id] = [o for o in by_transcript[transcript_id] if is_exact_phrase(pattern, text, o)]
    return kept


def checked_text(conn, transcript_id: str, searched: str | None = None) -> str:
    """The transcript's text, refused if it is not the text that was searched.

    ``searched``: the digest of the text the occurrences were found in, when not the
    index (see :class:`Found`); by default the digest of the text that was indexed.
    """
    return _checked(transcript_id, texts_with_digests(conn, [transcript_id]).get(transcript_id), searched)[0]


def kwic_page(conn, found: Found, limit: int | None, width: int, kept: KeptTexts | None = None) -> list[Hit]:
    """KWIC lines of the first ``limit`` occurrences (all if None), in transcript order.

    The page's transcripts are read PAGE_READ at a time, two statements each time (texts
    with their indexed digests, and the turns hit), not three statements per transcript:
    a word found in 100 transcripts would otherwise cost 300 statements. ``kept``: texts
    and turns read by earlier searches, used while their transcript is unchanged.
    """
    page: list[tuple[str, list[Occurrence]]] = []
    taken = 0
    for transcript_id, items in sorted(found.by_transcript.items()):
        if limit is not None and taken >= limit:
            break
        take = items if limit is None else items[: limit - taken]
        page.append((transcript_id, take))
        taken += len(take)
    hits: list[Hit] = []
    for first in range(0, len(page), PAGE_READ):
        chunk = page[first : first + PAGE_READ]
        if kept is None:
            texts, turns = _page_texts(conn, chunk, found.searched)
        else:
            texts, turns = _kept_page_texts(conn, chunk, found.searched, kept)
        for transcript_id, items in chunk:
            hits.extend(_kwic(found.selection.info[transcript_id], transcript_id, texts[transcript_id],
                              turns[transcript_id], items, width))
    return hits


Bounds = dict[str, dict[int, tuple[int, int]]]  # transcript -> ordinal -> (start, end) of the turns hit


def _page_texts(conn, chunk: list[tuple[str, list[Occurrence]]], searched: dict[str, str]) -> tuple[dict[str, str], Bounds]:
    """The chunk's texts, checked (:func:`_checked`), and its turns' bounds: two statements."""
    stored = texts_with_digests(conn, [transcript_id for transcript_id, _ in chunk])
    texts = {t: _checked(t, stored.get(t), searched.get(t))[0] for t, _ in chunk}
    turns: Bounds = defaultdict(dict)
    for (t, ordinal), bounds in turn_bounds(conn, [(t, o.ordinal) for t, items in chunk for o in items]).items():
        turns[t][ordinal] = bounds
    return texts, turns


def _kept_page_texts(conn, chunk: list[tuple[str, list[Occurrence]]], searched: dict[str, str],
                     kept: KeptTexts) -> tuple[dict[str, str], Bounds]:
    """:func:`_page_texts`, taking texts and turns kept at the transcript's current version.

    The versions are read first (no text); a kept text is checked by its stored digest,
    the others are read, checked as always and kept. Only the turns not kept are read.
    """
    versions = text_versions(conn, [transcript_id for transcript_id, _ in chunk])
    texts: dict[str, str] = {}
    for t, _ in chunk:
        version = version_of(versions.get(t))
        text = kept.text(t, version)
        if text is not None and version is not None:
            _check_digest(t, version[1], searched.get(t), versions[t][2])
            texts[t] = text
    stored = texts_with_digests(conn, [t for t, _ in chunk if t not in texts])
    for t, _ in chunk:
        if t not in texts:
            texts[t], digest = _checked(t, stored.get(t), searched.get(t))
            version = version_of(versions.get(t))
            if version is not None and digest == version[1]:
                kept.keep(t, version, texts[t])
    turns: Bounds = {}
    for t, _ in chunk:
        kept_bounds = kept.bounds(t, version_of(versions.get(t)))
        turns[t] = kept_bounds if kept_bounds is not None else {}
    missing = [(t, o.ordinal) for t, items in chunk for o in items if o.ordinal not in turns[t]]
    for (t, ordinal), bounds in turn_bounds(conn, missing).items() if missing else ():
        turns[t][ordinal] = bounds  # the kept dict itself when kept: there for the next search
    return texts, turns


def _checked(transcript_id: str, stored: tuple[str, str | None] | None, searched: str | None) -> tuple[str, str]:
    """The text read for a page and its digest, refused as :func:`checked_text` refuses it."""
    if stored is None:
        raise SearchError(f"Transcript '{transcript_id}' was removed while it was searched; search again")
    text, indexed = stored
    digest = text_digest(text)
    _check_digest(transcript_id, digest, searched, indexed)
    return text, digest


def _check_digest(transcript_id: str, digest: str, searched: str | None, indexed: str | None) -> None:
    """Refuse a text unless it is the text searched: ``searched`` if given, else the one indexed."""
    if searched is not None:
        if digest != searched:
            raise SearchError(f"Transcript '{transcript_id}' changed while it was searched; search again")
    elif indexed != digest:
        raise SearchError(
            f"The search index is out of step with transcript '{transcript_id}'; "
            "run 'qualcode search --reindex PATTERN' to rebuild it"
        )


def _kwic(info, transcript_id: str, text: str, turns: dict[int, tuple[int, int]],
          items: list[Occurrence], width: int) -> list[Hit]:
    hits = []
    for o in items:
        start, end = turns[o.ordinal]
        left = text[max(start, o.start - width) : o.start]
        hits.append(Hit(transcript_id, o.ordinal, o.start, o.end, _flat(text[o.start : o.end]),
                        _flat(left, keep_edge=True), _flat(text[o.end : min(end, o.end + width)], keep_edge=True),
                        info.role, info.site))
    return hits


def _flat(text: str, keep_edge: bool = False) -> str:
    """Line breaks and runs of spaces as one space (KWIC lines are one line each)."""
    # Most pieces have no line break and no run of spaces: kept as they are, 3x quicker
    # (three pieces a hit, up to 500 hits an F). Every whitespace but " " is unprintable.
    if "  " not in text and text.isprintable():
        return text if keep_edge else text.strip(" ")
    flat = " ".join(text.split())
    if keep_edge and text[:1].isspace():
        flat = " " + flat
    if keep_edge and text[-1:].isspace() and flat.strip():
        flat += " "
    return flat


def counts(found: Found) -> tuple[tuple[CountRow, ...], tuple[CountRow, ...]]:
    """Hits, turns and transcripts by role and by site (every selected group, zeros too)."""
    rows = {}
    for dimension in ("role", "site"):
        groups = sorted({getattr(i, dimension) for i in found.selection.info.values()})
        tallies: dict[str, list[Any]] = {g: [0, set(), set()] for g in groups}
        for transcript_id, items in found.by_transcript.items():
            tally = tallies[getattr(found.selection.info[transcript_id], dimension)]
            tally[0] += len(items)
            tally[1].update((transcript_id, o.ordinal) for o in items)
            tally[2].add(transcript_id)
        rows[dimension] = tuple(CountRow(g, n, len(turns), len(ts)) for g, (n, turns, ts) in tallies.items())
    return rows["role"], rows["site"]


__all__ = ["CountRow", "Hit", "SearchOptions", "SearchResult", "counts", "find", "search"]
