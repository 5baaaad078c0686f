"""``qualcode merge``: a coder bundle into the lead's project, without loss or duplicates.

Each coding of the bundle ends up in exactly one of these, and the report lists them:

``added``
    stored under the bundle's coder (origin, confidence, memo and timestamps kept);
``re-anchored``
    the lead's transcript text differs from the coder's: the coding is carried to
    the same words with :class:`~qualcode.transcripts.reanchor.SpanMapper`, and only
    when *every* word under it survived unchanged and in order (then added);
``already present``
    the same (coder, transcript, code, start, end) is in the project — a second
    merge of the same bundle adds nothing; a memo the project lacks is added;
``refused``
    with the reason: transcript missing, text changed under the coding, code not in
    the project's codebook or not for that role, orphaned in the bundle.

Codings of the coder that are in the project but not in the bundle are reported as
``not in bundle`` and kept: a merge never renames or drops anything. The coder's
events are appended to the event log as ``merged:<action>`` (once: a second merge
recognises them by time and action), then one ``merge`` event per added coding.

Memos on transcripts and codes and finish marks (bundle version 2) are stored by the
rules of :mod:`~qualcode.interop.travel` (``travel`` in the report): a memo that differs
from the project's is refused and the project's kept; marks are per coder, so they
never conflict with another coder's; marks on a transcript whose text differs from the
coder's are refused. A version 1 bundle carries none, and merges as before.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import QualcodeError
from qualcode.interop.bundles import read_bundle
from qualcode.interop.segmenting import segment_for_span
from qualcode.interop.travel import MarkItem, MemoItem, TravelResult, store_travellers
from qualcode.store.interop import (
    append_history_event,
    history_stamps,
    insert_coding_rows,
    live_codings_by_key,
    log_inserted,
)
from qualcode.store.rows import text_digest

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.transcripts.model import Transcript
    from qualcode.transcripts.reanchor import SpanMapper

WORD = re.compile(r"\S+")
HISTORY_PREFIX = "merged:"


@dataclass(frozen=True)
class MergeItem:
    """One coding of the bundle, where the bundle has it (``added`` gives where it was stored)."""

    uuid: str
    transcript: str
    code: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ReanchoredItem(MergeItem):
    """A coding carried to the same words of the project's changed text: ``to`` is (start, end) there."""

    to: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"to": list(self.to)}


@dataclass(frozen=True)
class RefusedItem(MergeItem):
    """A coding not merged, and why."""

    reason: str


@dataclass(frozen=True)
class KeptItem:
    """A coding of the coder in the project but not in the bundle: kept, never dropped (``id`` is the project's)."""

    transcript: str
    code: str
    start: int
    end: int
    id: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MergeReport:
    """What a merge did (or would do, on a dry run). Its lists are filled while the merge
    runs; the event counts are set once at the end."""

    bundle: str
    coder: str
    bundle_id: str
    dry_run: bool
    added: list[MergeItem] = field(default_factory=list)
    reanchored: list[ReanchoredItem] = field(default_factory=list)
    already_present: list[MergeItem] = field(default_factory=list)
    memos_added: list[MergeItem] = field(default_factory=list)
    refused: list[RefusedItem] = field(default_factory=list)
    not_in_bundle: list[KeptItem] = field(default_factory=list)
    events_added: int = 0
    events_present: int = 0
    notes: list[str] = field(default_factory=list)
    travel: TravelResult = field(default_factory=TravelResult)  # memos on transcripts/codes, finish marks

    def to_dict(self) -> dict[str, Any]:
        items = ("added", "reanchored", "already_present", "memos_added", "refused", "not_in_bundle")
        return asdict(self) | {name: [item.to_dict() for item in getattr(self, name)] for name in items}


def merge_bundle(project: Project, path: Path, *, dry_run: bool = False, allow_consensus: bool = False) -> MergeReport:
    """Merge one .qcb into ``project`` in one transaction (nothing stored on a dry run).

    A bundle of the ``consensus`` coder is refused unless ``allow_consensus``.
    """
    from qualcode.interop.qdpx_import import limits_of, refuse_consensus

    document = read_bundle(Path(path), limits_of(project))
    coder = document["coder"].strip()
    if not allow_consensus:
        refuse_consensus([coder], str(path))
    report = MergeReport(str(path), coder, str(document.get("bundle_id", "")), dry_run)
    codebook = project.codebook
    if (document.get("codebook") or {}).get("hash") != codebook.hash:
        report.notes.append(
            "the bundle was made against another codebook version; each code is checked against the project's"
        )
    with project.write() as conn:
        merger = _Merger(conn, project, document, report)
        merger.run()
        if dry_run:
            conn.rollback()
    return replace(report, events_added=merger.events_added, events_present=merger.events_present,
                   travel=merger.travel)


