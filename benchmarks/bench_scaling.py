"""Scaling: import, autocode, tally, agreement, quotes, export and report at growing corpus sizes.

    python benchmarks/bench_scaling.py [--sizes 50,200,800] [--words 8000]
                                       [--postgres [URL]] [--rounds 3] [--json FILE]
                                       [--steps import,autocode,...] [--step-rounds quotes=1]
                                       [--ratio-rounds N]

For each size N a fresh project (the example study's codebook, on SQLite or, with
``--postgres``, in a fresh schema of the server) gets N generated .txt transcripts of
about ``--words`` words (respondent turns from a word-bigram chain over the example
study, as in bench_autocode.py; roles cycle, ten sites). Each step then runs in a
subprocess of its own, so its peak memory (``ru_maxrss``) is its own:

- import: ``import_transcripts`` of the N files (one transaction);
- autocode: ``autocode(as_coder="auto", processes=1)``; a second coder ``b`` is
  made (untimed) from the autocoder's codings with one in ten dropped;
- tally: ``tally("referral", by="role", rollup)`` and ``crosstab("referral", "site")``;
- agreement: ``project_agreement(("auto", "b"))``, segment unit;
- quotes: ``build_quote_set`` of every code of coder ``auto`` (no limit, representative
  order: every candidate is scored);
- export: ``export_qdpx`` of the whole project;
- report: ``build_report`` (Markdown and .docx).

Printed per step and size: wall and CPU seconds (median and range of ``--rounds``
runs of the step, each in a fresh process; the read-only steps are called once untimed
first, so lazy imports are not counted as the step's growth), peak RSS and RSS above the interpreter's
start, the peak of Python's own allocations during one more (untimed) run of the step
under ``tracemalloc`` ("heap": what the step holds, without the interpreter and the
modules loaded before it), the load average, and the growth ratio against the previous size divided by
the size ratio ("x linear": 1.0 is linear; the goal is <= 1.2). At the middle size,
``autocode --as`` and ``--dry-run`` are also run alternately (``--rounds`` rounds, a
fresh coder each round, one process each) for their ratio (``--ratio-rounds``; 0 skips
it). With ``--postgres`` each figure also carries ``server_cpu``, the CPU seconds of the
server backends that served the step (``honest.server_cpu_seconds``), and the growth
is given on client + server CPU too; the export step records the archive's size and its
``sources/`` text (the memory goal is stated against that text). ``--steps`` runs a
subset (import and autocode always: they build the project) and ``--step-rounds
quotes=1`` gives a slow step fewer runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

STEPS = ("import", "autocode", "tally", "agreement", "quotes", "export", "report")
READ_ONLY = ("tally", "agreement", "quotes", "export", "report")
ROLES = ("law_enforcement", "prosecutor", "service_provider")
QUESTIONS = ("Can you say more about that?", "How do cases come to you?", "What gets in the way?")


# -- corpus and projects -----------------------------------------------------------------


def write_corpus(folder: Path, sentences: list[str], transcripts: int, words: int, seed: int = 11) -> list[Path]:
    """``transcripts`` .txt files of about ``words`` words each (cached by name)."""
    from bench_autocode import generate_turns

    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"t-{n:04d}.txt" for n in range(transcripts)]
    if all(p.exists() for p in paths):
        return paths
    turns = generate_turns(sentences, transcripts * words, seed)
    rng, per_file = random.Random(seed), max(1, len(turns) // transcripts)
    for number, path in enumerate(paths):
        chunk = turns[number * per_file : (number + 1) * per_file] or turns[:per_file]
        lines = [f"Interviewer: {rng.choice(QUESTIONS)}\n\nRespondent: {text}" for text, _ in chunk]
        path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return paths


def new_project(folder: Path):
    from qualcode.demo import prepare_demo_project

    project = prepare_demo_project(REPO, folder)
    project.close()
    return folder


# -- one step, in a child process ----------------------------------------------------------


def rss_kib() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def run_step(step: str, root: Path, files: Path) -> dict:
    from honest import measure

    from qualcode.project import Project

    project = Project(root)
    action = prepare(step, project, files)
    if step in READ_ONLY:  # one untimed call first: lazy imports and caches are not the step's growth
        action()
    start_rss = rss_kib()
    figure = measure(action)
    figure.update(peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  start_rss_mib=start_rss / 1024)
    if step in READ_ONLY:  # untimed: tracing slows the run down
        figure["heap_mib"] = traced_peak(action) / 2**20
    if step == "export":
        figure.update(output_sizes(project.root / "out.qdpx"))
    project.close()
    return figure


def output_sizes(path: Path) -> dict:
    """The archive's size, its members' uncompressed total and its sources' text (MiB)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    return {
        "output_mib": path.stat().st_size / 2**20,
        "output_unpacked_mib": sum(m.file_size for m in members) / 2**20,
        "output_text_mib": sum(m.file_size for m in members if m.filename.startswith("sources/")) / 2**20,
    }


