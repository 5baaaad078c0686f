"""Reading codings: the plain-Python twins of ``codings list``, ``progress``, ``log``
and ``codings orphans``."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qualcode.coding.blind import guard
from qualcode.store import codings as store
from qualcode.store import finishing as finish_store
from qualcode.store.assignments import assignment_rows
from qualcode.store.coded_text import coding_listing

if TYPE_CHECKING:
    from qualcode.project import Project


@dataclass(frozen=True)
class CodingRow:
    """One coding in ``codings list``. ``id`` is not in the ``--json`` shape (scripts
    address codings by transcript, segment and span), so ``to_dict()`` leaves it out."""

    id: int
    transcript: str
    segment: int
    coder: str
    code: str
    start: int
    end: int
    origin: str
    confidence: float | None
    memo: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "transcript": self.transcript, "segment": self.segment, "coder": self.coder, "code": self.code,
            "start": self.start, "end": self.end, "origin": self.origin, "confidence": self.confidence,
            "memo": self.memo, "text": self.text,
        }  # fmt: skip


@dataclass(frozen=True)
class OrphanRow:
    """A coding whose words vanished in a re-import: ``start``/``end`` are offsets in the
    transcript's *old* text and ``text`` is the old text it was made on."""

    id: int
    transcript: str
    coder: str
    code: str
    start: int
    end: int
    text: str | None
    origin: str
    memo: str | None
    updated_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "transcript": self.transcript, "coder": self.coder, "code": self.code,
            "start": self.start, "end": self.end, "text": self.text, "origin": self.origin,
            "memo": self.memo, "updated_at": self.updated_at,
        }  # fmt: skip


@dataclass(frozen=True)
class ProgressRow:
    """One coder on one transcript in ``progress`` (see :func:`progress`)."""

    coder: str
    transcript: str
    assigned: str
    coded: int
    handled: int
    total: int
    percent: float
    done: bool
    finished: bool
    stale_marks: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "coder": self.coder, "transcript": self.transcript, "assigned": self.assigned, "coded": self.coded,
            "handled": self.handled, "total": self.total, "percent": self.percent, "done": self.done,
            "finished": self.finished, "stale_marks": self.stale_marks,
        }  # fmt: skip


@dataclass(frozen=True)
class MemoChange:
    """A memo's text before and after an event (``None``: no memo)."""

    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after}


@dataclass(frozen=True)
class SuggestionBrief:
    """What a decided or reopened suggestion was (read defensively from the event)."""

    status: str
    source: str
    score: float | None
    evidence: Any
    suggestion_id: Any

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "source": self.source, "score": self.score,
                "evidence": self.evidence, "suggestion_id": self.suggestion_id}


@dataclass(frozen=True)
class LogEntry:
    """One change of ``log`` (see :func:`event_log`).

    ``id`` is the stored event's. A bulk run (autocode --as, a codings import) stores up
    to 2,000 inserted codings as one event, listed here one entry per coding: ``part``
    is the coding's place in that event (1-based) and ``parts`` how many it holds, so
    ``label`` (``id.part``, e.g. ``123.17``) names each line once; both are None for an
    event of one change.
    """

    id: int
    at: datetime
    coder: str
    action: str
    change: str
    coding: int | None
    transcript: str | None
    code: str | None
    span: tuple[int, int] | None
    memo: MemoChange | None
    suggestion: SuggestionBrief | None
    detail: str
    group: int | None
    undone: bool
    part: int | None = None
    parts: int | None = None

    @property
    def label(self) -> str:
        return str(self.id) if self.part is None else f"{self.id}.{self.part}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "part": self.part, "parts": self.parts, "at": self.at, "coder": self.coder, "action": self.action, "change": self.change,
            "coding": self.coding, "transcript": self.transcript, "code": self.code,
            "span": list(self.span) if self.span is not None else None,
            "memo": self.memo.to_dict() if self.memo else None,
            "suggestion": self.suggestion.to_dict() if self.suggestion else None,
            "detail": self.detail, "group": self.group, "undone": self.undone,
        }  # fmt: skip


