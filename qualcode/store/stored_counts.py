"""Counts kept as data: ``coder_turns`` and ``code_turns``, kept by database triggers.

Every tally states its coverage (the turns each coder coded) and counts references
(the distinct turns coded with each code). Read from the 1M rows of ``codings`` that
was most of a tally's time (docs/performance.md); these two small tables hold the
answers and the database keeps them right on every write to ``codings`` -- tagging,
undo, bulk inserts, re-anchoring, a transcript's removal (its codings are deleted),
a re-import (the segments' deletion empties ``codings.segment_id``: an UPDATE).

- ``coder_turns``: per (coder, transcript, segment) with a live coding, how many.
- ``code_turns``: per (coder, code, transcript), the distinct segments so coded.

A live coding is one with a segment (an orphaned coding has none). SQLite runs its
AFTER ROW triggers as each row is written, so "no other coding of this key" is
checked row by row. PostgreSQL (since migration 19; a BEFORE ROW trigger until then)
counts once a statement: three AFTER ... FOR EACH STATEMENT triggers read the
statement's rows from transition tables and change each key by a delta, checked
against ``codings`` as the statement left it (see ``_postgres_counting``), so a bulk
part's 500-row INSERT calls the function once, not 500 times. The function is
``SECURITY DEFINER``: a coder's write keeps the counts right, while the coder's role
has no privilege on the tables themselves (``db grant`` gives SELECT only).

A bulk write (``store/bulk.py``: ``autocode --as``, codings import) counts once per part
instead (:func:`counted_once`): it puts its (coder, transcript) keys in
``counts_deferred``, the triggers leave writes of those keys alone, and before the
block ends :func:`recount` recomputes those keys' rows from ``codings``
(a DELETE and an INSERT ... SELECT ... GROUP BY per table) and empties the switch. The
switch is a table, not a setting: its rows are the writer's own uncommitted rows,
unseen by any other transaction, and on PostgreSQL only the lead's role may write it
(a coder's role may not, so a coder cannot turn counting off for their writes; their
bulk writes are counted by the triggers: row by row on SQLite, a statement at a time
on PostgreSQL).

:func:`count_problems` compares the stored counts with a recomputation from
``codings`` (tests, ``db copy``); :func:`rebuild_counts` recomputes them (migration).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, TextClause, bindparam, case, delete, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from qualcode.store.schema import code_turns, coder_turns, codings, counts_deferred, segments
from qualcode.store.turn_totals import TOTAL_TABLES, total_problems

# The counts kept per (coder, transcript, ...) from codings: a bulk write recounts these
# for its keys (the totals kept from coder_turns follow by their own triggers).
KEYED_COUNTS = (coder_turns, code_turns)
# With the totals kept from them (store/turn_totals.py): every table a trigger keeps.
# Their triggers are installed and filled apart (migration 17), never by migration 15's
# functions here, which run on stores that do not have the totals' tables yet.
COUNTED_TABLES = (*KEYED_COUNTS, *TOTAL_TABLES)
CHUNK = 500  # transcript ids per IN list: well under every driver's parameter limit

_OLD_KEY_CHANGED = ("OLD.coder IS NOT NEW.coder OR OLD.code_id IS NOT NEW.code_id "
                    "OR OLD.transcript_id IS NOT NEW.transcript_id OR OLD.segment_id IS NOT NEW.segment_id")


def _deferred(row: str) -> str:
    """Whether the coding ``row``'s (coder, transcript) is being counted by a bulk write."""
    return (f"EXISTS (SELECT 1 FROM counts_deferred WHERE coder = {row}.coder "
            f"AND transcript_id = {row}.transcript_id)")


