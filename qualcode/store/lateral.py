"""Reading a chunk of transcripts one index seek each on PostgreSQL, whatever its statistics.

Right after a bulk write (an import, ``autocode --as``, a second coder's codings) and
before ANALYZE, which a coder's role may not run, the planner guesses: ``transcript_id =
ANY(chunk)`` read as "a sixth of the table" made it scan every turn for each chunk of a
corpus walk, and ``coder = ?`` read as "a few rows" made it read all of a coder's codings
for each chunk (agreement 1.7 s instead of 0.55 s at 800 transcripts, issue 21): a walk in
chunks grew with the corpus squared. Joined laterally to :func:`each_transcript`, a
subquery kept apart by ``OFFSET 0`` (so the planner cannot fold it back into one scan)
sees ``transcript_id = chunk.id``, one transcript, and is served by an index on it.
"""

from __future__ import annotations

from sqlalchemy import String, cast, func
from sqlalchemy.dialects.postgresql import ARRAY


def each_transcript(transcript_ids: list[str]):
    """The ids as a one-column table ``chunk(id)`` (``unnest`` of one array parameter)."""
    return func.unnest(cast(transcript_ids, ARRAY(String))).table_valued("id").render_derived("chunk")
