"""Per-coder undo and redo over the event log.

Each action is a *group* of events (one per coding changed, plus one per suggestion
decision). The coder's *fresh* groups (every action but undo and redo) form a stack:

- **undo** reverts the coder's newest fresh group still in effect, marks it
  ``undone`` and records the reversal as an ``undo`` group naming it (``undoes``);
- **redo** re-applies the group named by the newest ``undo`` made since the coder's
  last fresh action whose group is still undone, clears its ``undone`` flag and
  records a ``redo`` group naming it. A fresh action ends what can be redone.

Undo and redo groups are records only, never themselves undone: whatever the
interleaving, undo always works on the original action's logged states, so undo,
redo, undo, undo ... work at any depth. Only the coder's own groups are touched, so
undo never affects another coder's work. Before changing a coding (or a decision),
its current state is compared with the logged one, so an undo never overwrites a
change made since (by a rename or a re-import). The log is append-only apart from
the ``undone`` flag that marks which groups are in effect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.coding import finishing, memos
from qualcode.coding.actions import (
    DECISION,
    ActionBuilder,
    ActionResult,
    DecisionChange,
    StoredCoding,
)
from qualcode.coding.coders import require_coder
from qualcode.errors import CodingError
from qualcode.store import codings as store

if TYPE_CHECKING:
    from sqlalchemy import Connection

NOT_FRESH = ("undo", "redo")
# Payload kinds reverted by their own module: finish marks, memos on transcripts and codes.
RECORDS = {finishing.MARK: finishing.apply_logged, memos.MEMO: memos.apply_logged}
COMPARED = ("transcript_id", "segment_id", "coder", "code_id", "start_offset", "end_offset", "memo")


def undo_last(conn: Connection, coder: str) -> ActionResult:
    require_coder(conn, coder)  # two terminals of one coder must not undo the same group
    head = store.latest_group(conn, coder, actions_not_in=NOT_FRESH)
    if head is None:
        raise CodingError(f"Nothing to undo for {coder}")
    result = ActionBuilder("undo")
    for event in reversed(_reversible(conn, head.group_id)):
        _apply(conn, coder, result, before=event["after"], after=event["before"], target=head.group_id)
    _record_if_empty(conn, coder, result, target=head.group_id)
    store.set_group_undone(conn, head.group_id, True)
    return result.build()


def redo_last(conn: Connection, coder: str) -> ActionResult:
    require_coder(conn, coder)
    since = store.last_group_id(conn, coder, actions_not_in=NOT_FRESH)
    target = store.redo_target(conn, coder, after_id=since)
    if target is None:
        raise CodingError(f"Nothing to redo for {coder}")
    result = ActionBuilder("redo")
    for event in _reversible(conn, target):
        _apply(conn, coder, result, before=event["before"], after=event["after"], target=target)
    _record_if_empty(conn, coder, result, target=target)
    store.set_group_undone(conn, target, False)
    return result.build()


def _record_if_empty(conn: Connection, coder: str, result: ActionBuilder, *, target: int) -> None:
    """Log an undo/redo of a group with nothing to revert (a reconcile decision record)."""
    if result.group_id is None:
        result.group_id = store.append_event(
            conn, coder=coder, action=result.action, transcript_id=None, coding_id=None,
            before=None, after=None, undoes=target,
        )


def _reversible(conn: Connection, group_id: int) -> list[dict]:
    # Codings, suggestion decisions, finish marks and memos on transcripts or codes are
    # reverted row by row. Other records (a reconcile choice with no coding of its own)
    # are undone by the group's flag alone.
    return [
        e for e in store.group_events(conn, group_id)
        if e["coding_id"] is not None or _kind(e) in (DECISION, *RECORDS)
    ]


def _kind(event: dict) -> str | None:
    payload = event["after"] or event["before"] or {}
    return payload.get("kind")


def _apply(conn: Connection, coder: str, result: ActionBuilder, *, before, after, target: int) -> None:
    kind = (before or after).get("kind")
    if kind in RECORDS:
        RECORDS[kind](conn, coder, result, before, after, target)
    elif kind == DECISION:
        _apply_decision(conn, coder, result, before=before, after=after, target=target)
    else:
        _apply_coding(conn, coder, result, before=before, after=after, target=target)


def _apply_coding(conn: Connection, coder: str, result: ActionBuilder, *, before, after, target: int) -> None:
    """Move one coding from state ``before`` to ``after`` (None = absent), checking it."""
    coding_id = (before or after)["id"]
    current = store.coding_row(conn, coding_id)
    if not _same(current, before):
        raise _changed_since(result, f"coding {coding_id}")
    stored = None
    if after is None:
        store.delete_coding(conn, coding_id)
        assert current is not None, "_same matched the logged before"
        result.removed.append(StoredCoding.of(current))
    elif before is None:
        if not store.coding_target_exists(conn, after):  # else a foreign-key error, not a refusal
            raise _changed_since(result, f"the transcript '{after['transcript_id']}' of coding {coding_id}")
        stored = store.insert_coding(conn, after)
        result.added.append(StoredCoding.of(stored))
    else:
        values = {k: after[k] for k in COMPARED}
        stored = store.update_coding(conn, coding_id, values)
        result.added.append(StoredCoding.of(stored))
    # Log the row as stored (an update gets a fresh updated_at), so replaying the
    # log reproduces the codings table exactly.
    _log(conn, coder, result, coding_id, current, stored, target)


def _apply_decision(conn: Connection, coder: str, result: ActionBuilder, *, before, after, target: int) -> None:
    """Withdraw (``after`` None: the suggestion reopens for the coder) or re-record a decision."""
    if after is None:
        if store.delete_decision(conn, before) == 0:
            raise _changed_since(result, f"the {before['status']} suggestion {before['code_id']}")
        result.decisions.append(DecisionChange.of(before, "reopened"))
        _log(conn, coder, result, None, before, None, target)
        return
    row = {"kind": DECISION, **store.insert_decision(conn, after)}
    result.decisions.append(DecisionChange.of(row, "decided"))
    _log(conn, coder, result, None, None, row, target)


def _log(conn: Connection, coder: str, result: ActionBuilder, coding_id, before, after, target: int) -> None:
    event_id = store.append_event(
        conn, coder=coder, action=result.action, transcript_id=(before or after)["transcript_id"],
        coding_id=coding_id, before=before, after=after, group_id=result.group_id, undoes=target,
    )
    result.group_id = result.group_id or event_id


def _changed_since(result: ActionBuilder, what: str) -> CodingError:
    return CodingError(
        f"Cannot {result.action}: {what} was changed since (e.g. by a rename or a re-import); "
        "nothing was changed"
    )


def _same(current: dict | None, expected: dict | None) -> bool:
    if current is None or expected is None:
        return current is None and expected is None
    return all(current[k] == expected[k] for k in COMPARED)