def _sqlite_add(row: str, other: str) -> str:
    """Statements counting in the coding ``row`` (NEW); ``other`` excludes it from the EXISTS test."""
    r = row
    return f"""
  INSERT INTO coder_turns (coder, transcript_id, segment_id, is_interviewer, codings)
    SELECT {r}.coder, {r}.transcript_id, {r}.segment_id,
           coalesce((SELECT is_interviewer FROM segments WHERE id = {r}.segment_id), 0), 1
    WHERE {r}.segment_id IS NOT NULL
    ON CONFLICT (coder, transcript_id, segment_id) DO UPDATE SET codings = codings + 1;
  INSERT INTO code_turns (coder, code_id, transcript_id, turns)
    SELECT {r}.coder, {r}.code_id, {r}.transcript_id, 1
    WHERE {r}.segment_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM codings WHERE coder = {r}.coder AND code_id = {r}.code_id
        AND transcript_id = {r}.transcript_id AND segment_id = {r}.segment_id {other})
    ON CONFLICT (coder, code_id, transcript_id) DO UPDATE SET turns = turns + 1;"""


def _sqlite_remove(row: str) -> str:
    """Statements counting out the coding ``row`` (OLD), already gone from its key."""
    r = row
    turn = f"coder = {r}.coder AND transcript_id = {r}.transcript_id AND segment_id = {r}.segment_id"
    code = f"coder = {r}.coder AND code_id = {r}.code_id AND transcript_id = {r}.transcript_id"
    return f"""
  UPDATE coder_turns SET codings = codings - 1 WHERE {turn};
  DELETE FROM coder_turns WHERE {turn} AND codings <= 0;
  UPDATE code_turns SET turns = turns - 1 WHERE {code} AND {r}.segment_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM codings WHERE {code} AND segment_id = {r}.segment_id);
  DELETE FROM code_turns WHERE {code} AND turns <= 0;"""


def sqlite_trigger_statements() -> list[str]:
    drop = [f"DROP TRIGGER IF EXISTS qualcode_count_{op}" for op in ("insert", "delete", "update")]
    return drop + [
        (f"CREATE TRIGGER qualcode_count_insert AFTER INSERT ON codings WHEN NOT {_deferred('NEW')} "
         f"BEGIN {_sqlite_add('NEW', 'AND id <> NEW.id')} END"),
        (f"CREATE TRIGGER qualcode_count_delete AFTER DELETE ON codings WHEN NOT {_deferred('OLD')} "
         f"BEGIN {_sqlite_remove('OLD')} END"),
        # Counted by the trigger unless both keys are deferred (a deferred key's rows are
        # recounted from codings anyway, whatever the trigger did to them).
        (f"CREATE TRIGGER qualcode_count_update AFTER UPDATE OF coder, code_id, transcript_id, segment_id ON codings "
         f"WHEN ({_OLD_KEY_CHANGED}) AND NOT ({_deferred('OLD')} AND {_deferred('NEW')}) "
         f"BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW', 'AND id <> NEW.id')} END"),
    ]


# -- PostgreSQL: statement-level triggers over transition tables ---------------------
#
# One call per statement, not per row: a multi-row INSERT of a bulk part (store/bulk_insert.py)
# is counted, or found deferred, once. Each trigger sees the statement's rows in its transition
# tables and the codings table as the statement left it, so a key's counts change by a
# delta: coder_turns by the rows added less the rows removed; code_turns, for each
# (coder, code, transcript, turn) touched, by whether it has a coding now less whether it
# had one before (now less the statement's net rows). A row whose (coder, transcript) is
# deferred is left out, an update's old and new side each by its own key (the row trigger
# counted both sides unless both were deferred): a deferred key is recounted from codings
# by the bulk write anyway, so the counts stored in the end are the same.

_LIVE_SIDE = "{t}.segment_id IS NOT NULL AND NOT " + _deferred("{t}")
_COLUMNS = "coder, code_id, transcript_id, segment_id"


