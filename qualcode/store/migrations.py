"""Versioned schema migrations.

A new store is created at the head schema and stamped with the latest version; an
existing store is brought forward by running, in order, each migration newer than
its recorded version, each in its own transaction. A migration is a function of a
Connection that uses portable DDL (SQLAlchemy constructs), never SQLite-only SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, inspect, select

from qualcode.errors import StoreError
from qualcode.store.packed import pack
from qualcode.store.schema import (
    assignments,
    code_turns,
    coder_turns,
    codings,
    counts_deferred,
    events,
    metadata,
    samples,
    saved_queries,
    schema_version,
    search_indexed,
    search_postings,
    segments,
)
from qualcode.store.stored_counts import install_count_triggers, rebuild_counts
from qualcode.store.turn_totals import TOTAL_TABLES, install_total_triggers, rebuild_totals


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    metadata.create_all(conn)


def _index_codings_by_coder_code(conn: Connection) -> None:
    index = next(i for i in codings.indexes if i.name == "ix_codings_coder_code")
    index.create(conn, checkfirst=True)


def _never_reuse_coding_ids(conn: Connection) -> None:
    """SQLite: rebuild codings with AUTOINCREMENT, retiring every id the log has used.

    Without it SQLite hands a deleted coding's id (the largest) to the next coding,
    and the first coder's undo of that deletion then finds someone else's coding.
    Server sequences never reuse ids: nothing to do there.
    """
    if conn.dialect.name != "sqlite":
        return
    ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'codings'").scalar_one()
    if "AUTOINCREMENT" not in ddl.upper():
        old = {c["name"] for c in inspect(conn).get_columns("codings")}
        conn.exec_driver_sql("ALTER TABLE codings RENAME TO codings_before_v3")
        for index in codings.indexes:
            conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        codings.create(conn)
        columns = ", ".join(c.name for c in codings.columns if c.name in old)
        conn.exec_driver_sql(f"INSERT INTO codings ({columns}) SELECT {columns} FROM codings_before_v3")
        conn.exec_driver_sql("DROP TABLE codings_before_v3")
    retire_coding_ids(conn, codings, events)


def _index_codings_by_transcript(conn: Connection) -> None:
    index = next(i for i in codings.indexes if i.name == "ix_codings_transcript")
    index.create(conn, checkfirst=True)


def retire_coding_ids(conn: Connection, codings, events) -> None:
    """SQLite: the next coding id is above every id in the table or the event log."""
    from sqlalchemy import func

    largest = max(
        conn.execute(select(func.max(codings.c.id))).scalar() or 0,
        conn.execute(select(func.max(events.c.coding_id))).scalar() or 0,
    )
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'codings'")
    conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES ('codings', ?)", (largest,))


def _samples_can_be_closed(conn: Connection) -> None:
    """samples.closed_at / closed_by: a sample is blind until the lead closes it."""
    from sqlalchemy.schema import CreateColumn


    present = {c["name"] for c in inspect(conn).get_columns("samples")}
    for name in ("closed_at", "closed_by"):
        if name not in present:
            column = CreateColumn(samples.c[name]).compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE samples ADD COLUMN {column}")


def _search_tables(conn: Connection) -> None:
    """The search index (qualcode/search) and saved queries: new tables only."""
    for table in (search_indexed, search_postings, saved_queries):
        table.create(conn, checkfirst=True)


def _assignments(conn: Connection) -> None:
    """``assignments``: who codes which transcript (``qualcode assign``)."""
    assignments.create(conn, checkfirst=True)


def _finish_marks_and_memos(conn: Connection) -> None:
    """``finish_marks`` (nothing to code / done) and ``memos`` (on transcripts and codes): new tables only."""
    from qualcode.store.schema import finish_marks, memos

    for table in (finish_marks, memos):
        table.create(conn, checkfirst=True)


def _index_codings_by_coder_origin(conn: Connection) -> None:
    """Whether a coder is a machine coder is read off this index (every tally asks)."""
    from qualcode.store.schema import codings

    index = next(i for i in codings.indexes if i.name == "ix_codings_coder_origin")
    index.create(conn, checkfirst=True)


def _index_transcript_markers(conn: Connection) -> None:
    """Every search first compares transcript markers with the index's (qualcode/search/index.py)."""
    from qualcode.store.schema import transcripts

    index = next(i for i in transcripts.indexes if i.name == "ix_transcripts_marker")
    index.create(conn, checkfirst=True)


def _index_codings_by_coder_transcript_segment(conn: Connection) -> None:
    """ix_codings_coder gains segment_id: the analysis set's coded turns (every tally) read it alone."""
    index = next(i for i in codings.indexes if i.name == "ix_codings_coder")
    conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    index.create(conn)