def list_codings(project: Project, *, coder=None, transcript=None, code=None) -> list[CodingRow]:
    """Codings with their text, in reading order.

    ``code`` matches the code and its descendants (dotted ids).
    """
    guard(project, coders=[coder] if coder else None, transcripts=[transcript] if transcript else None,
          what="this listing")
    with project.read() as conn:
        rows = coding_listing(conn, coder=coder, transcript=transcript, code=code)
    return [
        CodingRow(
            id=r.id, transcript=r.transcript_id, segment=r.ordinal, coder=r.coder, code=r.code_id,
            start=r.start_offset, end=r.end_offset, origin=r.origin, confidence=r.confidence,
            memo=r.memo, text=r.coded_text,
        )
        for r in rows
    ]


def list_orphans(project: Project, *, coder=None, transcript=None) -> list[OrphanRow]:
    """Codings whose words vanished in a re-import, kept for review.

    ``start``/``end`` are the coding's offsets in the transcript's *old* text and
    ``text`` is the old text it was made on.
    """
    with project.read() as conn:
        rows = coding_listing(conn, coder=coder, transcript=transcript, include_orphans=True)
    return [
        OrphanRow(
            id=r.id, transcript=r.transcript_id, coder=r.coder, code=r.code_id, start=r.start_offset,
            end=r.end_offset, text=r.orphan_text, origin=r.origin, memo=r.memo, updated_at=r.updated_at,
        )
        for r in rows
        if r.orphaned
    ]


def progress(project: Project) -> list[ProgressRow]:
    """Per coder and transcript: respondent turns coded, handled (coded or marked nothing
    to code) / total, whether the coder marked it done, and whether it is assigned.

    Assigned transcripts the coder has not coded yet are listed too (coded 0);
    ``assigned`` is ``primary`` for a transcript's first assigned coder, ``second`` for
    later ones, '' when the coder codes it unassigned. ``finished``: marked done or every
    respondent turn handled. ``stale_marks``: marks made before a re-import changed the
    transcript (kept, not counted). ``percent`` is of handled turns.
    """
    with project.read() as conn:
        totals = store.respondent_segment_totals(conn)
        counts = {(c, t): n for c, t, n in store.coded_segment_counts(conn)}
        handled, done, stale = finish_store.handled_turns(conn), finish_store.done_marks(conn), finish_store.stale_marks(conn)
        assigned = assignment_rows(conn)
    keys = set(counts) | set(handled) | done | set(stale)
    keys |= {(coder, transcript) for transcript, coders in assigned.items() for coder in coders}
    rows = []
    for coder, transcript in sorted(keys):
        total, turns = totals.get(transcript, 0), handled.get((coder, transcript), 0)
        rows.append(ProgressRow(
            coder=coder, transcript=transcript,
            assigned=_assignment_role(assigned.get(transcript, []), coder),
            coded=counts.get((coder, transcript), 0), handled=turns, total=total,
            percent=round(100 * turns / total, 1) if total else 0.0,
            done=(coder, transcript) in done, finished=(coder, transcript) in done or turns >= total,
            stale_marks=stale.get((coder, transcript), 0),
        ))  # fmt: skip
    return rows


def _assignment_role(coders: list[str], coder: str) -> str:
    if coder not in coders:
        return ""
    return "primary" if coders[0] == coder else "second"


def event_log(project: Project, *, coder: str | None = None, since: datetime | None = None) -> list[LogEntry]:
    """The audit trail: every change, oldest first, each with what it changed.

    ``change`` is ``insert``/``update``/``delete`` for a coding, ``decided``/``reopened``
    for a suggestion decision (accept, reject and their undo/redo), ``decision`` for
    other records (a reconcile choice). ``memo`` is ``{"before", "after"}`` when the
    memo text changed; ``suggestion`` describes a decided or reopened suggestion;
    ``detail`` says both in words. A bulk run's event is one entry per coding it holds,
    numbered by ``part`` of ``parts`` (see :class:`LogEntry`).
    """
    with project.read() as conn:
        rows = store.event_rows(conn, coder=coder, since=since)
    entries = []
    for _, same in itertools.groupby(rows, key=lambda row: row["id"]):  # a batch reads as rows sharing its id
        expanded = list(same)
        numbered = len(expanded) > 1
        entries += [replace(_log_entry(row), part=n, parts=len(expanded)) if numbered else _log_entry(row)
                    for n, row in enumerate(expanded, start=1)]
    return entries


