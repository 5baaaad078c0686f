"""The coding screen's ``F … Enter`` alone, many times: CPU per key and SQL statements.

bench_tui.py times F among every other key, a few times a run; this times only F, on
the same project (bench_tui's 20,000-word transcript, optionally more interviews),
alternating a search with the index up to date and one just after importing one more
generated 8,000-word interview (not indexed yet). Between searches it waits, so the
screen's idle indexing steps run outside the timed keys. The ``F`` that opens the
prompt is timed too (rows "prompt (F), …"): it reads ahead what the index lacks.

    python benchmarks/bench_tui_search.py [--rounds 12] [--extra-transcripts 0]
        [--search hotline] [--json OUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_tui as bench  # noqa: E402


async def drive(project, rounds: int, pattern: str) -> dict[str, dict[str, list[float]]]:
    from sqlalchemy import event

    from qualcode.tui.app import CodingApp

    statements: list[str] = []
    event.listen(project.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    cpu: dict[str, list[float]] = {}
    counted: dict[str, list[float]] = {}
    app = CodingApp(project, bench.CODER, bench.TRANSCRIPT)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        for i in range(2 * rounds + 1):
            kind = "first of the session" if i == 0 else "after an import" if i % 2 == 0 else "index up to date"
            if kind == "after an import":
                bench.import_interview(project, f"search-new-{i:03d}", 2000 + i)
            started = time.process_time()
            await pilot.press("F")  # the prompt, which reads ahead what the index lacks (search_actions.py)
            await pilot.pause()
            cpu.setdefault(f"prompt (F), {kind}", []).append(time.process_time() - started)
            await pilot.press(*pattern)
            seen, started = len(statements), time.process_time()
            await pilot.press("enter")
            await pilot.pause()
            cpu.setdefault(kind, []).append(time.process_time() - started)
            counted.setdefault(kind, []).append(len(statements) - seen)
            await pilot.press("escape")
            await pilot.pause(1.0)  # the idle indexing step (0.2 s after the hits), outside the timed keys
    return {"cpu": cpu, "statements": counted}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--extra-transcripts", type=int, default=0)
    parser.add_argument("--search", default="hotline")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        project, _, _ = bench.build_project(Path(tmp) / "bench", 20_000, 400, 2_000, 7, args.extra_transcripts)
        load_before = os.getloadavg()[0]
        samples = asyncio.run(drive(project, args.rounds, args.search))
        load = (load_before, os.getloadavg()[0])
        project.close()
    results = {kind: {**bench.summary(values), "statements": sorted(set(samples["statements"].get(kind, [])))}
               for kind, values in samples["cpu"].items()}
    print(f"F “{args.search}”, {args.extra_transcripts} more transcripts; load average {load[0]:.1f}–{load[1]:.1f}")
    for kind, row in results.items():
        print(f"  {kind:<38} n={row['n']:<3} CPU p50 {row['p50_ms']:7.1f}  p95 {row['p95_ms']:7.1f}  "
              f"max {row['max_ms']:7.1f} ms  statements {row['statements']}")
    if args.json:
        args.json.write_text(json.dumps({"search": args.search, "extra_transcripts": args.extra_transcripts,
                                         "load_average": load, "cpu": results,
                                         "median_ms": {k: round(1000 * statistics.median(v), 2)
                                                       for k, v in samples["cpu"].items()}}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
