"""Queries on finish marks: a coder's "nothing to code" on a turn and "done" on a transcript.

No business rules here (see :mod:`qualcode.coding.finishing`). A mark *counts* while
the transcript's source hash equals the one stored with it: a re-import with new
content leaves the mark in the table but no longer counted (stale).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, union

from qualcode.store.codings import now
from qualcode.store.schema import codings, finish_marks, segments, transcripts

MARK_FIELDS = ("id", "transcript_id", "ordinal", "coder", "kind", "transcript_sha256")


def transcript_sha(conn: Connection, transcript_id: str) -> str | None:
    return conn.execute(select(transcripts.c.sha256).where(transcripts.c.id == transcript_id)).scalar()


def _current():
    """Marks whose transcript still has the content they were made on."""
    return finish_marks.join(
        transcripts,
        and_(transcripts.c.id == finish_marks.c.transcript_id, transcripts.c.sha256 == finish_marks.c.transcript_sha256),
    )


def find_mark(conn: Connection, coder: str, transcript_id: str, kind: str, ordinal: int | None) -> dict | None:
    """The coder's counted mark of this kind on the transcript (and turn), if any."""
    query = select(*(finish_marks.c[f] for f in MARK_FIELDS)).select_from(_current()).where(
        finish_marks.c.coder == coder, finish_marks.c.transcript_id == transcript_id, finish_marks.c.kind == kind,
        finish_marks.c.ordinal.is_(None) if ordinal is None else finish_marks.c.ordinal == ordinal,
    )
    row = conn.execute(query.order_by(finish_marks.c.id.desc()).limit(1)).first()
    return dict(zip(MARK_FIELDS, row, strict=True)) if row is not None else None


def insert_mark(conn: Connection, values: dict[str, Any]) -> dict[str, Any]:
    """Insert a mark (with an explicit id when a redo re-creates one)."""
    row = {k: values.get(k) for k in MARK_FIELDS}
    if row["id"] is None:
        del row["id"]
    result = conn.execute(insert(finish_marks).values(**row, created_at=now()))
    key = result.inserted_primary_key
    assert key is not None
    return {**row, "id": row.get("id") or key[0]}


def delete_mark(conn: Connection, mark_id: int) -> int:
    return conn.execute(delete(finish_marks).where(finish_marks.c.id == mark_id)).rowcount


def mark_exists(conn: Connection, mark_id: int) -> bool:
    return conn.execute(select(finish_marks.c.id).where(finish_marks.c.id == mark_id)).first() is not None


def coder_marks(conn: Connection, coder: str, transcript_id: str) -> tuple[set[int], bool]:
    """(ordinals the coder marked nothing to code, whether they marked the transcript done); counted marks only."""
    rows = conn.execute(
        select(finish_marks.c.kind, finish_marks.c.ordinal).select_from(_current())
        .where(finish_marks.c.coder == coder, finish_marks.c.transcript_id == transcript_id)
    ).all()
    return {o for k, o in rows if k == "nothing"}, any(k == "done" for k, _ in rows)


def done_marks(conn: Connection, coder: str | None = None) -> set[tuple[str, str]]:
    """(coder, transcript) of every counted "done" mark (of ``coder`` only, when named)."""
    query = select(finish_marks.c.coder, finish_marks.c.transcript_id).select_from(_current()).where(
        finish_marks.c.kind == "done")
    if coder is not None:
        query = query.where(finish_marks.c.coder == coder)
    return {(c, t) for c, t in conn.execute(query)}


def uncoded_nothing_marks(conn: Connection, coder: str | None = None) -> dict[tuple[str, str], int]:
    """(coder, transcript) -> respondent turns marked nothing to code that the coder has not coded.

    Coded turns plus these are the handled turns (:func:`handled_turns`), read from the marks
    (few) instead of every coding again: the analysis set runs before every tally.
    """
    coded = select(codings.c.id).where(
        codings.c.segment_id == segments.c.id, codings.c.coder == finish_marks.c.coder,
        codings.c.orphaned.is_(False))
    query = (
        select(finish_marks.c.coder, finish_marks.c.transcript_id, func.count())
        .select_from(_current().join(segments, and_(
            segments.c.transcript_id == finish_marks.c.transcript_id, segments.c.ordinal == finish_marks.c.ordinal)))
        .where(finish_marks.c.kind == "nothing", segments.c.is_interviewer.is_(False), ~coded.exists())
        .group_by(finish_marks.c.coder, finish_marks.c.transcript_id)
    )
    if coder is not None:
        query = query.where(finish_marks.c.coder == coder)
    return {(c, t): n for c, t, n in conn.execute(query)}


