"""Shared measurement rules for the benchmarks: alternate sides, medians and ranges, load.

Every comparison runs its two sides alternately for N rounds in one process (so both
see the same machine state and the same cores) and reports, per side, the median and
the range of wall and CPU seconds; the ratio is the median of the per-round ratios, with
its range. The load average is read at the start and the end of each figure and stored
beside it. Never best-of-N against a single run.
"""

from __future__ import annotations

import os
import re
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _local_tcp_ports() -> set[int]:
    """Local ports of this process's TCP sockets (its database connections among them)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed while listing
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def server_cpu_seconds() -> float:
    """CPU seconds of the PostgreSQL backends serving this process's connections.

    On a server on this machine the backend's process title names the client's port
    (``postgres: user db 127.0.0.1(PORT) ...``), so the work done for this process's
    queries can be counted, not the other clients' of a shared server. A backend that
    exits during a measurement takes its seconds with it: keep connections pooled.
    0.0 when there is no such backend (SQLite, or a server elsewhere).
    """
    ports, total, tick = _local_tcp_ports(), 0.0, os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes()
            if not title.startswith(b"postgres:"):
                continue
            port = re.search(rb"\((\d+)\)", title)
            if port and int(port.group(1)) in ports:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except OSError:  # the process ended meanwhile
            continue
    return total


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def measure(call: Callable[[], object]) -> dict:
    """One run of ``call``: wall and CPU seconds (this process), load at start and end;
    on PostgreSQL also ``server_cpu``, the seconds its backends spent for this process."""
    load = load_average()
    server = server_cpu_seconds()
    wall, cpu = time.perf_counter(), cpu_seconds()
    call()
    figure = {"wall": time.perf_counter() - wall, "cpu": cpu_seconds() - cpu, "load": [load, load_average()]}
    server = server_cpu_seconds() - server
    if server > 0:
        figure["server_cpu"] = server
    return figure


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
        if "total_cpu" in out["ratios"][names[1]]:
            out["ratio_total_cpu"] = out["ratios"][names[1]]["total_cpu"]
    return out


def _ratios(first: list[dict], other: list[dict]) -> dict:
    """Per-round ratios first / other of wall and CPU seconds (and, on PostgreSQL, of
    client + server CPU seconds: ``total_cpu``)."""
    pairs = list(zip(first, other, strict=True))
    out = {"wall": spread([a["wall"] / b["wall"] for a, b in pairs], 3),
           "cpu": spread([a["cpu"] / max(b["cpu"], 1e-9) for a, b in pairs], 3)}
    if any("server_cpu" in run for run in first + other):
        out["total_cpu"] = spread([_total(a) / max(_total(b), 1e-9) for a, b in pairs], 3)
    return out


def _total(run: dict) -> float:
    return run["cpu"] + run.get("server_cpu", 0.0)


def summarise(runs: list[dict]) -> dict:
    loads = [value for run in runs for value in run["load"]]
    out = {"wall": spread([r["wall"] for r in runs]), "cpu": spread([r["cpu"] for r in runs]),
           "load": [min(loads), max(loads)]}
    if any("server_cpu" in r for r in runs):
        out["server_cpu"] = spread([r.get("server_cpu", 0.0) for r in runs])
    return out


def describe(name: str, summary: dict) -> str:
    """One line: median (range) wall and CPU, and the load average beside it."""
    wall, cpu, load = summary["wall"], summary["cpu"], summary["load"]
    return (
        f"{name}: {wall['median']:.3f} s ({wall['min']:.3f}-{wall['max']:.3f}) wall, "
        f"{cpu['median']:.3f} s CPU, n={wall['n']}, load {load[0]:.1f}-{load[1]:.1f}"
    )