def _touched(op: str) -> str:
    """SELECT of the statement's counted rows: (coder, code_id, transcript_id, segment_id, n),
    n = 1 for a row added, -1 for a row removed."""
    if op == "INSERT":
        return f"SELECT {_COLUMNS}, 1 AS n FROM new_rows AS a WHERE {_LIVE_SIDE.format(t='a')}"
    if op == "DELETE":
        return f"SELECT {_COLUMNS}, -1 AS n FROM old_rows AS r WHERE {_LIVE_SIDE.format(t='r')}"
    moved = ("FROM old_rows AS r JOIN new_rows AS a ON a.id = r.id WHERE (r.coder, r.code_id, r.transcript_id, r.segment_id)"
             " IS DISTINCT FROM (a.coder, a.code_id, a.transcript_id, a.segment_id)")
    removed = ", ".join(f"r.{c}" for c in _COLUMNS.split(", "))
    added = ", ".join(f"a.{c}" for c in _COLUMNS.split(", "))
    return (f"SELECT {removed}, -1 AS n {moved} AND {_LIVE_SIDE.format(t='r')} "
            f"UNION ALL SELECT {added}, 1 AS n {moved} AND {_LIVE_SIDE.format(t='a')}")


def _postgres_counting(op: str) -> str:
    """The statements counting one statement's rows in (and out)."""
    touched = _touched(op)
    counted = f"""
    INSERT INTO coder_turns AS t (coder, transcript_id, segment_id, is_interviewer, codings)
      SELECT d.coder, d.transcript_id, d.segment_id,
             coalesce((SELECT is_interviewer FROM segments WHERE id = d.segment_id), false), d.n
      FROM (SELECT coder, transcript_id, segment_id, sum(n) AS n FROM ({touched}) AS x
            GROUP BY coder, transcript_id, segment_id) AS d
      WHERE d.n <> 0
      ON CONFLICT (coder, transcript_id, segment_id) DO UPDATE SET codings = t.codings + excluded.codings;
    INSERT INTO code_turns AS t (coder, code_id, transcript_id, turns)
      SELECT q.coder, q.code_id, q.transcript_id, sum((q.now > 0)::int - (q.now - q.n > 0)::int)
      FROM (SELECT p.coder, p.code_id, p.transcript_id, p.n,
                   (SELECT count(*) FROM codings AS c WHERE c.coder = p.coder AND c.transcript_id = p.transcript_id
                      AND c.segment_id = p.segment_id AND c.code_id = p.code_id) AS now
            FROM (SELECT {_COLUMNS}, sum(n) AS n FROM ({touched}) AS x GROUP BY {_COLUMNS}) AS p) AS q
      GROUP BY q.coder, q.code_id, q.transcript_id
      HAVING sum((q.now > 0)::int - (q.now - q.n > 0)::int) <> 0
      ON CONFLICT (coder, code_id, transcript_id) DO UPDATE SET turns = t.turns + excluded.turns;"""
    if op == "INSERT":
        return counted
    return counted + f"""
    DELETE FROM coder_turns AS t USING ({touched}) AS x
      WHERE t.coder = x.coder AND t.transcript_id = x.transcript_id AND t.segment_id = x.segment_id AND t.codings <= 0;
    DELETE FROM code_turns AS t USING ({touched}) AS x
      WHERE t.coder = x.coder AND t.code_id = x.code_id AND t.transcript_id = x.transcript_id AND t.turns <= 0;"""


def _postgres_body() -> str:
    """The function behind the three triggers; each branch reads only its own transition tables."""
    branches = "".join(
        f"""
  {'IF' if op == 'INSERT' else 'ELSIF'} TG_OP = '{op}' THEN
    IF NOT EXISTS ({_touched(op)}) THEN
      RETURN NULL;  -- nothing counted: every row deferred (a bulk part), orphaned or unmoved
    END IF;{_postgres_counting(op)}"""
        for op in ("INSERT", "DELETE", "UPDATE")
    )
    return f"""
BEGIN{branches}
  END IF;
  RETURN NULL;
END
"""


COUNT_TRIGGERS = {op: f"qualcode_count_{op.lower()}" for op in ("INSERT", "DELETE", "UPDATE")}
ROW_TRIGGER = "qualcode_count_codings"  # migrations 15-18: one BEFORE row trigger (its function keeps the name)