def traced_peak(action) -> int:
    """Peak bytes Python allocated during one run of ``action`` (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()




def prepare(step: str, project, files: Path):
    """Import what the step needs, then return the call to time."""
    if step == "import":
        from qualcode.transcripts.importing import ImportRequest, import_transcripts

        paths = sorted(files.glob("*.txt"))
        requests = [ImportRequest(p, ROLES[n % 3], "ABCDEFGHIJ"[n % 10]) for n, p in enumerate(paths)]
        return lambda: import_transcripts(project, requests)
    if step == "autocode":
        from qualcode.coding.autocode import autocode
        from qualcode.coding.coders import add_coder

        add_coder(project, "auto")  # coders are added deliberately (untimed)
        return lambda: autocode(project, as_coder="auto", processes=1)
    if step == "tally":
        from qualcode.tally.crosstab import crosstab
        from qualcode.tally.frequencies import tally

        def questions():
            tally(project, "referral", by="role", rollup=True, coder="auto")
            crosstab(project, "referral", "site", coder="auto")

        return questions
    if step == "agreement":
        from qualcode.agreement.project import project_agreement

        return lambda: project_agreement(project, ("auto", "b"))
    if step == "quotes":
        from qualcode.quotes.quoteset import build_quote_set
        from qualcode.quotes.selection import QuoteQuery

        return lambda: build_quote_set(project, QuoteQuery(coder="auto"))
    if step == "export":
        from qualcode.interop.qdpx_export import export_qdpx

        out = project.root / "out.qdpx"
        return lambda: export_qdpx(project, out)
    if step == "report":
        from qualcode.report.build import build_report

        return lambda: build_report(project, project.root / "reports", coder="auto")
    raise SystemExit(f"unknown step {step}")


def second_coder(root: Path) -> int:
    """Coder ``b``: the autocoder's codings with every tenth left out (untimed setup)."""
    from qualcode.coding.bulk import apply_many
    from qualcode.project import Project
    from qualcode.store.codings import CODING_FIELDS, ensure_coder, export_codings
    from qualcode.store.transcripts import transcript_ids

    project = Project(root)
    with project.write() as conn:
        ensure_coder(conn, "b")
        rows = [r for tid in transcript_ids(conn) for r in export_codings(conn, tid, ["auto"])]
        keep = [
            {k: r[k] for k in CODING_FIELDS if k not in ("id", "created_at", "updated_at")} | {"coder": "b"}
            for n, r in enumerate(rows) if n % 10
        ]
        apply_many(conn, "b", "tag", keep)
    project.close()
    return len(keep)


def autocode_ratio(root: Path, rounds: int) -> dict:
    """``autocode --as`` against ``--dry-run``, alternately, one process each."""
    from honest import alternate

    from qualcode.coding.autocode import autocode
    from qualcode.coding.coders import add_coder
    from qualcode.project import Project

    project = Project(root)
    for number in range(rounds + 1):  # a fresh coder per run, added untimed (warm-up included)
        add_coder(project, f"ratio{number}")
    counter = iter(range(1000))
    sides = {
        "as_coder": lambda: autocode(project, as_coder=f"ratio{next(counter)}", processes=1),
        "dry_run": lambda: autocode(project, dry_run=True, processes=1),
    }
    result = alternate(sides, rounds)
    project.close()
    return result