def handled_turns(conn: Connection) -> dict[tuple[str, str], int]:
    """(coder, transcript) -> distinct respondent turns with a live coding or a counted nothing-to-code mark."""
    coded = (
        select(codings.c.coder, codings.c.transcript_id, segments.c.ordinal)
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(segments.c.is_interviewer.is_(False), codings.c.orphaned.is_(False))
    )
    marked = (
        select(finish_marks.c.coder, finish_marks.c.transcript_id, finish_marks.c.ordinal)
        .select_from(_current().join(segments, and_(
            segments.c.transcript_id == finish_marks.c.transcript_id, segments.c.ordinal == finish_marks.c.ordinal)))
        .where(finish_marks.c.kind == "nothing", segments.c.is_interviewer.is_(False))
    )
    both = union(coded, marked).subquery()  # UNION drops a turn both coded and marked
    query = select(both.c.coder, both.c.transcript_id, func.count()).group_by(both.c.coder, both.c.transcript_id)
    return {(c, t): n for c, t, n in conn.execute(query)}


def stale_marks(conn: Connection) -> dict[tuple[str, str], int]:
    """(coder, transcript) -> marks made on content the transcript no longer has (kept, not counted)."""
    query = (
        select(finish_marks.c.coder, finish_marks.c.transcript_id, func.count())
        .select_from(finish_marks.join(transcripts, transcripts.c.id == finish_marks.c.transcript_id))
        .where(transcripts.c.sha256 != finish_marks.c.transcript_sha256)
        .group_by(finish_marks.c.coder, finish_marks.c.transcript_id)
    )
    return {(c, t): n for c, t, n in conn.execute(query)}


def coded_codes_on_turn(conn: Connection, coder: str, transcript_id: str, ordinal: int) -> list[str]:
    """The codes of the coder's live codings on one turn."""
    query = (
        select(codings.c.code_id).distinct()
        .join(segments, segments.c.id == codings.c.segment_id)
        .where(codings.c.coder == coder, codings.c.transcript_id == transcript_id, segments.c.ordinal == ordinal,
               codings.c.orphaned.is_(False))
    )
    return sorted(conn.execute(query).scalars())


def marks_for_travel(conn: Connection, coders: list[str] | None = None) -> list[dict[str, Any]]:
    """Every mark (of ``coders`` only, when named) with ``counted``: made on the transcript's current content.

    Exports and coder bundles carry the counted ones and say how many stale ones they left out.
    """
    query = (
        select(*(finish_marks.c[f] for f in MARK_FIELDS), (transcripts.c.sha256 == finish_marks.c.transcript_sha256))
        .select_from(finish_marks.join(transcripts, transcripts.c.id == finish_marks.c.transcript_id))
        .order_by(finish_marks.c.coder, finish_marks.c.transcript_id, finish_marks.c.ordinal, finish_marks.c.id)
    )
    if coders is not None:
        query = query.where(finish_marks.c.coder.in_(coders))
    return [{**dict(zip(MARK_FIELDS, row[:-1], strict=True)), "counted": bool(row[-1])} for row in conn.execute(query)]


def turn_spans(conn: Connection, transcript_id: str) -> dict[int, tuple[int, int]]:
    """ordinal -> (start, end) of each turn of the transcript: a carried mark must land on the same words."""
    query = select(segments.c.ordinal, segments.c.start_offset, segments.c.end_offset).where(
        segments.c.transcript_id == transcript_id)
    return {o: (s, e) for o, s, e in conn.execute(query)}
