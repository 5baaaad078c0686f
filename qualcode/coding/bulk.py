"""Applying many codings of one coder at once, with the coding core's merge rule.

``CodingSession.apply_in`` applies codings one at a time: the same coder's same code
on overlapping text in one segment merges into one coding covering both (the oldest
coding is kept, the others deleted). :func:`apply_many` gives the same end state for
a whole list in one pass: it reads the coder's codings of the segments involved once,
replays the rule in memory, and hands the net changes to ``qualcode.store.bulk`` —
so a coding created and then widened by a later one in the same run is one insert
(and one event), not an insert and an update. :func:`apply_parts` does the same for a
run given in parts that share no segment (``autocode --as``: a few thousand codings
of whole transcripts at a time), so memory holds one part, not the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.store.bulk import GroupWriter, coder_codings_in_segments, has_codings, write_changes

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass
class _Item:
    start: int
    end: int
    row: dict[str, Any] | None = None  # stored coding, or None for a new one
    values: dict[str, Any] | None = None  # the new coding's columns
    merged_away: bool = False


@dataclass
class Plan:
    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[dict[str, Any], int, int]] = field(default_factory=list)
    deletes: list[dict[str, Any]] = field(default_factory=list)
    added: int = 0  # new codings that overlapped nothing when applied
    merged: int = 0  # new codings merged into an overlapping one, widening it
    unchanged: int = 0  # new codings already covered by an overlapping one
    group_id: int | None = None  # the event group written (None: nothing changed)


def plan(existing: list[dict[str, Any]], new: list[dict[str, Any]]) -> Plan:
    """The net inserts, updates and deletes of applying ``new`` in order onto ``existing``.

    ``existing`` are the coder's stored codings of the segments (id order), ``new`` the
    codings columns to apply. Items keep creation order, so the first overlap is the
    one ``apply_in`` would keep (stored ones by id, then new ones in order).
    """
    items: dict[tuple[int, str], list[_Item]] = {}
    for row in existing:
        items.setdefault((row["segment_id"], row["code_id"]), []).append(_Item(row["start_offset"], row["end_offset"], row))
    result, pending = Plan(), []
    for values in new:
        start, end = values["start_offset"], values["end_offset"]
        group = items.setdefault((values["segment_id"], values["code_id"]), [])
        overlaps = [item for item in group if item.start < end and item.end > start]
        if not overlaps:
            group.append(_Item(start, end, values=values))
            pending.append(group[-1])
            result.added += 1
            continue
        keep, *others = overlaps
        merged = (min(start, *(o.start for o in overlaps)), max(end, *(o.end for o in overlaps)))
        for other in others:
            group.remove(other)
            other.merged_away = True
            if other.row is not None:
                result.deletes.append(other.row)
        if merged == (keep.start, keep.end):
            result.unchanged += 1
        else:
            result.merged += 1
        keep.start, keep.end = merged
    for item in pending:  # new codings in the order they were first applied
        if not item.merged_away:
            assert item.values is not None, "a pending item is a new coding, with its columns"
            result.inserts.append({**item.values, "start_offset": item.start, "end_offset": item.end})
    for group in items.values():
        for item in group:
            if item.row is not None and (item.start, item.end) != (item.row["start_offset"], item.row["end_offset"]):
                result.updates.append((item.row, item.start, item.end))
    return result


def apply_many(conn: Connection, coder: str, action: str, new: list[dict[str, Any]]) -> Plan:
    """Apply ``new`` codings of ``coder`` (codes already checked) as one logged group."""
    existing = coder_codings_in_segments(conn, coder, {v["segment_id"] for v in new})
    changes = plan(existing, new)
    changes.group_id, _, _ = write_changes(
        conn, coder, action, inserts=changes.inserts, updates=changes.updates, deletes=changes.deletes
    )
    return changes


def apply_parts(conn: Connection, coder: str, action: str, parts: Iterable[list[dict[str, Any]]]) -> Plan:
    """:func:`apply_many` of the parts laid end to end, one part in memory at a time.

    No two parts may touch the same segment: each part is planned against the codings
    stored when it is read, so parts cut at transcript boundaries give exactly the
    codings of one :func:`apply_many`. The group's insert events are the same too
    (``GroupWriter``); a part's deletes and moves are logged with its part. The Plan
    returned has the counts and the group, not the rows.
    """
    group, total = GroupWriter(conn, coder, action), Plan()
    # A coder with no codings (a new machine coder) has none in any part's segments, and
    # this run's own parts share none: no part needs its stored codings read. The coder
    # is locked for the transaction (require_coder, ensure_coder), so none arrive meanwhile.
    stored = has_codings(conn, coder)
    for new in parts:
        existing = coder_codings_in_segments(conn, coder, {v["segment_id"] for v in new}) if stored else []
        changes = plan(existing, new)
        group.write(inserts=changes.inserts, updates=changes.updates, deletes=changes.deletes)
        total.added += changes.added
        total.merged += changes.merged
        total.unchanged += changes.unchanged
    total.group_id = group.finish()
    return total
