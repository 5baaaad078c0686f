"""Totals kept as data: ``coder_transcripts`` and ``transcript_turns``, kept by triggers.

Every tally and crosstab states its coverage: per transcript, the respondent turns and
the turns its counted coder coded. Grouping ``coder_turns`` (150k rows on the 1M-coding
benchmark store) and ``segments`` (300k rows) for that was a third of a tally's time
(docs/performance.md); these two tables hold the answers, one row per transcript:

- ``coder_transcripts``: per (coder, transcript), the rows of ``coder_turns`` on
  respondent turns and on interviewer turns. Kept by triggers on ``coder_turns``
  itself, so whatever keeps ``coder_turns`` (the row triggers on codings of
  store/stored_counts.py, a set-based bulk update, ``rebuild_counts``) keeps this.
- ``transcript_turns``: per transcript, its respondent turns (segments not marked
  interviewer). Kept by triggers on ``segments``: an import inserts them, a re-import
  deletes and re-inserts them, a new id updates their transcript, a removal deletes them.

Each count depends on its row alone (no "is there another row" test), so AFTER ROW
triggers suffice on both back ends. On PostgreSQL the functions are ``SECURITY
DEFINER``, as the one on codings: a coder's write keeps the totals right while the
coder's role has no privilege to write them.

:func:`total_problems` compares them with a recomputation; :func:`rebuild_totals`
recomputes them (migration 17, repairs); stored_counts.count_problems includes the former.
"""

from __future__ import annotations

from sqlalchemy import Connection, case, delete, func, insert, select

from qualcode.store.schema import coder_transcripts, coder_turns, segments, transcript_turns

TOTAL_TABLES = (coder_transcripts, transcript_turns)


def _kind(row: str, interviewer: bool) -> str:
    """1 when the ``coder_turns`` row ``row`` (OLD/NEW) is of that kind, else 0."""
    return f"(CASE WHEN {row}.is_interviewer THEN {int(interviewer)} ELSE {int(not interviewer)} END)"


def _coder_add(r: str) -> str:
    return f"""
  INSERT INTO coder_transcripts (coder, transcript_id, respondent_turns, interviewer_turns)
    VALUES ({r}.coder, {r}.transcript_id, {_kind(r, False)}, {_kind(r, True)})
    ON CONFLICT (coder, transcript_id) DO UPDATE SET
      respondent_turns = coder_transcripts.respondent_turns + excluded.respondent_turns,
      interviewer_turns = coder_transcripts.interviewer_turns + excluded.interviewer_turns;"""


def _coder_remove(r: str) -> str:
    key = f"coder = {r}.coder AND transcript_id = {r}.transcript_id"
    return f"""
  UPDATE coder_transcripts SET respondent_turns = respondent_turns - {_kind(r, False)},
    interviewer_turns = interviewer_turns - {_kind(r, True)} WHERE {key};
  DELETE FROM coder_transcripts WHERE {key} AND respondent_turns <= 0 AND interviewer_turns <= 0;"""


def _segment_add(r: str) -> str:
    return f"""
  INSERT INTO transcript_turns (transcript_id, respondent_turns)
    SELECT {r}.transcript_id, 1 WHERE NOT {r}.is_interviewer
    ON CONFLICT (transcript_id) DO UPDATE SET respondent_turns = transcript_turns.respondent_turns + 1;"""


def _segment_remove(r: str) -> str:
    key = f"transcript_id = {r}.transcript_id"
    return f"""
  UPDATE transcript_turns SET respondent_turns = respondent_turns - 1 WHERE {key} AND NOT {r}.is_interviewer;
  DELETE FROM transcript_turns WHERE {key} AND respondent_turns <= 0;"""


_CODER_KEY = "coder, transcript_id, segment_id, is_interviewer"
_SEGMENT_KEY = "transcript_id, is_interviewer"


def _changed(columns: str) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns.split(", "))


