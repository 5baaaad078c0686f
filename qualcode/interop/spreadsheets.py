"""Codings in and out as spreadsheets (CSV or XLSX), for coders who work in Excel.

Import: one coding per row, columns ``transcript``, ``coder``, ``code`` and either
``segment`` (the turn's ordinal, the whole turn is coded) or ``start`` and ``end``
(transcript offsets, half-open, inside one turn); ``memo`` and ``confidence`` are
optional, other columns (``text``, ``role``, ... as written by the export) are ignored,
so an export can be edited and imported again. Every row is checked before anything is
written, all problems are reported as ``file: row N: message`` (row 1 is the header, as
in a spreadsheet), and the import is one transaction: all rows or none. The codings
get origin ``import``; a coding that overlaps the same coder's coding of the same code
in the same turn merges with it (the rule of :mod:`qualcode.coding.session`), and
each coder's part of the import is one group in the event log, so
``qualcode undo --coder NAME`` takes it back.

Export: one row per coding (``EXPORT_COLUMNS``), or with ``matrix=True`` one row per
coder and respondent turn with a 0/1 column per code, for R or SPSS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import (
    CodingError,
    ExportError,
    NotFoundError,
    Problem,
    UnknownRoleError,
    ValidationFailed,
)
from qualcode.sheets import FORMATS, format_of, read_rows, write_table

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.coding.bulk import Plan
    from qualcode.project import Project
    from qualcode.transcripts.model import Transcript

REQUIRED_COLUMNS = ("transcript", "coder", "code")
OPTIONAL_COLUMNS = ("segment", "start", "end", "memo", "confidence")
EXPORT_COLUMNS = (
    "transcript", "role", "site", "segment", "start", "end", "coder", "code", "origin", "confidence", "memo", "text",
)
MATRIX_KEYS = ("transcript", "role", "site", "segment", "coder")
IMPORT_ORIGIN = "import"


@dataclass(frozen=True)
class ImportSummary:
    """What an import wrote."""

    file: str
    rows: int = 0
    added: int = 0
    merged: int = 0
    unchanged: int = 0
    by_coder: dict[str, int] = field(default_factory=dict)
    transcripts: list[str] = field(default_factory=list)
    groups: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "rows": self.rows, "added": self.added, "merged": self.merged,
                "unchanged": self.unchanged, "by_coder": dict(self.by_coder),
                "transcripts": list(self.transcripts), "groups": dict(self.groups)}


# -- validating -------------------------------------------------------------------------


class _RowChecker:
    """Checks rows against the store and codebook, caching transcripts."""

    def __init__(self, project: Project, conn: Connection, file: str) -> None:
        self.project, self.conn, self.file = project, conn, file
        self.problems: list[Problem] = []
        self._transcripts: dict[str, tuple[Transcript, dict[int, int]] | None] = {}
        self._coders: list[str] | None = None
        self._unknown: set[str] = set()

    def problem(self, number: int, message: str) -> None:
        self.problems.append(Problem(f"row {number}: {message}", file=self.file))

    def transcript(self, transcript_id: str) -> tuple[Transcript, dict[int, int]] | None:
        from qualcode.store.transcripts import load_transcript, segment_ids

        if transcript_id not in self._transcripts:
            try:
                found = load_transcript(self.conn, transcript_id)
                self._transcripts[transcript_id] = (found, segment_ids(self.conn, transcript_id))
            except NotFoundError:
                self._transcripts[transcript_id] = None
        return self._transcripts[transcript_id]

    def check(self, number: int, row: dict[str, str]) -> dict[str, Any] | None:
        """The coding values of one row, or None after recording its problems."""
        before = len(self.problems)
        transcript_id, coder, code = (row.get(name, "").strip() for name in REQUIRED_COLUMNS)
        for name, value in zip(REQUIRED_COLUMNS, (transcript_id, coder, code), strict=True):
            if not value:
                self.problem(number, f"'{name}' is empty")
        found = self.transcript(transcript_id) if transcript_id else None
        if transcript_id and found is None:
            self.problem(number, f"no transcript '{transcript_id}' in the project")
        if found is not None and code:
            self._check_code(number, code, found[0].role)
        if coder:
            self._check_coder(number, coder)
        span = self._span(number, row, found[0]) if found is not None else None
        confidence = self._confidence(number, row.get("confidence", ""))
        if len(self.problems) > before or span is None:
            return None
        assert found is not None, "a span is found only in a transcript"
        ordinal, start, end = span
        if found[0].segment(ordinal).is_interviewer and not self.project.code_interviewer_turns:
            self.problem(number, f"segment {ordinal} of '{transcript_id}' is an interviewer turn, which is not coded "
                                 "([coding] code_interviewer_turns = true in qualcode.toml allows it)")
            return None
        return {"transcript_id": transcript_id, "segment_id": found[1][ordinal], "coder": coder, "code_id": code,
                "start_offset": start, "end_offset": end, "origin": IMPORT_ORIGIN,
                "confidence": confidence, "memo": row.get("memo", "").strip() or None}

    def _check_coder(self, number: int, coder: str) -> None:
        """A file's coders must already be in the project: a typo never starts a new coder."""
        from qualcode.coding.coders import unknown_coder_message
        from qualcode.store.codings import coder_names

        if self._coders is None:
            self._coders = coder_names(self.conn)
        if coder not in self._coders and coder not in self._unknown:
            self._unknown.add(coder)  # reported at its first row only; the import is refused anyway
            self.problem(number, unknown_coder_message(coder, self._coders))

    def _check_code(self, number: int, code: str, role: str) -> None:
        try:
            self.project.codebook.check_applicable(code, role)
        except (CodingError, NotFoundError, UnknownRoleError) as error:
            self.problem(number, error.message)

    def _span(self, number: int, row: dict[str, str], transcript: Transcript) -> tuple[int, int, int] | None:
        """(segment ordinal, start, end) from the segment column or the start/end columns."""
        segment_text, start_text, end_text = (row.get(k, "").strip() for k in ("segment", "start", "end"))
        ordinal = self._integer(number, "segment", segment_text) if segment_text else None
        if bool(start_text) != bool(end_text):
            self.problem(number, "give both 'start' and 'end', or neither (then 'segment' codes the whole turn)")
            return None
        if not start_text:
            if ordinal is None:
                if not segment_text:
                    self.problem(number, "give 'segment' (the turn's number) or 'start' and 'end' (offsets)")
                return None
            return self._whole_segment(number, ordinal, transcript)
        start, end = self._integer(number, "start", start_text), self._integer(number, "end", end_text)
        if start is None or end is None or (segment_text and ordinal is None):
            return None
        return self._offsets(number, transcript, ordinal, start, end)

    def _whole_segment(self, number: int, ordinal: int, transcript: Transcript) -> tuple[int, int, int] | None:
        if not 1 <= ordinal <= len(transcript.segments):
            self.problem(number, f"transcript '{transcript.id}' has no segment {ordinal}; "
                                 f"segments are 1..{len(transcript.segments)}")
            return None
        segment = transcript.segments[ordinal - 1]
        return ordinal, segment.start, segment.end

    def _offsets(self, number: int, transcript: Transcript, ordinal: int | None, start: int, end: int):
        if not 0 <= start < end <= len(transcript.text):
            self.problem(number, f"span {start}:{end} is not a span of '{transcript.id}' "
                                 f"(0 <= start < end <= {len(transcript.text)})")
            return None
        inside = [s for s in transcript.segments if s.start <= start and end <= s.end]
        if not inside:
            self.problem(number, f"span {start}:{end} of '{transcript.id}' does not lie inside one segment")
            return None
        if ordinal is not None and inside[0].ordinal != ordinal:
            self.problem(number, f"span {start}:{end} is in segment {inside[0].ordinal}, not segment {ordinal}")
            return None
        return inside[0].ordinal, start, end

    def _integer(self, number: int, name: str, text: str) -> int | None:
        try:
            return int(text)
        except ValueError:
            self.problem(number, f"'{name}' must be a whole number; received '{text}'")
            return None

    def _confidence(self, number: int, text: str) -> float | None:
        if not text.strip():
            return None
        try:
            value = float(text)
        except ValueError:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            self.problem(number, f"'confidence' must be a number between 0 and 1; received '{text}'")
            return None
        return value


