"""Queries for search: the lemma index, the rows search filters on, saved queries.

No business rules here: qualcode/search decides what is indexed and matched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, tuple_, update

from qualcode.store.schema import (
    coders,
    codings,
    saved_queries,
    search_indexed,
    search_postings,
    segments,
    transcripts,
)

# -- the index -------------------------------------------------------------------


def transcript_markers(conn: Connection) -> dict[str, str]:
    """transcript id -> its current marker (sha256 of the source + when imported)."""
    query = select(transcripts.c.id, transcripts.c.sha256, transcripts.c.imported_at)
    return {tid: _marker(digest, stamp) for tid, digest, stamp in conn.execute(query)}


def _marker(digest: str, stamp: datetime | None) -> str:
    return f"{digest}@{stamp.isoformat() if stamp else ''}"


def indexed_markers(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(select(search_indexed.c.transcript_id, search_indexed.c.marker)).all())


def indexed_digests(conn: Connection, ids: list[str]) -> dict[str, str]:
    query = select(search_indexed.c.transcript_id, search_indexed.c.text_digest)
    return dict(conn.execute(query.where(search_indexed.c.transcript_id.in_(ids))).all())


def drop_index_of(conn: Connection, transcript_ids: list[str]) -> None:
    for start in range(0, len(transcript_ids), 500):
        chunk = transcript_ids[start : start + 500]
        conn.execute(delete(search_postings).where(search_postings.c.transcript_id.in_(chunk)))
        conn.execute(delete(search_indexed).where(search_indexed.c.transcript_id.in_(chunk)))


def write_index_of(conn: Connection, transcript_id: str, marker: str, digest: str, rows: list[dict]) -> None:
    """Store one transcript's postings (rows: key, is_interviewer, positions)."""
    if rows:
        conn.execute(insert(search_postings), [{"transcript_id": transcript_id, **r} for r in rows])
    conn.execute(insert(search_indexed).values(transcript_id=transcript_id, marker=marker, text_digest=digest))


def postings(conn: Connection, keys: list[str], transcript_ids: list[str] | None, speaker: str | None):
    """``(transcript_id, key, is_interviewer, positions)`` rows of these keys.

    ``speaker`` None reads both kinds of turn, else "interviewer" or "respondent".
    """
    query = select(
        search_postings.c.transcript_id, search_postings.c.key,
        search_postings.c.is_interviewer, search_postings.c.positions,
    ).where(search_postings.c.key.in_(sorted(set(keys))))
    if speaker is not None:
        query = query.where(search_postings.c.is_interviewer.is_(speaker == "interviewer"))
    if transcript_ids is not None:
        query = query.where(search_postings.c.transcript_id.in_(transcript_ids))
    return conn.execute(query.order_by(search_postings.c.transcript_id)).all()


def vocabulary(conn: Connection) -> list[str]:
    """Every distinct indexed key (for fuzzy matching against the vocabulary)."""
    return list(conn.execute(select(search_postings.c.key).distinct()).scalars())


# -- what search reads -------------------------------------------------------------