def postgres_trigger_statements(schema: str) -> list[str]:
    """The counting function and its three statement-level triggers, in ``schema``
    (idempotent; drops the row trigger of migrations 15-18). Transition tables are only
    allowed on a trigger of one event, and on an UPDATE trigger without a column list."""
    q = _quote
    function = f"{q(schema)}.qualcode_count_codings"
    table = f"{q(schema)}.codings"
    referencing = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                   "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    statements = [
        f"DROP TRIGGER IF EXISTS {ROW_TRIGGER} ON {table}",
        (f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
         f"SET search_path = {q(schema)}, pg_temp AS $qualcode${_postgres_body()}$qualcode$"),
        # Coders reach it only through the triggers.
        f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC",
    ]
    for op, name in COUNT_TRIGGERS.items():
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            (f"CREATE TRIGGER {name} AFTER {op} ON {table} REFERENCING {referencing[op]} "
             f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"),
        ]
    return statements


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install_count_triggers(conn: Connection) -> None:
    """Create (or replace) the triggers that keep the counts, for this back end."""
    if conn.dialect.name == "postgresql":
        schema = conn.execute(select(func.current_schema())).scalar_one()
        statements = postgres_trigger_statements(schema)
    else:
        statements = sqlite_trigger_statements()
    for statement in statements:
        conn.exec_driver_sql(statement)


# -- recomputation ------------------------------------------------------------------


def _live():
    return codings.c.segment_id.is_not(None)


def recomputed_coder_turns():
    """``coder_turns``' rows, computed from ``codings`` and ``segments``."""
    return (
        select(codings.c.coder, codings.c.transcript_id, codings.c.segment_id,
               func.coalesce(func.max(case((segments.c.is_interviewer, 1), else_=0)), 0), func.count())
        .select_from(codings.outerjoin(segments, segments.c.id == codings.c.segment_id))
        .where(_live()).group_by(codings.c.coder, codings.c.transcript_id, codings.c.segment_id)
    )


def recomputed_code_turns():
    """``code_turns``' rows, computed from ``codings``."""
    return (
        select(codings.c.coder, codings.c.code_id, codings.c.transcript_id,
               func.count(func.distinct(codings.c.segment_id)))
        .where(_live()).group_by(codings.c.coder, codings.c.code_id, codings.c.transcript_id)
    )


# -- counting a bulk write once -------------------------------------------------------

Keys = dict[str, list[str]]
"""(coder, transcript) keys by coder: {coder: transcript ids}."""


@contextmanager
def counted_once(conn: Connection, keys: Iterable[tuple[str, str]]) -> Iterator[bool]:
    """Within the block, writes to codings of these (coder, transcript) keys are left
    alone by the triggers and counted once at its end; yields whether that is so.

    Not on PostgreSQL for a role that may not write the switch and the counts (a
    coder's): their writes are counted row by row, as any other. The keys are
    recounted and the switch emptied on the way out of an error too (a caller that
    caught it could still commit), but after a database error on PostgreSQL, whose
    transaction is then aborted and can only roll back, switch included.
    """
    by_coder: Keys = {}
    for coder, transcript in sorted(set(keys)):
        by_coder.setdefault(coder, []).append(transcript)
    if not by_coder or not may_defer(conn):
        yield False
        return
    conn.execute(insert(counts_deferred), [{"coder": c, "transcript_id": t} for c, ts in by_coder.items() for t in ts])
    try:
        yield True
    except BaseException as error:
        if conn.dialect.name != "postgresql" or not isinstance(error, DBAPIError):
            recount(conn, by_coder)
        raise
    recount(conn, by_coder)


def recount(conn: Connection, keys: Keys) -> None:
    """Recompute the counts of these keys from codings (a DELETE and an INSERT ...
    SELECT ... GROUP BY a table, CHUNK transcripts at a time); switch them back on."""
    statements = _recount_statements(conn.dialect.name)
    for coder, transcripts in keys.items():
        for first in range(0, len(transcripts), CHUNK):
            chunk = transcripts[first : first + CHUNK]
            for table in (*KEYED_COUNTS, counts_deferred):
                conn.execute(delete(table).where(table.c.coder == coder, table.c.transcript_id.in_(chunk)))
            for statement in statements:
                conn.execute(statement, {"coder": coder, "transcripts": chunk})


