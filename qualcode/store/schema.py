"""The store's tables, as SQLAlchemy Core metadata.

Portable types only (no SQLite-only SQL): the same schema runs on PostgreSQL.
Offsets (``start_offset``/``end_offset``) are code-point indices into a transcript's
normalised text, half-open. Free-form attributes and event payloads are JSON.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from qualcode.store.packed import PackedText
from qualcode.store.stamps import Stamp

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("name", String(200), nullable=False),
    Column("applied_at", Stamp(), nullable=False),
)

transcripts = Table(
    "transcripts",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("role", String(100), nullable=False),
    Column("site", String(200), nullable=False),
    Column("attributes", JSON, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("format", String(40), nullable=False),
    # Compressed on SQLite (store/packed.py): most of a store's bytes. SQL never reads inside it.
    Column("text", PackedText(), nullable=False),
    Column("imported_at", Stamp(), nullable=False),
    # SHA-256 of ``text``: an import finds a transcript with the same text through its
    # index instead of comparing every stored text (quadratic over a batch). Nullable
    # only because migration 12 adds it to filled tables; it fills every row.
    Column("text_sha256", String(64), nullable=True),
    # The search index's freshness check reads every transcript's marker: covered here,
    # SQLite need not walk past each text (stored before imported_at) to reach it.
    Index("ix_transcripts_marker", "id", "sha256", "imported_at"),
    Index("ix_transcripts_text_sha256", "text_sha256"),
)

segments = Table(
    "segments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "transcript_id", String(200), ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("ordinal", Integer, nullable=False),
    Column("speaker", Text, nullable=False),
    Column("is_interviewer", Boolean, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("start_time", Float),
    Column("end_time", Float),
    UniqueConstraint("transcript_id", "ordinal", name="uq_segment_ordinal"),
    # Every tally's coverage counts each transcript's respondent turns: read off this
    # index alone (9 ms on 300k turns, 24 ms through the table).
    Index("ix_segments_kind", "is_interviewer", "transcript_id"),
)

codebook_versions = Table(
    "codebook_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("hash", String(64), nullable=False, unique=True),
    Column("path", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", Stamp(), nullable=False),
)

coders = Table(
    "coders",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("created_at", Stamp(), nullable=False),
)

codings = Table(
    "codings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "transcript_id", String(200), ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False
    ),
    # Nullable: an orphaned coding (its text vanished in a re-import) keeps its old
    # offsets but no longer belongs to a segment.
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="SET NULL")),
    Column("coder", String(100), ForeignKey("coders.name"), nullable=False),
    Column("code_id", String(200), nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("origin", String(20), nullable=False),
    Column("confidence", Float),
    Column("memo", Text),
    Column("codebook_version_id", Integer, ForeignKey("codebook_versions.id")),
    Column("orphaned", Boolean, nullable=False, default=False),
    Column("orphan_text", Text),
    Column("created_at", Stamp(), nullable=False),
    Column("updated_at", Stamp(), nullable=False),
    # A turn's codings, and the lookup of the segments' ON DELETE SET NULL. It held code_id
    # too until migration 14: every query that seeks it also reads the row (coder, orphaned,
    # offsets), so code_id there saved no row read and cost 0.6 MiB per 28k codings
    # (EXPLAIN QUERY PLAN of each, SQLite and PostgreSQL: docs/performance.md).
    Index("ix_codings_segment", "segment_id"),
    # With segment_id last it covers the analysis set's coded turns: one coder's distinct
    # (transcript, segment) pairs stream off it in order (store/analysis.coded_turns_of).
    Index("ix_codings_coder", "coder", "transcript_id", "segment_id"),
    # Covering index for tallies: one coder's references to a set of codes, grouped
    # by transcript, are read from the index alone (see qualcode/tally/counting.py).
    Index("ix_codings_coder_code", "coder", "code_id", "transcript_id", "segment_id"),
    # One transcript's codings in reading order (export, removal, re-anchoring): without
    # it each per-transcript read scanned the whole table, quadratic over a corpus.
    Index("ix_codings_transcript", "transcript_id", "start_offset"),
    # Which origins a coder's live codings have (is it a machine coder?), read by a
    # few index seeks rather than a scan of its codings (store/analysis.py).
    Index("ix_codings_coder_origin", "coder", "orphaned", "origin"),
    # Never hand out a deleted coding's id again (SQLite otherwise reuses the largest):
    # undo re-creates a deleted coding under its old id, and the event log names it.
    sqlite_autoincrement=True,
)

# Append-only: every change to codings, one row each, totally ordered by id.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("coder", String(100), nullable=False),
    Column("at", Stamp(), nullable=False),
    Column("action", String(40), nullable=False),
    Column("transcript_id", String(200)),
    Column("coding_id", Integer),
    Column("before", JSON),
    Column("after", JSON),
    Column("group_id", Integer),
    Column("undoes", Integer),
    Column("undone", Boolean, nullable=False, default=False),
    Index("ix_events_coder", "coder", "id"),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "transcript_id", String(200), ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False
    ),
    Column("segment_id", Integer, ForeignKey("segments.id", ondelete="CASCADE"), nullable=False),
    Column("code_id", String(200), nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("source", String(20), nullable=False),
    Column("score", Float),
    Column("evidence", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="open"),
    Column("decided_by", String(100)),
    Column("created_at", Stamp(), nullable=False),
    Index("ix_suggestions_segment", "segment_id", "status"),
)

samples = Table(
    "samples",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("fraction", Float, nullable=False),
    Column("seed", Integer, nullable=False),
    Column("strata", JSON, nullable=False),
    Column("created_at", Stamp(), nullable=False),
    # Open (blind) until the lead closes it: then its coders see each other's codings.
    # On PostgreSQL row-level security hides the others' codings on its transcripts
    # from its coders while it is open.
    Column("closed_at", Stamp()),
    Column("closed_by", String(100)),
)

sample_transcripts = Table(
    "sample_transcripts",
    metadata,
    Column("sample", String(100), ForeignKey("samples.name", ondelete="CASCADE"), primary_key=True),
    Column(
        "transcript_id",
        String(200),
        ForeignKey("transcripts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("stratum", String(200)),
)

sample_coders = Table(
    "sample_coders",
    metadata,
    Column("sample", String(100), ForeignKey("samples.name", ondelete="CASCADE"), primary_key=True),
    Column("coder", String(100), ForeignKey("coders.name"), primary_key=True),
)

models = Table(
    "models",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("trained_from", String(100), nullable=False),
    Column("codebook_hash", String(64), nullable=False),
    Column("data_hash", String(64), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("report", JSON, nullable=False),
    Column("created_at", Stamp(), nullable=False),
)

# -- search (qualcode/search) ---------------------------------------------------
# The lemma index is derived data, refreshed before each search from the transcripts
# it indexes (qualcode/search/index.py), so it has no foreign keys: removing or
# re-importing a transcript needs no change here, the next search notices.

search_indexed = Table(
    "search_indexed",
    metadata,
    Column("transcript_id", String(200), primary_key=True),
    # sha256 + imported_at of the transcript row when indexed: a re-import or
    # restore changes it, and the transcript is indexed again.
    Column("marker", String(200), nullable=False),
    # Digest of the indexed text, checked again whenever hits are shown from it.
    Column("text_digest", String(64), nullable=False),
)

search_postings = Table(
    "search_postings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transcript_id", String(200), nullable=False),
    Column("key", String(200), nullable=False),  # longer keys are cut (qualcode/search/lemmas.py)
    Column("is_interviewer", Boolean, nullable=False),
    # JSON list of ints, five per word: token number, segment ordinal, start, end, joined.
    Column("positions", Text, nullable=False),
    Index("ix_search_postings_key", "key", "transcript_id"),
    Index("ix_search_postings_transcript", "transcript_id"),
)

saved_queries = Table(
    "saved_queries",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("spec", JSON, nullable=False),
    Column("created_at", Stamp(), nullable=False),
)


# -- assignments (qualcode/analysis) -------------------------------------------

assignments = Table(
    "assignments",
    metadata,
    # Who codes what (``qualcode assign``). The first coder assigned to a transcript
    # is its primary coder: the analysis set counts that coder's codings there until
    # a reconciled consensus replaces them.
    Column("transcript_id", String(200), ForeignKey("transcripts.id", ondelete="CASCADE"), primary_key=True),
    Column("coder", String(100), ForeignKey("coders.name"), primary_key=True),
    Column("assigned_at", Stamp(), nullable=False),
    Column("seq", Integer, nullable=False),
)


# -- finishing and memos (the coding screen, coding/finishing.py, coding/memos.py) ----
# No foreign key to transcripts: a removed transcript's marks and memos stay and come
# back with 'transcripts restore'; a rename carries them (store/transcripts.py).

finish_marks = Table(
    "finish_marks",
    metadata,
    # A coder's "nothing to code" on one turn (kind 'nothing', ordinal set) or "done"
    # on a whole transcript (kind 'done', no ordinal). ``transcript_sha256`` is the
    # transcript's source hash when marked: a re-import with new content makes the
    # mark stale (kept, not counted), so the coder looks at the changed text again.
    Column("id", Integer, primary_key=True),
    Column("transcript_id", String(200), nullable=False),
    Column("ordinal", Integer),
    Column("coder", String(100), ForeignKey("coders.name"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("transcript_sha256", String(64), nullable=False),
    Column("created_at", Stamp(), nullable=False),
    CheckConstraint(
        "(kind = 'nothing' AND ordinal IS NOT NULL) OR (kind = 'done' AND ordinal IS NULL)",
        name="ck_finish_marks_kind",
    ),
    Index("ix_finish_marks_coder", "coder", "transcript_id"),
    sqlite_autoincrement=True,  # undo/redo re-create a mark under its logged id: never reuse one
)

memos = Table(
    "memos",
    metadata,
    # A coder's memo on a transcript (transcript_id set) or on a code (code_id set);
    # memos on codings stay in codings.memo. One memo per coder and target.
    Column("id", Integer, primary_key=True),
    Column("coder", String(100), ForeignKey("coders.name"), nullable=False),
    Column("transcript_id", String(200)),
    Column("code_id", String(200)),
    Column("text", Text, nullable=False),
    Column("created_at", Stamp(), nullable=False),
    Column("updated_at", Stamp(), nullable=False),
    CheckConstraint("(transcript_id IS NULL) <> (code_id IS NULL)", name="ck_memos_one_target"),
    CheckConstraint("length(text) BETWEEN 1 AND 20000", name="ck_memos_text"),
    Index("ix_memos_coder", "coder", "transcript_id", "code_id"),
    sqlite_autoincrement=True,
)

# -- counts kept as data (store/stored_counts.py) --------------------------------------
# Derived from ``codings`` by database triggers on every write (no coder writes them;
# in team mode the trigger function runs as the lead), rebuilt by migration 15 and
# checked against a recomputation by tests. Every tally reads them instead of the 1M
# rows of codings. No foreign keys: a removed transcript's rows go with its codings.

coder_turns = Table(
    "coder_turns",
    metadata,
    # One coder's live codings (those with a segment) on one turn: the analysis set's
    # coverage counts these rows per transcript, respondent and interviewer turns apart.
    Column("coder", String(100), primary_key=True),
    Column("transcript_id", String(200), primary_key=True),
    Column("segment_id", Integer, primary_key=True, autoincrement=False),
    Column("is_interviewer", Boolean, nullable=False),
    Column("codings", Integer, nullable=False),
    sqlite_with_rowid=False,  # the rows are the primary key's B-tree: read in order
)

code_turns = Table(
    "code_turns",
    metadata,
    # The distinct turns one coder coded with one code in one transcript: a tally's
    # references when each code counts under its own key, and which transcripts
    # mention a code under any key.
    Column("coder", String(100), primary_key=True),
    Column("code_id", String(200), primary_key=True),
    Column("transcript_id", String(200), primary_key=True),
    Column("turns", Integer, nullable=False),
    # A bulk write recounts one coder's transcripts at once (stored_counts.recount):
    # their rows are found here, not by a scan of all the coder's rows.
    Index("ix_code_turns_transcript", "coder", "transcript_id"),
    sqlite_with_rowid=False,
)

counts_deferred = Table(
    "counts_deferred",
    metadata,
    # The switch of a bulk write: while a (coder, transcript) row is here, the triggers
    # leave that key's counts alone and the writer recounts them from codings before
    # its transaction ends (store/stored_counts.py). Empty outside such a write: rows
    # are added and removed in one transaction and never committed. Written by the
    # lead's role only (a coder's role reads it, as every table).
    Column("coder", String(100), primary_key=True),
    Column("transcript_id", String(200), primary_key=True),
    sqlite_with_rowid=False,
)

# Totals kept from the two tables above and from segments (store/turn_totals.py), by
# triggers on coder_turns and on segments: the analysis set's coverage of every tally
# reads one row per transcript instead of grouping 150k turn rows and 300k segments.

coder_transcripts = Table(
    "coder_transcripts",
    metadata,
    # One coder's coded turns on one transcript (coder_turns' rows counted), by kind.
    Column("coder", String(100), primary_key=True),
    Column("transcript_id", String(200), primary_key=True),
    Column("respondent_turns", Integer, nullable=False),
    Column("interviewer_turns", Integer, nullable=False),
    sqlite_with_rowid=False,
)

transcript_turns = Table(
    "transcript_turns",
    metadata,
    # A transcript's respondent turns (segments not marked interviewer), when it has any.
    Column("transcript_id", String(200), primary_key=True),
    Column("respondent_turns", Integer, nullable=False),
    sqlite_with_rowid=False,
)
