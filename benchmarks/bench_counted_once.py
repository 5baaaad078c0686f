"""What the stored counts cost a bulk write: codings inserted with the triggers counting
each row, counted once per part (``stored_counts.counted_once``), and with no counting.

    python benchmarks/bench_counted_once.py [--codings 10000] [--part 2000] [--rounds 3]
                                            [--path general|part] [--postgres [URL]] [--json FILE]

A fresh store (a temporary SQLite file or, with ``--postgres``, a fresh schema of the
server; default URL QUALCODE_TEST_DATABASE_URL) gets 20 transcripts of 100 turns. Each
run inserts ``--codings`` codings of one coder (five codes on each turn) in parts of
``--part`` through ``store.codings.insert_codings`` (``--path general``: an executemany,
one INSERT a coding) or ``store.bulk_insert.insert_part`` (``--path part``: what
``store/bulk.py`` writes a part with, 500 rows an INSERT), in one transaction that is
rolled back, so every run starts from the same store. The sides alternate
(``honest.alternate``): ``triggers`` (as any write), ``counted_once`` (as
``store/bulk.py`` writes a part) and ``uncounted`` (the counting trigger dropped inside
the rolled-back transaction: the floor). On PostgreSQL the figures carry the server's
CPU seconds too (``server_cpu``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from honest import alternate, describe  # noqa: E402
from sqlalchemy import Connection, Engine, insert, text  # noqa: E402

from qualcode.store import open_engine, sqlite_url, upgrade  # noqa: E402
from qualcode.store.bulk_insert import insert_part  # noqa: E402
from qualcode.store.codings import insert_codings  # noqa: E402
from qualcode.store.schema import coders, segments, transcripts  # noqa: E402
from qualcode.store.stored_counts import counted_once  # noqa: E402

TRANSCRIPTS, TURNS, CODES = 20, 100, 5


def fill(engine: Engine) -> dict[tuple[str, int], int]:
    """The transcripts, their turns and the coder; segment ids by (transcript, ordinal)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(coders).values(name="bulk", created_at=now))
        for t in range(TRANSCRIPTS):
            tid = f"t{t:02d}"
            conn.execute(insert(transcripts).values(
                id=tid, title=tid, role="r", site="s", text="x" * (TURNS * 10), format="text", source_path=f"{tid}.txt",
                sha256=tid, imported_at=now, attributes={}))
            conn.execute(insert(segments), [
                {"transcript_id": tid, "ordinal": o, "speaker": "R", "is_interviewer": o % 2 == 0,
                 "start_offset": o * 10, "end_offset": o * 10 + 9} for o in range(TURNS)])
        return {(t, o): i for i, t, o in conn.execute(text("SELECT id, transcript_id, ordinal FROM segments"))}


def codings_rows(ids: dict[tuple[str, int], int], count: int) -> list[dict]:
    now = datetime.now(UTC)
    rows = [{"transcript_id": tid, "segment_id": sid, "coder": "bulk", "code_id": f"code{k}", "start_offset": o * 10,
             "end_offset": o * 10 + 5, "origin": "rules", "orphaned": False, "created_at": now, "updated_at": now}
            for (tid, o), sid in sorted(ids.items()) for k in range(CODES)]
    if count > len(rows):
        raise SystemExit(f"--codings is at most {len(rows)} ({TRANSCRIPTS} transcripts x {TURNS} turns x {CODES} codes)")
    return rows[:count]


def writer(path: str) -> Callable[[Connection, list[dict]], object]:
    """How a part is inserted: insert_codings' executemany, or insert_part's multi-row INSERTs."""
    if path == "general":
        return insert_codings

    def part(conn: Connection, chunk: list[dict]) -> None:
        stamp = chunk[0]["created_at"]
        plain = [{k: v for k, v in r.items() if k not in ("created_at", "updated_at")} for r in chunk]
        if insert_part(conn, plain, stamp) is None:
            raise SystemExit(f"--path part: this back end ({conn.dialect.name}) has no multi-row path")
    return part


def side(engine: Engine, rows: list[dict], part: int, how: str, path: str = "general") -> Callable[[], None]:
    write_part = writer(path)

    def run() -> None:
        with engine.connect() as conn, conn.begin() as transaction:
            if how == "uncounted":
                for statement in uncount_statements(conn.dialect.name):
                    conn.exec_driver_sql(statement)
            for first in range(0, len(rows), part):
                chunk = rows[first:first + part]
                if how == "counted_once":
                    with counted_once(conn, {(r["coder"], r["transcript_id"]) for r in chunk}):
                        write_part(conn, chunk)
                else:
                    write_part(conn, chunk)
            transaction.rollback()
    return run


def uncount_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [f"ALTER TABLE codings DISABLE TRIGGER qualcode_count_{op}" for op in ("insert", "delete", "update")]
    return [f"DROP TRIGGER qualcode_count_{op}" for op in ("insert", "delete", "update")]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codings", type=int, default=10000)
    parser.add_argument("--part", type=int, default=2000, help="codings per part (autocode --as: at least 2,000)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", nargs="?", const="", help="server URL (default QUALCODE_TEST_DATABASE_URL)")
    parser.add_argument("--path", choices=("general", "part"), default="general",
                        help="insert_codings (one INSERT a coding) or insert_part (the bulk write's, 500 rows an INSERT)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    server = None if args.postgres is None else (args.postgres or os.environ["QUALCODE_TEST_DATABASE_URL"])
    schema = folder = None
    if server:
        from tests.pg import create_schema, with_search_path

        schema = create_schema(server)
        url = with_search_path(server, schema)
    else:
        folder = Path(tempfile.mkdtemp(prefix="qualcode-bench-counts-"))
        url = sqlite_url(folder / "store.db")
    engine = open_engine(url)
    try:
        upgrade(engine)
        rows = codings_rows(fill(engine), args.codings)
        sides = {how: side(engine, rows, args.part, how, args.path) for how in ("triggers", "counted_once", "uncounted")}
        result = {"backend": "postgresql" if server else "sqlite", "codings": len(rows), "part": args.part, "path": args.path,
                  **alternate(sides, args.rounds)}
    finally:
        engine.dispose()
        if server and schema:
            from tests.pg import drop_schema

            drop_schema(server, schema)
        if folder:
            shutil.rmtree(folder)
    for how in sides:
        figure = result[how]
        server_cpu = f", server CPU {figure['server_cpu']['median']:.3f} s" if "server_cpu" in figure else ""
        print(describe(how, figure) + server_cpu)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