def child(argv: list[str]) -> None:
    step, root, files = argv[0], Path(argv[1]), Path(argv[2])
    if step == "second-coder":
        print(json.dumps({"codings": second_coder(root)}))
    elif step == "autocode-ratio":
        print(json.dumps(autocode_ratio(root, int(argv[3]))))
    else:
        print(json.dumps(run_step(step, root, files)))


def in_child(*args: str) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"step {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the run -------------------------------------------------------------------------------


def measure_size(size: int, work: Path, sentences: list[str], args) -> dict:
    from honest import spread

    files = write_corpus(work / f"files-{size}-{args.words}", sentences, size, args.words)
    figures: dict = {}
    for step in args.steps:
        runs = []
        for _ in range(1 if step in ("import", "autocode") else args.step_rounds.get(step, args.rounds)):
            root = work / f"project-{size}"
            runs.append(in_child(step, str(root), str(files[0].parent)))
            if step == "autocode":
                in_child("second-coder", str(root), "-")
        figures[step] = {
            "wall": spread([r["wall"] for r in runs]), "cpu": spread([r["cpu"] for r in runs]),
            **({"server_cpu": spread([r.get("server_cpu", 0.0) for r in runs]),
                "total_cpu": spread([r["cpu"] + r.get("server_cpu", 0.0) for r in runs])}
               if args.postgres is not None else {}),
            "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
            "above_start_mib": round(max(r["peak_rss_mib"] - r["start_rss_mib"] for r in runs), 1),
            **({"heap_mib": round(max(r["heap_mib"] for r in runs), 2)} if "heap_mib" in runs[0] else {}),
            **{key: round(runs[0][key], 2) for key in ("output_mib", "output_unpacked_mib", "output_text_mib")
               if key in runs[0]},
            "load": [min(v for r in runs for v in r["load"]), max(v for r in runs for v in r["load"])],
        }
        print(line(size, step, figures[step]), flush=True)
    return figures


def line(size: int, step: str, f: dict) -> str:
    wall = f["wall"]
    return (
        f"{size:>5} {step:<10} {wall['median']:8.2f} s ({wall['min']:.2f}-{wall['max']:.2f}) "
        f"CPU {f['cpu']['median']:7.2f} s  "
        + (f"server {f['server_cpu']['median']:6.2f} s  " if "server_cpu" in f else "")
        + f"peak {f['peak_rss_mib']:7.1f} MiB (+{f['above_start_mib']:.1f})  "
        + (f"heap {f['heap_mib']:6.2f} MiB  " if "heap_mib" in f else "")
        + (f"output text {f['output_text_mib']:.1f} MiB  " if "output_text_mib" in f else "") +
        f"load {f['load'][0]:.1f}-{f['load'][1]:.1f}"
    )


