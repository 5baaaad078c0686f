"""Benchmark tallies and crosstabs over 1,000,000 codings, side by side with pandas.

    python benchmarks/bench_tally.py [--codings 1000000] [--transcripts 3000]
                                     [--store DIR] [--repeat 3] [--json FILE]
                                     [--postgres [URL] [--schema NAME]] [--build-only]

Builds a real project store (the ECM codebook, ``--transcripts`` transcripts of 100
turns at 10 sites, ``--codings`` codings by one coder inserted with executemany,
5% of them repeated spans of a code already in the turn) -- or reuses ``--store``
when it already holds that many codings. Then times, alternating ``--repeat`` rounds:

- the qualcode twin functions (``tally``, ``crosstab``: counts the database keeps by
  triggers, store/stored_counts.py, or under rollup a SQL GROUP BY with
  COUNT(DISTINCT segment_id) through the covering index; co-occurrence in numpy);
- the same questions answered with a bare pandas groupby on the codings table fetched
  with ``pandas.read_sql`` (the fetch is timed separately: it is also what a
  "fetch everything once, aggregate in numpy" design would pay on every command);
- pandas doing the same work as qualcode: the groupby plus the coverage every
  qualcode figure carries (respondent turns per transcript, and the distinct
  respondent and interviewer turns the coder coded, from the segments table fetched
  with the codings);

and asserts that all give the same numbers (the coverage too). The three sides
alternate for ``--repeat`` rounds after a warm-up round (benchmarks/honest.py): the
median and range of each side's wall and CPU seconds, the median and range of the
per-round ratios (qualcode / bare groupby, qualcode / pandas with coverage), and the
load average are reported. All run in this one process (one core each). The targets:
every tally and crosstab under one second, and at most 1.5x the pandas groupby.

With ``--postgres`` the store is a schema on a PostgreSQL server (URL, default
``QUALCODE_TEST_DATABASE_URL``): a fresh one, dropped afterwards, or ``--schema NAME``,
created when missing, kept, and reused by the next run when it holds the codings (so a
run after a change to the tally code can skip the generation). The generated rows are
then ANALYZEd, as autovacuum would after a bulk load. On a server on this machine the
CPU seconds of the backend that served qualcode's queries are reported too
(``server_cpu``, ``honest.server_cpu_seconds``): the client's CPU alone leaves out the
SQL, and pandas has none, so the CPU ratios there are client + server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGET_SECONDS = 1.0
TARGET_RATIO = 1.5
CODER = "bench"
SITES = "ABCDEFGHIJ"
REGIONS = ("Northeast", "South", "Midwest", "West")
TURNS = 100
CHUNK = 50_000


# -- the store --------------------------------------------------------------------------


def open_store(folder: Path | None, codings: int, transcripts: int):
    """A project with ``codings`` codings (generated unless ``folder`` already has them)."""
    from qualcode.project import Project

    root = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="qualcode-bench-tally-"))
    if not (root / "qualcode.toml").exists():
        Project.init(root).close()
        config = (root / "qualcode.toml").read_text(encoding="utf-8")
        (root / "codebooks" / "ecm.yaml").write_text((ROOT / "codebooks" / "ecm.yaml").read_text("utf-8"), "utf-8")
        (root / "qualcode.toml").write_text(config.replace("codebooks/codebook.yaml", "codebooks/ecm.yaml"), "utf-8")
    project = Project(root)
    project.migrate()  # a folder reused with a fresh PostgreSQL schema
    if stored_codings(project) != codings:
        started = time.perf_counter()
        generate(project, codings, transcripts)
        if project.engine.dialect.name == "postgresql":  # as autovacuum would after a bulk load
            with project.engine.connect() as conn:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
        print(f"generated {codings:,} codings in {time.perf_counter() - started:.1f} s at {root}")
    return project


def use_postgres(server: str, schema: str | None) -> str | None:
    """Point the project at ``schema`` (or a fresh one) on ``server``; returns the schema to drop."""
    from tests.pg import create_schema, run_sql, with_search_path

    if schema is None:
        schema, drop = create_schema(server), True
    else:
        run_sql(server, f"CREATE SCHEMA IF NOT EXISTS {schema}")
        drop = False
    os.environ["QUALCODE_DATABASE_URL"] = with_search_path(server, schema)
    return schema if drop else None


def stored_codings(project) -> int:
    from sqlalchemy import func, select

    from qualcode.store.schema import codings

    with project.read() as conn:
        return conn.execute(select(func.count()).select_from(codings)).scalar()


def generate(project, n_codings: int, n_transcripts: int, seed: int = 7) -> None:
    import numpy as np
    from sqlalchemy import delete, insert

    from qualcode.store.schema import coders, codings, segments, transcripts

    rng = np.random.default_rng(seed)
    codebook = project.codebook
    codes = [c.id for c in codebook.codes.values() if c.codable]
    roles = list(codebook.roles)
    now = datetime.now(UTC)
    with project.write() as conn:
        for table in (codings, segments, transcripts, coders):
            conn.execute(delete(table))
        conn.execute(insert(coders), [{"name": CODER, "created_at": now}])
        conn.execute(insert(transcripts), [_transcript(i, roles, now) for i in range(n_transcripts)])
        conn.execute(insert(segments), [_segment(i, o) for i in range(n_transcripts) for o in range(1, TURNS + 1)])
        weights = 1.0 / np.arange(1, len(codes) + 1) ** 0.6  # a few codes are used much more
        code_index = rng.choice(len(codes), size=n_codings, p=weights / weights.sum())
        transcript = rng.integers(0, n_transcripts, size=n_codings)
        turn = 2 * rng.integers(1, TURNS // 2 + 1, size=n_codings)  # respondent turns are even
        repeat = rng.random(n_codings) < 0.05  # a second span of the code just before
        for row in range(1, n_codings):
            if repeat[row]:
                code_index[row], transcript[row], turn[row] = code_index[row - 1], transcript[row - 1], turn[row - 1]
        for start in range(0, n_codings, CHUNK):
            stop = min(start + CHUNK, n_codings)
            conn.execute(insert(codings), [
                _coding(int(transcript[k]), int(turn[k]), codes[int(code_index[k])], now, shift=int(repeat[k]))
                for k in range(start, stop)
            ])


def _transcript(i: int, roles: list[str], now) -> dict:
    return {
        "id": f"t{i:05d}", "title": f"t{i:05d}", "role": roles[i % len(roles)], "site": SITES[i % len(SITES)],
        "attributes": {"region": REGIONS[(i // len(SITES)) % len(REGIONS)]}, "source_path": "generated",
        "sha256": "0" * 64, "format": "text", "text": "x" * (TURNS * 40), "imported_at": now,
    }


def _segment(i: int, ordinal: int) -> dict:
    return {
        "id": i * TURNS + ordinal, "transcript_id": f"t{i:05d}", "ordinal": ordinal, "speaker": "R",
        "is_interviewer": ordinal % 2 == 1, "start_offset": (ordinal - 1) * 40, "end_offset": ordinal * 40 - 2,
    }


def _coding(i: int, ordinal: int, code: str, now, shift: int) -> dict:
    start = (ordinal - 1) * 40 + 5 * shift
    return {
        "transcript_id": f"t{i:05d}", "segment_id": i * TURNS + ordinal, "coder": CODER, "code_id": code,
        "start_offset": start, "end_offset": start + 20, "origin": "rules", "orphaned": False,
        "created_at": now, "updated_at": now,
    }


# -- the questions, asked of qualcode and of pandas -----------------------------------------

QUESTIONS = [
    ("tally referral --by role", {"kind": "tally", "code": "referral", "by": "role"}),
    ("tally challenge --rollup --count transcripts", {"kind": "tally", "code": "challenge", "rollup": True,
                                                       "count": "transcripts"}),
    ("tally challenge --rollup --count sites --by attr:region", {"kind": "tally", "code": "challenge",
                                                                  "rollup": True, "count": "sites",
                                                                  "by": "attr:region"}),
    ("crosstab referral site", {"kind": "crosstab", "rows": "referral", "columns": "site"}),
    ("crosstab referral challenge --rollup (co-occurrence)", {"kind": "crosstab", "rows": "referral",
                                                              "columns": "challenge", "rollup": True}),
]


def ask_qualcode(project, question: dict) -> tuple[dict, tuple]:
    """({(group-or-row, column-key): count}, coverage) from the qualcode twin."""
    from qualcode.tally import crosstab, tally

    if question["kind"] == "tally":
        result = tally(project, question["code"], by=question.get("by"), count=question.get("count", "references"),
                       rollup=question.get("rollup", False), coder=CODER)
        return {(g.key, r.code): r.count for g in result.groups for r in g.rows if r.count}, _coverage(result)
    found = crosstab(project, question["rows"], question["columns"], rollup=question.get("rollup", False),
                     coder=CODER)
    return {(r.key, c.key): found.counts[i][j] for i, r in enumerate(found.rows)
            for j, c in enumerate(found.columns) if found.counts[i][j]}, _coverage(found)


def _coverage(result) -> tuple:
    c = result.coverage
    return c["transcripts"], c["transcripts_coded"], c["respondent_turns"], c["respondent_turns_coded"]


def load_frames(project):
    """The codings and transcripts tables as DataFrames (what pandas has to fetch first)."""
    import pandas as pd

    with project.engine.connect() as conn:
        codings = pd.read_sql(
            f"SELECT transcript_id, segment_id, code_id FROM codings WHERE coder = '{CODER}' "
            "AND segment_id IS NOT NULL", conn)
        transcripts = pd.read_sql("SELECT id AS transcript_id, role, site, attributes FROM transcripts", conn)
        segments = pd.read_sql("SELECT id AS segment_id, transcript_id, is_interviewer FROM segments", conn)
    transcripts["region"] = [json.loads(a)["region"] if isinstance(a, str) else a["region"]
                             for a in transcripts.pop("attributes")]
    segments["is_interviewer"] = segments["is_interviewer"].astype(bool)
    return codings, transcripts, segments


def ask_pandas_covered(frames, codebook, question: dict) -> tuple[dict, tuple]:
    """The bare groupby's answer and the coverage qualcode states beside it, in pandas."""
    return ask_pandas(frames, codebook, question), pandas_coverage(frames)


