"""What a coding action changed (shared by the session, undo/redo and batch writers).

An action returns a frozen :class:`ActionResult` whose rows are typed: the codings now
present (:class:`StoredCoding`), the suggestion decisions (:class:`DecisionChange`), the
finish marks (:class:`MarkChange`) and the memos on transcripts or codes
(:class:`MemoChange`) it changed. The writers collect them in an :class:`ActionBuilder`
inside their transaction (batch callers hand one to ``CodingSession.apply_in``) and
return ``builder.build()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from qualcode.store.rows import CodingColumns

DECISION = "suggestion"  # the "kind" of an event payload recording a suggestion decision
MARK = "mark"  # ... a finish mark (coding/finishing.py)
MEMO = "memo"  # ... a memo on a transcript or a code (coding/memos.py)


def _values(cls: type, row: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """The row's values of ``cls``'s fields (every one required: a missing key is a bug, not a None)."""
    return {f.name: extra[f.name] if f.name in extra else row[f.name] for f in fields(cls)}


@dataclass(frozen=True, slots=True)
class StoredCoding(CodingColumns):
    """A coding as stored: the ``codings`` columns (:class:`CodingColumns`, in ``CODING_FIELDS`` order)."""

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> StoredCoding:
        return cls(**_values(cls, row))

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """A coder's decision on a suggestion that an action recorded (``change`` "decided") or
    withdrew ("reopened"): the decision row as logged (payload kind "suggestion")."""

    kind: ClassVar[str] = DECISION
    id: int
    transcript_id: str
    segment_id: int
    code_id: str
    start_offset: int
    end_offset: int
    source: str
    score: float | None
    evidence: Any  # {"text": ..., "suggestion": stored id} as logged
    status: str  # accepted | rejected
    decided_by: str
    change: str  # decided | reopened

    @classmethod
    def of(cls, payload: Mapping[str, Any], change: str) -> DecisionChange:
        return cls(**_values(cls, payload, change=change))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True, slots=True)
class MarkChange:
    """A finish mark an action set or cleared (``change`` "set" or "cleared"): the logged payload.

    ``mark`` is "nothing" (to code, on turn ``ordinal``) or "done" (the transcript; ``ordinal`` None).
    """

    kind: ClassVar[str] = MARK
    id: int
    transcript_id: str
    ordinal: int | None
    coder: str
    mark: str
    transcript_sha256: str | None
    change: str

    @classmethod
    def of(cls, payload: Mapping[str, Any], change: str) -> MarkChange:
        return cls(**_values(cls, payload, change=change))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True, slots=True)
class MemoChange:
    """A memo on a transcript or a code an action set or cleared (``change``): the logged payload."""

    kind: ClassVar[str] = MEMO
    id: int
    coder: str
    transcript_id: str | None
    code_id: str | None
    text: str
    change: str

    @classmethod
    def of(cls, payload: Mapping[str, Any], change: str) -> MemoChange:
        return cls(**_values(cls, payload, change=change))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **{f.name: getattr(self, f.name) for f in fields(self)}}


@dataclass(frozen=True)
class ActionResult:
    """What one action changed: the codings now present and those removed, and the
    decisions, finish marks and memos it recorded or withdrew."""

    action: str
    group_id: int | None = None
    added: tuple[StoredCoding, ...] = ()
    removed: tuple[StoredCoding, ...] = ()
    unchanged: tuple[StoredCoding, ...] = ()
    decisions: tuple[DecisionChange, ...] = ()
    marks: tuple[MarkChange, ...] = ()
    memos: tuple[MemoChange, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action, "group_id": self.group_id,
            **{name: [row.to_dict() for row in getattr(self, name)] for name in _ROWS},
        }


_ROWS = ("added", "removed", "unchanged", "decisions", "marks", "memos")


@dataclass
class ActionBuilder:
    """An :class:`ActionResult` in the making, inside the action's transaction.

    The writers append typed rows; the first event logged names the group
    (``group_id``). Batch callers (reconciliation, search tagging) build one and hand
    it to ``CodingSession.apply_in``.
    """

    action: str
    group_id: int | None = None
    added: list[StoredCoding] = field(default_factory=list)
    removed: list[StoredCoding] = field(default_factory=list)
    unchanged: list[StoredCoding] = field(default_factory=list)
    decisions: list[DecisionChange] = field(default_factory=list)
    marks: list[MarkChange] = field(default_factory=list)
    memos: list[MemoChange] = field(default_factory=list)

    def record(self, payload: Mapping[str, Any], change: str) -> None:
        """List a finish mark's or a memo's logged payload (by its ``kind``) with its change."""
        if payload["kind"] == MARK:
            self.marks.append(MarkChange.of(payload, change))
        elif payload["kind"] == MEMO:
            self.memos.append(MemoChange.of(payload, change))
        else:
            raise ValueError(f"not a mark or memo payload: kind {payload['kind']!r}")

    def build(self) -> ActionResult:
        return ActionResult(self.action, self.group_id, *(tuple(getattr(self, name)) for name in _ROWS))
