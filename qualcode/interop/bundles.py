"""Coder bundles (.qcb): one coder's work, carried from a laptop to the lead's project.

A bundle is a zip holding ``bundle.json``:

- ``coder``, ``project``, ``created_at`` and a random ``bundle_id``;
- ``codebook``: the hash, file name and text of the codebook the coder worked with;
- ``transcripts``: for each transcript the coder coded, the source-file ``sha256``,
  the ``text_sha256`` of its normalised text, its role and the text itself (so the
  lead's project can re-anchor codings if its copy of the transcript was corrected);
- ``codings``: every coding of the coder (orphans too, flagged), with a stable
  ``uuid`` (uuid5 of coder, transcript, code, start, end), the text it covers,
  memo, origin, confidence, timestamps and the hash of the codebook version it was
  made under;
- ``events``: the coder's event log (the audit trail of how the codings came about);
- ``memos`` (version 2): the coder's memos on transcripts (``transcript``) and on codes
  (``code``), each with its ``text``;
- ``marks`` (version 2): the coder's counted finish marks: ``transcript``, ``mark``
  (``done`` or ``nothing``) and, for nothing to code, the ``turn`` and its ``span``
  (the transcripts they are on are carried too, so the lead can check the text).

Version 1 bundles (before memos and marks travelled) are still read and merged: they
carry no memos or marks.

:func:`read_bundle` reads one back through :mod:`~qualcode.interop.safezip`, and
checks its shape before anything trusts it.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import ExportError, InteropError, NotFoundError
from qualcode.interop.ids import coding_uuid
from qualcode.interop.safezip import Limits, SafeArchive
from qualcode.interop.travel import gather
from qualcode.store.interop import codebook_hashes, coder_coding_rows
from qualcode.store.rows import text_digest

if TYPE_CHECKING:
    from qualcode.project import Project

BUNDLE_ENTRY = "bundle.json"
BUNDLE_FORMAT = "qualcode-coder-bundle"
BUNDLE_VERSION = 2  # 2: memos on transcripts and codes, finish marks
READABLE_VERSIONS = (1, 2)
CODING_KEYS = ("uuid", "transcript", "code", "start", "end", "text")


@dataclass(frozen=True)
class BundleSummary:
    """What ``export coder`` wrote to the bundle."""

    path: Path
    coder: str
    bundle_id: str
    transcripts: int
    codings: int
    orphaned: int
    memos: int  # codings with a memo
    events: int
    target_memos: int = 0  # memos on transcripts and codes
    marks: int = 0  # counted finish marks
    stale_marks: int = 0  # marks made on content a transcript no longer has: left out

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "coder": self.coder, "bundle_id": self.bundle_id,
                "transcripts": self.transcripts, "codings": self.codings, "orphaned": self.orphaned,
                "memos": self.memos, "events": self.events, "target_memos": self.target_memos,
                "marks": self.marks, "stale_marks": self.stale_marks}


def export_coder_bundle(project: Project, coder: str, output: Path) -> BundleSummary:
    """Write ``coder``'s codings, memos and events (and what they were made against) to ``output``."""
    from qualcode.coding.blind import guard

    guard(project, coders=[coder], what="this bundle")
    document = bundle_document(project, coder)
    stale = document.pop("_stale_marks")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.tmp")
    try:
        from qualcode.privacy import private_file

        private_file(temp)
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(BUNDLE_ENTRY, json.dumps(document, ensure_ascii=False, indent=1, default=_json_default))
        temp.replace(output)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}", file=str(output)) from None
    codings = document["codings"]
    return BundleSummary(
        output, coder, document["bundle_id"], len(document["transcripts"]), len(codings),
        sum(c["orphaned"] for c in codings), sum(bool(c["memo"]) for c in codings), len(document["events"]),
        len(document["memos"]), len(document["marks"]), stale,
    )


def bundle_document(project: Project, coder: str) -> dict:
    """The bundle's content as a JSON-ready dict."""
    from qualcode.store import codings as store
    from qualcode.store.transcripts import load_transcript

    with project.read() as conn:
        known = store.coder_names(conn)
        if coder not in known:
            raise NotFoundError(f"No coder '{coder}'; coders: {', '.join(known) or 'none yet'}")
        hashes = codebook_hashes(conn)
        rows = coder_coding_rows(conn, coder)
        carried = gather(conn, [coder])
        wanted = [r["transcript_id"] for r in rows] + [m.transcript_id for m in carried.marks]
        transcripts = {tid: load_transcript(conn, tid) for tid in dict.fromkeys(wanted)}
        events = store.event_rows(conn, coder=coder)
    codebook = project.codebook
    return {
        "format": BUNDLE_FORMAT, "version": BUNDLE_VERSION, "bundle_id": str(uuid.uuid4()), "coder": coder,
        "project": project.name, "created_at": datetime.now(UTC).isoformat(),
        "codebook": {"hash": codebook.hash, "file": Path(codebook.path or "codebook.yaml").name, "text": codebook.text},
        "transcripts": {
            tid: {"sha256": t.sha256, "text_sha256": text_digest(t.text), "role": t.role, "text": t.text}
            for tid, t in transcripts.items()
        },
        "codings": [_coding_entry(row, transcripts[row["transcript_id"]].text, hashes) for row in rows],
        "events": [_event_entry(event) for event in events],
        "memos": [{"transcript": m.transcript_id, "code": m.code_id, "text": m.text} for m in carried.memos],
        "marks": [{"transcript": m.transcript_id, "mark": m.kind, "turn": m.ordinal,
                   "span": list(m.span) if m.span else None} for m in carried.marks],
        "_stale_marks": carried.stale_marks,  # for the summary; popped before writing
    }