def pandas_coverage(frames) -> tuple:
    """(transcripts, transcripts coded, respondent turns, respondent turns coded), as
    analysis_set.Coverage counts them: a transcript is coded when any of its turns is.
    A segment belongs to one transcript, so its distinct ids are the distinct turns
    (the cheapest pandas route: integer hashing, not (transcript, segment) pairs)."""
    import pandas as pd

    codings, transcripts, segments = frames
    coded = segments.set_index("segment_id").loc[pd.unique(codings["segment_id"])]
    respondent = int((~segments["is_interviewer"]).sum())
    return (len(transcripts), int(coded["transcript_id"].nunique()), respondent,
            int((~coded["is_interviewer"]).sum()))


def ask_pandas(frames, codebook, question: dict) -> dict:
    codings, transcripts, _ = frames
    if question["kind"] == "tally":
        keyed = _keyed(codings, codebook, question["code"], question.get("rollup", False))
        by = {"role": "role", "attr:region": "region"}.get(question.get("by"), None)
        return _pandas_tally(keyed, transcripts, by, question.get("count", "references"))
    rows = _keyed(codings, codebook, question["rows"], question.get("rollup", False))
    if question["columns"] == "site":
        merged = rows.drop_duplicates(["segment_id", "key"]).merge(transcripts, on="transcript_id")
        return {k: int(v) for k, v in merged.groupby(["key", "site"]).size().items()}
    columns = _keyed(codings, codebook, question["columns"], question.get("rollup", False))
    pairs = rows.drop_duplicates(["segment_id", "key"]).merge(
        columns.drop_duplicates(["segment_id", "key"]), on="segment_id", suffixes=("_row", "_column"))
    return {k: int(v) for k, v in pairs.groupby(["key_row", "key_column"]).size().items()}


