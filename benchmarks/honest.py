"""Shared measurement rules for the benchmarks: alternate sides, medians and ranges, load.

Every comparison runs its two sides alternately for N rounds in one process (so both
see the same machine state and the same cores) and reports, per side, the median and
the range of wall and CPU seconds; the ratio is the median of the per-round ratios, with
its range. The load average is read at the start and the end of each figure and stored
beside it. Never best-of-N against a single run.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def measure(call: Callable[[], object]) -> dict:
    """One run of ``call``: wall and CPU seconds (this process), load at start and end."""
    load = load_average()
    wall, cpu = time.perf_counter(), cpu_seconds()
    call()
    return {
        "wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu,
        "load": [load, load_average()],
    }


def spread(values: list[float], digits: int = 4) -> dict:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits), "max": round(max(values), digits), "n": len(values),
    }


def alternate(sides: dict[str, Callable[[], object]], rounds: int, warmup: int = 1) -> dict:
    """Run each side once per round, in turn (the order flips every round).

    ``warmup`` untimed rounds come first (lazy imports, caches, models loaded once).

    Returns, per side, wall/cpu spreads and the loads seen; with two sides or more the
    per-round ratios of the first side to each other side (``ratios``); with exactly two,
    those also as ``ratio_wall`` and ``ratio_cpu`` (first / second).
    """
    names = list(sides)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(warmup):
        for name in names:
            sides[name]()
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            runs[name].append(measure(sides[name]))
    out: dict = {"rounds": rounds}
    for name in names:
        out[name] = summarise(runs[name])
    if len(names) >= 2:
        out["ratios"] = {name: _ratios(runs[names[0]], runs[name]) for name in names[1:]}
    if len(names) == 2:
        out["ratio_wall"], out["ratio_cpu"] = out["ratios"][names[1]]["wall"], out["ratios"][names[1]]["cpu"]
    return out


def _ratios(first: list[dict], other: list[dict]) -> dict:
    """Per-round ratios first / other of wall and CPU seconds."""
    return {"wall": spread([a["wall"] / b["wall"] for a, b in zip(first, other, strict=True)], 3),
            "cpu": spread([a["cpu"] / max(b["cpu"], 1e-9) for a, b in zip(first, other, strict=True)], 3)}


def summarise(runs: list[dict]) -> dict:
    loads = [value for run in runs for value in run["load"]]
    return {
        "wall": spread([r["wall"] for r in runs]), "cpu": spread([r["cpu"] for r in runs]),
        "load": [min(loads), max(loads)],
    }


def describe(name: str, summary: dict) -> str:
    """One line: median (range) wall and CPU, and the load average beside it."""
    wall, cpu, load = summary["wall"], summary["cpu"], summary["load"]
    return (
        f"{name}: {wall['median']:.3f} s ({wall['min']:.3f}-{wall['max']:.3f}) wall, "
        f"{cpu['median']:.3f} s CPU, n={wall['n']}, load {load[0]:.1f}-{load[1]:.1f}"
    )
