"""Reading a chunk of transcripts one index seek each on PostgreSQL, whatever its statistics.

Right after a bulk write (an import, ``autocode --as``, a second coder's codings) and
before ANALYZE, which a coder's role may not run, the planner guesses: ``transcript_id =
ANY(chunk)`` read as "a sixth of the table" made it scan every turn for each chunk of a
corpus walk, and ``coder = ?`` read as "a few rows" made it read all of a coder's codings
for each chunk (agreement 1.7 s instead of 0.55 s at 800 transcripts, issue 21): a walk in
chunks grew with the corpus squared. Joined laterally to :func:`each_transcript`, a
subquery kept apart by ``OFFSET 0`` (so the planner cannot fold it back into one scan)
sees ``transcript_id = chunk.id``, one transcript, and is served by an index on it.

Build such a statement once (on its first use: ``functools.cache``), and execute it with
the chunk's ids as the parameter :data:`CHUNK_IDS` (a list: psycopg sends it as one
array, whatever its length). Not at import: SQLAlchemy's PostgreSQL dialect, which the
array type comes from, is ~130 M instructions to import (a tenth of one ``qualcode
tag``), and a command on SQLite never runs these statements.
A lateral subquery built per chunk left about 900 objects in reference cycles each time
(its column proxies copy the tables' columns, foreign keys and event dispatchers), which
only the cyclic garbage collector frees: the agreement walk's peak then followed the
number of chunks whenever the collector ran late (306 -> 590 KB for 4x the transcripts,
depending on which tests had run before).
"""

from __future__ import annotations

from sqlalchemy import String, bindparam, cast, func

CHUNK_IDS = "chunk_ids"
"""The name of the bind parameter holding the chunk's transcript ids."""


def each_transcript():
    """The ids of :data:`CHUNK_IDS` as a one-column table ``chunk(id)`` (``unnest`` of one
    array parameter)."""
    # Only on PostgreSQL: see the module's docstring.
    from sqlalchemy.dialects.postgresql import ARRAY

    ids = cast(bindparam(CHUNK_IDS, type_=ARRAY(String)), ARRAY(String))
    return func.unnest(ids).table_valued("id").render_derived("chunk")