def _keyed(codings, codebook, code: str, rollup: bool):
    """Codings of the code's children (descendants mapped to their child under rollup)."""
    mapping = {}
    for child in codebook.children(code):
        mapping[child.id] = child.id
        if rollup:
            mapping.update({d.id: child.id for d in codebook.descendants(child.id)})
    keyed = codings[codings["code_id"].isin(list(mapping))].copy()
    keyed["key"] = keyed["code_id"].map(mapping)
    return keyed


def _pandas_tally(keyed, transcripts, by: str | None, count: str) -> dict:
    merged = keyed.merge(transcripts, on="transcript_id")
    merged["group"] = merged[by] if by else "All"
    unit = {"references": "segment_id", "transcripts": "transcript_id", "sites": "site"}[count]
    distinct = merged.drop_duplicates(["group", "key", unit])
    return {k: int(v) for k, v in distinct.groupby(["group", "key"]).size().items()}


# -- timing -------------------------------------------------------------------------------


def best_of(repeat: int, function, *args):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


def _figure(side: dict) -> str:
    wall = side["wall"]
    return f"{wall['median']:>7.3f} s ({wall['min']:.3f}-{wall['max']:.3f})"


def _ratio(ratio: dict) -> str:
    wall = ratio["wall"]
    return f"{wall['median']:>5.2f}x ({wall['min']:.2f}-{wall['max']:.2f}) {ratio['cpu']['median']:>6.2f}x"


