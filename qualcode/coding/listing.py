"""Reading codings: the plain-Python twins of ``codings list``, ``progress``, ``log``
and ``codings orphans``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from qualcode.coding.blind import guard
from qualcode.store import codings as store
from qualcode.store import finishing as finish_store
from qualcode.store.assignments import assignment_rows

if TYPE_CHECKING:
    from qualcode.project import Project


def list_codings(project: Project, *, coder=None, transcript=None, code=None) -> list[dict]:
    """``[{transcript, segment, coder, code, start, end, origin, confidence, text, memo}]``.

    ``code`` matches the code and its descendants (dotted ids).
    """
    guard(project, coders=[coder] if coder else None, transcripts=[transcript] if transcript else None,
          what="this listing")
    with project.read() as conn:
        rows = store.coding_listing(conn, coder=coder, transcript=transcript, code=code)
    return [
        {
            "id": r.id,
            "transcript": r.transcript_id,
            "segment": r.ordinal,
            "coder": r.coder,
            "code": r.code_id,
            "start": r.start_offset,
            "end": r.end_offset,
            "origin": r.origin,
            "confidence": r.confidence,
            "text": r.coded_text,
            "memo": r.memo,
        }
        for r in rows
    ]


def list_orphans(project: Project, *, coder=None, transcript=None) -> list[dict]:
    """Codings whose words vanished in a re-import, kept for review:
    ``[{id, transcript, coder, code, start, end, text, origin, memo, updated_at}]``.

    ``start``/``end`` are the coding's offsets in the transcript's *old* text and
    ``text`` is the old text it was made on.
    """
    with project.read() as conn:
        rows = store.coding_listing(conn, coder=coder, transcript=transcript, include_orphans=True)
    return [
        {
            "id": r.id, "transcript": r.transcript_id, "coder": r.coder, "code": r.code_id,
            "start": r.start_offset, "end": r.end_offset, "text": r.orphan_text,
            "origin": r.origin, "memo": r.memo, "updated_at": r.updated_at,
        }
        for r in rows
        if r.orphaned
    ]


def progress(project: Project) -> list[dict]:
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
        rows.append({
            "coder": coder, "transcript": transcript,
            "assigned": _assignment_role(assigned.get(transcript, []), coder),
            "coded": counts.get((coder, transcript), 0), "handled": turns, "total": total,
            "percent": round(100 * turns / total, 1) if total else 0.0,
            "done": (coder, transcript) in done, "finished": (coder, transcript) in done or turns >= total,
            "stale_marks": stale.get((coder, transcript), 0),
        })  # fmt: skip
    return rows


def _assignment_role(coders: list[str], coder: str) -> str:
    if coder not in coders:
        return ""
    return "primary" if coders[0] == coder else "second"


def event_log(project: Project, *, coder: str | None = None, since: datetime | None = None) -> list[dict]:
    """The audit trail: every change, oldest first, each with what it changed.

    ``change`` is ``insert``/``update``/``delete`` for a coding, ``decided``/``reopened``
    for a suggestion decision (accept, reject and their undo/redo), ``decision`` for
    other records (a reconcile choice). ``memo`` is ``{"before", "after"}`` when the
    memo text changed; ``suggestion`` describes a decided or reopened suggestion;
    ``detail`` says both in words.
    """
    with project.read() as conn:
        rows = store.event_rows(conn, coder=coder, since=since)
    return [_log_entry(row) for row in rows]


def _log_entry(row: dict) -> dict:
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
    span = [state.get("start_offset"), state.get("end_offset")]
    return {
        "id": row["id"], "at": row["at"], "coder": row["coder"], "action": str(row["action"]),
        "change": change, "coding": row["coding_id"], "transcript": row["transcript_id"],
        "code": code if isinstance(code, str) else None,
        "span": span if all(type(p) is int for p in span) else None,
        "memo": memo,
        "suggestion": _suggestion_brief(suggestion) if suggestion else None,
        "detail": (_record_detail(state, memo) if record
                   else _detail(memo, suggestion, change) or _sample_detail(str(row["action"]), state)),
        "group": row["group_id"], "undone": bool(row["undone"]),
    }


def _sample_detail(action: str, state: dict) -> str:
    """What a sample event (closed, deleted, redrawn) was about: ``sample NAME``."""
    name = state.get("name")
    return f"sample {name}" if action.startswith("sample:") and isinstance(name, str) else ""


def _state(value) -> dict | None:
    return value if isinstance(value, dict) and value else None


def _memo_change(before: dict | None, after: dict | None) -> dict | None:
    old, new = (before or {}).get("memo"), (after or {}).get("memo")
    return {"before": old, "after": new} if old != new else None


def _suggestion_brief(payload: dict) -> dict:
    evidence = payload.get("evidence")
    evidence = evidence if isinstance(evidence, dict) else {}
    score = payload.get("score")
    return {
        "status": str(payload.get("status")), "source": str(payload.get("source")),
        "score": score if isinstance(score, int | float) and not isinstance(score, bool) else None,
        "evidence": evidence.get("text"), "suggestion_id": evidence.get("suggestion"),
    }


def _record_detail(state: dict, memo: dict | None) -> str:
    """A finish mark (``nothing to code turn 7``, ``done``) or a memo on a transcript or code."""
    if state.get("kind") == "mark":
        turn = state.get("ordinal")
        return "done" if state.get("mark") == "done" else f"nothing to code turn {turn}"
    code = state.get("code_id")
    target = f"code {code}" if isinstance(code, str) else f"transcript {state.get('transcript_id')}"
    memo = memo or {}
    return f"memo on {target} {memo.get('before')!r} -> {memo.get('after')!r}"


def _detail(memo: dict | None, suggestion: dict | None, change: str) -> str:
    if suggestion:
        verb = "reopened" if change == "reopened" else suggestion["status"]
        score = f" p={suggestion['score']:.2f}" if suggestion.get("score") is not None else ""
        return f"suggestion {verb} ({suggestion['source']}{score})"
    if memo:
        return f"memo {memo['before']!r} -> {memo['after']!r}"
    return ""