def _check_header(header: list[str], file: str) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if "segment" not in header and not {"start", "end"} <= set(header):
        missing.append("segment (or start and end)")
    if missing:
        columns = ", ".join(name for name in header if name) or "none"
        raise ValidationFailed(problems=[Problem(
            f"row 1: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; found: {columns}; "
            f"required: {', '.join(REQUIRED_COLUMNS)} and segment or start, end", file=file)])


# -- importing --------------------------------------------------------------------------


def import_codings(project: Project, path: Path | str) -> ImportSummary:
    """Import codings from a CSV or XLSX file, all rows or none.

    Raises
    ------
    ValidationFailed
        With every problem found (``problems``), each ``file: row N: message``.
    """
    from qualcode.codebook.versions import ensure_snapshot
    from qualcode.store.access import lock_coder

    path = Path(path)
    header, rows = read_rows(path)
    _check_header(header, path.name)
    applied: dict[str, tuple[int, Plan]] = {}  # coder -> (its rows, what they changed)
    with project.write() as conn:
        checker = _RowChecker(project, conn, path.name)
        checked = [checker.check(number, row) for number, row in rows]
        if checker.problems:
            raise ValidationFailed(problems=checker.problems, file_name=path.name)
        values = [v for v in checked if v is not None]
        assert len(values) == len(checked), "a row without problems is checked"
        version = ensure_snapshot(conn, project.codebook)
        for coder in dict.fromkeys(v["coder"] for v in values):
            lock_coder(conn, coder)  # checked known above; one writer per coder at a time (team mode)
            own = [{**v, "codebook_version_id": version} for v in values if v["coder"] == coder]
            applied[coder] = (len(own), _apply_for_coder(conn, coder, own))
    changes = [change for _, change in applied.values()]
    return ImportSummary(
        file=str(path), rows=len(rows), added=sum(c.added for c in changes), merged=sum(c.merged for c in changes),
        unchanged=sum(c.unchanged for c in changes), by_coder={coder: n for coder, (n, _) in applied.items()},
        transcripts=sorted({v["transcript_id"] for v in values}),
        groups={coder: c.group_id for coder, (_, c) in applied.items() if c.group_id is not None},
    )