def growth(results: dict, sizes: list[int], steps: tuple[str, ...] = STEPS) -> dict:
    """Per step: time(size) / time(previous size) / (size ratio) on CPU seconds."""
    out: dict = {}
    for step in steps:
        rows = []
        for small, large in zip(sizes, sizes[1:], strict=False):
            a, b = results[str(small)][step], results[str(large)][step]
            factor = large / small
            rows.append({
                "sizes": [small, large],
                "cpu_x_linear": round(b["cpu"]["median"] / max(a["cpu"]["median"], 1e-9) / factor, 2),
                **({"total_cpu_x_linear": round(b["total_cpu"]["median"] / max(a["total_cpu"]["median"], 1e-9) / factor, 2)}
                   if "total_cpu" in a and "total_cpu" in b else {}),
                "wall_x_linear": round(b["wall"]["median"] / max(a["wall"]["median"], 1e-9) / factor, 2),
                "memory_ratio": round(b["peak_rss_mib"] / a["peak_rss_mib"], 2),
                **({"heap_ratio": round(b["heap_mib"] / max(a["heap_mib"], 1e-9), 2)} if "heap_mib" in a else {}),
            })
        out[step] = rows
    return out


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1:])
        return {}
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,200,800", help="transcript counts, comma-separated")
    parser.add_argument("--words", type=int, default=8000, help="words per transcript")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each read-only step (fresh process each)")
    parser.add_argument("--postgres", nargs="?", const="", help="server URL (default QUALCODE_TEST_DATABASE_URL)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"steps to run, comma-separated, in this order (import and autocode build the project): {','.join(STEPS)}")
    parser.add_argument("--ratio-rounds", type=int, help="rounds of autocode --as / --dry-run at the middle size "
                        "(default --rounds; 0 skips it)")
    parser.add_argument("--step-rounds", default="", metavar="STEP=N,...",
                        help="fewer (or more) runs for some read-only steps, e.g. quotes=1 (a slow step at a large size)")
    args = parser.parse_args(argv)
    try:
        args.step_rounds = {k: int(v) for k, v in (pair.split("=") for pair in args.step_rounds.split(",") if pair)}
    except ValueError:
        parser.error(f"--step-rounds takes STEP=N pairs, comma-separated, got {args.step_rounds!r}")
    args.steps = tuple(s for s in STEPS if s in args.steps.split(","))
    if args.steps[:2] != ("import", "autocode"):
        parser.error("--steps must include import and autocode (they build the project the other steps read)")
    sizes = [int(s) for s in args.sizes.split(",")]
    return run(args, sizes)


def run(args, sizes: list[int]) -> dict:
    from bench_autocode import example_project, example_sentences

    work = args.work or Path(tempfile.mkdtemp(prefix="qualcode-bench-scaling-"))
    work.mkdir(parents=True, exist_ok=True)
    server = None if args.postgres is None else (args.postgres or os.environ["QUALCODE_TEST_DATABASE_URL"])
    os.environ.pop("QUALCODE_DATABASE_URL", None)
    example = example_project(Path(tempfile.mkdtemp(prefix="qualcode-bench-example-")))
    sentences = example_sentences(example)
    example.close()
    results: dict = {"backend": "postgresql" if server else "sqlite", "words": args.words, "sizes": sizes,
                     "rounds": args.rounds, "step_rounds": args.step_rounds,
                     "cpus": os.cpu_count(), "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    schemas: list[str] = []
    try:
        for size in sizes:
            root = work / f"project-{size}"
            if server:
                from tests.pg import create_schema, with_search_path

                schemas.append(create_schema(server))
                os.environ["QUALCODE_DATABASE_URL"] = with_search_path(server, schemas[-1])
            new_project(root)
            results[str(size)] = measure_size(size, work, sentences, args)
        ratio_rounds = args.rounds if args.ratio_rounds is None else args.ratio_rounds
        if ratio_rounds:
            middle = sizes[len(sizes) // 2]
            if server:  # the project of the middle size lives in its own schema
                os.environ["QUALCODE_DATABASE_URL"] = with_search_path(server, schemas[len(sizes) // 2])
            results["autocode_ratio"] = {"size": middle, **in_child("autocode-ratio", str(work / f"project-{middle}"), "-", str(ratio_rounds))}
            ratio = results["autocode_ratio"]["ratio_cpu"]
            print(f"autocode --as / --dry-run at {middle}: CPU ratio median {ratio['median']} ({ratio['min']}-{ratio['max']})"
                  + (f", client+server CPU {results['autocode_ratio']['ratio_total_cpu']['median']}"
                     if "ratio_total_cpu" in results["autocode_ratio"] else ""))
    finally:
        if server:
            from tests.pg import drop_schema

            for schema in schemas:
                drop_schema(server, schema)
    results["steps"] = list(args.steps)
    results["growth"] = growth(results, sizes, args.steps)
    for step, rows in results["growth"].items():
        print(f"{step:<10} " + "  ".join(f"{r['sizes'][0]}->{r['sizes'][1]}: CPU {r['cpu_x_linear']}x linear, "
                                         + (f"client+server CPU {r['total_cpu_x_linear']}x, " if "total_cpu_x_linear" in r else "") +
                                         f"wall {r['wall_x_linear']}x, memory x{r['memory_ratio']}"
                                         + (f", heap x{r['heap_ratio']}" if "heap_ratio" in r else "") for r in rows))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