def _hash_transcript_texts(conn: Connection) -> None:
    """transcripts.text_sha256, filled for every stored transcript, and its index: an
    import's same-content check looks it up instead of comparing every stored text."""
    from sqlalchemy.schema import CreateColumn

    from qualcode.store.rows import text_digest
    from qualcode.store.schema import transcripts

    if "text_sha256" not in {c["name"] for c in inspect(conn).get_columns("transcripts")}:
        column = CreateColumn(transcripts.c.text_sha256).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE transcripts ADD COLUMN {column}")
    ids = list(conn.execute(select(transcripts.c.id).where(transcripts.c.text_sha256.is_(None))).scalars())
    for transcript_id in ids:  # one text in memory at a time
        text = conn.execute(select(transcripts.c.text).where(transcripts.c.id == transcript_id)).scalar_one()
        conn.execute(transcripts.update().where(transcripts.c.id == transcript_id).values(text_sha256=text_digest(text)))
    index = next(i for i in transcripts.indexes if i.name == "ix_transcripts_text_sha256")
    index.create(conn, checkfirst=True)


def _compact_timestamps(conn: Connection) -> None:
    """SQLite: every timestamp from its 26-character text to integer microseconds (qualcode/store/stamps.py).

    The column declarations stay (DATETIME has numeric affinity: integers are kept as
    integers); each value is parsed in Python, so a value that is not a timestamp is
    refused by name rather than turned into a wrong number. Batches of rows by rowid
    keep memory bounded on a large store. PostgreSQL keeps timestamptz: nothing to do.
    """
    if conn.dialect.name != "sqlite":
        return
    from qualcode.store.stamps import Stamp, parse_stored, to_micros

    for table in metadata.sorted_tables:
        for column in (c for c in table.columns if isinstance(c.type, Stamp)):
            _compact_column(conn, table.name, column.name, parse_stored, to_micros)


