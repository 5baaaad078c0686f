"""The review queue: open suggestions for the turns a coder has not coded, in review order.

Ordered most-uncertain first by default (the model's calls nearest their code's
threshold), so that coding those teaches the next model the most; or most confident
first. Rule suggestions carry no probability and come after model ones in uncertain order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.coding.autocode.stored import (
    blind_model_filter,
    evidence_text,
    open_suggestions,
)
from qualcode.coding.learn import DECISION_P, MODEL_NAME
from qualcode.errors import QualcodeError
from qualcode.store import codings as coding_store
from qualcode.store import models as model_store

if TYPE_CHECKING:
    from qualcode.project import Project


@dataclass(frozen=True)
class QueuedSuggestion:
    """An open suggestion in the review queue (``to_dict()``: a row of ``suggest list --json``)."""

    id: int
    transcript: str
    segment: int  # the turn's ordinal
    code: str
    source: str  # rules or model
    score: float | None
    evidence: str  # for the coder to read
    uncertainty: float | None  # model suggestions only: closeness of p to the code's threshold

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "transcript": self.transcript, "segment": self.segment, "code": self.code,
                "source": self.source, "score": self.score, "evidence": self.evidence,
                "uncertainty": self.uncertainty}


def uncertainty(p: float, threshold: float = DECISION_P) -> float:
    """How close p is to the code's decision threshold: 0.5 - |p - threshold| (0.5 = on it)."""
    return 0.5 - abs(p - threshold)


def list_suggestions(
    project: Project,
    transcript: str | None = None,
    *,
    order: str = "uncertain",
    coder: str | None = None,
    source: str | None = None,
) -> list[QueuedSuggestion]:
    """Open suggestions for turns the coder has not coded, ordered for review.

    ``order``: ``uncertain`` (model probability nearest 0.5 first, so coding those
    teaches the model most) or ``confident`` (highest score first). ``coder``
    defaults to the coder the latest model was trained from.
    """
    if order not in ("uncertain", "confident"):
        raise QualcodeError(f"Unknown order '{order}'; orders: uncertain, confident")
    if coder is None:
        coder = _latest_model_coder(project)
    with project.read() as conn:
        rows = open_suggestions(conn, transcript=transcript, source=source)
        # The acting person (QUALCODE_CODER) sees no model suggestion learned from a
        # transcript they code blind (qualcode.coding.blind).
        by_transcript: dict[str, list[dict]] = {}
        for row in rows:
            by_transcript.setdefault(row["transcript_id"], []).append(row)
        rows = [r for tid, group in by_transcript.items() for r in blind_model_filter(conn, project, None, tid, group)]
        coded = coding_store.coded_segment_ids(conn, coder) if coder else set()
    result = [
        QueuedSuggestion(
            r["id"], r["transcript_id"], r["ordinal"], r["code_id"], r["source"], r["score"], evidence_text(r),
            uncertainty(r["score"], (r["evidence"] or {}).get("threshold", DECISION_P))
            if r["source"] == "model"
            else None,
        )
        for r in rows
        if r["segment_id"] not in coded
    ]
    if order == "uncertain":
        result.sort(key=lambda r: (r.uncertainty is None, -(r.uncertainty or 0), r.transcript, r.segment))
    else:
        result.sort(key=lambda r: (-(r.score or 0), r.transcript, r.segment))
    return result


def _latest_model_coder(project: Project) -> str | None:
    with project.read() as conn:
        return model_store.latest_trained_from(conn, MODEL_NAME)
