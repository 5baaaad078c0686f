"""Start-up of the command line, and one whole coding action, each in a fresh process.

    python benchmarks/bench_startup.py [--rounds 15] [--against OTHER_CHECKOUT] [--env NAME=VALUE] [--json FILE]
                                       [--project DIR --tag "TRANSCRIPT TURN CODE --coder NAME"]

Each round runs every case once, in a fresh interpreter each and alternating the order
between rounds so that a burst of load from other work hits all of them alike:

- ``python -c "import typer"``: the floor any typer app pays;
- ``import typer, typer._adapters``: what typer >= 0.29 pays to coerce a value with
  pydantic (what a naive command pays);
- ``import typer, sqlalchemy``: the floor of any command that opens the store; and the
  same with the young-generation threshold qualcode's command line starts with
  (``qualcode/cli/__init__.py``), the floor it really pays;
- ``qualcode --help`` and ``qualcode tag --help``;
- ``qualcode tag`` (issue 21): one coding action, the whole process, on a scratch copy
  of the example study (34 transcripts imported, one coder); an untimed ``undo`` after
  each run puts the store back, so every round does the same work. ``--project`` and
  ``--tag`` time that action on another project instead (e.g. bench_peers' coded
  200-transcript project: ``--tag "t-0000 4 challenge.collaboration --coder bench"``),
  undone the same way; the project is used in place, not copied.

The qualcode cases run with ``python -m qualcode`` and this checkout on PYTHONPATH, with
bytecode written and read as an installed package's is (PYTHONDONTWRITEBYTECODE unset);
``--against DIR`` runs them with that checkout too, alternating with this one (the
before/after comparison). Prints, per case, the median and range of wall seconds and
of CPU seconds (the child's user + system time, steadier than wall on a loaded
machine), and the load average before and after; ``--json`` writes the same.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5  # start-up: --help within 1.5x a bare "import typer" (issue 19)
TAG_GOAL = 0.3  # one coding action, the whole process, in seconds (issue 21)
BASELINES = {
    "import typer": ["-c", "import typer"],
    # typer >= 0.29 builds a pydantic TypeAdapter for a value it coerces.
    "import typer + adapters": ["-c", "import typer, typer._adapters"],
    "import typer + sqlalchemy": ["-c", "import typer, sqlalchemy"],
    # The same with the command line's collector during start-up (qualcode/cli/__init__.py).
    "import typer + sqlalchemy, CLI collector": ["-c", "import gc; gc.set_threshold(100_000); import typer, sqlalchemy"],
}
TAG = ["tag", "vsp-a-01", "12", "referral.law_enforcement", "--coder", "alice"]
QUALCODE = {
    "qualcode --help": ["--help"],
    "qualcode tag --help": ["tag", "--help"],
    "qualcode tag (one action)": TAG,
}
BUILD = """
import sys
from pathlib import Path
from qualcode.coding.coders import add_coder
from qualcode.demo import import_example_transcripts, prepare_demo_project
project = prepare_demo_project(Path(sys.argv[1]), Path(sys.argv[2]))
import_example_transcripts(project)
add_coder(project, "alice")
project.close()
"""


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


EXTRA_ENV: dict[str, str] = {}  # --env NAME=VALUE: set for every case (e.g. QUALCODE_QUIET=1, as bench_peers runs)


def run_once(args: list[str], code: Path, cwd: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh interpreter."""
    env = {**os.environ, "PYTHONPATH": str(code), "COLUMNS": "100", **EXTRA_ENV}
    env.pop("QUALCODE_DATABASE_URL", None)
    # As an installed qualcode runs: its bytecode cached (a shell with this set would
    # time Python compiling every module of ours from source, ~50 ms a command).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cpu, start = child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, child_cpu() - cpu


def cases(checkouts: dict[str, Path], project: Path, tag: list[str] = TAG) -> dict[str, tuple[list[str], Path, Path, list[str] | None]]:
    """name -> (interpreter args, checkout, working folder, untimed args to run after)."""
    out = {name: (args, ROOT, ROOT, None) for name, args in BASELINES.items()}
    coder = tag[tag.index("--coder") + 1]
    for side, code in checkouts.items():
        for name, args in {**QUALCODE, "qualcode tag (one action)": tag}.items():
            undo = ["-m", "qualcode", "undo", "--coder", coder] if args is tag else None
            label = name if len(checkouts) == 1 else f"{name} [{side}]"
            out[label] = (["-m", "qualcode", *args], code, project, undo)
    return out


def measure(table: dict, rounds: int) -> dict[str, dict[str, list[float]]]:
    times = {name: {"wall": [], "cpu": [], "load": []} for name in table}
    for args, code, cwd, after in table.values():  # warm the OS cache and the .pyc files first
        run_once(args, code, cwd)
        if after:
            run_once(after, code, cwd)
    for round_ in range(rounds):
        order = list(table) if round_ % 2 == 0 else list(reversed(table))
        for name in order:
            args, code, cwd, after = table[name]
            times[name]["load"].append(os.getloadavg()[0])
            wall, cpu = run_once(args, code, cwd)
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
            if after:
                run_once(after, code, cwd)
    return times


def spread(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4),
            "max": round(max(values), 4), "n": len(values)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--against", type=Path, help="another checkout, run alternately with this one")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for every case (repeatable)")
    parser.add_argument("--project", type=Path, help="time the coding action on this project (used in place)")
    parser.add_argument("--tag", help="the tag command's arguments for --project (a --coder among them)")
    args = parser.parse_args(argv)
    if (args.project is None) != (args.tag is None) or (args.tag and "--coder" not in args.tag.split()):
        parser.error("--project and --tag go together, and --tag names a --coder")
    EXTRA_ENV.update(pair.split("=", 1) for pair in args.env)
    checkouts = {"this": ROOT} if args.against is None else {"after": ROOT, "before": args.against.resolve()}
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    before = [round(x, 2) for x in os.getloadavg()]
    print(f"python {sys.version.split()[0]}, {args.rounds} rounds, load average before: {before}")
    with tempfile.TemporaryDirectory() as scratch:
        if args.project is not None:
            times = measure(cases(checkouts, args.project.resolve(), ["tag", *args.tag.split()]), args.rounds)
        else:
            project = Path(scratch) / "study"
            subprocess.run([sys.executable, "-c", BUILD, str(ROOT), str(project)], check=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
            times = measure(cases(checkouts, project), args.rounds)
    after = [round(x, 2) for x in os.getloadavg()]
    base = statistics.median(times["import typer"]["wall"])
    print(f"{'case':<36} {'wall median':>11} {'range':>13} {'CPU median':>10} {'range':>13} {'÷ typer':>7}")
    figures = {}
    for name, t in times.items():
        figures[name] = {"wall": spread(t["wall"]), "cpu": spread(t["cpu"]),
                         "load": [round(min(t["load"]), 2), round(max(t["load"]), 2)]}
        w, c = figures[name]["wall"], figures[name]["cpu"]
        print(f"{name:<36} {w['median']:>11.3f} {w['min']:>6.3f}–{w['max']:<6.3f} {c['median']:>10.3f} "
              f"{c['min']:>6.3f}–{c['max']:<6.3f} {w['median'] / base:>6.2f}x")
    print(f"load average after: {after}")
    result = {"started": started, "rounds": args.rounds, "python": sys.version.split()[0],
              "load_before": before, "load_after": after, "cases": figures,
              "against": None if args.against is None else str(args.against), "env": dict(EXTRA_ENV),
              "project": None if args.project is None else str(args.project), "tag": args.tag}
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