class _Merger:
    def __init__(self, conn, project: Project, document: dict, report: MergeReport) -> None:
        self.conn, self.project, self.document, self.report = conn, project, document, report
        self.coder = report.coder
        self.mappers: dict[str, SpanMapper] = {}
        self.transcripts: dict[str, Transcript | None] = {}
        self.group: int | None = None  # the merge's event group
        self.segment_ids: dict[str, dict[int, int]] = {}
        self.events_added = self.events_present = 0
        self.travel = TravelResult()

    def run(self) -> None:
        from qualcode.codebook.versions import ensure_snapshot
        from qualcode.store import codings as store

        planned = [self._plan(entry) for entry in self.document["codings"]]
        existing = self._existing_keys()
        to_add, present = self._classify(planned, existing)
        self._report_not_in_bundle(planned, existing)
        if to_add or present or self.document.get("events"):
            if store.ensure_coder(self.conn, self.coder):  # a bundle brings its coder: said, not silent
                self.report.notes.append(f"coder '{self.coder}' was not in the project; the merge adds it")
        self._history()  # first, so the merge group below is the coder's newest (undo takes it back)
        for entry, row in present:
            self._maybe_add_memo(row, entry)
        version_id = ensure_snapshot(self.conn, self.project.codebook) if to_add else None
        rows = insert_coding_rows(self.conn, [self._values(entry, placed, version_id) for entry, placed in to_add])
        if rows and self.group is None:  # the first event heads the merge's group
            self._log(rows[0]["id"], rows[0]["transcript_id"], None, rows[0])
            rows = rows[1:]
        log_inserted(self.conn, rows, "merge", self.group)
        self.report.added.extend(replace(_brief(e), start=p["start"], end=p["end"]) for e, p in to_add)
        self._memos_and_marks()

    def _memos_and_marks(self) -> None:
        """Version 2's memos on transcripts and codes and finish marks, in the merge's event group."""
        from qualcode.store import codings as store

        memos = [MemoItem(self.coder, m.get("transcript"), m.get("code"), m["text"])
                 for m in self.document.get("memos") or []]
        marks, refused = [], []
        for entry in self.document.get("marks") or []:
            mark = MarkItem(self.coder, entry["transcript"], str(entry.get("mark")), entry.get("turn"),
                            tuple(entry["span"]) if entry.get("span") else None)
            transcript = self._transcript(mark.transcript_id)
            bundled = self.document["transcripts"][mark.transcript_id]
            if transcript is not None and bundled.get("text_sha256") != text_digest(transcript.text):
                refused.append(f"{self.coder}'s {mark.kind} mark on {mark.where}: the project's text differs from "
                               "the coder's, so the mark is not carried over")
            else:
                marks.append(mark)
        if (memos or marks) and store.ensure_coder(self.conn, self.coder):
            self.report.notes.append(f"coder '{self.coder}' was not in the project; the merge adds it")
        groups = {self.coder: self.group} if self.group is not None else {}
        result = store_travellers(self.conn, self.project.codebook, memos, marks, action="merge", groups=groups)
        self.group = groups.get(self.coder, self.group)
        self.travel = replace(result, refused=(*refused, *result.refused))

    def _classify(self, planned: list[tuple[dict, dict | None]], existing: dict) -> tuple[list, list]:
        """(to add, already present with the project's row); refused ones are already reported."""
        to_add, present, seen = [], [], set()
        for entry, placed in planned:
            if placed is None:
                continue
            key = (placed["transcript"], placed["code"], placed["start"], placed["end"])
            if key in existing or key in seen:
                self.report.already_present.append(_brief(entry))
                if key in existing:
                    present.append((entry, existing[key]))
                continue
            seen.add(key)
            to_add.append((entry, placed))
        return to_add, present

    def _report_not_in_bundle(self, planned: list[tuple[dict, dict | None]], existing: dict) -> None:
        in_bundle = {(p["transcript"], p["code"], p["start"], p["end"]) for _, p in planned if p}
        in_bundle |= {(e["transcript"], e["code"], e["start"], e["end"]) for e, _ in planned}
        carried = set(self.document["transcripts"])
        for key, row in existing.items():
            if key not in in_bundle and key[0] in carried:
                self.report.not_in_bundle.append(KeptItem(key[0], key[1], key[2], key[3], row["id"]))

    def _log(self, coding_id: int, transcript_id: str, before: dict | None, after: dict) -> None:
        from qualcode.store import codings as store

        event = store.append_event(
            self.conn, coder=self.coder, action="merge", transcript_id=transcript_id, coding_id=coding_id,
            before=before, after=after, group_id=self.group,
        )
        self.group = self.group or event

    # -- placing one coding -----------------------------------------------------------

    def _plan(self, entry: dict) -> tuple[dict, dict | None]:
        def refuse(reason: str) -> tuple[dict, dict | None]:
            self._refuse(entry, reason)
            return entry, None

        if entry.get("orphaned"):
            return refuse("orphaned in the bundle: its text vanished from the coder's transcript")
        transcript = self._transcript(entry["transcript"])
        if transcript is None:
            return refuse(f"transcript '{entry['transcript']}' is not in the project")
        code = self.project.codebook.codes.get(entry["code"])
        if code is None:
            return refuse(f"code '{entry['code']}' is not in the project's codebook")
        if not code.codable or transcript.role not in code.roles:
            return refuse(f"code '{entry['code']}' cannot be applied to {transcript.role} transcripts")
        bundled = self.document["transcripts"][entry["transcript"]]
        if bundled.get("text_sha256") == text_digest(transcript.text) or bundled["text"] == transcript.text:
            if transcript.text[entry["start"]:entry["end"]] != entry["text"]:
                return refuse("the bundle's text under the coding does not match its own positions")
            return entry, {"transcript": transcript.id, "code": entry["code"], "start": entry["start"], "end": entry["end"]}
        span, reason = self._reanchor(entry, bundled["text"], transcript)
        if span is None:
            return refuse(reason)
        self.report.reanchored.append(ReanchoredItem(**_brief(entry).to_dict(), to=span))
        return entry, {"transcript": transcript.id, "code": entry["code"], "start": span[0], "end": span[1]}

    def _reanchor(self, entry: dict, old_text: str, transcript) -> tuple[tuple[int, int] | None, str]:
        from qualcode.transcripts.reanchor import SpanMapper

        mapper = self.mappers.get(transcript.id)
        if mapper is None:
            mapper = self.mappers[transcript.id] = SpanMapper(old_text, transcript.text)
        start, end = entry["start"], entry["end"]
        words = [i for i, (a, b) in enumerate(mapper.old_spans) if a < end and b > start]
        survived = [i for i in words if i in mapper.mapping]
        in_order = survived and mapper.mapping[survived[-1]] - mapper.mapping[survived[0]] == len(survived) - 1
        if not words or len(survived) != len(words) or not in_order:
            changed = len(words) - len(survived)
            return None, (
                f"the transcript's text differs from the coder's and {changed or 'some'} of the {len(words)} "
                "words under the coding changed; re-anchoring refused"
            )
        return mapper.map(start, end), ""

    def _refuse(self, entry: dict, reason: str) -> None:
        self.report.refused.append(RefusedItem(**_brief(entry).to_dict(), reason=reason))

    def _transcript(self, transcript_id: str):
        if transcript_id not in self.transcripts:
            from qualcode.store.transcripts import load_transcript

            try:
                self.transcripts[transcript_id] = load_transcript(self.conn, transcript_id)
            except QualcodeError:
                self.transcripts[transcript_id] = None
        return self.transcripts[transcript_id]

    # -- the store --------------------------------------------------------------------

    def _existing_keys(self) -> dict[tuple, dict]:
        return live_codings_by_key(self.conn, self.coder)

    def _maybe_add_memo(self, row: dict | None, entry: dict) -> None:
        from qualcode.store import codings as store

        memo = entry.get("memo")
        if row is None or not memo or row.get("memo") == memo:
            return
        if row.get("memo"):
            self.report.notes.append(
                f"memo of {entry['code']} in {entry['transcript']} differs from the project's; the project's is kept"
            )
            return
        after = store.update_coding(self.conn, row["id"], {"memo": memo})
        self._log(row["id"], row["transcript_id"], row, after)
        self.report.memos_added.append(_brief(entry))

    def _values(self, entry: dict, placed: dict, version_id: int | None) -> dict:
        from qualcode.store.transcripts import segment_ids

        transcript = self.transcripts[placed["transcript"]]
        assert transcript is not None, "placed only on a transcript the project has"
        segment = segment_for_span(transcript.segments, placed["start"], placed["end"])
        if transcript.id not in self.segment_ids:
            self.segment_ids[transcript.id] = segment_ids(self.conn, transcript.id)
        ids = self.segment_ids[transcript.id]
        values = {
            "transcript_id": transcript.id, "segment_id": ids[segment.ordinal] if segment else None,
            "coder": self.coder, "code_id": placed["code"], "start_offset": placed["start"],
            "end_offset": placed["end"], "origin": entry.get("origin") or "manual",
            "confidence": entry.get("confidence"), "memo": entry.get("memo"), "codebook_version_id": version_id,
        }
        for key in ("created_at", "updated_at"):
            stamp = _stamp(entry.get(key))
            if stamp is not None:
                values[key] = stamp
        return values

    def _history(self) -> None:
        """Append the coder's events not merged before, as ``merged:<action>``."""
        present = {(action, _naive(at)) for action, at in history_stamps(self.conn, self.coder, HISTORY_PREFIX)}
        groups: dict[int, int] = {}
        for event in self.document.get("events") or []:
            action = (HISTORY_PREFIX + str(event.get("action", "")))[:40]
            at = _stamp(event.get("at"))
            if at is None or (action, _naive(at)) in present:
                self.events_present += 1
                continue
            values = {
                "coder": self.coder, "at": at, "action": action, "transcript_id": event.get("transcript_id"),
                "coding_id": None, "before": event.get("before"), "after": event.get("after"), "undoes": None,
                "undone": bool(event.get("undone")),
            }
            new_id = append_history_event(self.conn, values, groups.get(event.get("group_id")))
            groups.setdefault(event.get("group_id"), new_id)
            self.events_added += 1


def _brief(entry: dict) -> MergeItem:
    return MergeItem(entry["uuid"], entry["transcript"], entry["code"], entry["start"], entry["end"])


def _stamp(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _naive(value) -> str:
    stamp = _stamp(value)
    return stamp.replace(tzinfo=None).isoformat() if stamp else ""