def _recount_statements(dialect: str) -> list[TextClause]:
    """INSERT ... SELECT of one coder's rows in some transcripts, for each table. SQLite
    is told to read them off ix_codings_coder (coder, transcript_id, segment_id): without
    statistics it takes ix_codings_coder_code for code_turns' GROUP BY order, which
    reads every coding of the coder (a whole run's, for each part)."""
    hint = " INDEXED BY ix_codings_coder" if dialect == "sqlite" else ""
    among = "c.coder = :coder AND c.transcript_id IN :transcripts AND c.segment_id IS NOT NULL"
    turns = f"""
      INSERT INTO coder_turns (coder, transcript_id, segment_id, is_interviewer, codings)
      SELECT c.coder, c.transcript_id, c.segment_id,
             coalesce(max(CASE WHEN s.is_interviewer THEN 1 ELSE 0 END), 0) = 1, count(*)
      FROM codings AS c{hint} LEFT JOIN segments AS s ON s.id = c.segment_id
      WHERE {among} GROUP BY c.coder, c.transcript_id, c.segment_id"""
    codes = f"""
      INSERT INTO code_turns (coder, code_id, transcript_id, turns)
      SELECT c.coder, c.code_id, c.transcript_id, count(DISTINCT c.segment_id)
      FROM codings AS c{hint} WHERE {among} GROUP BY c.coder, c.code_id, c.transcript_id"""
    return [text(sql).bindparams(bindparam("transcripts", expanding=True)) for sql in (turns, codes)]


def may_defer(conn: Connection) -> bool:
    """Whether this connection's role may write the switch and the counts (always on SQLite)."""
    if conn.dialect.name != "postgresql":
        return True
    checks = [func.has_table_privilege(t.name, p) for t in (counts_deferred, *KEYED_COUNTS) for p in ("INSERT", "DELETE")]
    return all(conn.execute(select(*checks)).one())


def rebuild_counts(conn: Connection) -> None:
    """Replace the stored counts with a recomputation (migration 15, repairs)."""
    for table in (coder_turns, code_turns, counts_deferred):
        conn.execute(delete(table))
    rows = [(c, t, s, bool(i), n) for c, t, s, i, n in conn.execute(recomputed_coder_turns())]
    _insert(conn, coder_turns, rows)
    _insert(conn, code_turns, [tuple(r) for r in conn.execute(recomputed_code_turns())])


def _insert(conn: Connection, table, rows: list[tuple], batch: int = 5000) -> None:
    names = [c.name for c in table.columns]
    for first in range(0, len(rows), batch):
        conn.execute(insert(table), [dict(zip(names, r, strict=True)) for r in rows[first:first + batch]])


def count_problems(conn: Connection) -> list[str]:
    """Where the stored counts differ from a recomputation (empty when right), one line a table."""
    problems = []
    left_on = conn.execute(select(counts_deferred.c.coder, counts_deferred.c.transcript_id)).all()
    if left_on:
        problems.append(f"counts_deferred: {len(left_on)} key(s) left switched off, e.g. {tuple(left_on[0])}")
    expected_turns = {(c, t, s): (bool(i), n) for c, t, s, i, n in conn.execute(recomputed_coder_turns())}
    stored_turns = {(c, t, s): (bool(i), n) for c, t, s, i, n in conn.execute(select(*coder_turns.c))}
    expected_codes = {tuple(r[:3]): r[3] for r in conn.execute(recomputed_code_turns())}
    stored_codes = {tuple(r[:3]): r[3] for r in conn.execute(select(*code_turns.c))}
    for name, stored, expected in (("coder_turns", stored_turns, expected_turns),
                                   ("code_turns", stored_codes, expected_codes)):
        wrong = sorted(k for k in stored.keys() | expected.keys() if stored.get(k) != expected.get(k))
        if wrong:
            problems.append(f"{name}: {len(wrong)} row(s) differ from codings, e.g. {wrong[0]}: "
                            f"stored {stored.get(wrong[0])}, recomputed {expected.get(wrong[0])}")
    return problems + total_problems(conn)