def _compact_column(conn: Connection, table: str, column: str, parse, to_micros) -> None:
    after, batch = -(2**63), 5000
    while True:
        rows = conn.exec_driver_sql(
            f'SELECT rowid, "{column}" FROM "{table}" WHERE rowid > ? AND typeof("{column}") = \'text\' '
            f"ORDER BY rowid LIMIT {batch}", (after,)).all()
        if not rows:
            return
        try:
            values = [(to_micros(parse(stored)), rowid) for rowid, stored in rows]
        except ValueError:
            bad = next(rowid for rowid, stored in rows if not _parses(parse, stored))
            raise StoreError(f"{table}.{column} of row {bad} is not a timestamp; the store was not upgraded") from None
        conn.exec_driver_sql(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', values)
        after = rows[-1][0]


def _parses(parse, stored: str) -> bool:
    try:
        parse(stored)
    except ValueError:
        return False
    return True


def _index_codings_by_segment_alone(conn: Connection) -> None:
    """ix_codings_segment_code (segment_id, code_id) becomes ix_codings_segment (segment_id)."""
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_codings_segment_code")
    index = next(i for i in codings.indexes if i.name == "ix_codings_segment")
    index.create(conn, checkfirst=True)


def _stored_counts(conn: Connection) -> None:
    """coder_turns and code_turns, kept by triggers on codings and filled here for the
    codings already stored (store/stored_counts.py): tallies read them, not codings."""
    # counts_deferred too: the triggers installed are today's, which read it (migration 18).
    for table in (coder_turns, code_turns, counts_deferred):
        table.create(conn, checkfirst=True)
    next(i for i in segments.indexes if i.name == "ix_segments_kind").create(conn, checkfirst=True)
    install_count_triggers(conn)
    rebuild_counts(conn)


def _pack_transcript_texts(conn: Connection) -> None:
    """SQLite: every transcript's text stored compressed (qualcode/store/packed.py).

    One text in memory at a time, read and written as stored (the column keeps its
    declared type; SQLite keeps a BLOB in a TEXT column as it is). A value already packed
    is left alone, so the migration can run again. The file keeps its size until SQLite
    reuses the freed pages (or a VACUUM). PostgreSQL keeps text: nothing to do."""
    if conn.dialect.name != "sqlite":
        return
    ids = list(conn.exec_driver_sql("SELECT id FROM transcripts WHERE typeof(text) = 'text' ORDER BY id").scalars())
    for transcript_id in ids:
        text = conn.exec_driver_sql("SELECT text FROM transcripts WHERE id = ?", (transcript_id,)).scalar_one()
        conn.exec_driver_sql("UPDATE transcripts SET text = ? WHERE id = ?", (pack(text), transcript_id))


def _turn_totals(conn: Connection) -> None:
    """coder_transcripts and transcript_turns, kept by triggers on coder_turns and segments
    and filled here (store/turn_totals.py): the analysis set's coverage reads them."""
    for table in TOTAL_TABLES:
        table.create(conn, checkfirst=True)
    install_total_triggers(conn)
    rebuild_totals(conn)


def _counts_deferred(conn: Connection) -> None:
    """counts_deferred: the switch a bulk write sets to count its codings once per part
    instead of row by row; the triggers read it (store/stored_counts.py)."""
    counts_deferred.create(conn, checkfirst=True)
    next(i for i in code_turns.indexes if i.name == "ix_code_turns_transcript").create(conn, checkfirst=True)
    install_count_triggers(conn)


def _count_per_statement(conn: Connection) -> None:
    """PostgreSQL: the row trigger that kept the counts becomes three statement-level
    triggers over transition tables (store/stored_counts.py), so a bulk part's multi-row
    INSERT calls the counting function once, not once a row. The counts stored are right
    already (kept by the row trigger until now) and stay as they are. SQLite has no
    statement-level triggers: its row triggers stay."""
    if conn.dialect.name == "postgresql":
        install_count_triggers(conn)


MIGRATIONS: list[Migration] = [
    Migration(1, "initial schema", _initial),
    Migration(2, "index codings by coder and code (tallies)", _index_codings_by_coder_code),
    Migration(3, "coding ids are never reused (SQLite AUTOINCREMENT)", _never_reuse_coding_ids),
    Migration(4, "samples can be closed: open samples are blind (closed_at, closed_by)", _samples_can_be_closed),
    Migration(5, "search index and saved queries", _search_tables),
    Migration(6, "index codings by transcript (per-transcript reads stay linear)", _index_codings_by_transcript),
    Migration(7, "assignments: who codes which transcript", _assignments),
    Migration(8, "finish marks (nothing to code, done) and memos on transcripts and codes", _finish_marks_and_memos),
    Migration(9, "index codings by coder and origin (machine coders, analysis set)", _index_codings_by_coder_origin),
    Migration(10, "index transcript markers (the search index's freshness check)", _index_transcript_markers),
    Migration(11, "index codings by coder, transcript and segment (the analysis set's coded turns)",
              _index_codings_by_coder_transcript_segment),
    Migration(12, "transcripts.text_sha256: the same-text check of an import reads an index", _hash_transcript_texts),
    Migration(13, "timestamps as integer microseconds on SQLite (8 bytes, not 26 characters)", _compact_timestamps),
    Migration(14, "index codings by segment alone (code_id there read nothing the row does not)",
              _index_codings_by_segment_alone),
    Migration(15, "coder_turns and code_turns: counts kept by triggers on codings (tallies read them); segments by kind",
              _stored_counts),
    Migration(16, "transcript texts compressed on SQLite (zlib; most of a store's bytes)", _pack_transcript_texts),
    Migration(17, "coder_transcripts and transcript_turns: coverage totals kept by triggers (tallies read them)",
              _turn_totals),
    Migration(18, "counts_deferred: a bulk write counts its codings once per part (triggers skip its keys)",
              _counts_deferred),
    Migration(19, "PostgreSQL counts codings once a statement (transition tables), not once a row",
              _count_per_statement),
]
HEAD = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int | None:
    """The store's schema version, or None for an empty database."""
    if not inspect(conn).has_table(schema_version.name):
        return None
    found = conn.execute(select(schema_version.c.version).order_by(schema_version.c.version.desc()))
    row = found.first()
    return row[0] if row else None


def upgrade(engine: Engine) -> list[Migration]:
    """Bring the store to HEAD; return the migrations applied (empty if up to date)."""
    with engine.begin() as conn:
        version = current_version(conn)
        if version is None:
            metadata.create_all(conn)
            install_count_triggers(conn)
            install_total_triggers(conn)
            _stamp(conn, MIGRATIONS[-1])
            return [MIGRATIONS[-1]]
    if version > HEAD:
        raise StoreError(
            f"The store is at schema version {version}, newer than this qualcode ({HEAD}); "
            "upgrade qualcode"
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.version > version:
            with engine.begin() as conn:
                migration.apply(conn)
                _stamp(conn, migration)
            applied.append(migration)
    return applied


def _stamp(conn: Connection, migration: Migration) -> None:
    conn.execute(
        schema_version.insert().values(
            version=migration.version, name=migration.name, applied_at=datetime.now(UTC)
        )
    )
