"""The store reads the coding screen needs that the core's listings do not offer cheaply.

``coding_listing`` returns whole listings (every column, the coded text, role and
site), which is more than refreshing one turn after each keypress needs; these
queries select only the columns the screen draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from qualcode.store import samples as sample_store
from qualcode.store import screen as screen_store
from qualcode.store import suggestions as suggestion_store

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True)
class Mark:
    """A coding as the screen shows it."""

    id: int
    ordinal: int
    coder: str
    code_id: str
    start: int
    end: int
    origin: str
    memo: str | None

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def load_marks(
    conn: Connection,
    transcript_id: str,
    *,
    coder: str | None = None,
    segment_ids: Iterable[int] | None = None,
) -> list[Mark]:
    """The transcript's live codings (one coder's, or everyone's), optionally for some segments."""
    wanted = list(segment_ids) if segment_ids is not None else None
    return [Mark(*row) for row in screen_store.screen_marks(conn, transcript_id, coder=coder, segment_ids=wanted)]


def rejected_suggestions(conn: Connection, coder: str, transcript_id: str) -> set[tuple[int, str, int, int]]:
    """``(ordinal, code_id, start, end)`` of the suggestions this coder rejected."""
    return suggestion_store.rejected_by(conn, coder, transcript_id)


@dataclass(frozen=True)
class Fingerprint:
    """What moves when anyone's codings or the suggestions of a transcript change, or a sample closes.

    Coding and suggestion ids are never reused and every change to a coding bumps its
    ``updated_at``, so (count, largest id, latest update) moves with every insert,
    delete and edit. The codings part is split by author so that the screen can tell
    its coder's own action (whose turns it has just re-read) from anyone else's.
    """

    others: tuple  # (count, largest id, latest update) of other coders' codings
    mine: tuple  # (live count, largest live id, latest update) of the coder's codings
    suggested: tuple
    closed: int

    def only_mine_moved(self, before: Fingerprint | None, live_ids: Iterable[int],
                        untouched_update: datetime | None = None) -> bool:
        """True when nothing but the coder's own action changed since ``before``, and the
        coder's live codings in the store are exactly as many, up to the same largest id, as ``live_ids``
        (the ones the screen holds): then the store holds nothing the screen has not shown.

        ``untouched_update`` is the latest update of the coder's codings the action did not
        write: later than ``before`` saw, another window of the coder edited one (a memo).
        """
        if before is None or (self.others, self.suggested, self.closed) != (
            before.others, before.suggested, before.closed
        ):
            return False
        if untouched_update is not None and (before.mine[2] is None or untouched_update > before.mine[2]):
            return False
        ids = list(live_ids)
        return self.mine[:2] == (len(ids), max(ids, default=None))


def untouched_update(conn: Connection, transcript_id: str, coder: str, coding_ids: Iterable[int]) -> datetime | None:
    """The latest update of the coder's codings on the transcript besides ``coding_ids`` (an action's own)."""
    return screen_store.latest_update_besides(conn, transcript_id, coder, coding_ids)


def update_times(conn: Connection, coding_ids: Iterable[int]) -> dict[int, datetime | None]:
    """When each of these codings was last changed (those still stored)."""
    return screen_store.update_times(conn, coding_ids)


def transcript_fingerprint(conn: Connection, transcript_id: str, coder: str) -> Fingerprint:
    """The transcript's :class:`Fingerprint` as seen by ``coder``: two small aggregate queries."""
    coded = screen_store.split_fingerprint(conn, transcript_id, coder)
    return Fingerprint(
        tuple(coded[:3]), tuple(coded[3:]),
        tuple(suggestion_store.fingerprint(conn, transcript_id)), sample_store.closed_sample_count(conn),
    )
