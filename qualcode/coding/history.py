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

NOT_FRESH = ("undo", "redo")
COMPARED = ("transcript_id", "segment_id", "coder", "code_id", "start_offset", "end_offset", "memo")


def undo_last(conn: Connection, coder: str) -> ActionResult:
    head = store.latest_group(conn, coder, actions_not_in=("undo",))
    if head is None:
        raise CodingError(f"Nothing to undo for {coder}")
    result = ActionResult("undo")
    for event in reversed(store.group_events(conn, head.group_id)):
        _apply(conn, coder, result, before=event["after"], after=event["before"], undoes=head.group_id)
    store.set_group_undone(conn, head.group_id, True)
    return result


def redo_last(conn: Connection, coder: str) -> ActionResult:
    since = store.last_group_id(conn, coder, actions_not_in=NOT_FRESH)
    undo_group = store.latest_group(conn, coder, actions_in=("undo",), after_id=since)
    if undo_group is None:
        raise CodingError(f"Nothing to redo for {coder}")
    undo_events = store.group_events(conn, undo_group.group_id)
    target = undo_events[0]["undoes"]
    result = ActionResult("redo")
    for event in store.group_events(conn, target):
        _apply(conn, coder, result, before=event["before"], after=event["after"], undoes=undo_group.group_id)
    store.set_group_undone(conn, target, False)
    store.set_group_undone(conn, undo_group.group_id, True)  # consumed: not redone twice
    return result


def _apply(conn: Connection, coder: str, result: ActionResult, *, before, after, undoes: int) -> None:
    """Move one coding from state ``before`` to ``after`` (None = absent), checking it."""
    coding_id = (before or after)["id"]
    current = store.coding_row(conn, coding_id)
    if not _same(current, before):
        raise CodingError(
            f"Cannot {result.action}: coding {coding_id} was changed since (e.g. by a rename "
            "or a re-import); nothing was changed"
        )
    if after is None:
        store.delete_coding(conn, coding_id)
        result.removed.append(current)
    elif before is None:
        result.added.append(store.insert_coding(conn, after))
    else:
        values = {k: after[k] for k in COMPARED}
        result.added.append(store.update_coding(conn, coding_id, values))
    event_id = store.append_event(
        conn, coder=coder, action=result.action, transcript_id=(before or after)["transcript_id"],
        coding_id=coding_id, before=current, after=after, group_id=result.group_id, undoes=undoes,
    )
    result.group_id = result.group_id or event_id


def _same(current: dict | None, expected: dict | None) -> bool:
    if current is None or expected is None:
        return current is None and expected is None
    return all(current[k] == expected[k] for k in COMPARED)
