"""Memos on transcripts and codes, and finish marks, carried between projects.

REFI-QDA exports (:mod:`~qualcode.interop.qdpx_notes`) and coder bundles
(:mod:`~qualcode.interop.bundles`) carry them; ``import-project`` and ``merge``
store them here with one set of rules, and their reports say how many went through:

- a memo lands on the same transcript (by id) or code (by id) under the same coder;
  the same text already there is *present*; a different text there is *refused*
  (the project's memo is kept and the report says so: one memo per coder and target,
  and picking either text silently would drop the other);
- a "done" mark lands on the same transcript; a "nothing to code" mark on the turn
  with the same number *and* the same character span (else refused: the turns were
  cut differently), not on a turn the coder has coded (refused, as on the screen);
  an identical counted mark is *present*. Marks are per coder: one coder's "done"
  never conflicts with another's.
- Only counted marks travel (made on the transcript's current content); stale ones
  are counted as left out by the exporting side.

Lines in ``refused`` never echo memo or transcript text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.coding import finishing, memos
from qualcode.errors import CodingError
from qualcode.store import codings as coding_store
from qualcode.store import finishing as mark_store
from qualcode.store import memos as memo_store

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.codebook.model import Codebook

NOTHING, DONE = finishing.NOTHING, finishing.DONE


@dataclass(frozen=True)
class MemoItem:
    """A coder's memo on a transcript (``transcript_id``) or on a code (``code_id``)."""

    coder: str
    transcript_id: str | None
    code_id: str | None
    text: str

    @property
    def target(self) -> str:
        return f"transcript '{self.transcript_id}'" if self.transcript_id is not None else f"code '{self.code_id}'"


@dataclass(frozen=True)
class MarkItem:
    """A coder's "done" on a transcript, or "nothing to code" on turn ``ordinal`` spanning ``span``."""

    coder: str
    transcript_id: str
    kind: str  # nothing | done
    ordinal: int | None = None
    span: tuple[int, int] | None = None

    @property
    def where(self) -> str:
        if self.ordinal is None:
            return f"'{self.transcript_id}'"
        return f"turn {self.ordinal} of '{self.transcript_id}'"


@dataclass(frozen=True)
class Gathered:
    """What an export or bundle carries: memos, counted marks, and how many stale marks stay behind."""

    memos: tuple[MemoItem, ...]
    marks: tuple[MarkItem, ...]
    stale_marks: int


def gather(conn: Connection, coders: list[str] | None, transcript_ids: set[str] | None = None) -> Gathered:
    """The coders' memos on transcripts and codes and their counted marks (on ``transcript_ids`` only, when named)."""
    wanted = (lambda tid: tid is None or tid in transcript_ids) if transcript_ids is not None else (lambda tid: True)
    found_memos = tuple(
        MemoItem(r["coder"], r["transcript_id"], r["code_id"], r["text"])
        for r in memo_store.target_memos(conn, coders) if wanted(r["transcript_id"])
    )
    rows = [r for r in mark_store.marks_for_travel(conn, coders) if wanted(r["transcript_id"])]
    spans: dict[str, dict[int, tuple[int, int]]] = {}
    marks = []
    for row in (r for r in rows if r["counted"]):
        tid, ordinal = row["transcript_id"], row["ordinal"]
        if ordinal is not None and tid not in spans:
            spans[tid] = mark_store.turn_spans(conn, tid)
        span = spans[tid].get(ordinal) if ordinal is not None else None
        marks.append(MarkItem(row["coder"], tid, row["kind"], ordinal, span))
    return Gathered(found_memos, tuple(marks), sum(not r["counted"] for r in rows))


@dataclass(frozen=True)
class TravelResult:
    """How many memos and marks a merge or import stored, found already there, or refused (with why)."""

    memos_added: int = 0
    memos_present: int = 0
    marks_added: int = 0
    marks_present: int = 0
    refused: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"memos_added": self.memos_added, "memos_present": self.memos_present,
                "marks_added": self.marks_added, "marks_present": self.marks_present,
                "refused": list(self.refused)}

    @property
    def summary(self) -> str:
        """One line for the command's report."""
        line = (f"memos on transcripts/codes: {self.memos_added} added, {self.memos_present} already present; "
                f"finish marks: {self.marks_added} added, {self.marks_present} already present")
        return line + (f"; {len(self.refused)} refused" if self.refused else "")