def _coding_entry(row: dict, text: str, hashes: dict[int, str]) -> dict:
    start, end = row["start_offset"], row["end_offset"]
    return {
        "uuid": coding_uuid(row["coder"], row["transcript_id"], row["code_id"], start, end),
        "transcript": row["transcript_id"], "code": row["code_id"], "start": start, "end": end,
        "text": row["orphan_text"] if row["orphaned"] else text[start:end],
        "orphaned": bool(row["orphaned"]), "memo": row["memo"], "origin": row["origin"],
        "confidence": row["confidence"], "created_at": row["created_at"], "updated_at": row["updated_at"],
        "codebook_hash": hashes.get(row["codebook_version_id"]),
    }


def _event_entry(event: dict) -> dict:
    keys = ("id", "at", "action", "transcript_id", "coding_id", "before", "after", "group_id", "undoes", "undone")
    return {key: event[key] for key in keys}


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# -- reading -----------------------------------------------------------------------------


def read_bundle(path: Path, limits: Limits | None = None) -> dict:
    """The checked content of a .qcb file; InteropError says what is wrong with it."""
    path = Path(path)
    with SafeArchive(path, limits) as archive:
        if archive.find(BUNDLE_ENTRY) is None:
            raise InteropError(f"{path.name} is not a qualcode coder bundle (no {BUNDLE_ENTRY})", file=str(path))
        _check_bundle_size(archive, path, (limits or Limits()).max_bundle_bytes)
        data = archive.read_buffer(BUNDLE_ENTRY)
    try:
        document = json.loads(data)  # bytes straight in: no decoded copy of the whole document
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InteropError(f"{path.name}: {BUNDLE_ENTRY} is not valid JSON ({exc})", file=str(path)) from None
    except RecursionError:
        raise InteropError(f"{path.name}: {BUNDLE_ENTRY} is nested too deeply to read", file=str(path)) from None
    _check_shape(document, path)
    return document


def _check_bundle_size(archive: SafeArchive, path: Path, cap: int) -> None:
    """Refuse before reading: parsed JSON takes several times its size in memory."""
    size = archive.size(BUNDLE_ENTRY)
    if size > cap:
        raise InteropError(
            f"{path.name}: {BUNDLE_ENTRY} is {size:,} bytes; at most {cap:,} are read (raise [interop] "
            "max_bundle_mb in qualcode.toml if the bundle is genuine); nothing was merged",
            file=str(path),
        )


def _check_shape(document, path: Path) -> None:
    def fail(why: str) -> None:
        raise InteropError(f"{path.name} is not a usable coder bundle: {why}", file=str(path))

    if not isinstance(document, dict) or document.get("format") != BUNDLE_FORMAT:
        fail(f"'format' is not '{BUNDLE_FORMAT}'")
    if document.get("version") not in READABLE_VERSIONS:
        fail(f"version {document.get('version')!r}; this qualcode reads versions "
             f"{', '.join(map(str, READABLE_VERSIONS))}")
    if not isinstance(document.get("coder"), str) or not document["coder"].strip():
        fail("it names no coder")
    transcripts = document.get("transcripts")
    if not isinstance(transcripts, dict) or not all(isinstance(t, dict) and isinstance(t.get("text"), str) for t in transcripts.values()):
        fail("'transcripts' must map ids to entries with their text")
    codings = document.get("codings")
    if not isinstance(codings, list):
        fail("'codings' must be a list")
    for number, coding in enumerate(codings, start=1):
        if not isinstance(coding, dict) or any(key not in coding for key in CODING_KEYS):
            fail(f"coding {number} lacks one of {', '.join(CODING_KEYS)}")
        if not (isinstance(coding["start"], int) and isinstance(coding["end"], int) and 0 <= coding["start"] < coding["end"]):
            fail(f"coding {number} has positions {coding['start']!r}..{coding['end']!r}")
        if coding["transcript"] not in transcripts:
            fail(f"coding {number} refers to transcript '{coding['transcript']}', which the bundle does not carry")
    if not isinstance(document.get("events", []), list):
        fail("'events' must be a list")
    _check_travellers(document, transcripts, fail)


def _check_travellers(document: dict, transcripts: dict, fail) -> None:
    """Version 2's memos and marks: lists of small objects naming what they are on."""
    for number, memo in enumerate(_listed(document, "memos", fail), start=1):
        if not isinstance(memo, dict) or not isinstance(memo.get("text"), str) or (
                isinstance(memo.get("transcript"), str) == isinstance(memo.get("code"), str)):
            fail(f"memo {number} must have a text and exactly one of 'transcript' or 'code'")
    for number, mark in enumerate(_listed(document, "marks", fail), start=1):
        if not isinstance(mark, dict) or mark.get("transcript") not in transcripts:
            fail(f"mark {number} must name a transcript the bundle carries")
        turn, span = mark.get("turn"), mark.get("span")
        if not (turn is None or isinstance(turn, int)) or not (
                span is None or isinstance(span, list) and len(span) == 2 and all(isinstance(v, int) for v in span)):
            fail(f"mark {number} has turn {turn!r:.20} and span {span!r:.40}; expected a number and two numbers")


def _listed(document: dict, key: str, fail) -> list:
    value = document.get(key, [])
    if not isinstance(value, list):
        fail(f"'{key}' must be a list")
    return value
