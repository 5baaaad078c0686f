"""Queries on transcripts and their segments."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    insert,
    select,
    true,
    union,
    update,
)

from qualcode.errors import NotFoundError, TranscriptImportError
from qualcode.store.lateral import CHUNK_IDS, each_transcript
from qualcode.store.rows import Segment, Transcript, text_digest
from qualcode.store.schema import (
    assignments,
    codings,
    finish_marks,
    memos,
    sample_transcripts,
    samples,
    segments,
    suggestions,
    transcripts,
)


def _row_values(transcript: Transcript, digest: str | None = None, *, checked: bool = False) -> dict:
    if not checked:
        check_storable(transcript)
    return {
        "title": transcript.title,
        "role": transcript.role,
        "site": transcript.site,
        "attributes": transcript.attributes,
        "source_path": transcript.source_path,
        "sha256": transcript.sha256,
        "format": transcript.format,
        "text": transcript.text,
        "text_sha256": digest or text_digest(transcript.text),
        "imported_at": datetime.now(UTC),
    }


def check_storable(transcript: Transcript) -> None:
    """Refuse what one back end would store and the other reject (PostgreSQL text
    cannot hold NUL; its VARCHAR(n) is enforced, SQLite's is not). The message names
    the field, never its content: it may be transcript text."""
    from sqlalchemy import String


    columns = transcripts.c
    fields: list[tuple[str, Any, Column | None]] = [(name, getattr(transcript, name), columns[name]) for name in
              ("id", "title", "role", "site", "source_path", "sha256", "format", "text")]
    fields += [(f"attribute name {n}", str(key), None) for n, key in enumerate(transcript.attributes, 1)]
    fields += [(f"attribute {str(k)[:40]!r}", str(v), None) for k, v in transcript.attributes.items()]
    speakers = {s.speaker: s.ordinal for s in reversed(transcript.segments)}  # each speaker once, first turn named
    fields += [(f"speaker of segment {ordinal}", speaker, segments.c.speaker) for speaker, ordinal in speakers.items()]
    for name, value, column in fields:
        problem = None
        if value and "\x00" in value:
            problem = "contains a NUL character (\\0)"
        elif value and column is not None and isinstance(column.type, String) and column.type.length \
                and len(value) > column.type.length:
            problem = f"is {len(value):,} characters long; at most {column.type.length}"
        if problem:
            raise TranscriptImportError(f"transcript '{transcript.id[:80]}': its {name} {problem}; fix the source file")


def insert_transcript(conn: Connection, transcript: Transcript) -> None:
    conn.execute(insert(transcripts).values(id=transcript.id, **_row_values(transcript)))
    insert_segments(conn, transcript.id, transcript.segments)


def insert_transcripts(conn: Connection, items: list[tuple[Transcript, str]]) -> None:
    """Insert new transcripts, each given with its text digest and already passed through
    :func:`check_storable`, and their segments: one executemany for the transcripts and one
    per :data:`SEGMENT_BATCH` segments, whatever the number of transcripts."""
    if not items:
        return
    conn.execute(insert(transcripts), [{"id": t.id, **_row_values(t, digest, checked=True)} for t, digest in items])
    _insert_segment_rows(conn, (_segment_row(t.id, s) for t, _ in items for s in t.segments))


SEGMENT_BATCH = 2000  # rows a statement: a long transcript's rows are never all built at once


def insert_segments(conn: Connection, transcript_id: str, items: list[Segment]) -> None:
    _insert_segment_rows(conn, (_segment_row(transcript_id, s) for s in items))


SEGMENT_COLUMNS = ("transcript_id", "ordinal", "speaker", "is_interviewer", "start_offset", "end_offset",
                   "start_time", "end_time")


def _insert_segment_rows(conn: Connection, rows: Iterator[tuple]) -> None:
    """Rows in :data:`SEGMENT_COLUMNS` order. On SQLite the driver gets them as they are:
    SQLAlchemy's executemany handles each row in Python (~40 % of the time of inserting a
    200-file import's 17,600 segments) to convert values these columns never need
    converted (text, integers, a bool, floats or None). PostgreSQL keeps SQLAlchemy's
    batched path (its ``insertmanyvalues``)."""
    statement = insert(segments)
    if conn.dialect.name == "sqlite":
        compiled = statement.compile(dialect=conn.dialect, column_keys=list(SEGMENT_COLUMNS))
        order = [SEGMENT_COLUMNS.index(name) for name in compiled.positiontup or ()]
        assert sorted(order) == list(range(len(SEGMENT_COLUMNS))), "the compiled insert binds every column once"
        # The rows go as they are when the statement binds the columns in their order (it
        # does: SQLAlchemy follows the table's); else each is put in its order, in C.
        reorder = None if order == sorted(order) else itemgetter(*order)
        while batch := list(islice(rows, SEGMENT_BATCH)):
            conn.exec_driver_sql(str(compiled), batch if reorder is None else [reorder(row) for row in batch])
        return
    while batch := list(islice(rows, SEGMENT_BATCH)):
        conn.execute(statement, [dict(zip(SEGMENT_COLUMNS, row, strict=True)) for row in batch])


def _segment_row(transcript_id: str, s: Segment) -> tuple:
    return (transcript_id, s.ordinal, s.speaker, s.is_interviewer, s.start, s.end, s.start_time, s.end_time)


def replace_transcript(conn: Connection, transcript: Transcript) -> None:
    """Overwrite a transcript's text and metadata and lay down its new segments."""
    conn.execute(delete(segments).where(segments.c.transcript_id == transcript.id))
    conn.execute(
        update(transcripts).where(transcripts.c.id == transcript.id).values(**_row_values(transcript))
    )
    insert_segments(conn, transcript.id, transcript.segments)


def update_metadata(conn: Connection, transcript_id: str, values: dict) -> None:
    """Set some of role, site, attributes (no text change)."""
    conn.execute(update(transcripts).where(transcripts.c.id == transcript_id).values(**values))


def rename_transcript(conn: Connection, old_id: str, new_id: str) -> None:
    """Give a transcript a new id, carrying its segments, codings, suggestions, sample
    memberships, coder assignments, finish marks and memos (the event log keeps the old id:
    it is history)."""
    found = transcript_row(conn, old_id)
    if found is None:  # callers rename a transcript they have just read
        raise NotFoundError(f"No transcript '{old_id}' to rename")
    row = dict(found._mapping)
    conn.execute(insert(transcripts).values(**{**row, "id": new_id}))
    for table in (segments, codings, suggestions, sample_transcripts, assignments, finish_marks, memos):
        conn.execute(update(table).where(table.c.transcript_id == old_id).values(transcript_id=new_id))
    conn.execute(delete(transcripts).where(transcripts.c.id == old_id))


def delete_transcript(conn: Connection, transcript_id: str) -> None:
    """Delete a transcript with its segments, codings, suggestions, sample memberships
    and coder assignments."""
    for table in (codings, suggestions, sample_transcripts, assignments, segments):
        conn.execute(delete(table).where(table.c.transcript_id == transcript_id))
    conn.execute(delete(transcripts).where(transcripts.c.id == transcript_id))


def same_content(conn: Connection, sha256: str, text: str, exclude: str) -> list[tuple[str, str]]:
    """Other transcripts imported from the same bytes or with the same normalised text:
    ``[(id, "file"|"text")]``."""
    # Two selects, not one with OR: SQLite answers "sha256 = ? OR text_sha256 = ?" by reading
    # every row, texts included (text_sha256 comes after the text), so a 200-file import spent
    # ~3 ms a file here, growing with the project. Each select alone uses an index
    # (ix_transcripts_text_sha256; the sha256 side scans the small covering ix_transcripts_marker).
    columns = (transcripts.c.id, transcripts.c.sha256)
    query = union(
        select(*columns).where(transcripts.c.sha256 == sha256, transcripts.c.id != exclude),
        select(*columns).where(transcripts.c.text_sha256 == text_digest(text), transcripts.c.id != exclude),
    )
    found = sorted((tid, digest) for tid, digest in conn.execute(query))
    return [(tid, "file" if digest == sha256 else "text") for tid, digest in found]


IN_CHUNK = 500  # values in one IN (...): within every back end's limit on bound parameters


def stored_file_digests(conn: Connection, ids: list[str]) -> dict[str, str]:
    """``{id: sha256}`` of those of ``ids`` that are stored (the small covering index, no texts)."""
    found: dict[str, str] = {}
    for first in range(0, len(ids), IN_CHUNK):
        query = select(transcripts.c.id, transcripts.c.sha256).where(transcripts.c.id.in_(ids[first : first + IN_CHUNK]))
        found.update((tid, digest) for tid, digest in conn.execute(query))
    return found


def content_matches(conn: Connection, sha256s: list[str], digests: list[str]) -> list[tuple[str, str, str | None]]:
    """``(id, sha256, text_sha256)`` of the stored transcripts imported from one of these
    files (``sha256s``; text_sha256 None) or holding one of these normalised texts
    (``digests``): what :func:`same_content` asks of one transcript, asked once for a batch.
    Each side is one indexed select (the file side reads the covering index only)."""
    c = transcripts.c
    found: set[tuple[str, str, str | None]] = set()
    for first in range(0, len(sha256s), IN_CHUNK):
        query = select(c.id, c.sha256).where(c.sha256.in_(sha256s[first : first + IN_CHUNK]))
        found.update((tid, sha, None) for tid, sha in conn.execute(query))
    for first in range(0, len(digests), IN_CHUNK):
        by_text = select(c.id, c.sha256, c.text_sha256).where(c.text_sha256.in_(digests[first : first + IN_CHUNK]))
        found.update((tid, sha, text_sha) for tid, sha, text_sha in conn.execute(by_text))
    return sorted(found, key=lambda row: (row[0], row[2] or ""))


def samples_of(conn: Connection, transcript_id: str) -> list[str]:
    return [sample for sample, _ in sample_memberships(conn, transcript_id)]


def sample_memberships(conn: Connection, transcript_id: str) -> list[tuple[str, str | None]]:
    """``[(sample, stratum)]`` the transcript belongs to."""
    query = select(sample_transcripts.c.sample, sample_transcripts.c.stratum).where(
        sample_transcripts.c.transcript_id == transcript_id
    )
    return sorted(tuple(r) for r in conn.execute(query))


def add_sample_memberships(conn: Connection, transcript_id: str, memberships) -> list[str]:
    """Put the transcript back into samples that still exist; return those that do not."""
    existing = set(conn.execute(select(samples.c.name)).scalars())
    rows = [{"sample": s, "transcript_id": transcript_id, "stratum": stratum} for s, stratum in memberships if s in existing]
    if rows:
        conn.execute(insert(sample_transcripts), rows)
    return sorted(s for s, _ in memberships if s not in existing)


def segment_ordinals(conn: Connection, transcript_id: str) -> dict[int, int]:
    """segments.id -> ordinal for one transcript."""
    return {sid: ordinal for ordinal, sid in segment_ids(conn, transcript_id).items()}


# Built once: an export loads every transcript, and building these two statements each
# time cost more Python than running them (issue 21's export profile).
TRANSCRIPT_BY_ID = select(transcripts).where(transcripts.c.id == bindparam("transcript_id"))
TURNS_OF = (
    select(segments.c.ordinal, segments.c.speaker, segments.c.is_interviewer, segments.c.start_offset,
           segments.c.end_offset, segments.c.start_time, segments.c.end_time)
    .where(segments.c.transcript_id == bindparam("transcript_id")).order_by(segments.c.ordinal)
)


def transcript_row(conn: Connection, transcript_id: str) -> Row | None:
    return conn.execute(TRANSCRIPT_BY_ID, {"transcript_id": transcript_id}).first()


def transcript_ids(conn: Connection) -> list[str]:
    return list(conn.execute(select(transcripts.c.id).order_by(transcripts.c.id)).scalars())


def load_transcript(conn: Connection, transcript_id: str) -> Transcript:
    """The transcript with its segments; NotFoundError (with the known ids) if absent."""
    row = transcript_row(conn, transcript_id)
    if row is None:
        known = transcript_ids(conn)
        hint = _did_you_mean(transcript_id, known)
        raise NotFoundError(f"No transcript '{transcript_id}'{hint}")
    return _transcript_from_row(row, load_segments(conn, transcript_id))


def load_segments(conn: Connection, transcript_id: str) -> list[Segment]:
    rows = conn.execute(TURNS_OF, {"transcript_id": transcript_id}).all()
    return [Segment(ordinal, speaker, bool(interviewer), start, end, start_time, end_time)
            for ordinal, speaker, interviewer, start, end, start_time, end_time in rows]


def segment_ids(conn: Connection, transcript_id: str) -> dict[int, int]:
    """ordinal -> segments.id for one transcript."""
    rows = conn.execute(
        select(segments.c.ordinal, segments.c.id).where(segments.c.transcript_id == transcript_id)
    )
    return {ordinal: sid for ordinal, sid in rows}


SUMMARY_CHUNK = 32
"""Transcripts whose texts and turns :func:`summaries` reads in one pair of statements."""


def summaries(conn: Connection) -> list[dict]:
    """One row per transcript with turn and word counts, by id. The texts and turns are
    read ``SUMMARY_CHUNK`` transcripts at a time (words are counted in Python), so
    memory follows the largest transcripts, not the corpus."""
    headers = conn.execute(
        select(transcripts.c.id, transcripts.c.title, transcripts.c.role, transcripts.c.site, transcripts.c.format,
               transcripts.c.attributes).order_by(transcripts.c.id)
    ).all()
    result = []
    for first in range(0, len(headers), SUMMARY_CHUNK):
        part = headers[first : first + SUMMARY_CHUNK]
        ids = [row.id for row in part]
        texts = transcript_texts(conn, ids)
        spans: dict[str, list[tuple[int, int, bool]]] = {}
        query = select(
            segments.c.transcript_id, segments.c.start_offset, segments.c.end_offset, segments.c.is_interviewer
        ).where(segments.c.transcript_id.in_(ids)).order_by(segments.c.transcript_id, segments.c.ordinal)
        for tid, start, end, interviewer in conn.execute(query):
            spans.setdefault(tid, []).append((start, end, bool(interviewer)))
        result += [_summary(row, texts.get(row.id, ""), spans.get(row.id, [])) for row in part]
    return result


def _summary(row: Row, text: str, turns: list[tuple[int, int, bool]]) -> dict:
    return {
        "id": row.id,
        "title": row.title,
        "role": row.role,
        "site": row.site,
        "format": row.format,
        "turns": len(turns),
        "respondent_turns": sum(1 for *_, interviewer in turns if not interviewer),
        "words": sum(len(text[start:end].split()) for start, end, _ in turns),
        "attributes": dict(row.attributes or {}),
    }


def _transcript_from_row(row: Row, segs: list[Segment]) -> Transcript:
    return Transcript(
        id=row.id,
        title=row.title,
        role=row.role,
        site=row.site,
        text=row.text,
        segments=segs,
        attributes=dict(row.attributes or {}),
        format=row.format,
        source_path=row.source_path,
        sha256=row.sha256,
    )


def _did_you_mean(name: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"; did you mean '{close[0]}'?"
    if not known:
        return "; the project has no transcripts yet (qualcode import)"
    return f"; see 'qualcode transcripts list' ({len(known)} transcripts)"


def role_site_counts(conn: Connection) -> dict[tuple[str, str], int]:
    """How many transcripts (respondents) each (role, site) has: the k-anonymity counts."""
    counts: dict[tuple[str, str], int] = {}
    for role, site in conn.execute(select(transcripts.c.role, transcripts.c.site)):
        key = (role or "", site or "")
        counts[key] = counts.get(key, 0) + 1
    return counts


def transcript_headers(conn: Connection, ids: list[str] | None = None) -> list[dict]:
    """id, title, role, site and attributes of transcripts (no text), in id order.

    What a streaming export needs up front; the texts are then read one at a time.
    """
    query = select(
        transcripts.c.id, transcripts.c.title, transcripts.c.role, transcripts.c.site, transcripts.c.attributes
    ).order_by(transcripts.c.id)
    rows = [dict(r._mapping, attributes=dict(r.attributes or {})) for r in conn.execute(query)]
    if ids is None:
        return rows
    by_id = {row["id"]: row for row in rows}
    return [by_id[tid] for tid in ids if tid in by_id]


def transcript_texts(conn: Connection, ids: list[str]) -> dict[str, str]:
    """id -> text of these transcripts (those the store has): a walk reads a few at a time."""
    if not ids:
        return {}
    query = select(transcripts.c.id, transcripts.c.text).where(transcripts.c.id.in_(ids))
    return {tid: text for tid, text in conn.execute(query)}


def speaker_labels(conn: Connection, transcript_id: str) -> tuple[str, ...]:
    """The transcript's speaker labels in order of first turn (``Transcript.speakers``), without its text."""
    query = select(segments.c.speaker).where(segments.c.transcript_id == transcript_id).order_by(segments.c.ordinal)
    return tuple(dict.fromkeys(conn.execute(query).scalars()))


def transcript_roles(conn: Connection, ids: list[str]) -> dict[str, str]:
    """id -> role of those of ``ids`` the store has (no text): what a streamed walk needs up front."""
    if not ids:
        return {}
    query = select(transcripts.c.id, transcripts.c.role).where(transcripts.c.id.in_(ids))
    return {tid: role for tid, role in conn.execute(query)}


def load_transcripts_for_units(conn: Connection, ids: list[str]) -> tuple[Transcript, ...]:
    """The transcripts (id, title, role, site, text) with their segments, in ``ids`` order,
    in two queries; NotFoundError naming the ids not in the store."""
    found = {row.id: row for row in _heads_of(conn, ids)} if ids else {}
    missing = [transcript for transcript in ids if transcript not in found]
    if missing:
        raise NotFoundError(f"No transcript {', '.join(repr(m) for m in missing)} in the project")
    turns: dict[str, list[Segment]] = {transcript: [] for transcript in ids}
    for transcript, ordinal, speaker, interviewer, start, end in (_turns_of(conn, ids) if ids else []):
        turns[transcript].append(Segment(ordinal, speaker, bool(interviewer), start, end))
    return tuple(Transcript(id=t, title=found[t].title, role=found[t].role, site=found[t].site,
                            text=found[t].text, segments=turns[t]) for t in ids)


_HEAD_COLUMNS = (transcripts.c.id, transcripts.c.title, transcripts.c.role, transcripts.c.site, transcripts.c.text)
_TURN_COLUMNS = (segments.c.transcript_id, segments.c.ordinal, segments.c.speaker, segments.c.is_interviewer,
                 segments.c.start_offset, segments.c.end_offset)


@cache
def _heads_by_transcript() -> Select:
    """The chunk's transcript rows, one seek per transcript on PostgreSQL, built once
    (``store.lateral``: before ANALYZE it read the whole table for each chunk)."""
    chunk = each_transcript()
    heads = select(*_HEAD_COLUMNS).where(transcripts.c.id == chunk.c.id).offset(0).lateral("heads")
    return select(heads).select_from(chunk.join(heads, true()))


@cache
def _turns_by_transcript() -> Select:
    """The chunk's turns by transcript and ordinal, one index seek per transcript on
    PostgreSQL, built once (``store.lateral``: before ANALYZE it read every turn for each chunk)."""
    chunk = each_transcript()
    turns = select(*_TURN_COLUMNS).where(segments.c.transcript_id == chunk.c.id).offset(0).lateral("turns")
    return select(turns).select_from(chunk.join(turns, true())).order_by(turns.c.transcript_id, turns.c.ordinal)


def _heads_of(conn: Connection, ids: list[str]) -> Sequence[Row]:
    if conn.dialect.name == "postgresql":
        return conn.execute(_heads_by_transcript(), {CHUNK_IDS: ids}).all()
    return conn.execute(select(*_HEAD_COLUMNS).where(transcripts.c.id.in_(ids))).all()


def _turns_of(conn: Connection, ids: list[str]) -> Sequence[Row]:
    if conn.dialect.name == "postgresql":
        return conn.execute(_turns_by_transcript(), {CHUNK_IDS: ids}).all()
    query = select(*_TURN_COLUMNS).where(segments.c.transcript_id.in_(ids))
    return conn.execute(query.order_by(segments.c.transcript_id, segments.c.ordinal)).all()


def transcript_titles(conn: Connection) -> list[tuple[str, str, str, str]]:
    """``(id, title, role, site)`` of every transcript, by id."""
    query = select(transcripts.c.id, transcripts.c.title, transcripts.c.role, transcripts.c.site)
    return [tuple(row) for row in conn.execute(query.order_by(transcripts.c.id))]


def segment_id_of(conn: Connection, transcript_id: str, ordinal: int) -> int | None:
    """The id of the transcript's turn ``ordinal``, or None."""
    query = select(segments.c.id).where(segments.c.transcript_id == transcript_id, segments.c.ordinal == ordinal)
    return conn.execute(query).scalar()
