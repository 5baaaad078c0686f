"""Storing a planned REFI-QDA import: one transaction, files written last.

Transcripts, coders, codings (origin ``import`` unless the qualcode sidecar says
otherwise) and one ``import`` event per coding — grouped per coder, so a coder's
imported work can be undone like any of their actions — commit together. A codebook
file (and the ``codebook =`` line of qualcode.toml when the file's codebook is
activated) is written inside the transaction block and restored if anything fails.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import InteropError
from qualcode.interop.segmenting import segment_for_span, segment_text
from qualcode.interop.travel import TravelResult, store_travellers
from qualcode.store.interop import insert_coding_rows, log_inserted
from qualcode.transcripts.model import Segment, Transcript

if TYPE_CHECKING:
    from qualcode.interop.import_report import ImportReport, PlannedCoding
    from qualcode.interop.qdpx_notes import NoteReading
    from qualcode.project import Project


def build_transcript(transcript_id: str, text: str, meta: dict, codebook) -> tuple[Transcript, str]:
    """A Transcript over ``text`` (kept as is) and how its segments were found."""
    role = codebook.resolve_role(meta["role"])
    segments, how = _sidecar_segments(meta.get("segments"), text), "qualcode segments (sidecar)"
    if segments is None:
        segments, how = segment_text(text)
    transcript = Transcript(
        id=transcript_id, title=meta.get("title") or transcript_id, role=role, site=str(meta.get("site") or ""),
        text=text, segments=segments, attributes={str(k): str(v) for k, v in (meta.get("attributes") or {}).items()},
        format=meta.get("format") or "refi-qda", source_path=meta.get("source_path") or "",
        sha256=meta.get("sha256") or "",
    )
    return transcript, how


def _sidecar_segments(rows, text: str) -> list[Segment] | None:
    if not rows:
        return None
    try:
        segments = [Segment(int(o), str(sp), bool(i), int(s), int(e), st, et) for o, sp, i, s, e, st, et in rows]
    except (TypeError, ValueError):
        return None
    valid = all(0 <= s.start <= s.end <= len(text) for s in segments)
    ordered = [s.ordinal for s in segments] == list(range(1, len(segments) + 1))
    return segments if valid and ordered else None


def apply_import(project: Project, report: ImportReport, activate=None, reference=None, *, rebuild=None,
                 travellers: NoteReading | None = None) -> tuple[list[str], TravelResult | None]:
    """Store what ``report`` plans; ``activate``/``reference`` are codebooks to write to
    ``report.codebook_file`` (the first also becomes the project's codebook). ``rebuild``
    makes a planned source's Transcript again (the plan does not keep texts). ``travellers``:
    memos on transcripts/codes and finish marks read from the file's notes. Returns the
    coders the import added and what became of the travellers, for the report."""
    from qualcode.codebook.versions import ensure_snapshot, write_text_atomically
    from qualcode.interop.codebook_io import set_project_codebook
    from qualcode.project import replace_text
    from qualcode.store.codings import ensure_coder

    book_file = project.root / report.codebook_file if report.codebook_file else None
    created_file = False
    old_config: str | None = None
    created: list[str] = []
    travel: TravelResult | None = None
    try:
        with project.write() as conn:
            target = activate or project.codebook
            version_id = ensure_snapshot(conn, target) if report.codings_added else None
            for coder in sorted({*report.coders, *(c.coder for s in report.sources for c in s.codings)}):
                if ensure_coder(conn, coder):  # the file's coders are created, and reported
                    created.append(coder)
            rows = [row for s in report.sources if s.status != "skipped"
                    for row in _store_source(conn, s, version_id, rebuild)]
            log_inserted(conn, insert_coding_rows(conn, rows), "import")
            if travellers is not None:
                travel = store_travellers(conn, target, travellers.memos, travellers.marks, action="import",
                                          groups={})
            codebook = activate or reference
            if codebook is not None and book_file is not None:
                created_file = not book_file.exists()
                if created_file:
                    write_text_atomically(book_file, codebook.text)
                if activate is not None:
                    assert report.codebook_file is not None, "book_file was made from it"
                    old_config = set_project_codebook(project.config_path, report.codebook_file)
    except BaseException:
        if old_config is not None:
            replace_text(project.config_path, old_config)
        if created_file and book_file is not None:
            Path(book_file).unlink(missing_ok=True)
        raise
    if activate is not None:
        import tomllib

        project.config = tomllib.loads(project.config_path.read_text(encoding="utf-8"))
        project.reload_codebook()
    return created, travel


def _store_source(conn, source, version_id: int | None, rebuild=None) -> list[dict]:
    """Store a new transcript; return the coding rows to insert into it."""
    from qualcode.store.transcripts import (
        insert_transcript,
        load_transcript,
        segment_ids,
    )

    if source.status == "new":
        transcript = source.transcript or rebuild(source)
        insert_transcript(conn, transcript)
    else:  # same text already stored: its own segments hold the new codings
        transcript = load_transcript(conn, source.transcript_id)
    ids = segment_ids(conn, transcript.id)
    return [_values(planned, transcript, ids, version_id) for planned in source.codings]


def _values(planned: PlannedCoding, transcript: Transcript, ids: dict[int, int], version_id) -> dict:
    segment = segment_for_span(transcript.segments, planned.start, planned.end)
    if segment is None:
        raise InteropError(f"transcript '{transcript.id}' has no segments to hold a coding")
    values = {
        "transcript_id": transcript.id, "segment_id": ids[segment.ordinal], "coder": planned.coder,
        "code_id": planned.code_id, "start_offset": planned.start, "end_offset": planned.end,
        "origin": planned.origin, "confidence": planned.confidence, "memo": planned.memo,
        "codebook_version_id": version_id,
    }
    created, updated = parse_stamp(planned.created_at), parse_stamp(planned.updated_at)
    if created is not None:
        values["created_at"] = created
        values["updated_at"] = updated or created
    return values


def parse_stamp(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
