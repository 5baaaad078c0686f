"""Per-coder undo and redo over the event log.

Each action is a *group* of events (one per coding changed). Undo applies the
inverse of the coder's newest group that is not undone and records that as a new
``undo`` group; redo re-applies the group behind the newest unconsumed ``undo``
made since the coder's last fresh action. Only the coder's own groups are touched,
so undo never affects another coder's work. The log itself is append-only apart
from the ``undone`` flag that marks which groups are in effect.
"""

from __future__ import annotations

from sqlalchemy import Connection

from qualcode.coding.session import ActionResult
from qualcode.errors import CodingError
from qualcode.store import codings as store
from qualcode.store.access import lock_coder

NOT_FRESH = ("undo", "redo")
COMPARED = ("transcript_id", "segment_id", "coder", "code_id", "start_offset", "end_offset", "memo")


def undo_last(conn: Connection, coder: str) -> ActionResult:
    lock_coder(conn, coder)  # two terminals of one coder must not undo the same group
    head = store.latest_group(conn, coder, actions_not_in=("undo",))
    if head is None:
        raise CodingError(f"Nothing to undo for {coder}")
    result = ActionResult("undo")
    for event in reversed(_coding_events(conn, head.group_id)):
        _apply(conn, coder, result, before=event["after"], after=event["before"], undoes=head.group_id)
    _record_if_empty(conn, coder, result, undoes=head.group_id)
    store.set_group_undone(conn, head.group_id, True)
    return result


def redo_last(conn: Connection, coder: str) -> ActionResult:
    lock_coder(conn, coder)
    since = store.last_group_id(conn, coder, actions_not_in=NOT_FRESH)
    undo_group = store.latest_group(conn, coder, actions_in=("undo",), after_id=since)
    if undo_group is None:
        raise CodingError(f"Nothing to redo for {coder}")
    undo_events = store.group_events(conn, undo_group.group_id)
    target = undo_events[0]["undoes"]
    result = ActionResult("redo")
    for event in _coding_events(conn, target):
        _apply(conn, coder, result, before=event["before"], after=event["after"], undoes=undo_group.group_id)
    _record_if_empty(conn, coder, result, undoes=undo_group.group_id)
    store.set_group_undone(conn, target, False)
    store.set_group_undone(conn, undo_group.group_id, True)  # consumed: not redone twice
    return result


def _record_if_empty(conn: Connection, coder: str, result: ActionResult, *, undoes: int) -> None:
    """Log an undo/redo of a decision-only group, so that it can itself be redone."""
    if result.group_id is None:
        result.group_id = store.append_event(
            conn, coder=coder, action=result.action, transcript_id=None, coding_id=None,
            before=None, after=None, undoes=undoes,
        )


def _coding_events(conn: Connection, group_id: int) -> list[dict]:
    # Decision records (a reconcile choice with no coding of its own) are undone by
    # the undone flag on their group alone.
    return [e for e in store.group_events(conn, group_id) if e["coding_id"] is not None]


def _apply(conn: Connection, coder: str, result: ActionResult, *, before, after, undoes: int) -> None:
    """Move one coding from state ``before`` to ``after`` (None = absent), checking it."""
    coding_id = (before or after)["id"]
    current = store.coding_row(conn, coding_id)
    if not _same(current, before):
        raise CodingError(
            f"Cannot {result.action}: coding {coding_id} was changed since (e.g. by a rename "
            "or a re-import); nothing was changed"
        )
    stored = None
    if after is None:
        store.delete_coding(conn, coding_id)
        result.removed.append(current)
    elif before is None:
        stored = store.insert_coding(conn, after)
        result.added.append(stored)
    else:
        values = {k: after[k] for k in COMPARED}
        stored = store.update_coding(conn, coding_id, values)
        result.added.append(stored)
    # Log the row as stored (an update gets a fresh updated_at), so replaying the
    # log reproduces the codings table exactly.
    event_id = store.append_event(
        conn, coder=coder, action=result.action, transcript_id=(before or after)["transcript_id"],
        coding_id=coding_id, before=current, after=stored, group_id=result.group_id, undoes=undoes,
    )
    result.group_id = result.group_id or event_id


def _same(current: dict | None, expected: dict | None) -> bool:
    if current is None or expected is None:
        return current is None and expected is None
    return all(current[k] == expected[k] for k in COMPARED)
