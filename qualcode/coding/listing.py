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
    from qualcode.coding.blind import guard

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


def list_orphans(project: Project) -> list[dict]:
    """Codings whose text vanished in a re-import, kept for review."""
    with project.read() as conn:
        rows = store.coding_listing(conn, include_orphans=True)
    return [
        {
            "id": r.id, "transcript": r.transcript_id, "coder": r.coder, "code": r.code_id,
            "start": r.start_offset, "end": r.end_offset, "text": r.orphan_text,
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
    out = []
    for row in rows:
        before, after = row["before"], row["after"]
        if row["coding_id"] is None:
            change = "decision"
        else:
            change = "insert" if before is None else "delete" if after is None else "update"
        state = after or before
        out.append(
            {
                "id": row["id"], "at": row["at"], "coder": row["coder"], "action": row["action"],
                "change": change, "coding": row["coding_id"], "transcript": row["transcript_id"],
                "code": state.get("code_id") if state else None,
                "span": [state["start_offset"], state["end_offset"]] if state else None,
                "group": row["group_id"], "undone": bool(row["undone"]),
            }
        )
    return out