def _log_entry(row: dict) -> LogEntry:
    """One log line's data. Rows are read defensively: on a shared server another role
    may have written a malformed event, and one bad row must not hide the whole log."""
    before, after = _state(row["before"]), _state(row["after"])
    state = after or before or {}
    suggestion = state if state.get("kind") == "suggestion" else None
    record = state.get("kind") in ("mark", "memo")
    if suggestion:
        change = "decided" if after else "reopened"
    elif record:  # a finish mark or a memo on a transcript or code: set, changed or cleared
        change = "set" if before is None else "cleared" if after is None else "update"
    elif row["coding_id"] is None:
        change = "decision"
    else:
        change = "insert" if before is None else "delete" if after is None else "update"
    if record:
        memo = _memo_change(*({"memo": s.get("text")} if s else None for s in (before, after))) \
            if state.get("kind") == "memo" else None
    else:
        memo = _memo_change(before, after) if not suggestion else None
    code = state.get("code_id")
    start, end = state.get("start_offset"), state.get("end_offset")
    brief = _suggestion_brief(suggestion) if suggestion else None
    return LogEntry(
        id=row["id"], at=row["at"], coder=row["coder"], action=str(row["action"]),
        change=change, coding=row["coding_id"], transcript=row["transcript_id"],
        code=code if isinstance(code, str) else None,
        span=(start, end) if type(start) is int and type(end) is int else None,
        memo=memo, suggestion=brief,
        detail=(_record_detail(state, memo) if record
                else _detail(memo, brief, change) or _sample_detail(str(row["action"]), state)),
        group=row["group_id"], undone=bool(row["undone"]),
    )  # fmt: skip


def _sample_detail(action: str, state: dict) -> str:
    """What a sample event (closed, deleted, redrawn) was about: ``sample NAME``."""
    name = state.get("name")
    return f"sample {name}" if action.startswith("sample:") and isinstance(name, str) else ""


def _state(value) -> dict | None:
    return value if isinstance(value, dict) and value else None


def _memo_change(before: dict | None, after: dict | None) -> MemoChange | None:
    old, new = (before or {}).get("memo"), (after or {}).get("memo")
    return MemoChange(old, new) if old != new else None


def _suggestion_brief(payload: dict) -> SuggestionBrief:
    evidence = payload.get("evidence")
    evidence = evidence if isinstance(evidence, dict) else {}
    score = payload.get("score")
    return SuggestionBrief(
        status=str(payload.get("status")), source=str(payload.get("source")),
        score=score if isinstance(score, int | float) and not isinstance(score, bool) else None,
        evidence=evidence.get("text"), suggestion_id=evidence.get("suggestion"),
    )


def _record_detail(state: dict, memo: MemoChange | None) -> str:
    """A finish mark (``nothing to code turn 7``, ``done``) or a memo on a transcript or code."""
    if state.get("kind") == "mark":
        turn = state.get("ordinal")
        return "done" if state.get("mark") == "done" else f"nothing to code turn {turn}"
    code = state.get("code_id")
    target = f"code {code}" if isinstance(code, str) else f"transcript {state.get('transcript_id')}"
    memo = memo or MemoChange(None, None)
    return f"memo on {target} {memo.before!r} -> {memo.after!r}"


def _detail(memo: MemoChange | None, suggestion: SuggestionBrief | None, change: str) -> str:
    if suggestion:
        verb = "reopened" if change == "reopened" else suggestion.status
        score = f" p={suggestion.score:.2f}" if suggestion.score is not None else ""
        return f"suggestion {verb} ({suggestion.source}{score})"
    if memo:
        return f"memo {memo.before!r} -> {memo.after!r}"
    return ""
