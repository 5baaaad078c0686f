"""Reconciliation without prompts: a decisions file the lead fills in (CSV or XLSX).

``write_template`` lists the pending disagreements, one row each, with empty
``decision`` and ``reason`` columns; ``apply_decisions`` reads the filled file back
and records every decided row in ONE transaction, after checking all of them: a row
whose (transcript, turn, code) is not a pending disagreement, or whose decision is
not ``keep``/``drop``, refuses the whole file with its row number and the store is
left unchanged. Rows left blank are skipped (decide them later). Agreed units are
copied to the consensus coder in the same transaction, so nothing is written
unless at least one decision is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.agreement.project import check_coders
from qualcode.agreement.reconcile import (
    PRESENCE_DECISIONS,
    _ConsensusWriter,
    agreed_units,
    as_decision,
    decide_in,
    list_disagreements,
)
from qualcode.errors import AgreementError
from qualcode.sheets import format_of, read_rows, write_table

if TYPE_CHECKING:
    from qualcode.project import Project

COLUMNS = ["transcript", "turn", "code", "applied_by", "not_applied_by", "decision", "reason", "text"]
TEXT_LIMIT = 300


@dataclass(frozen=True)
class DecisionsApplied:
    """What ``reconcile --decisions FILE`` did."""

    decided: int
    skipped: int
    agreed_units: int
    codings_written: int
    pending: int

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def write_template(project: Project, coders: Sequence[str], path: Path, *, into: str = "consensus",
                   sample: str | None = None, code: str | None = None) -> int:
    """Write the pending disagreements as a decisions file; return how many rows."""
    pair = check_coders(coders)
    rows = list_disagreements(project, pair, into, sample=sample, code=code)
    records = [{"transcript": r.transcript, "turn": r.segment, "code": r.code, "applied_by": r.applied_by,
                "not_applied_by": r.not_applied_by, "decision": "", "reason": "",
                "text": (r.coded_text or r.unit_text)[:TEXT_LIMIT]} for r in rows]
    write_table(COLUMNS, records, Path(path), format_of(Path(path)))
    return len(records)


def apply_decisions(project: Project, coders: Sequence[str], path: Path, *, into: str = "consensus",
                    sample: str | None = None, code: str | None = None) -> DecisionsApplied:
    """Apply a filled decisions file (see the module docstring); one transaction."""
    pair = check_coders(coders)
    header, rows = read_rows(Path(path))
    missing = [c for c in ("transcript", "turn", "code", "decision") if c not in header]
    if missing:
        raise AgreementError(f"the decisions file has no column {', '.join(missing)}; columns: {', '.join(COLUMNS)}",
                             file=Path(path).name)
    pending = {(r.transcript, r.segment, r.code): r for r in list_disagreements(project, pair, into, sample=sample,
                                                                                 code=code)}
    chosen = [_check_row(number, values, pending, Path(path).name) for number, values in rows]
    decided = [c for c in chosen if c is not None]
    agreed = agreed_units(project, pair, sample=sample, code=code) if decided else []
    written = 0
    if decided:
        with project.write() as conn:
            writer = _ConsensusWriter(project, conn, into)
            for transcript, ordinal, code_id in agreed:
                writer.copy(transcript, ordinal, code_id, pair)
            for row, choice, reason in decided:
                decide_in(conn, writer, row, as_decision(row, choice, pair), pair, reason)
            written = writer.written
    return DecisionsApplied(len(decided), len(chosen) - len(decided), len(agreed), written,
                            len(pending) - len(decided))


def _check_row(number: int, values: dict[str, str], pending: dict, file: str):
    """(disagreement, keep|drop, reason) for a decided row; None for a blank decision."""
    choice = values.get("decision", "").strip().lower()
    if not choice:
        return None
    if choice not in PRESENCE_DECISIONS:
        raise AgreementError(f"row {number}: decision must be keep or drop (or blank to skip); "
                             f"received '{choice[:20]}'", file=file)
    try:
        key = (values.get("transcript", "").strip(), int(values.get("turn", "").strip()), values.get("code", "").strip())
    except ValueError:
        raise AgreementError(f"row {number}: turn must be a whole number", file=file) from None
    if key not in pending:
        raise AgreementError(f"row {number}: transcript '{key[0][:60]}' turn {key[1]} code '{key[2][:60]}' is not a "
                             "pending disagreement (already decided, or not in this sample)", file=file)
    return pending[key], choice, values.get("reason", "").strip()