def _apply_for_coder(conn: Connection, coder: str, values: list[dict]) -> Plan:
    """Apply one coder's rows as one event group, merging overlaps like a tag does."""
    from qualcode.coding.bulk import apply_many

    # The session's merge rule replayed in memory and written in batches (coding.bulk).
    return apply_many(conn, coder, IMPORT_ORIGIN, values)


# -- exporting --------------------------------------------------------------------------


def coding_records(project: Project, *, coder: str | None = None) -> list[dict[str, Any]]:
    """One dict per coding (``EXPORT_COLUMNS``), in reading order."""
    from qualcode.store.coded_text import coding_listing

    with project.read() as conn:
        rows = coding_listing(conn, coder=coder)
    return [
        {"transcript": r.transcript_id, "role": r.role, "site": r.site, "segment": r.ordinal,
         "start": r.start_offset, "end": r.end_offset, "coder": r.coder, "code": r.code_id,
         "origin": r.origin, "confidence": r.confidence, "memo": r.memo or "",
         "text": r.coded_text}
        for r in rows
    ]


def matrix_records(project: Project, *, coder: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per coder and respondent turn of the transcripts the coder coded, 0/1 per code.

    The code columns are the codebook's codable codes in file order, then any code that
    was applied but is not in the codebook (sorted).
    """
    from qualcode.store.transcripts import load_segments, transcript_row

    codings = coding_records(project, coder=coder)
    coded = {(c["coder"], c["transcript"], c["segment"], c["code"]) for c in codings}
    listed = [code.id for code in project.codebook.codes.values() if code.codable]
    extra = sorted({c["code"] for c in codings} - set(listed))
    columns = [*MATRIX_KEYS, *listed, *extra]
    pairs = sorted({(c["coder"], c["transcript"]) for c in codings}, key=lambda p: (p[1], p[0]))
    records = []
    with project.read() as conn:
        for name, transcript in pairs:
            meta = transcript_row(conn, transcript)
            assert meta is not None, "the pairs name stored transcripts"
            for segment in load_segments(conn, transcript):
                if segment.is_interviewer:
                    continue
                row = {"transcript": transcript, "role": meta.role, "site": meta.site,
                       "segment": segment.ordinal, "coder": name}
                row.update({code: int((name, transcript, segment.ordinal, code) in coded) for code in columns[5:]})
                records.append(row)
    return columns, records


def export_codings(
    project: Project, *, path: Path | None = None, fmt: str | None = None,
    coder: str | None = None, matrix: bool = False,
) -> str | None:
    """Export codings (or the segment x code matrix); CSV text when ``path`` is None."""
    chosen = format_of(path, fmt) if path is not None else (fmt or "csv")
    if chosen not in FORMATS:
        raise ExportError(f"unknown spreadsheet format '{chosen}'; formats: {', '.join(FORMATS)}")
    from qualcode.coding.blind import guard

    guard(project, coders=[coder] if coder else None, what="this export")
    if matrix:
        columns, records = matrix_records(project, coder=coder)
    else:
        columns, records = list(EXPORT_COLUMNS), coding_records(project, coder=coder)
    return write_table(columns, records, path, chosen)
