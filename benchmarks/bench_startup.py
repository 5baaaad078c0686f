"""Start-up time of the command line against a bare ``import typer``.

    python benchmarks/bench_startup.py [--rounds 15]

Each round runs, in a fresh interpreter each and alternating so that a burst of load
from other work hits all of them alike: ``python -c "import typer"`` (the floor any
typer app pays), ``import typer, typer._adapters`` (what typer >= 0.29 needs to
build any command: pydantic), ``qualcode --help`` and ``qualcode tag --help`` (through
``python -m qualcode``, from the repository root so this checkout's code runs).
Prints each one's median and range of wall-clock seconds, the ratios of the medians
to the baseline (target <= 1.5x) and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5
CASES = {
    "import typer": ["-c", "import typer"],
    # typer >= 0.29 builds a pydantic TypeAdapter for every parameter of a command it
    # builds, so this is the floor for showing any command's --help with typer.
    "import typer + adapters": ["-c", "import typer, typer._adapters"],
    "qualcode --help": ["-m", "qualcode", "--help"],
    "qualcode tag --help": ["-m", "qualcode", "tag", "--help"],
}


def run_once(args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for args in CASES.values():  # warm the OS cache and the .pyc files first
        run_once(args)
    for round_ in range(rounds):
        order = list(CASES) if round_ % 2 == 0 else list(reversed(CASES))
        for name in order:
            times[name].append(run_once(CASES[name]))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    print(f"python {sys.version.split()[0]}, {rounds} rounds, load average before: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    times = measure(rounds)
    base = statistics.median(times["import typer"])
    print(f"{'case':<22} {'median s':>9} {'min s':>7} {'max s':>7} {'ratio':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<22} {median:>9.3f} {min(values):>7.3f} {max(values):>7.3f} {median / base:>5.2f}x")
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    worst = max(statistics.median(v) for k, v in times.items() if k.startswith("qualcode")) / base
    print(f"worst ratio {worst:.2f}x (target <= {TARGET}x): {'met' if worst <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
