"""Every unit where two coders differ on a code, with its text, for the reconciliation meeting.

A disagreement is a (unit, code) where exactly one of the two coders applied the code
(segment or sentence units, as in :mod:`qualcode.agreement.units`). They come from the
same boolean matrices as the agreement statistics (``A != B``), so the list and the
"only A" / "only B" counts always match.

Writers: :func:`write_disagreements` makes a Word document (compact: one table per
transcript, each unit's text once with the disputed codes under it and an empty
"Decision" column for the meeting; :mod:`qualcode.agreement.disagreements_docx`), an
XLSX or a CSV file (one row per disagreement, the shape ``reconcile --decisions`` reads).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.agreement.disagreements_docx import write_disagreements_docx
from qualcode.agreement.project import (
    agreement_codes,
    applicability,
    check_coders,
    double_coded_transcripts,
)
from qualcode.agreement.units import Coded, iter_coded, load_material, unit_matrices
from qualcode.coding.blind import guard
from qualcode.errors import AgreementError, ExportError
from qualcode.privacy import private_file

if TYPE_CHECKING:
    from qualcode.project import Project

WRITERS = ("docx", "xlsx", "csv")
COLUMNS = ("transcript", "role", "segment", "start", "end", "code", "code_name", "applied_by", "not_applied_by",
           "coded_text", "unit_text")


@dataclass(frozen=True)
class Disagreement:
    """One unit and code on which the coders differ."""

    transcript: str
    role: str
    segment: int
    start: int
    end: int
    code: str
    code_name: str
    applied_by: str
    not_applied_by: str
    coded_text: str  # what the applying coder coded inside the unit ("" if the whole unit)
    unit_text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def find_disagreements(
    project: Project,
    coders: Sequence[str],
    *,
    sample: str | None = None,
    code: str | None = None,
    unit: str = "segment",
    transcripts: Sequence[str] | None = None,
) -> list[Disagreement]:
    """Each (unit, code) that one coder applied and the other did not, in reading order.

    ``code`` restricts to a code and its descendants; ``unit`` is ``segment`` or
    ``sentence`` (a character-level list would be one row per character run).
    """
    if unit not in ("segment", "sentence"):
        raise AgreementError(f"disagreements are listed per segment or sentence; received '{unit}'")
    pair = check_coders(coders)

    guard(project, coders=pair, transcripts=transcripts, what="the disagreements")
    ids = list(transcripts) if transcripts is not None else double_coded_transcripts(project, pair, sample)
    found: list[Disagreement] = []
    with project.read() as conn:  # a chunk of transcripts at a time: only the rows found are kept
        material = load_material(conn, pair, ids)
        columns = agreement_codes(project.codebook, material, prefix=code)
        for _, coded in iter_coded(conn, material):
            found += _disagreements(project, coded, columns, unit)
    return found


def _disagreements(project, coded: Coded, columns: tuple[str, ...], unit: str) -> list[Disagreement]:
    matrices = unit_matrices(coded, columns, unit)
    allowed = applicability(project.codebook, coded, columns)[matrices.units.transcript]
    unit_index, column = np.nonzero((matrices.a != matrices.b) & allowed)
    spans = _spans_by_key(coded)
    return [_disagreement(project, coded, matrices, spans, int(u), columns[int(c)], bool(matrices.a[u, c]))
            for u, c in zip(unit_index, column, strict=True)]


def _spans_by_key(coded: Coded) -> dict[tuple, list[tuple[int, int]]]:
    spans: dict[tuple, list[tuple[int, int]]] = {}
    for coder, side in zip(coded.coders, coded.codings, strict=True):
        for t, ordinal, start, end, code in zip(side.transcript.tolist(), side.ordinal.tolist(), side.start.tolist(),
                                                side.end.tolist(), side.code.tolist(), strict=True):
            spans.setdefault((coder, t, ordinal, str(code)), []).append((start, end))
    return spans


def _disagreement(project, coded: Coded, matrices, spans, u: int, code: str, by_a: bool) -> Disagreement:
    units = matrices.units
    t, ordinal, start, end = (int(x[u]) for x in (units.transcript, units.ordinal, units.start, units.end))
    transcript = coded.transcripts[t]
    applier, other = coded.coders if by_a else coded.coders[::-1]
    pieces = [transcript.text[max(s, start):min(e, end)]
              for s, e in sorted(spans.get((applier, t, ordinal, code), [])) if s < end and e > start]
    whole = len(pieces) == 1 and pieces[0] == transcript.text[start:end]
    name = project.codebook.codes[code].name if code in project.codebook else code
    return Disagreement(transcript.id, transcript.role, ordinal, start, end, code, name, applier, other,
                        "" if whole else " [...] ".join(pieces), transcript.text[start:end])


def write_disagreements(
    rows: list[Disagreement], path: Path, fmt: str | None = None, *, coders: Sequence[str] = ("A", "B"),
    unit: str = "segment",
) -> Path:
    """Write the disagreements as ``docx``, ``xlsx`` or ``csv`` (default from the suffix);
    ``unit`` (segment or sentence, as they were found) names the units in the Word file."""
    path = Path(path)
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen not in WRITERS:
        raise ExportError(f"disagreements are written as {', '.join(WRITERS)}; received '{chosen}'", file=str(path))
    writer = {"docx": write_disagreements_docx, "xlsx": _write_xlsx, "csv": _write_csv}[chosen]

    try:
        private_file(path)  # disagreements quote transcript text: 0600 before writing
        writer(rows, path, tuple(coders), unit)
    except OSError as error:
        raise ExportError(f"cannot write {path}: {error.strerror}", file=str(path)) from None
    return path


def _write_csv(rows: list[Disagreement], path: Path, coders: tuple[str, ...], unit: str) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*COLUMNS, "decision"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row.to_dict(), "decision": ""} for row in rows)


def _write_xlsx(rows: list[Disagreement], path: Path, coders: tuple[str, ...], unit: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "disagreements"
    sheet.append([*COLUMNS, "decision"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([*(getattr(row, column) for column in COLUMNS), ""])
    for letter, width in (("J", 50), ("K", 80)):
        sheet.column_dimensions[letter].width = width
        for cell in sheet[letter][1:]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.save(path)
