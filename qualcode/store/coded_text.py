"""Codings read with the text they cover: the codings listing and the passages view.

Each transcript's text is read once and sliced, never joined onto every coding row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, select

from qualcode.store.rows import CodingColumns
from qualcode.store.schema import codings, segments, transcripts


@dataclass(frozen=True, slots=True)
class ListedCoding(CodingColumns):
    """A coding row with its segment ordinal, transcript role and site, and its text."""

    ordinal: int | None
    role: str
    site: str
    coded_text: str


def coding_listing(conn: Connection, *, coder=None, transcript=None, code=None, include_orphans=False):
    """Codings with their segment ordinal, role, site and coded text, in reading order.

    Each transcript's text is read once and sliced, rather than joined onto every
    coding row (a 30k-row listing carried the whole text 30k times).
    """
    query = (
        select(codings, segments.c.ordinal, transcripts.c.role, transcripts.c.site)
        .select_from(
            codings.join(transcripts, codings.c.transcript_id == transcripts.c.id).outerjoin(
                segments, codings.c.segment_id == segments.c.id
            )
        )
        .order_by(codings.c.transcript_id, codings.c.start_offset, codings.c.code_id, codings.c.coder)
    )
    if not include_orphans:
        query = query.where(codings.c.orphaned.is_(False))
    if coder:
        query = query.where(codings.c.coder == coder)
    if transcript:
        query = query.where(codings.c.transcript_id == transcript)
    if code:
        query = query.where(
            (codings.c.code_id == code) | codings.c.code_id.startswith(code + ".", autoescape=True)
        )
    rows = conn.execute(query).all()
    texts = _transcript_texts(conn, {r.transcript_id for r in rows})
    return [
        ListedCoding(**r._mapping, coded_text=texts[r.transcript_id][r.start_offset : r.end_offset]) for r in rows
    ]


class CodedPassage(NamedTuple):
    """A live coding of one code on a turn, with the text it covers."""

    transcript_id: str
    ordinal: int
    coder: str
    text: str


def coded_passages(conn: Connection, code_id: str) -> list[CodedPassage]:
    """Every live coding of exactly ``code_id`` on a turn, with its text, in reading order.

    Only the columns the passages view shows, and no join on the transcripts: in SQLite a
    column stored after a transcript's text is reached through the text's overflow pages,
    so each coding joined to its transcript read the whole text (as :func:`coding_listing`
    does for the role and site). Each transcript's text is read once and sliced.
    """
    query = (
        select(codings.c.transcript_id, segments.c.ordinal, codings.c.coder,
               codings.c.start_offset, codings.c.end_offset)
        .select_from(codings.join(segments, codings.c.segment_id == segments.c.id))
        .where(codings.c.code_id == code_id, codings.c.orphaned.is_(False))
        .order_by(codings.c.transcript_id, codings.c.start_offset, codings.c.coder, codings.c.id)
    )
    rows = conn.execute(query).all()
    texts = _transcript_texts(conn, {r.transcript_id for r in rows})
    return [CodedPassage(r.transcript_id, r.ordinal, r.coder, texts[r.transcript_id][r.start_offset : r.end_offset])
            for r in rows]


def _transcript_texts(conn: Connection, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    query = select(transcripts.c.id, transcripts.c.text).where(transcripts.c.id.in_(sorted(ids)))
    return dict(conn.execute(query).all())
