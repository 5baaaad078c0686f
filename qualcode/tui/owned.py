"""The coder's own codings of the turns an action touched, worked out from the action's result.

After the coder's own action the screen used to re-read the touched turns from the
store (a query per key). The action's :class:`~qualcode.coding.actions.ActionResult`
already lists every coding it removed, left as it was or stored (as stored, read inside
the action's transaction), so the turns' new state follows from what the screen held
before: drop the removed, put in the stored. That holds only if the screen held what
the action found; :func:`own_turns_after` checks every row the action reports against
the screen and returns None (the caller re-reads) when one does not match, so a change
the screen had not shown yet (another window of the coder) is never papered over.
Other coders' codings are not in an own action's result: the refresh tick shows theirs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from qualcode.tui.queries import Mark

if TYPE_CHECKING:
    from qualcode.coding.actions import ActionResult, StoredCoding


def mark_order(mark: Mark) -> tuple[int, str, int]:
    """How a turn's tags are listed (by start, code, id): one rule for a read and a derived turn.

    Sorted in Python, not by the store's ORDER BY, whose collation of code ids differs
    between back ends (PostgreSQL's locale collation ignores dots and underscores).
    """
    return mark.start, mark.code_id, mark.id


def own_turns_after(
    held: Mapping[int, Sequence[Mark]],
    result: ActionResult,
    *,
    coder: str,
    ordinal_of: Mapping[int, int],
    transcript_id: str,
    ordinals: Collection[int],
) -> dict[int, list[Mark]] | None:
    """The coder's codings of ``ordinals`` after ``result``, or None when the result cannot prove them.

    ``held``: the coder's codings per turn as the screen shows them (every turn, to spot
    a stored coding the screen holds on another turn); ``ordinal_of``: segment id ->
    ordinal of the open transcript. None when a row is another coder's, lies outside
    the open transcript or ``ordinals``, is orphaned, appears twice, or disagrees with
    what the screen held (a removed or unchanged coding not held exactly so, a stored
    one held on another turn).
    """
    rows = result.removed + result.unchanged + result.added
    if len({row.id for row in rows}) != len(rows):
        return None
    turns = {o: {m.id: m for m in held.get(o, ())} for o in ordinals}
    marks: list[tuple[int, Mark]] = []
    for row in rows:
        ordinal = ordinal_of.get(row.segment_id) if row.segment_id is not None else None
        if row.coder != coder or row.transcript_id != transcript_id or ordinal not in turns or row.orphaned:
            return None
        marks.append((ordinal, _mark(row, ordinal)))
    removed, unchanged = len(result.removed), len(result.unchanged)
    for ordinal, mark in marks[: removed + unchanged]:
        if turns[ordinal].get(mark.id) != mark:
            return None
    for ordinal, mark in marks[:removed]:
        del turns[ordinal][mark.id]
    stored = marks[removed + unchanged :]
    new = {mark.id for ordinal, mark in stored if mark.id not in turns[ordinal]}
    if new and any(m.id in new for ms in held.values() for m in ms):
        return None  # stored on one turn, held on another: the screen missed a move
    for ordinal, mark in stored:
        turns[ordinal][mark.id] = mark
    return {o: sorted(by_id.values(), key=mark_order) for o, by_id in turns.items()}


def _mark(row: StoredCoding, ordinal: int) -> Mark:
    return Mark(row.id, ordinal, row.coder, row.code_id, row.start_offset, row.end_offset, row.origin, row.memo)
