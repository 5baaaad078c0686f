"""Coding every hit of a search as ONE undoable action.

The coding session's batch API does the work: :meth:`CodingSession.apply_in` applies
one coding inside the caller's transaction, merging overlaps and logging into the
given :class:`~qualcode.coding.actions.ActionBuilder`'s event group, so every coding made here lands in one
``tag`` group that a single ``qualcode undo`` reverts. No new coding primitive was
needed. The coder must already exist (a row in ``coders``): a misspelled name is
refused instead of silently starting a new coder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import CodingError
from qualcode.search.engine import SearchOptions, checked_text, find
from qualcode.transcripts.sentences import split_sentences

if TYPE_CHECKING:
    from qualcode.project import Project

SPANS = ("turn", "sentence", "match")


@dataclass(frozen=True)
class TaggedSpan:
    transcript: str
    segment: int
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "segment": self.segment, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class TagResult:
    code: str
    coder: str
    span: str
    dry_run: bool
    hits: int
    spans: tuple[TaggedSpan, ...]
    added: int = 0
    unchanged: int = 0
    merged_away: int = 0
    group_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "coder": self.coder, "span": self.span, "dry_run": self.dry_run,
                "hits": self.hits, "spans": [s.to_dict() for s in self.spans], "added": self.added,
                "unchanged": self.unchanged, "merged_away": self.merged_away, "group_id": self.group_id}


def code_hits(project: Project, pattern: str, options: SearchOptions, *, code: str, coder: str,
              span: str = "turn", dry_run: bool = False) -> TagResult:
    """Apply ``code`` to every hit (whole turn, its sentence(s) or the match itself)."""
    if span not in SPANS:
        raise CodingError(f"Unknown --span '{span}'; spans: {', '.join(SPANS)}")
    found = find(project, pattern, options)
    with project.read() as conn:
        _check_coder(conn, coder)
        spans = _spans(conn, found, span)
    _check_code(project, found, code, coder)
    if dry_run or not spans:
        return TagResult(code, coder, span, dry_run, found.total, spans)
    return _apply(project, found, spans, code, coder, span)


def _check_coder(conn, coder: str) -> None:
    from qualcode.store.codings import coder_names
    from qualcode.store.search import coder_exists

    if not coder or not coder_exists(conn, coder):
        known = ", ".join(coder_names(conn)) or "none yet"
        raise CodingError(f"No coder '{coder}' in this project (coders: {known}); add the coder first, "
                          "then code the hits")


def _check_code(project: Project, found, code: str, coder: str) -> None:
    from qualcode.coding.session import CodingSession

    session = CodingSession(project, coder)
    roles = sorted({found.selection.info[t].role for t in found.by_transcript})
    for role in roles:
        try:
            session.check_code(code, role)
        except CodingError as error:
            raise CodingError(f"{error}; narrow the search with --role (hits are in roles: {', '.join(roles)})") from None


def _spans(conn, found, span: str) -> tuple[TaggedSpan, ...]:

    out: set[TaggedSpan] = set()
    for transcript_id, items in found.by_transcript.items():
        text = checked_text(conn, transcript_id)
        turns = found.selection.turn_spans(conn, transcript_id)
        for o in items:
            start, end = turns[o.ordinal]
            if span == "match":
                out.add(TaggedSpan(transcript_id, o.ordinal, o.start, o.end))
            elif span == "turn":
                out.add(TaggedSpan(transcript_id, o.ordinal, start, end))
            else:
                touched = [s for s in split_sentences(text[start:end], start) if s[0] < o.end and o.start < s[1]]
                first, last = (touched[0][0], touched[-1][1]) if touched else (o.start, o.end)
                out.add(TaggedSpan(transcript_id, o.ordinal, first, last))
    return tuple(sorted(out, key=lambda s: (s.transcript, s.start, s.end)))


def _apply(project: Project, found, spans, code: str, coder: str, span: str) -> TagResult:
    from qualcode.coding.actions import ActionBuilder
    from qualcode.coding.session import CodingSession
    from qualcode.store.access import lock_coder
    from qualcode.store.search import segment_rows

    session = CodingSession(project, coder)
    with project.write() as conn:
        _check_coder(conn, coder)
        lock_coder(conn, coder)
        for transcript_id in {s.transcript for s in spans}:
            checked_text(conn, transcript_id)  # the text has not changed since the search
        ids = {(r.transcript_id, r.ordinal): r.id for r in segment_rows(conn, sorted({s.transcript for s in spans}))}
        version = session.codebook_version(conn)
        result = ActionBuilder("tag")
        for s in spans:
            session.apply_in(conn, result, {
                "transcript_id": s.transcript, "segment_id": ids[(s.transcript, s.segment)], "coder": coder,
                "code_id": code, "start_offset": s.start, "end_offset": s.end, "origin": "manual",
                "confidence": None, "memo": None, "codebook_version_id": version,
            })
    added_ids = {r.id for r in result.added}
    return TagResult(code, coder, span, False, found.total, spans, added=len(added_ids),
                     unchanged=len(result.unchanged), merged_away=len(result.removed), group_id=result.group_id)
