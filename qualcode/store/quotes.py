"""Queries for quote sets: the coded spans a quote set draws from.

No business rules here: qualcode/quotes decides which codings become quotes. The
candidates are read without their text (a quote set walks them a transcript at a time,
qualcode/quotes/reading.py). Spans are cut in Python from one transcript's text at a
time: on SQLite the text is stored compressed (store/packed.py), so SQL's ``substr``
would cut the compressed bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, func, select

from qualcode.store.schema import codings, segments, transcripts


@dataclass(frozen=True, slots=True)
class CodedSpan:
    """One live coding on a respondent turn, with its text and its transcript's metadata.

    ``attributes`` is the transcript's attributes when they were asked for, else None.
    """

    coding_id: int
    code_id: str
    transcript_id: str
    segment_id: int
    ordinal: int
    origin: str
    start: int
    end: int
    raw: str
    role: str
    site: str
    attributes: dict[str, Any] | None


def _subtree(column, code: str):
    """The code itself or any code below it (dotted ids)."""
    return (column == code) | column.startswith(code + ".", autoescape=True)


def used_code_ids(conn: Connection, coder: str) -> set[str]:
    """The codes the coder has live (not orphaned) codings of."""
    query = select(codings.c.code_id).where(codings.c.coder == coder, codings.c.orphaned.is_(False))
    return set(conn.execute(query.distinct()).scalars())


def respondent_spans(
    conn: Connection,
    coder: str,
    code: str,
    *,
    roles: list[str] | None = None,
    sites: list[str] | None = None,
    with_attributes: bool = False,
    with_text: bool = True,
) -> list[CodedSpan]:
    """The coder's live codings of ``code`` and its descendants on respondent turns,
    of transcripts of these role keys and sites (case-insensitive; all when None).
    Without ``with_text`` their ``raw`` is "" (the texts are read later, a few at a time)."""
    # Attributes are JSON: decode them only when a filter needs them.
    attributes = transcripts.c.attributes if with_attributes else transcripts.c.role.label("no_attributes")
    statement = (
        select(
            codings.c.id, codings.c.code_id, codings.c.transcript_id, codings.c.segment_id, codings.c.origin,
            codings.c.start_offset, codings.c.end_offset, segments.c.ordinal, transcripts.c.role,
            transcripts.c.site, attributes.label("attributes"),
        )
        .select_from(
            codings.join(transcripts, codings.c.transcript_id == transcripts.c.id)
            .join(segments, codings.c.segment_id == segments.c.id)
        )
        .where(
            codings.c.coder == coder,
            codings.c.orphaned.is_(False),
            segments.c.is_interviewer.is_(False),
            _subtree(codings.c.code_id, code),
        )
    )
    if roles:
        statement = statement.where(transcripts.c.role.in_(roles))
    if sites:
        statement = statement.where(func.lower(transcripts.c.site).in_([s.lower() for s in sites]))
    spans = [
        CodedSpan(
            coding_id=r.id, code_id=r.code_id, transcript_id=r.transcript_id, segment_id=r.segment_id, ordinal=r.ordinal,
            origin=r.origin, start=r.start_offset, end=r.end_offset, raw="", role=r.role, site=r.site,
            attributes=(r.attributes or {}) if with_attributes else None,
        )
        for r in conn.execute(statement)
    ]
    if not with_text:
        return spans
    texts = _cut(conn, ((s.coding_id, s.transcript_id, s.start, s.end) for s in spans))
    return [replace(s, raw=texts[s.coding_id]) for s in spans]


def segments_coded_with(conn: Connection, coder: str, code: str) -> set[int]:
    """Segment ids the coder coded (live) with ``code`` or a code below it."""
    statement = select(codings.c.segment_id).where(
        codings.c.coder == coder, codings.c.orphaned.is_(False), _subtree(codings.c.code_id, code)
    )
    return set(conn.execute(statement.distinct()).scalars())


def span_texts(conn: Connection, coding_ids: list[int]) -> dict[int, str]:
    """coding id -> the text it covers (code points, as stored); ids of no coding, or of
    a coding whose transcript is gone, are left out."""
    if not coding_ids:
        return {}
    query = select(codings.c.id, codings.c.transcript_id, codings.c.start_offset, codings.c.end_offset).where(
        codings.c.id.in_(coding_ids))
    return _cut(conn, conn.execute(query))


def _cut(conn: Connection, spans: Iterable[tuple[int, str, int, int]]) -> dict[int, str]:
    """coding id -> text[start:end] of ``(coding id, transcript id, start, end)``, reading
    one transcript's text at a time (memory follows the largest transcript)."""
    by_transcript: dict[str, list[tuple[int, int, int]]] = {}
    for coding_id, transcript_id, start, end in spans:
        by_transcript.setdefault(transcript_id, []).append((coding_id, start, end))
    cut: dict[int, str] = {}
    for transcript_id, places in by_transcript.items():
        text = conn.execute(select(transcripts.c.text).where(transcripts.c.id == transcript_id)).scalar()
        if text is None:
            continue
        cut.update((coding_id, text[max(start, 0):max(end, 0)]) for coding_id, start, end in places)
    return cut