def machine(project) -> dict:
    figures = {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
               "backend": project.engine.dialect.name}
    if figures["backend"] == "sqlite":
        figures["sqlite"] = sqlite3.sqlite_version
    else:
        figures["server_version"] = ".".join(str(n) for n in project.engine.dialect.server_version_info)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--transcripts", type=int, default=3000)
    parser.add_argument("--store", type=Path, help="Project folder to build or reuse.")
    parser.add_argument("--repeat", type=int, default=5, help="alternating rounds (after one warm-up round)")
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON here.")
    parser.add_argument("--postgres", nargs="?", const="", help="PostgreSQL server URL (default QUALCODE_TEST_DATABASE_URL)")
    parser.add_argument("--schema", help="with --postgres: this schema, kept and reused (default: a fresh one, dropped)")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the store, then stop")
    args = parser.parse_args(argv)
    if args.schema and args.postgres is None:
        parser.error("--schema needs --postgres")
    if args.schema and not args.schema.isidentifier():
        parser.error(f"--schema must be a plain identifier, got {args.schema!r}")
    dropped = None
    if args.postgres is not None:
        dropped = use_postgres(args.postgres or os.environ["QUALCODE_TEST_DATABASE_URL"], args.schema)
    try:
        return run(args, argv)
    finally:
        if dropped:
            from tests.pg import drop_schema

            drop_schema(args.postgres or os.environ["QUALCODE_TEST_DATABASE_URL"], dropped)


def run(args, argv: list[str] | None) -> int:
    project = open_store(args.store, args.codings, args.transcripts)
    if args.build_only:
        print(f"{stored_codings(project):,} codings stored at {project.root}")
        return 0
    from honest import alternate, load_average

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    ask_qualcode(project, QUESTIONS[0][1])  # warm-up: codebook load, first connection
    fetch_seconds, frames = best_of(1, load_frames, project)
    rows, failures = [], 0
    print(f"{args.codings:,} codings, {args.transcripts:,} transcripts; pandas read_sql fetch: {fetch_seconds:.2f} s "
          f"(load {load_average()})")
    print(f"{'question':<58} {'qualcode (median, range)':>26} {'pandas':>22} {'ratio':>18} {'CPU ratio':>9} "
          f"{'+coverage':>22} {'ratio':>18} {'CPU ratio':>9} load  same")
    for label, question in QUESTIONS:
        answers: dict = {}
        sides = {
            "qualcode": lambda q=question, a=answers: a.__setitem__("qualcode", ask_qualcode(project, q)),
            "pandas": lambda q=question, a=answers: a.__setitem__("pandas", ask_pandas(frames, project.codebook, q)),
            "pandas_coverage": lambda q=question, a=answers: a.__setitem__(
                "pandas_coverage", ask_pandas_covered(frames, project.codebook, q)),
        }
        figures = alternate(sides, args.repeat)
        same = answers["qualcode"][0] == answers["pandas"] and answers["qualcode"] == answers["pandas_coverage"]
        failures += (not same) + (figures["qualcode"]["wall"]["median"] > TARGET_SECONDS)
        loads = [figures[side]["load"] for side in sides]
        load = [min(pair[0] for pair in loads), max(pair[1] for pair in loads)]
        bare, covered = figures["ratios"]["pandas"], figures["ratios"]["pandas_coverage"]
        rows.append({"question": label, "qualcode": figures["qualcode"], "pandas": figures["pandas"],
                     "pandas_coverage": figures["pandas_coverage"],
                     "ratio_wall": bare["wall"], "ratio_cpu": bare["cpu"],
                     "ratio_coverage_wall": covered["wall"], "ratio_coverage_cpu": covered["cpu"], "load": load,
                     "same_results": same, "cells": len(answers["qualcode"][0]), "coverage": answers["qualcode"][1]})
        if "total_cpu" in bare:  # PostgreSQL: qualcode's client + server CPU against pandas'
            rows[-1].update(ratio_total_cpu=bare["total_cpu"], ratio_coverage_total_cpu=covered["total_cpu"])
        print(f"{label:<58} {_figure(figures['qualcode'])} {_figure(figures['pandas'])} {_ratio(bare)} "
              f"{_figure(figures['pandas_coverage'])} {_ratio(covered)} "
              f"{load[0]:.1f}-{load[1]:.1f}  {'yes' if same else 'NO'}"
              + (f"  server CPU {figures['qualcode']['server_cpu']['median']:.3f} s, client+server CPU ratios "
                 f"{bare['total_cpu']['median']:.2f}x, {covered['total_cpu']['median']:.2f}x" if "total_cpu" in bare else ""),
              flush=True)
    report = {"started": started, "codings": args.codings, "transcripts": args.transcripts, "pandas_fetch_s": round(fetch_seconds, 3),
              "target_s": TARGET_SECONDS, "target_ratio": TARGET_RATIO, "rounds": args.repeat, "results": rows, "machine": machine(project),
              "command": "python benchmarks/bench_tally.py " + " ".join(argv or sys.argv[1:])}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"machine: {report['machine']}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
