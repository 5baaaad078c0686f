"""Reading codings: the plain-Python twins of ``codings list``, ``progress``, ``log``
and ``codings orphans``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from qualcode.store import codings as store

if TYPE_CHECKING:
    from qualcode.project import Project


def list_codings(project: Project, *, coder=None, transcript=None, code=None) -> list[dict]:
    """``[{transcript, segment, coder, code, start, end, origin, confidence, text, memo}]``.

    ``code`` matches the code and its descendants (dotted ids).
    """
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
    """Per coder and transcript: respondent segments coded / total respondent segments."""
    with project.read() as conn:
        totals = store.respondent_segment_totals(conn)
        counts = store.coded_segment_counts(conn)
    return [
        {
            "coder": coder,
            "transcript": transcript,
            "coded": coded,
            "total": totals.get(transcript, 0),
            "percent": round(100 * coded / totals[transcript], 1) if totals.get(transcript) else 0.0,
        }
        for coder, transcript, coded in counts
    ]


def event_log(project: Project, *, coder: str | None = None, since: datetime | None = None) -> list[dict]:
    """The audit trail: every change, oldest first."""
    with project.read() as conn:
        rows = store.event_rows(conn, coder=coder, since=since)
    return [_log_entry(row) for row in rows]


def _log_entry(row: dict) -> dict:
    """One log line's data. Rows are read defensively: on a shared server another role
    may have written a malformed event, and one bad row must not hide the whole log."""
    before, after = _state(row["before"]), _state(row["after"])
    if row["coding_id"] is None:
        change = "decision"
    else:
        change = "insert" if before is None else "delete" if after is None else "update"
    state = after or before or {}
    code = state.get("code_id")
    span = [state.get("start_offset"), state.get("end_offset")]
    return {
        "id": row["id"], "at": row["at"], "coder": row["coder"], "action": str(row["action"]),
        "change": change, "coding": row["coding_id"], "transcript": row["transcript_id"],
        "code": code if isinstance(code, str) else None,
        "span": span if all(type(p) is int for p in span) else None,
        "group": row["group_id"], "undone": bool(row["undone"]),
    }


def _state(value) -> dict | None:
    return value if isinstance(value, dict) and value else None
