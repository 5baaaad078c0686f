"""Applying and removing codes: the coding core.

A :class:`CodingSession` is one coder working in one project. Each action (tag,
untag, memo, accept, reject, undo, redo) is one transaction that also appends its
changes to the event log, so the work is saved the moment it is done and every change
can be undone by the coder who made it.

Rules enforced here:

- the coder must exist (``qualcode coders add``): a typo never starts a new coder;
- interviewer turns are not coded unless the project says so
  (``[coding] code_interviewer_turns = true`` in qualcode.toml);
- the code must exist and apply to the transcript's role (``Codebook.check_applicable``);
- a span is a whole segment or any ``[start, end)`` inside one (transcript offsets);
- a turn the coder marked "nothing to code" is not coded by them until they clear the mark;
- the same coder applying the same code to overlapping text in one segment merges the
  codings into one covering both spans, never duplicates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.codebook.versions import ensure_snapshot
from qualcode.coding.actions import (
    DECISION,
    ActionBuilder,
    ActionResult,
    DecisionChange,
    StoredCoding,
)
from qualcode.coding.coders import require_coder
from qualcode.coding.history import redo_last, undo_last
from qualcode.errors import CodingError
from qualcode.store import codings as store
from qualcode.store import finishing as finish_store
from qualcode.store.transcripts import load_transcript, segment_ids
from qualcode.transcripts.model import Segment, Transcript

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.coding.suggestion import Suggestion
    from qualcode.project import Project

ORIGINS = ("manual", "rules", "model", "import", "consensus")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def resolve_span(transcript: Transcript, segment: Segment, span: tuple[int, int] | None, text: str | None) -> Span:
    """The span to code: the whole segment, explicit offsets, or an exact phrase in it."""
    if span is not None and text is not None:
        raise CodingError("give either a span or a text phrase, not both")
    if text is not None:
        body = transcript.text[segment.start : segment.end]
        found = body.find(text)
        if found < 0 or not text:
            raise CodingError(
                f"text '{text}' not found in segment {segment.ordinal} of '{transcript.id}'"
            )
        return Span(segment.start + found, segment.start + found + len(text))
    if span is None:
        return Span(segment.start, segment.end)
    start, end = span
    if not (segment.start <= start < end <= segment.end):
        raise CodingError(
            f"span {start}:{end} is not inside segment {segment.ordinal} of '{transcript.id}' "
            f"({segment.start}:{segment.end}); spans are transcript offsets, start < end"
        )
    return Span(start, end)


class CodingSession:
    """One coder's actions on a project; every method is one transaction."""

    def __init__(self, project: Project, coder: str) -> None:
        if not coder or not coder.strip():
            raise CodingError("a coder name is required (--coder NAME)")
        self.project = project
        self.coder = coder.strip()
        self._transcripts: dict[str, tuple[Transcript, dict[int, int]]] = {}

    # -- lookups --------------------------------------------------------------

    def transcript(self, conn: Connection, transcript_id: str) -> tuple[Transcript, dict[int, int]]:
        """The transcript and its ordinal -> segment id map (cached per session)."""
        if transcript_id not in self._transcripts:
            t = load_transcript(conn, transcript_id)
            self._transcripts[transcript_id] = (t, segment_ids(conn, transcript_id))
        return self._transcripts[transcript_id]

    def forget(self, transcript_id: str) -> None:
        self._transcripts.pop(transcript_id, None)

    # -- actions --------------------------------------------------------------

    def tag(
        self,
        transcript_id: str,
        ordinal: int,
        code_ids: list[str],
        *,
        span: tuple[int, int] | None = None,
        text: str | None = None,
        origin: str = "manual",
        confidence: float | None = None,
        memo: str | None = None,
    ) -> ActionResult:
        """Apply codes to a segment (or a span in it); overlapping same-code spans merge."""
        if origin not in ORIGINS:
            raise CodingError(f"Unknown origin '{origin}'. Origins: {', '.join(ORIGINS)}")
        if not code_ids:
            raise CodingError("no codes given")
        with self.project.write() as conn:
            require_coder(conn, self.coder)  # one action of this coder at a time (team mode)
            result = ActionBuilder("tag")
            self._tag_in(conn, result, transcript_id, ordinal, code_ids, span, text,
                         {"origin": origin, "confidence": confidence, "memo": memo})
            return result.build()

    def accept(self, transcript_id: str, ordinal: int, suggestion: Suggestion) -> ActionResult:
        """Apply a suggestion as a coding and record the acceptance: one undoable action."""
        if suggestion.source not in ORIGINS:
            raise CodingError(f"Unknown suggestion source '{suggestion.source}'. Sources: {', '.join(ORIGINS)}")
        with self.project.write() as conn:
            require_coder(conn, self.coder)
            result = ActionBuilder("accept")
            self._tag_in(conn, result, transcript_id, ordinal, [suggestion.code_id],
                         (suggestion.start, suggestion.end), None,
                         {"origin": suggestion.source, "confidence": suggestion.score, "memo": None})
            self._decide(conn, result, transcript_id, ordinal, suggestion, "accepted")
            return result.build()

    def reject(self, transcript_id: str, ordinal: int, suggestion: Suggestion) -> ActionResult:
        """Record that the coder rejected a suggestion (a negative example); undoable."""
        with self.project.write() as conn:
            require_coder(conn, self.coder)
            transcript, _ids = self.transcript(conn, transcript_id)
            resolve_span(transcript, transcript.segment(ordinal), (suggestion.start, suggestion.end), None)
            result = ActionBuilder("reject")
            self._decide(conn, result, transcript_id, ordinal, suggestion, "rejected")
            return result.build()

    def untag(
        self,
        transcript_id: str,
        ordinal: int,
        code_ids: list[str],
        *,
        span: tuple[int, int] | None = None,
        text: str | None = None,
    ) -> ActionResult:
        """Remove the coder's codings of these codes that overlap the span (default: segment)."""
        with self.project.write() as conn:
            require_coder(conn, self.coder)
            transcript, ids = self.transcript(conn, transcript_id)
            segment = transcript.segment(ordinal)
            chosen = resolve_span(transcript, segment, span, text)
            result = ActionBuilder("untag")
            for code_id in code_ids:
                for row in store.overlapping(conn, ids[ordinal], self.coder, code_id, chosen.start, chosen.end):
                    self._delete(conn, result, row)
            if not result.removed:
                raise CodingError(
                    f"{self.coder} has no coding of {', '.join(code_ids)} there "
                    f"('{transcript_id}' segment {ordinal}); nothing removed"
                )
            return result.build()

    def remove(self, coding_id: int) -> ActionResult:
        """Remove one of the coder's codings by id."""
        with self.project.write() as conn:
            require_coder(conn, self.coder)
            row = self._own_coding(conn, coding_id)
            result = ActionBuilder("untag")
            self._delete(conn, result, row)
            return result.build()

    def set_memo(self, coding_id: int, memo: str | None) -> ActionResult:
        with self.project.write() as conn:
            require_coder(conn, self.coder)
            row = self._own_coding(conn, coding_id)
            result = ActionBuilder("memo")
            self._update(conn, result, row, {"memo": memo or None})
            return result.build()

    def undo(self) -> ActionResult:
        with self.project.write() as conn:
            return undo_last(conn, self.coder)

    def redo(self) -> ActionResult:
        with self.project.write() as conn:
            return redo_last(conn, self.coder)

    # -- building blocks (also for batch callers) -------------------------------

    def check_code(self, code_id: str, role: str) -> None:
        """Refuse a code that does not exist, only groups others, or is not for this role."""
        codebook = self.project.codebook
        code = codebook.get(code_id)
        if not code.codable:
            raise CodingError(f"Code '{code_id}' only groups other codes; apply one of its children")
        codebook.check_applicable(code_id, role)

    def codebook_version(self, conn: Connection) -> int | None:
        """The stored snapshot id of the codebook codings are made under now."""
        return ensure_snapshot(conn, self.project.codebook)

    def _tag_in(self, conn, result: ActionBuilder, transcript_id, ordinal, code_ids, span, text, extra) -> None:
        transcript, ids = self.transcript(conn, transcript_id)
        segment = transcript.segment(ordinal)
        self.check_turn(transcript, segment)
        self.check_not_marked(conn, transcript_id, ordinal)
        chosen = resolve_span(transcript, segment, span, text)
        for code_id in code_ids:
            self.check_code(code_id, transcript.role)
        version_id = self.codebook_version(conn)
        for code_id in code_ids:
            values = {
                "transcript_id": transcript_id, "segment_id": ids[ordinal], "coder": self.coder,
                "code_id": code_id, "start_offset": chosen.start, "end_offset": chosen.end,
                "codebook_version_id": version_id, **extra,
            }
            self.apply_in(conn, result, values)

    def check_turn(self, transcript: Transcript, segment: Segment) -> None:
        """Refuse an interviewer turn unless the project codes them (see the module)."""
        if segment.is_interviewer and not self.project.code_interviewer_turns:
            raise CodingError(
                f"turn {segment.ordinal} of '{transcript.id}' is an interviewer turn, which is not coded; "
                "a study that codes interviewer turns sets [coding] code_interviewer_turns = true in qualcode.toml"
            )

    def check_not_marked(self, conn: Connection, transcript_id: str, ordinal: int) -> None:
        """Refuse to code a turn the coder marked "nothing to code" (coding/finishing.py)."""
        if finish_store.find_mark(conn, self.coder, transcript_id, "nothing", ordinal) is not None:
            raise CodingError(
                f"turn {ordinal} of '{transcript_id}' is marked nothing to code by {self.coder}; clear that mark "
                "first (the - key in the coding screen)"
            )

    def _decide(self, conn, result: ActionBuilder, transcript_id: str, ordinal: int, suggestion: Suggestion, status: str) -> None:
        """Record the coder's decision on a suggestion as a row of its own, logged in ``result``'s group.

        Never an update of the shared suggestion: a second (blind) coder must still see it, undecided.
        """
        _, ids = self.transcript(conn, transcript_id)
        row = store.insert_decision(conn, {
            "transcript_id": transcript_id, "segment_id": ids[ordinal], "code_id": suggestion.code_id,
            "start_offset": suggestion.start, "end_offset": suggestion.end, "source": suggestion.source,
            "score": suggestion.score, "evidence": {"text": suggestion.evidence, "suggestion": suggestion.stored_id},
            "status": status, "decided_by": self.coder,
        })
        payload = {"kind": DECISION, **row}
        event_id = store.append_event(
            conn, coder=self.coder, action=result.action, transcript_id=transcript_id, coding_id=None,
            before=None, after=payload, group_id=result.group_id,
        )
        result.group_id = result.group_id or event_id
        result.decisions.append(DecisionChange.of(payload, "decided"))

    def apply_in(self, conn: Connection, result: ActionBuilder, values: dict) -> None:
        """Apply one coding inside the caller's transaction (batch callers: imports,
        autocoding, reconciliation), merging overlaps and logging into ``result``'s group.

        ``values`` are codings columns; the caller has checked the code (``check_code``).
        """
        overlaps = store.overlapping(
            conn, values["segment_id"], self.coder, values["code_id"],
            values["start_offset"], values["end_offset"],
        )
        if not overlaps:
            row = store.insert_coding(conn, values)
            self._log(conn, result, row["id"], None, row)
            result.added.append(StoredCoding.of(row))
            return
        keep, *others = overlaps
        start = min(values["start_offset"], *(o["start_offset"] for o in overlaps))
        end = max(values["end_offset"], *(o["end_offset"] for o in overlaps))
        for other in others:
            self._delete(conn, result, other)
        if (start, end) == (keep["start_offset"], keep["end_offset"]):
            result.unchanged.append(StoredCoding.of(keep))
            return
        self._update(conn, result, keep, {"start_offset": start, "end_offset": end})

    def _update(self, conn: Connection, result: ActionBuilder, row: dict, values: dict) -> None:
        after = store.update_coding(conn, row["id"], values)
        self._log(conn, result, row["id"], row, after)
        result.added.append(StoredCoding.of(after))

    def _delete(self, conn: Connection, result: ActionBuilder, row: dict) -> None:
        store.delete_coding(conn, row["id"])
        self._log(conn, result, row["id"], row, None)
        result.removed.append(StoredCoding.of(row))

    def _log(self, conn, result: ActionBuilder, coding_id, before, after) -> None:
        # The change is derivable from the payloads: no before = insert, no after = delete.
        event_id = store.append_event(
            conn, coder=self.coder, action=result.action, transcript_id=(before or after)["transcript_id"],
            coding_id=coding_id, before=before, after=after, group_id=result.group_id,
        )
        if result.group_id is None:
            result.group_id = event_id

    def _own_coding(self, conn: Connection, coding_id: int) -> dict:
        row = store.coding_row(conn, coding_id)
        if row is None:
            raise CodingError(f"No coding {coding_id}")
        if row["coder"] != self.coder:
            raise CodingError(f"Coding {coding_id} belongs to {row['coder']}, not {self.coder}")
        return row