def transcript_texts(conn: Connection, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    query = select(transcripts.c.id, transcripts.c.text).where(transcripts.c.id.in_(ids))
    return dict(conn.execute(query).all())


def texts_with_digests(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """id -> (text, digest of the text as indexed, None if not indexed), in one statement."""
    if not ids:
        return {}
    joined = transcripts.outerjoin(search_indexed, search_indexed.c.transcript_id == transcripts.c.id)
    query = select(transcripts.c.id, transcripts.c.text, search_indexed.c.text_digest).select_from(joined)
    return {tid: (text, digest) for tid, text, digest in conn.execute(query.where(transcripts.c.id.in_(ids)))}


def text_versions(conn: Connection, ids: list[str]) -> dict[str, tuple[str, str | None, str | None]]:
    """id -> (marker, digest of the text as stored, digest of the text as indexed or None), texts not read.

    The stored digest is ``transcripts.text_sha256``, written with the text by every store
    function that writes one (store/transcripts.py); None only in a store migrated before it.
    """
    if not ids:
        return {}
    joined = transcripts.outerjoin(search_indexed, search_indexed.c.transcript_id == transcripts.c.id)
    query = select(transcripts.c.id, transcripts.c.sha256, transcripts.c.imported_at, transcripts.c.text_sha256,
                   search_indexed.c.text_digest).select_from(joined).where(transcripts.c.id.in_(ids))
    return {tid: (_marker(sha, stamp), stored, indexed) for tid, sha, stamp, stored, indexed in conn.execute(query)}


TURNS_PER_READ = 2_000  # (transcript, ordinal) pairs per statement: two bound values each, under SQLite's limit


def turn_bounds(conn: Connection, turns: list[tuple[str, int]]) -> dict[tuple[str, int], tuple[int, int]]:
    """(transcript id, ordinal) -> (start, end) of just these turns, TURNS_PER_READ a statement."""
    wanted = sorted(set(turns))
    query = select(segments.c.transcript_id, segments.c.ordinal, segments.c.start_offset, segments.c.end_offset)
    bounds = {}
    for first in range(0, len(wanted), TURNS_PER_READ):
        chunk = wanted[first : first + TURNS_PER_READ]
        rows = conn.execute(query.where(tuple_(segments.c.transcript_id, segments.c.ordinal).in_(chunk)))
        bounds.update({(tid, ordinal): (start, end) for tid, ordinal, start, end in rows})
    return bounds


def iter_texts(conn: Connection, ids: list[str]):
    """``(id, text)`` one transcript at a time (bounded memory for whole-corpus scans)."""
    for tid in ids:
        text = conn.execute(select(transcripts.c.text).where(transcripts.c.id == tid)).scalar()
        if text is not None:
            yield tid, text


def segment_rows(conn: Connection, ids: list[str] | None = None):
    """``(transcript_id, ordinal, segment id, is_interviewer, start, end)`` in reading order."""
    query = select(
        segments.c.transcript_id, segments.c.ordinal, segments.c.id, segments.c.is_interviewer,
        segments.c.start_offset, segments.c.end_offset,
    ).order_by(segments.c.transcript_id, segments.c.ordinal)
    if ids is not None:
        query = query.where(segments.c.transcript_id.in_(ids))
    return conn.execute(query).all()


def coded_spans(conn: Connection, coder: str, code_ids: list[str], ids: list[str] | None = None):
    """``(transcript_id, segment_id, code_id, start, end)`` of the coder's live codings."""
    query = select(
        codings.c.transcript_id, codings.c.segment_id, codings.c.code_id,
        codings.c.start_offset, codings.c.end_offset,
    ).where(codings.c.coder == coder, codings.c.code_id.in_(code_ids), codings.c.segment_id.is_not(None))
    if ids is not None:
        query = query.where(codings.c.transcript_id.in_(ids))
    return conn.execute(query).all()


def coder_exists(conn: Connection, name: str) -> bool:
    return conn.execute(select(coders.c.name).where(coders.c.name == name)).first() is not None


# -- saved queries ----------------------------------------------------------------------


def saved_query(conn: Connection, name: str) -> dict[str, Any] | None:
    row = conn.execute(select(saved_queries).where(saved_queries.c.name == name)).first()
    return dict(row._mapping) if row is not None else None


def saved_query_rows(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(saved_queries).order_by(saved_queries.c.name))]


def put_saved_query(conn: Connection, name: str, kind: str, spec: dict) -> bool:
    """Insert or overwrite; True when it replaced an existing query."""
    values = {"kind": kind, "spec": spec, "created_at": datetime.now(UTC)}
    if saved_query(conn, name) is not None:
        conn.execute(update(saved_queries).where(saved_queries.c.name == name).values(**values))
        return True
    conn.execute(insert(saved_queries).values(name=name, **values))
    return False


def delete_saved_query(conn: Connection, name: str) -> None:
    conn.execute(delete(saved_queries).where(saved_queries.c.name == name))
