"""SQLite versus PostgreSQL: coding-action latency, listings, tallies, agreement.

    python benchmarks/bench_backends.py [--postgres URL] [--transcripts 1000] [--turns 40]
                                        [--actions 200] [--repeat 5] [--no-example] [--json FILE]

Builds the same project on both back ends and times the same calls on each:

Both back ends are built first, then every figure alternates between them (``honest.alternate``:
the order flips every round; the load average is stored beside each figure); coding actions
alternate action by action. Never best-of-N against a single run.

- ``CodingSession.tag`` (a whole respondent turn, one code) and ``undo``: median
  and p95 of ``--actions`` actions by a fresh coder, in ten transcripts;
- ``qualcode.coding.listing.list_codings`` for one coder and for one transcript;
- ``qualcode.tally.tally(project, "referral", by="role")`` and
  ``qualcode.agreement.project.project_agreement`` (segment unit) of two coders.

Projects: (1) a generated corpus of ``--transcripts`` transcripts of ``--turns`` turns
(the ECM codebook, 1.5 codings per respondent turn by coder alice, a 10% sample also
coded by bob), bulk-inserted through the store's tables; (2) the example study
(transcripts/ imported, the double-coding CSVs of alice and bob), built on SQLite and
moved to the server with ``db copy``. The server is ``--postgres`` or
QUALCODE_TEST_DATABASE_URL (``.ci/postgres.sh start`` prints one); a schema
``bench_<hex>`` is created there and dropped afterwards. Without a server only SQLite
is measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from honest import alternate, load_average

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "victim", "survivor", "case", "police", "referral", "hotline", "housing", "shelter", "trial",
    "prosecutor", "task", "force", "services", "trafficking", "labor", "agency", "federal", "local",
    "advocate", "interview", "trauma", "training", "funding", "community", "partner", "the", "a", "and", "of",
    "to", "in", "we", "they", "it", "was", "is", "that", "with", "for", "on", "our", "their", "have", "had",
    "been", "would", "could", "really",
]
CODERS = ("alice", "bob")


# -- building the projects -------------------------------------------------------------


def new_project(folder: Path, url: str | None):
    """An empty project using the ECM codebook, on ``url`` (None: its SQLite file)."""
    from qualcode.project import Project

    Project.init(folder, database_url=url).close()
    (folder / "codebooks" / "ecm.yaml").write_text((ROOT / "codebooks" / "ecm.yaml").read_text("utf-8"), "utf-8")
    config = (folder / "qualcode.toml").read_text("utf-8").replace("codebooks/codebook.yaml", "codebooks/ecm.yaml")
    (folder / "qualcode.toml").write_text(config, "utf-8")
    return Project(folder, connect_url=url)


def generate(project, n_transcripts: int, turns: int, seed: int = 11) -> int:
    """Bulk-insert transcripts, segments and codings; returns the number of codings."""
    from sqlalchemy import insert

    from qualcode.store.schema import coders, codings, segments, transcripts

    rng = random.Random(seed)
    codebook, now = project.codebook, datetime.now(UTC)
    roles = [r for r in codebook.roles if codebook.codes_for(r)]
    rows_t, rows_s, rows_c = [], [], []
    for i in range(n_transcripts):
        role = roles[i % len(roles)]
        text, spans = _text(rng, turns)
        rows_t.append({"id": f"t{i:05d}", "title": f"t{i:05d}", "role": role, "site": "ABCDEFGHIJ"[i % 10],
                       "attributes": {}, "source_path": "generated", "sha256": f"{i:064d}", "format": "text",
                       "text": text, "imported_at": now})
        applicable = [c.id for c in codebook.codes_for(role)]
        for ordinal, (start, end) in enumerate(spans, 1):
            segment_id = i * turns + ordinal
            rows_s.append({"id": segment_id, "transcript_id": f"t{i:05d}", "ordinal": ordinal, "speaker": "R",
                           "is_interviewer": ordinal % 2 == 1, "start_offset": start, "end_offset": end})
            if ordinal % 2 == 0:
                for coder in CODERS if i % 10 == 0 else CODERS[:1]:
                    for code in rng.sample(applicable, 1 + (rng.random() < 0.5)):
                        rows_c.append({"transcript_id": f"t{i:05d}", "segment_id": segment_id, "coder": coder,
                                       "code_id": code, "start_offset": start, "end_offset": end, "origin": "manual",
                                       "orphaned": False, "created_at": now, "updated_at": now})
    with project.write() as conn:
        conn.execute(insert(coders), [{"name": c, "created_at": now} for c in CODERS])
        for table, rows in ((transcripts, rows_t), (segments, rows_s), (codings, rows_c)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start : start + 5000])
        _reset_sequences(conn)
    return len(rows_c)


def _reset_sequences(conn) -> None:
    from qualcode.store.copy import reset_sequences

    reset_sequences(conn)  # segments got explicit ids


def _text(rng: random.Random, turns: int) -> tuple[str, list[tuple[int, int]]]:
    parts, spans, offset = [], [], 0
    for ordinal in range(1, turns + 1):
        words = rng.randint(8, 15) if ordinal % 2 else rng.randint(40, 120)
        label = "Interviewer: " if ordinal % 2 else "Respondent: "
        body = " ".join(rng.choice(WORDS) for _ in range(words)) + "."
        spans.append((offset + len(label), offset + len(label) + len(body)))
        parts.append(label + body)
        offset += len(label) + len(body) + 2
    return "\n\n".join(parts), spans


def example_project(folder: Path):
    """The example study on SQLite: transcripts and the two coders' double-coding CSVs."""
    from qualcode.demo import import_example_transcripts, prepare_demo_project
    from qualcode.interop.spreadsheets import import_codings

    os.environ.pop("QUALCODE_DATABASE_URL", None)
    project = prepare_demo_project(ROOT, folder)
    import_example_transcripts(project)
    for coder in CODERS:
        add_coder(project, coder)
        import_codings(project, project.root / "transcripts" / "double-coding" / f"{coder}.csv")
    return project