def sqlite_total_statements() -> list[str]:
    names = [f"qualcode_total_{table}_{op}" for table in ("turn", "segment") for op in ("insert", "delete", "update")]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in names] + [
        f"CREATE TRIGGER qualcode_total_turn_insert AFTER INSERT ON coder_turns BEGIN {_coder_add('NEW')} END",
        f"CREATE TRIGGER qualcode_total_turn_delete AFTER DELETE ON coder_turns BEGIN {_coder_remove('OLD')} END",
        (f"CREATE TRIGGER qualcode_total_turn_update AFTER UPDATE OF {_CODER_KEY} ON coder_turns "
         f"WHEN {_changed(_CODER_KEY)} BEGIN {_coder_remove('OLD')} {_coder_add('NEW')} END"),
        f"CREATE TRIGGER qualcode_total_segment_insert AFTER INSERT ON segments BEGIN {_segment_add('NEW')} END",
        f"CREATE TRIGGER qualcode_total_segment_delete AFTER DELETE ON segments BEGIN {_segment_remove('OLD')} END",
        (f"CREATE TRIGGER qualcode_total_segment_update AFTER UPDATE OF {_SEGMENT_KEY} ON segments "
         f"WHEN {_changed(_SEGMENT_KEY)} BEGIN {_segment_remove('OLD')} {_segment_add('NEW')} END"),
    ]


def _postgres_body(remove: str, add: str) -> str:
    return f"""
BEGIN
  IF TG_OP <> 'INSERT' THEN {remove}
  END IF;
  IF TG_OP <> 'DELETE' THEN {add}
  END IF;
  RETURN NULL;
END
"""


def postgres_total_statements(schema: str) -> list[str]:
    """The totals' functions and triggers, in ``schema`` (idempotent)."""
    q = _quote
    statements = []
    for name, table, columns, body in (
        ("qualcode_total_turns", "coder_turns", _CODER_KEY, _postgres_body(_coder_remove("OLD"), _coder_add("NEW"))),
        ("qualcode_total_segments", "segments", _SEGMENT_KEY,
         _postgres_body(_segment_remove("OLD"), _segment_add("NEW"))),
    ):
        function = f"{q(schema)}.{name}"
        statements += [
            (f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
             f"SET search_path = {q(schema)}, pg_temp AS $qualcode${body}$qualcode$"),
            f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC",
            f"DROP TRIGGER IF EXISTS {name} ON {q(schema)}.{table}",
            (f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {q(schema)}.{table} "
             f"FOR EACH ROW EXECUTE FUNCTION {function}()"),
        ]
    return statements


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def install_total_triggers(conn: Connection) -> None:
    """Create (or replace) the triggers that keep the totals, for this back end."""
    if conn.dialect.name == "postgresql":
        statements = postgres_total_statements(conn.execute(select(func.current_schema())).scalar_one())
    else:
        statements = sqlite_total_statements()
    for statement in statements:
        conn.exec_driver_sql(statement)


# -- recomputation ------------------------------------------------------------------


def recomputed_coder_transcripts():
    """``coder_transcripts``' rows, computed from ``coder_turns``."""
    asked = func.sum(case((coder_turns.c.is_interviewer, 1), else_=0))
    return (select(coder_turns.c.coder, coder_turns.c.transcript_id, func.count() - asked, asked)
            .group_by(coder_turns.c.coder, coder_turns.c.transcript_id))


def recomputed_transcript_turns():
    """``transcript_turns``' rows, computed from ``segments``."""
    return (select(segments.c.transcript_id, func.count()).where(segments.c.is_interviewer.is_(False))
            .group_by(segments.c.transcript_id))


def rebuild_totals(conn: Connection) -> None:
    """Replace the totals with a recomputation (after ``coder_turns`` is rebuilt)."""
    for table, query in ((coder_transcripts, recomputed_coder_transcripts()),
                         (transcript_turns, recomputed_transcript_turns())):
        conn.execute(delete(table))
        names = [c.name for c in table.columns]
        rows = [dict(zip(names, r, strict=True)) for r in conn.execute(query)]
        if rows:
            conn.execute(insert(table), rows)


def total_problems(conn: Connection) -> list[str]:
    """Where the totals differ from a recomputation (empty when right), one line a table."""
    problems = []
    for table, query in ((coder_transcripts, recomputed_coder_transcripts()),
                         (transcript_turns, recomputed_transcript_turns())):
        width = len(table.primary_key.columns)
        expected = {tuple(r[:width]): tuple(int(v) for v in r[width:]) for r in conn.execute(query)}
        stored = {tuple(r[:width]): tuple(r[width:]) for r in conn.execute(select(*table.c))}
        wrong = sorted(k for k in stored.keys() | expected.keys() if stored.get(k) != expected.get(k))
        if wrong:
            problems.append(f"{table.name}: {len(wrong)} row(s) differ from a recomputation, e.g. {wrong[0]}: "
                            f"stored {stored.get(wrong[0])}, recomputed {expected.get(wrong[0])}")
    return problems