@dataclass
class _Counts:
    memos_added: int = 0
    memos_present: int = 0
    marks_added: int = 0
    marks_present: int = 0
    refused: list[str] = field(default_factory=list)


def store_travellers(conn: Connection, codebook: Codebook, memo_items: list[MemoItem], mark_items: list[MarkItem],
                     *, action: str, groups: dict[str, int]) -> TravelResult:
    """Store carried memos and marks by the rules above, each logged as an ``action`` event.

    ``groups`` maps a coder to the event group their stored items join (a new group is
    started and recorded for a coder without one), so undo takes a merge back whole.
    """
    counts = _Counts()
    for memo in memo_items:
        _store_memo(conn, codebook, memo, counts, action, groups)
    for mark in mark_items:
        _store_mark(conn, mark, counts, action, groups)
    return TravelResult(counts.memos_added, counts.memos_present, counts.marks_added, counts.marks_present,
                        tuple(counts.refused))


def _store_memo(conn: Connection, codebook: Codebook, memo: MemoItem, counts: _Counts, action: str,
                groups: dict[str, int]) -> None:
    if memo.transcript_id is not None and mark_store.transcript_sha(conn, memo.transcript_id) is None:
        counts.refused.append(f"{memo.coder}'s memo on {memo.target}: the transcript is not in the project")
        return
    if memo.code_id is not None and memo.code_id not in codebook.codes:
        counts.refused.append(f"{memo.coder}'s memo on {memo.target}: the code is not in the project's codebook")
        return
    try:
        text = memos.clean_memo(memo.text)
    except CodingError as exc:
        counts.refused.append(f"{memo.coder}'s memo on {memo.target}: {exc}")
        return
    if not text:
        return  # an empty note is no memo
    current = memo_store.find_memo(conn, memo.coder, transcript_id=memo.transcript_id, code_id=memo.code_id)
    if current is not None:
        if current["text"] == text:
            counts.memos_present += 1
        else:
            counts.refused.append(f"{memo.coder}'s memo on {memo.target} differs from the project's; the project's "
                                  "is kept (compare and edit by hand)")
        return
    row = memo_store.insert_memo(conn, {"coder": memo.coder, "transcript_id": memo.transcript_id,
                                        "code_id": memo.code_id, "text": text})
    _log(conn, memo.coder, action, memo.transcript_id, memos.payload(row), groups)
    counts.memos_added += 1


def _store_mark(conn: Connection, mark: MarkItem, counts: _Counts, action: str, groups: dict[str, int]) -> None:
    sha = mark_store.transcript_sha(conn, mark.transcript_id)
    refuse = counts.refused.append
    label = f"{mark.coder}'s {'nothing-to-code' if mark.kind == NOTHING else 'done'} mark on {mark.where}"
    if mark.kind not in (NOTHING, DONE) or (mark.kind == NOTHING) != (mark.ordinal is not None):
        refuse(f"{label}: not a mark qualcode knows ({mark.kind!r:.20})")
        return
    if sha is None:
        refuse(f"{label}: the transcript is not in the project")
        return
    if mark.ordinal is not None:
        here = mark_store.turn_spans(conn, mark.transcript_id).get(mark.ordinal)
        if here is None or (mark.span is not None and tuple(mark.span) != here):
            refuse(f"{label}: the project's transcript has no turn {mark.ordinal} at the same place")
            return
        if mark_store.coded_codes_on_turn(conn, mark.coder, mark.transcript_id, mark.ordinal):
            refuse(f"{label}: {mark.coder} has codings on that turn in the project")
            return
    if mark_store.find_mark(conn, mark.coder, mark.transcript_id, mark.kind, mark.ordinal) is not None:
        counts.marks_present += 1
        return
    row = mark_store.insert_mark(conn, {"transcript_id": mark.transcript_id, "ordinal": mark.ordinal,
                                        "coder": mark.coder, "kind": mark.kind, "transcript_sha256": sha})
    _log(conn, mark.coder, action, mark.transcript_id, finishing.payload(row), groups)
    counts.marks_added += 1


def _log(conn: Connection, coder: str, action: str, transcript_id: str | None, after: dict,
         groups: dict[str, int]) -> None:
    event = coding_store.append_event(conn, coder=coder, action=action, transcript_id=transcript_id,
                                      coding_id=None, before=None, after=after, group_id=groups.get(coder))
    groups.setdefault(coder, event)