def on_server(project, url: str, folder: Path):
    """The same project moved to ``url`` with ``db copy``; returns it opened there."""
    import shutil

    from qualcode.project import Project
    from qualcode.store.copy import copy_store

    copy_store(project.database_url, url)
    shutil.copytree(project.root, folder, ignore=shutil.ignore_patterns(".qualcode"))
    return Project(folder, connect_url=url)


# -- timing: the back ends alternate, figure by figure -------------------------------------


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"n": len(times), "median_ms": round(1000 * statistics.median(ordered), 2), "p95_ms": round(1000 * p95, 2)}


def alternating(calls: dict[str, Callable[[], object]], rounds: int) -> dict:
    """``honest.alternate`` over the back ends, in milliseconds, with the load beside it."""
    out = alternate(calls, rounds)
    figures = {}
    for backend in calls:
        wall = out[backend]["wall"]
        figures[backend] = {"median_ms": round(1000 * wall["median"], 1), "min_ms": round(1000 * wall["min"], 1),
                            "max_ms": round(1000 * wall["max"], 1), "n": wall["n"], "load": out[backend]["load"]}
    if "ratio_wall" in out:
        figures["ratio_wall"] = out["ratio_wall"]
    return figures


def coding_actions(projects: dict, actions: int, seed: int = 5) -> dict:
    """Tag ``actions`` whole respondent turns (ten transcripts) on every back end in turn, then undo half.

    Action k runs on each back end before action k+1 runs anywhere (the order flips every
    action), so both see the same machine state; each back end gets the same turns and codes.
    """
    from qualcode.coding.session import CodingSession
    from qualcode.store.transcripts import transcript_ids

    first = next(iter(projects.values()))
    rng = random.Random(seed)
    with first.read() as conn:
        everyone = sorted(transcript_ids(conn))
        chosen = rng.sample(everyone, min(10, len(everyone)))
    coder = f"carol{secrets.token_hex(2)}"
    plan = []
    for k in range(actions):
        transcript_id = chosen[k % len(chosen)]
        session = CodingSession(first, coder)
        with first.read() as conn:
            transcript = session.transcript(conn, transcript_id)[0]
        segment = rng.choice([s for s in transcript.segments if not s.is_interviewer])
        code = rng.choice([c.id for c in first.codebook.codes_for(transcript.role)])
        plan.append((transcript_id, segment.ordinal, code))
    sessions = {backend: CodingSession(project, coder) for backend, project in projects.items()}
    for project in projects.values():
        add_coder(project, coder)
    times = {backend: {"tag": [], "undo": []} for backend in projects}
    names = list(projects)
    for k, (transcript_id, ordinal, code) in enumerate(plan):
        for backend in names if k % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            sessions[backend].tag(transcript_id, ordinal, [code])
            times[backend]["tag"].append(time.perf_counter() - started)
    for k in range(actions // 2):
        for backend in names if k % 2 == 0 else names[::-1]:
            started = time.perf_counter()
            sessions[backend].undo()
            times[backend]["undo"].append(time.perf_counter() - started)
    return {backend: {kind: percentiles(values) for kind, values in kinds.items()}
            for backend, kinds in times.items()} | {"load": [load_average()]}


def add_coder(project, name: str) -> None:
    from qualcode.coding.coders import add_coder as create

    create(project, name)


def queries(projects: dict, rounds: int) -> dict:
    from qualcode.coding.listing import list_codings
    from qualcode.store.transcripts import transcript_ids

    first_project = next(iter(projects.values()))
    with first_project.read() as conn:
        first = min(transcript_ids(conn))
    calls = {
        "list_codings coder=alice": lambda p: lambda: list_codings(p, coder="alice"),
        "list_codings transcript": lambda p: lambda: list_codings(p, transcript=first),
        "tally referral --by role": lambda p: lambda: tally(p, "referral", by="role", coder="alice"),
        "agreement alice,bob (segment)": lambda p: lambda: project_agreement(p, list(CODERS)),
    }
    out = {}
    for label, make in calls.items():
        print(f"  timing {label} ...", file=sys.stderr)
        out[label] = alternating({backend: make(project) for backend, project in projects.items()}, rounds)
    out["codings"] = {backend: len(list_codings(project)) for backend, project in projects.items()}
    return out


def tally(project, *args, **kwargs):
    from qualcode.tally import tally as run_tally

    return run_tally(project, *args, **kwargs)


def project_agreement(project, coders):
    from qualcode.agreement.project import project_agreement as run_agreement

    return run_agreement(project, coders)


# -- main ----------------------------------------------------------------------------------------


def measure(projects: dict, args) -> dict:
    figures = {"queries": queries(projects, args.repeat)}
    print("  timing coding actions ...", file=sys.stderr)
    figures["coding actions"] = coding_actions(projects, args.actions)
    return figures


def run(args) -> dict:
    from tests.pg import create_schema, drop_schema, with_search_path

    server = args.postgres or os.environ.get("QUALCODE_TEST_DATABASE_URL")
    os.environ.pop("QUALCODE_DATABASE_URL", None)  # each project names its own store
    work = Path(tempfile.mkdtemp(prefix="qualcode-bench-backends-"))
    schemas: list[str] = []
    results: dict = {"run": {"started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "rounds": args.repeat,
                             "actions": args.actions,
                             "corpus": f"{args.transcripts:,} transcripts × {args.turns} turns"}}
    try:
        backends = {"sqlite": None}
        if server:
            schema = create_schema(server)
            schemas.append(schema)
            backends["postgresql"] = with_search_path(server, schema)
        corpus = {}
        for backend, url in backends.items():
            corpus[backend] = new_project(work / f"corpus-{backend}", url)
            started = time.perf_counter()
            count = generate(corpus[backend], args.transcripts, args.turns)
            print(f"{backend}: generated {args.transcripts} transcripts, {count} codings in "
                  f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
        results["corpus"] = measure(corpus, args)
        if not args.no_example:
            results["example"] = measure(example_projects(work, server, schemas), args)
    finally:
        for schema in schemas:
            drop_schema(server, schema)
    return results


def example_projects(work: Path, server: str | None, schemas: list[str]) -> dict:
    from tests.pg import create_schema, with_search_path

    project = example_project(work / "example-sqlite")
    projects = {"sqlite": project}
    if server:  # copied before any timing adds codings, so both start identical
        schema = create_schema(server)
        schemas.append(schema)
        projects["postgresql"] = on_server(project, with_search_path(server, schema), work / "example-postgresql")
    return projects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="server URL (default: QUALCODE_TEST_DATABASE_URL)")
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--actions", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-example", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here (benchmarks/results/backends.json feeds docs/performance.md)")
    args = parser.parse_args()
    results = run(args)
    results["machine"] = {"python": platform.python_version(), "platform": platform.platform(),
                          "cpus": os.cpu_count()}
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
