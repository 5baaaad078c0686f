"""``qualcode search``: keyword-in-context hits, filtered, counted by role and site.

:func:`search` is the plain twin of the command. It refreshes the index, selects the
transcripts (role, site, attributes, ids), finds the occurrences from the index (or
by scanning the text for ``--regex``), keeps those inside / outside a code, and
builds KWIC lines for the page asked for. Texts are read only for the transcripts on
that page, so the first page of a common word costs a few index rows, not the corpus.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.search.filters import Selection, code_filter, select
from qualcode.search.index import SearchError, refresh, text_digest
from qualcode.search.matching import Occurrence, is_exact_phrase, occurrences
from qualcode.search.patterns import FUZZY_DEFAULT, Pattern, parse_pattern

if TYPE_CHECKING:
    from qualcode.project import Project

SPEAKERS = ("respondent", "interviewer", "any")
CONTEXT_DEFAULT = 40


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

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.by_transcript.values())


def search(project: Project, pattern: str, options: SearchOptions | None = None, *,
           refreshed: bool = False) -> SearchResult:
    """The plain twin of ``qualcode search`` (see the module docstring).

    ``refreshed=True``: the caller has just refreshed the index (the command does, to
    announce the indexing), so it is not checked a second time.
    """
    options = options or SearchOptions()
    found = find(project, pattern, options, refreshed=refreshed)
    limit = options.limit
    hits: list[Hit] = []
    with project.read() as conn:
        for transcript_id, items in sorted(found.by_transcript.items()):
            if limit is not None and len(hits) >= limit:
                break
            take = items if limit is None else items[: limit - len(hits)]
            hits.extend(_kwic(conn, found.selection, transcript_id, take, options.context))
    by_role, by_site = counts(found) if options.count else ((), ())
    return SearchResult(pattern, options.mode, options.speaker, found.total, tuple(hits), by_role, by_site,
                        tuple(found.selection.notes))


def find(project: Project, pattern: str, options: SearchOptions, *, refreshed: bool = False) -> Found:
    """Refresh the index (unless ``refreshed``), select transcripts, find and filter the occurrences."""
    if options.speaker not in SPEAKERS:
        raise SearchError(f"Unknown --speaker '{options.speaker}'; speakers: {', '.join(SPEAKERS)}")
    if not refreshed:
        refresh(project)
    with project.read() as conn:
        selection = select(project, conn, options, attributes=False)
        vocabulary = _vocabulary(conn) if options.mode == "fuzzy" else None
        parsed = parse_pattern(pattern, options.mode, vocabulary=vocabulary, threshold=options.threshold)
        speaker = None if options.speaker == "any" else options.speaker
        if parsed.regex is not None:
            by_transcript = _scan(conn, parsed, selection, speaker)
        else:
            by_transcript = _from_index(conn, parsed, selection, speaker)
        if parsed.mode == "phrase":
            by_transcript = _exact_only(conn, parsed, by_transcript)
        by_transcript = code_filter(conn, project, selection, options, by_transcript)
    return Found(selection, parsed, {t: v for t, v in by_transcript.items() if v})


def _vocabulary(conn) -> list[str]:
    from qualcode.store.search import vocabulary

    return vocabulary(conn)


def _from_index(conn, pattern: Pattern, selection: Selection, speaker) -> dict[str, list[Occurrence]]:
    from qualcode.store.search import postings

    keys = sorted({k for term in pattern.terms for keys in term.keys for k in keys})
    per_transcript: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for transcript_id, key, _kind, positions in postings(conn, keys, None, speaker):
        if transcript_id in selection.ids:
            per_transcript[transcript_id].setdefault(key, []).extend(json.loads(positions))
    return {t: occurrences(pattern, p) for t, p in sorted(per_transcript.items())}


def _scan(conn, pattern: Pattern, selection: Selection, speaker) -> dict[str, list[Occurrence]]:
    """Regex mode: every selected turn's text, one transcript at a time."""
    from qualcode.store.search import iter_texts, segment_rows

    regex = pattern.regex
    assert regex is not None, "regex mode compiles its pattern"
    turns = defaultdict(list)
    for row in segment_rows(conn, None):
        if row.transcript_id in selection.ids and (speaker is None or bool(row.is_interviewer) == (speaker == "interviewer")):
            turns[row.transcript_id].append((row.ordinal, row.start_offset, row.end_offset))
    found = {}
    for transcript_id, text in iter_texts(conn, sorted(turns)):
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


def checked_text(conn, transcript_id: str) -> str:
    """The transcript's text, refused if it is not the text that was indexed."""
    from qualcode.store.search import indexed_digests, transcript_texts

    text = transcript_texts(conn, [transcript_id])[transcript_id]
    if indexed_digests(conn, [transcript_id]).get(transcript_id) != text_digest(text):
        raise SearchError(
            f"The search index is out of step with transcript '{transcript_id}'; "
            "run 'qualcode search --reindex PATTERN' to rebuild it"
        )
    return text


def _kwic(conn, selection: Selection, transcript_id: str, items: list[Occurrence], width: int) -> list[Hit]:
    text = checked_text(conn, transcript_id)
    turns = selection.turn_spans(conn, transcript_id)
    info = selection.info[transcript_id]
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
