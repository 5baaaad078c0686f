"""Reconciling two coders into a consensus coder, one decision at a time.

The unit is the respondent turn and the code: a *disagreement* is a (turn, code) one
coder applied and the other did not (:func:`list_disagreements`); an *agreement* is a
(turn, code) both applied. The consensus coder (``into``) gets:

- every agreement automatically (:func:`copy_agreements`): the union of both coders'
  spans of the code in the turn, merged, origin ``consensus``;
- for each disagreement, the decision taken (:func:`apply_decision`): ``a`` or ``b``
  copies that coder's version (which may be "not applied"), ``both`` the union of the
  two versions, ``neither`` applies nothing.

Each decision is one transaction and one group in the event log (action
``reconcile``, coder ``into``): a decision record (an event with no coding, whose payload
names the unit, the code, the two coders and the decision) and one event per consensus
coding written. Decided units are read back from those records, so a reconciliation
can stop at any point and resume later without asking again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.agreement.disagreements import Disagreement, find_disagreements
from qualcode.agreement.project import (
    agreement_codes,
    check_coders,
    double_coded_transcripts,
)
from qualcode.agreement.units import iter_coded, load_material, unit_matrices
from qualcode.codebook.versions import ensure_snapshot
from qualcode.coding.actions import ActionBuilder
from qualcode.coding.blind import guard
from qualcode.coding.coders import check_coder_name
from qualcode.coding.session import CodingSession
from qualcode.errors import AgreementError
from qualcode.store import events as event_store
from qualcode.store.access import create_coder, lock_coder
from qualcode.store.codings import append_event, overlapping
from qualcode.store.transcripts import segment_ids

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project

ACTION = "reconcile"
ORIGIN = "consensus"
DECISIONS = ("a", "b", "both", "neither")
PRESENCE_DECISIONS = ("keep", "drop")
"""A disagreement is one coder applying a code the other did not: the only real choice
is to keep the code (the applying coder's version) or drop it. ``keep``/``drop`` are
recorded as ``a``/``b``/``neither``, so old and new decisions read back alike."""


def as_decision(disagreement: Disagreement, choice: str, coders: Sequence[str]) -> str:
    """``keep``/``drop`` (or a stored ``a``/``b``/``both``/``neither``) as a stored decision."""
    if choice == "drop":
        return "neither"
    if choice == "keep":
        return "a" if disagreement.applied_by == coders[0] else "b"
    if choice in DECISIONS:
        return choice
    raise AgreementError(f"a decision is keep or drop; received '{choice[:40]}'")


@dataclass(frozen=True)
class CopyResult:
    """What :func:`copy_agreements` wrote."""

    agreed_units: int
    codings_written: int
    group_id: int | None
    coder_created: bool = False  # reconcile creates the consensus coder on first use


@dataclass(frozen=True)
class DecisionResult:
    """What :func:`apply_decision` recorded and wrote."""

    decision: str  # as stored: a, b, both or neither
    kept: tuple[str, ...]  # the coders whose version was kept
    codings_written: int
    group_id: int | None
    coder_created: bool

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "kept": list(self.kept), "codings_written": self.codings_written,
                "group_id": self.group_id, "coder_created": self.coder_created}


def _check_into(into: str, coders: tuple[str, str]) -> str:
    name = (into or "").strip()
    if not name:
        raise AgreementError("name the consensus coder (--into NAME)")
    if name in coders:
        raise AgreementError(f"the consensus coder must not be one of the coders being reconciled; received '{name}'")
    return name


def decided_units(conn: Connection, into: str, coders: Sequence[str]) -> dict[tuple[str, int, str], str]:
    """(transcript, turn ordinal, code) -> decision, for the decisions in effect."""
    decided = {}
    for payload in event_store.record_payloads(conn, into, ACTION):
        if payload and sorted(payload.get("coders", [])) == sorted(coders):
            decided[(payload["transcript_id"], payload["segment"], payload["code_id"])] = payload["decision"]
    return decided


def list_disagreements(
    project: Project, coders: Sequence[str], into: str | None = None, *, sample: str | None = None,
    code: str | None = None, pending_only: bool = True,
) -> list[Disagreement]:
    """The turn-level disagreements, without those already decided into ``into``."""
    pair = check_coders(coders)
    rows = find_disagreements(project, pair, sample=sample, code=code, unit="segment")
    if into is None or not pending_only:
        return rows
    with project.read() as conn:
        decided = decided_units(conn, _check_into(into, pair), pair)
    return [row for row in rows if (row.transcript, row.segment, row.code) not in decided]


def agreed_units(project: Project, coders: Sequence[str], *, sample: str | None = None,
                 code: str | None = None) -> list[tuple[str, int, str]]:
    """Every (transcript, turn, code) both coders applied."""
    pair = check_coders(coders)
    guard(project, coders=pair, what="reconciliation")
    ids = double_coded_transcripts(project, pair, sample)
    agreed: list[tuple[str, int, str]] = []
    with project.read() as conn:  # a chunk of transcripts at a time
        material = load_material(conn, pair, ids)
        columns = agreement_codes(project.codebook, material, prefix=code)
        for _, coded in iter_coded(conn, material):
            matrices = unit_matrices(coded, columns, "segment")
            agreed += [(coded.transcripts[int(matrices.units.transcript[u])].id, int(matrices.units.ordinal[u]),
                        columns[int(c)]) for u, c in zip(*(matrices.a & matrices.b).nonzero(), strict=True)]
    return agreed


def copy_agreements(
    project: Project, coders: Sequence[str], into: str, *, sample: str | None = None, code: str | None = None
) -> CopyResult:
    """Copy every (turn, code) both coders applied to ``into``: one transaction, one event group."""
    pair = check_coders(coders)
    into = _check_into(into, pair)
    agreed = agreed_units(project, pair, sample=sample, code=code)
    with project.write() as conn:
        writer = _ConsensusWriter(project, conn, into)
        for transcript, ordinal, code_id in agreed:
            writer.copy(transcript, ordinal, code_id, pair)
    return CopyResult(len(agreed), writer.written, writer.result.group_id, writer.created)


def apply_decision(
    project: Project, disagreement: Disagreement, decision: str, *, into: str, coders: Sequence[str],
    reason: str = "",
) -> DecisionResult:
    """Record one decision and write the consensus codings it implies (one transaction).

    Parameters
    ----------
    decision : {"keep", "drop", "a", "b", "both", "neither"}
        ``keep``/``drop``: apply the code as the applying coder did / not at all;
        ``a``/``b``: coder A's / B's version of the turn for this code; ``both``: the
        union of the two; ``neither``: the code is not applied.
    reason : why (recorded with the decision; shown by ``qualcode log``).

    Raises
    ------
    AgreementError
        An unknown decision, or a unit already decided into ``into``.
    """
    pair = check_coders(coders)
    into = _check_into(into, pair)
    decision = as_decision(disagreement, decision, pair)
    with project.write() as conn:
        writer = _ConsensusWriter(project, conn, into)  # locks the consensus coder first
        sources = decide_in(conn, writer, disagreement, decision, pair, reason)
    return DecisionResult(decision, tuple(sources), writer.written, writer.result.group_id, writer.created)


def decide_in(conn: Connection, writer: _ConsensusWriter, disagreement: Disagreement, decision: str,
              pair: tuple[str, str], reason: str = "") -> tuple[str, ...]:
    """Record one stored decision (a/b/both/neither) in this transaction; return the coders kept."""
    key = (disagreement.transcript, disagreement.segment, disagreement.code)
    if key in decided_units(conn, writer.into, pair):
        raise AgreementError(f"'{key[0]}' turn {key[1]}, code {key[2]} is already decided into {writer.into}")
    sources = {"a": pair[:1], "b": pair[1:], "both": pair, "neither": ()}[decision]
    payload = {"id": None, "decision": decision, "coders": list(pair), "kept": list(sources),
               "transcript_id": key[0], "segment": key[1], "segment_id": writer.segment_id(key[0], key[1]),
               "code_id": key[2], "start_offset": disagreement.start, "end_offset": disagreement.end,
               "reason": reason[:1000]}
    group = append_event(conn, coder=writer.into, action=ACTION, transcript_id=key[0], coding_id=None,
                         before=None, after=payload, **({"group_id": writer.result.group_id}
                                                        if writer.result.group_id else {}))
    writer.result.group_id = writer.result.group_id or group
    writer.copy(key[0], key[1], key[2], sources)
    return sources


class _ConsensusWriter:
    """Copies coders' codings of a code in a turn into the consensus coder, merging overlaps."""

    def __init__(self, project: Project, conn: Connection, into: str) -> None:
        self.conn, self.into = conn, into
        # Reconcile is how a consensus coder comes to be: created here (its name
        # checked like 'coders add'), then locked like any coder (team mode).
        self.created = False
        if not lock_coder(conn, into):
            self.created = create_coder(conn, check_coder_name(into))
        self.session = CodingSession(project, into)
        self.result = ActionBuilder(ACTION)
        self.version = ensure_snapshot(conn, project.codebook)
        self._written: set[int] = set()
        self._segments: dict[str, dict[int, int]] = {}

    def segment_id(self, transcript: str, ordinal: int) -> int:
        if transcript not in self._segments:
            self._segments[transcript] = segment_ids(self.conn, transcript)
        return self._segments[transcript][ordinal]

    def copy(self, transcript: str, ordinal: int, code: str, coders: Sequence[str]) -> None:
        segment = self.segment_id(transcript, ordinal)
        for coder in coders:
            for row in overlapping(self.conn, segment, coder, code, 0, 2**31 - 1):
                values = {key: row[key] for key in ("transcript_id", "segment_id", "code_id", "start_offset",
                                                    "end_offset")}
                # The session's merge rule (overlapping same-code spans become one), in this transaction.
                self.session.apply_in(self.conn, self.result, {
                    **values, "coder": self.into, "origin": ORIGIN, "confidence": None, "memo": row["memo"],
                    "codebook_version_id": self.version})
        self._written = {row.id for row in self.result.added} - {row.id for row in self.result.removed}

    @property
    def written(self) -> int:
        """Consensus codings created or extended."""
        return len(self._written)


@dataclass(frozen=True)
class ReconcileStatus:
    """How far a reconciliation is: disagreements in all, decided, pending."""

    disagreements: int
    decided: int
    pending: int

    def to_dict(self) -> dict[str, int]:
        return {"disagreements": self.disagreements, "decided": self.decided, "pending": self.pending}


def reconcile_status(
    project: Project, coders: Sequence[str], into: str, *, sample: str | None = None
) -> ReconcileStatus:
    """Counts for a progress line: disagreements in all, decided, pending."""
    pair = check_coders(coders)
    every = list_disagreements(project, pair, into, sample=sample, pending_only=False)
    with project.read() as conn:
        decided = decided_units(conn, _check_into(into, pair), pair)
    done = sum((row.transcript, row.segment, row.code) in decided for row in every)
    return ReconcileStatus(disagreements=len(every), decided=done, pending=len(every) - done)
