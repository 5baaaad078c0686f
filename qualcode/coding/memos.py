"""Memos on transcripts and on codes (memos on codings stay on the coding: ``CodingSession.set_memo``).

Each coder has at most one memo per transcript and per code. Setting, changing or
clearing one is one action (action ``memo``, payload kind ``memo``) on the coder's
undo/redo stack (:mod:`qualcode.coding.history`); ``qualcode log`` lists it.

:func:`memo_list` gathers every memo a viewer may read (on codings, transcripts and
codes) for the coding screen's memos view: another coder's memos on a transcript the
viewer codes blind are left out, as their codings are (:mod:`qualcode.coding.blind`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from qualcode.coding.actions import MEMO, ActionBuilder, ActionResult
from qualcode.coding.blind import BlindRule, Viewer
from qualcode.coding.coders import require_coder
from qualcode.coding.finishing import changed_since, log_record
from qualcode.errors import CodingError
from qualcode.store import memos as store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.coding.session import CodingSession
    from qualcode.project import Project

MAX_MEMO = 20_000  # characters; the store's check constraint says the same


def clean_memo(text: str | None) -> str:
    """A memo as stored: trailing blanks and surrounding blank lines gone; refused when too long or binary."""
    text = "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").split("\n")).strip("\n")
    if len(text) > MAX_MEMO:
        raise CodingError(f"A memo has at most {MAX_MEMO:,} characters; received {len(text):,}")
    if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in text):
        raise CodingError("A memo cannot hold control characters other than line breaks and tabs")
    return text


def set_target_memo(session: CodingSession, text: str | None, *, transcript_id: str | None = None,
                    code_id: str | None = None) -> ActionResult:
    """Set (or, with empty text, clear) the coder's memo on a transcript or on a code.

    An unchanged memo is no action (the result has no group).
    """
    if (transcript_id is None) == (code_id is None):
        raise CodingError("a memo goes on exactly one transcript or one code")
    text = clean_memo(text)
    with session.project.write() as conn:
        require_coder(conn, session.coder)
        if transcript_id is not None:
            session.transcript(conn, transcript_id)  # NotFoundError for an unknown transcript
        else:
            assert code_id is not None
            session.project.codebook.get(code_id)  # NotFoundError naming close ids
        current = store.find_memo(conn, session.coder, transcript_id=transcript_id, code_id=code_id)
        result = ActionBuilder(MEMO)
        if current is not None and current["text"] == text or current is None and not text:
            return result.build()
        if current is None:
            row = store.insert_memo(conn, {"coder": session.coder, "transcript_id": transcript_id,
                                           "code_id": code_id, "text": text})
            log_record(conn, session.coder, result, transcript_id, None, payload(row))
        elif not text:
            store.delete_memo(conn, current["id"])
            log_record(conn, session.coder, result, transcript_id, payload(current), None)
        else:
            row = store.update_memo(conn, current["id"], text)
            log_record(conn, session.coder, result, transcript_id, payload(current), payload(row))
        return result.build()


def target_memo(project: Project, coder: str, *, transcript_id: str | None = None, code_id: str | None = None) -> str:
    """The coder's memo on a transcript or code ('' when none)."""
    with project.read() as conn:
        found = store.find_memo(conn, coder, transcript_id=transcript_id, code_id=code_id)
    return found["text"] if found else ""


def payload(row: dict) -> dict:
    return {"kind": MEMO, **{k: row[k] for k in store.MEMO_FIELDS}}


def apply_logged(conn: Connection, coder: str, result: ActionBuilder, before: dict | None, after: dict | None,
                 target: int) -> None:
    """Undo/redo: move a logged memo from ``before`` to ``after`` (None = absent), checking it is still ``before``."""
    state = before or after
    assert state is not None
    current = store.memo_by_id(conn, state["id"])
    expected = None if before is None else before["text"]
    if (current["text"] if current else None) != expected:
        target_name = state["transcript_id"] or state["code_id"]
        raise changed_since(result, f"{coder}'s memo on '{target_name}'")
    if after is None:
        store.delete_memo(conn, state["id"])
    elif before is None:
        store.insert_memo(conn, after)
    else:
        store.update_memo(conn, state["id"], after["text"])
    log_record(conn, coder, result, state["transcript_id"], before, after, undoes=target)


@dataclass(frozen=True)
class MemoEntry:
    """One memo of the memos view: on a coding, a transcript or a code."""

    on: str  # coding | transcript | code
    coder: str
    text: str
    transcript_id: str | None
    ordinal: int | None
    code_id: str | None
    coding_id: int | None
    updated_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {"on": self.on, "coder": self.coder, "text": self.text, "transcript": self.transcript_id,
                "turn": self.ordinal, "code": self.code_id, "coding": self.coding_id,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


def memo_list(conn: Connection, viewer: Viewer) -> list[MemoEntry]:
    """Every memo the viewer may read: codes first, then by transcript and turn."""
    rule = BlindRule.load(conn)
    entries = [
        MemoEntry("coding", r["coder"], r["text"], r["transcript_id"], r["ordinal"], r["code_id"], r["coding_id"],
                  r["updated_at"])
        for r in store.coding_memos(conn)
    ]
    for r in store.target_memos(conn):
        on = "transcript" if r["transcript_id"] is not None else "code"
        entries.append(MemoEntry(on, r["coder"], r["text"], r["transcript_id"], None, r["code_id"], None,
                                 r["updated_at"]))
    shown = [e for e in entries if e.transcript_id is None or not rule.hidden(viewer, e.coder, e.transcript_id)]
    return sorted(shown, key=lambda e: (e.on != "code", e.transcript_id or "", e.ordinal or 0, e.code_id or "",
                                        e.coder))
