"""Stored suggestions: writing the autocoder's and the model's, serving them to coders.

The ``suggestions`` table holds one row per proposed (segment, code) with its source
(``rules`` or ``model``), score, span, evidence JSON and status (``open``,
``accepted``, ``rejected``; ``decided_by`` names the coder). Re-running a source
replaces its *open* rows for the transcripts and codes it processed. A coder's
accept or reject is a row of its own (status and ``decided_by``), kept as the record
of what that coder said; a suggestion the coder decided is not shown to that coder
again, while other coders — blind double-coders included — still see it.

:class:`StoredSuggester` serves the open rows of a segment to the coding screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from qualcode.coding.blind import is_blind, viewer_of
from qualcode.coding.bulk import apply_parts
from qualcode.coding.coders import AUTOCODER, require_coder
from qualcode.coding.session import CodingSession
from qualcode.coding.suggestion import Suggestion
from qualcode.errors import QualcodeError
from qualcode.store import codings as coding_store
from qualcode.store import suggestions as suggestion_store
from qualcode.store import transcripts as transcript_store
from qualcode.store.blind import model_training_transcripts
from qualcode.store.codings import now

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.coding.autocode.results import Proposal
    from qualcode.project import Project
    from qualcode.transcripts.model import Segment, Transcript

DEFAULT_THRESHOLD = 0.5  # model suggestions stored without their code's threshold


def store_rule_suggestions(
    project: Project,
    transcripts: list[str],
    code_ids: list[str],
    proposals: list[Proposal],
) -> tuple[int, int, int]:
    """Replace the open rule suggestions of these transcripts and codes (one transaction);
    (open rows replaced, rows stored, coders' decision rows kept)."""
    with project.write() as conn:
        return replace_open(conn, "rules", transcripts, code_ids, proposals)


def replace_open(
    conn: Connection,
    source: str,
    transcripts: list[str],
    code_ids: Iterable[str],
    proposals: list[Proposal],
) -> tuple[int, int, int]:
    """Delete open ``source`` rows of the transcripts/codes, insert the proposals.

    Returns (rows deleted, rows inserted, coders' decision rows kept).
    """
    rows = [
        {
            "transcript_id": p.transcript_id,
            "segment_id": p.segment_id,
            "code_id": p.code_id,
            "start_offset": p.start,
            "end_offset": p.end,
            "score": p.score,
            "evidence": p.evidence,
        }
        for p in proposals
    ]
    # Decisions are per-coder rows and stay; the open rows every coder sees are replaced.
    return suggestion_store.replace_open(conn, source, transcripts, code_ids, rows, now())


def apply_as_coder(project: Project, coder: str, proposals: list[Proposal]) -> tuple[int, bool]:
    """Apply proposals as ``coder``'s codings (origin ``rules``); returns (codings added,
    whether the coder was created: only the built-in ``autocoder`` is, any other must exist).

    One transaction for the whole run, through :class:`CodingSession`'s own steps
    (codebook check, codebook snapshot, merge of overlapping same-code spans, event
    log), so the codings behave exactly like a coder's ``tag`` and can be undone. The
    codings are built and written a part at a time (:func:`coding_parts`), so the write
    holds one part's rows, not the run's.
    """
    session = CodingSession(project, coder)
    before = _coding_count(project, coder)
    created = False
    with project.write() as conn:
        if coder == AUTOCODER:
            created = coding_store.ensure_coder(conn, coder)
        else:
            require_coder(conn, coder)
        version_id = session.codebook_version(conn)
        parts = coding_parts(session, coder, version_id, proposals)
        apply_parts(conn, coder, "tag", parts)  # one logged group: a single undo takes the whole run back
    return _coding_count(project, coder) - before, created


PART = 2000
"""Codings per part written (at least; a part ends where a transcript does)."""


def coding_parts(session: CodingSession, coder: str, version_id: int | None, proposals: list[Proposal]) -> Iterator[list[dict]]:
    """The proposals' codings columns, in order, in parts of at least PART codings cut
    where a transcript ends (a segment is never in two parts); each code is checked."""
    part: list[dict] = []
    checked: set[tuple[str, str]] = set()  # the answer is the same on every turn: asked once a pair
    for p in proposals:
        if len(part) >= PART and p.transcript_id != part[-1]["transcript_id"]:
            yield part
            part = []
        if (p.code_id, p.role) not in checked:
            session.check_code(p.code_id, p.role)
            checked.add((p.code_id, p.role))
        part.append({
            "transcript_id": p.transcript_id,
            "segment_id": p.segment_id,
            "coder": coder,
            "code_id": p.code_id,
            "start_offset": p.start,
            "end_offset": p.end,
            "origin": "rules",
            "confidence": p.score,
            "memo": None,
            "codebook_version_id": version_id,
        })
    if part:
        yield part


def _coding_count(project: Project, coder: str) -> int:
    with project.read() as conn:
        return coding_store.coding_count(conn, coder)


def open_suggestions(
    conn: Connection,
    *,
    transcript: str | None = None,
    segment_id: int | None = None,
    source: str | None = None,
    undecided_by: str | None = None,
) -> list[dict]:
    """Open suggestions with their segment ordinal, transcript role and text span.

    ``undecided_by`` leaves out those the coder already accepted or rejected: each
    coder's decision is a row of its own, so one blind coder's decision never hides a
    suggestion from another.
    """
    return suggestion_store.open_rows(
        conn, transcript=transcript, segment_id=segment_id, source=source, undecided_by=undecided_by
    )


def evidence_text(row: dict) -> str:
    """What the coder reads next to a suggestion."""
    evidence = row.get("evidence") or {}
    if row["source"] == "model":
        threshold = f", threshold {evidence['threshold']:.2f}" if "threshold" in evidence else ""
        source = f", {evidence['model']}" if evidence.get("model") else ""
        return f"model p={row['score']:.2f}{threshold}{source}"
    if "rule" in evidence:
        return f'{evidence["rule"]} -> "{evidence.get("matched", "")}"'
    return str(evidence.get("text", ""))


def still_applicable(project: Project, code_id: str, role: str) -> bool:
    """False for codes removed from the codebook or no longer applying to the role."""
    try:
        project.codebook.check_applicable(code_id, role)
    except QualcodeError:
        return False
    return True


def blind_model_filter(
    conn: Connection, project: Project, coder: str | None, transcript_id: str, rows: list[dict]
) -> list[dict]:
    """Withhold model suggestions a blind coder must not see on this transcript.

    A model's suggestion carries the judgement of the coder it learned from. On a
    transcript the viewer codes blind, a model suggestion is shown only when its model
    provably did not learn from that transcript (``trained_on`` in its report; models
    trained while the sample is open never do, see qualcode.coding.learn). Rule
    suggestions carry no coder's judgement and always show.
    """
    models = [r for r in rows if r["source"] == "model"]
    if not models or not is_blind(conn, viewer_of(project, coder), transcript_id):
        return rows
    learned = model_training_transcripts(
        conn, {m for r in models if (m := (r.get("evidence") or {}).get("model_id")) is not None}
    )

    def clean(row: dict) -> bool:
        trained_on = learned.get((row.get("evidence") or {}).get("model_id"))  # type: ignore[arg-type]  # get(None) is None
        return trained_on is not None and transcript_id not in trained_on
    return [r for r in rows if r["source"] != "model" or clean(r)]


def _threshold(row: dict) -> float:
    """A model suggestion is shown from its code's decision threshold up."""
    return float((row.get("evidence") or {}).get("threshold", DEFAULT_THRESHOLD))


class StoredSuggester:
    """Serves the open stored suggestions (rules and model) of a segment."""

    name = "stored"

    def __init__(self, project: Project) -> None:
        self.project = project

    def suggest(self, transcript: Transcript, segment: Segment, coder: str) -> list[Suggestion]:
        with self.project.read() as conn:
            segment_id = transcript_store.segment_id_of(conn, transcript.id, segment.ordinal)
            rows = (
                open_suggestions(conn, segment_id=segment_id, undecided_by=coder)
                if segment_id is not None else []
            )
            rows = blind_model_filter(conn, self.project, coder, transcript.id, rows)
        return self._shown(rows)

    def suggest_transcript(self, transcript: Transcript, coder: str) -> dict[int, list[Suggestion]]:
        """What :meth:`suggest` answers for each turn of the transcript, in one query (turns
        without suggestions left out): the coding screen asks once, not twice per turn it shows."""
        with self.project.read() as conn:
            rows = open_suggestions(conn, transcript=transcript.id, undecided_by=coder)
            rows = blind_model_filter(conn, self.project, coder, transcript.id, rows)
        by_turn: dict[int, list[dict]] = {}
        for row in rows:
            by_turn.setdefault(row["ordinal"], []).append(row)
        return {ordinal: self._shown(turn_rows) for ordinal, turn_rows in by_turn.items()}

    def _shown(self, rows: list[dict]) -> list[Suggestion]:
        """The rows the coder is shown (a model's from its threshold up, codes still applicable), as suggestions."""
        return [
            Suggestion(
                row["code_id"],
                row["start_offset"],
                row["end_offset"],
                row["source"],
                evidence_text(row),
                row["score"],
                row["id"],
            )
            for row in rows
            if (row["source"] != "model" or (row["score"] or 0) >= _threshold(row))
            and still_applicable(self.project, row["code_id"], row["role"])
        ]
