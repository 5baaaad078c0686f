"""Finishing: a coder marks a turn "nothing to code" or a whole transcript "done".

A content-free turn ("No, that's it. Thanks.") would otherwise keep a transcript
unfinished for ever. Both marks are the coder's own, one action each (one event
group, action ``mark`` or ``unmark``, payload kind ``mark``), so they go through the
same per-coder undo/redo stack as codings (:mod:`qualcode.coding.history`).

Rules:

- a turn is marked only where it could be coded (a respondent turn, unless the
  project codes interviewer turns) and only when the coder has no coding on it: a
  turn with codes is not "nothing to code";
- marking what is already marked, or clearing what is not, is refused; and a turn
  marked nothing to code is not coded by that coder until the mark is cleared
  (``CodingSession`` refuses the tag or accept);
- a mark counts while the transcript has the content it was made on (its source
  hash): after a re-import with new content it is kept but not counted, so the
  coder looks at the changed text again (``progress`` says how many are stale).

*Handled* turns (``progress``, the analysis set's coverage) are respondent turns
with a coding or a nothing-to-code mark; a transcript is *finished* for a coder when
they marked it done or handled every respondent turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.coding.actions import MARK, ActionBuilder, ActionResult
from qualcode.coding.coders import require_coder
from qualcode.errors import CodingError
from qualcode.store import codings as coding_store
from qualcode.store import finishing as store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.coding.session import CodingSession

NOTHING, DONE = "nothing", "done"


def set_mark(session: CodingSession, transcript_id: str, ordinal: int | None, on: bool) -> ActionResult:
    """Mark (``on``) or clear "nothing to code" on turn ``ordinal``, or "done" on the transcript (``ordinal`` None)."""
    kind = DONE if ordinal is None else NOTHING
    with session.project.write() as conn:
        require_coder(conn, session.coder)
        transcript, _ids = session.transcript(conn, transcript_id)
        where = f"'{transcript_id}'" if ordinal is None else f"turn {ordinal} of '{transcript_id}'"
        if ordinal is not None:
            session.check_turn(transcript, transcript.segment(ordinal))
        current = store.find_mark(conn, session.coder, transcript_id, kind, ordinal)
        result = ActionBuilder(MARK if on else "unmark")
        if on:
            if current is not None:
                raise CodingError(f"{where} is already marked {_words(kind)} by {session.coder}")
            _refuse_coded(conn, session.coder, transcript_id, ordinal)
            sha = store.transcript_sha(conn, transcript_id)
            row = store.insert_mark(conn, {"transcript_id": transcript_id, "ordinal": ordinal, "coder": session.coder,
                                           "kind": kind, "transcript_sha256": sha})
            log_record(conn, session.coder, result, transcript_id, None, payload(row))
        else:
            if current is None:
                raise CodingError(f"{where} is not marked {_words(kind)} by {session.coder}; nothing to clear")
            store.delete_mark(conn, current["id"])
            log_record(conn, session.coder, result, transcript_id, payload(current), None)
        return result.build()


def _refuse_coded(conn: Connection, coder: str, transcript_id: str, ordinal: int | None) -> None:
    if ordinal is None:
        return
    codes = store.coded_codes_on_turn(conn, coder, transcript_id, ordinal)
    if codes:
        raise CodingError(
            f"turn {ordinal} of '{transcript_id}' has {coder}'s codings ({', '.join(codes[:5])}), so it is not "
            "nothing to code; remove them first"
        )


def _words(kind: str) -> str:
    return "nothing to code" if kind == NOTHING else "done"


def payload(row: dict) -> dict:
    """The event payload of a mark row (``kind`` names the payload type, ``mark`` the mark's)."""
    return {"kind": MARK, "id": row["id"], "transcript_id": row["transcript_id"], "ordinal": row["ordinal"],
            "coder": row["coder"], "mark": row["kind"], "transcript_sha256": row["transcript_sha256"]}


def log_record(conn: Connection, coder: str, result: ActionBuilder, transcript_id: str | None,
               before: dict | None, after: dict | None, *, undoes: int | None = None) -> None:
    """Log one change of a mark or memo into ``result``'s group and list it in ``result``."""
    event_id = coding_store.append_event(
        conn, coder=coder, action=result.action, transcript_id=transcript_id, coding_id=None,
        before=before, after=after, group_id=result.group_id, undoes=undoes,
    )
    result.group_id = result.group_id or event_id
    state = after or before
    assert state is not None, "a change has a state before or after"
    result.record(state, "set" if after is not None else "cleared")


def apply_logged(conn: Connection, coder: str, result: ActionBuilder, before: dict | None, after: dict | None,
                 target: int) -> None:
    """Undo/redo: move a logged mark from ``before`` to ``after`` (None = absent), checking it is still ``before``."""
    state = before or after
    assert state is not None
    if before is not None and not store.mark_exists(conn, before["id"]):
        raise changed_since(result, f"the {_words(before['mark'])} mark on {_where(before)}")
    if after is None:
        assert before is not None
        store.delete_mark(conn, before["id"])
    else:
        if store.mark_exists(conn, after["id"]):
            raise changed_since(result, f"the {_words(after['mark'])} mark on {_where(after)}")
        store.insert_mark(conn, {**after, "kind": after["mark"]})
    log_record(conn, coder, result, state["transcript_id"], before, after, undoes=target)


def _where(state: dict) -> str:
    ordinal = state.get("ordinal")
    return f"'{state['transcript_id']}'" if ordinal is None else f"turn {ordinal} of '{state['transcript_id']}'"


def changed_since(result: ActionBuilder, what: str) -> CodingError:
    return CodingError(f"Cannot {result.action}: {what} was changed since; nothing was changed")


def finish_marks(conn: Connection, coder: str, transcript_id: str) -> tuple[set[int], bool]:
    """(turns the coder marked nothing to code, whether the coder marked the transcript done)."""
    return store.coder_marks(conn, coder, transcript_id)
