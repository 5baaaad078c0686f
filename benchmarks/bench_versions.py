"""Before and after: one operation under two checkouts of qualcode, alternately.

    python benchmarks/bench_versions.py --old /path/to/old/checkout --files DIR
        [--ops export,autocode-as,autocode-dry,codings-import,tally,import] [--rounds 3] [--json FILE]

Builds one project with the *old* code (the example study's codebook, the .txt files
of ``--files`` imported, autocoded as coder ``auto``), copies it for the new code (which
may migrate its copy), then runs each operation ``--rounds`` times per side, the sides
alternating, each run in a fresh process with that side's code first on PYTHONPATH.
Reports median and range of wall and CPU seconds and peak RSS per side, the ratio of
medians, and the load average beside each figure. Operations that write use a fresh
coder name or a fresh empty project each run, so every run does the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEW = HERE.parent
ROLES = ("law_enforcement", "prosecutor", "service_provider")


def child(op: str, root: Path, files: Path, tag: str) -> dict:
    sys.path.insert(0, str(HERE))
    from honest import measure

    from qualcode.project import Project

    project = Project(root)
    project.migrate()
    call = _operation(op, project, files, tag)
    figure = measure(call)
    figure["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    project.close()
    return figure


def _operation(op: str, project, files: Path, tag: str):
    if op == "export":
        from qualcode.interop.qdpx_export import export_qdpx

        return lambda: export_qdpx(project, project.root / f"out-{tag}.qdpx")
    if op in ("autocode-as", "autocode-dry", "autocode-build"):
        from qualcode.coding.autocode import autocode

        if op == "autocode-dry":
            return lambda: autocode(project, dry_run=True, processes=1)
        coder = "auto" if op == "autocode-build" else f"v{tag}"
        from qualcode.coding.coders import add_coder  # coders are added deliberately (untimed)

        add_coder(project, coder)
        return lambda: autocode(project, as_coder=coder, processes=1)
    if op == "tally":
        from qualcode.tally.crosstab import crosstab
        from qualcode.tally.frequencies import tally

        return lambda: (tally(project, "referral", by="role", rollup=True, coder="auto"),
                        crosstab(project, "referral", "site", coder="auto"))
    if op == "codings-import":  # coder auto's codings as a CSV of a new coder (written untimed)
        import csv

        from qualcode.interop.spreadsheets import coding_records, import_codings

        path = project.root / f"codings-{tag}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["transcript", "coder", "code", "start", "end"])
            for r in coding_records(project, coder="auto"):
                writer.writerow([r["transcript"], f"imp{tag}", r["code"], r["start"], r["end"]])
        _add_coder(project, f"imp{tag}")
        return lambda: import_codings(project, path)
    if op == "import":
        from qualcode.transcripts.importing import ImportRequest, import_transcripts

        paths = sorted(files.glob("*.txt"))
        requests = [ImportRequest(p, ROLES[n % 3], "ABCDEFGHIJ"[n % 10]) for n, p in enumerate(paths)]
        return lambda: import_transcripts(project, requests)
    raise SystemExit(f"unknown operation {op}")


def _add_coder(project, name: str) -> None:
    """Checkouts where coders must be created first (``qualcode coders add``) need it."""
    try:
        from qualcode.coding.coders import add_coder
    except ImportError:
        return
    add_coder(project, name)


def in_child(code: Path, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"{args[0]} under {code} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def empty_project(code: Path, folder: Path) -> Path:
    script = (
        "import sys; from pathlib import Path; from qualcode.demo import prepare_demo_project;"
        f"prepare_demo_project(Path({str(NEW)!r}), Path({str(folder)!r})).close()"
    )
    # cwd: "python -c" puts the working directory first on sys.path
    subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(code)}, check=True, cwd=folder.parent)
    return folder


def spread(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 3), "min": round(min(values), 3), "max": round(max(values), 3)}


def compare(op: str, sides: dict[str, tuple[Path, Path]], files: Path, work: Path, rounds: int) -> dict:
    runs: dict[str, list[dict]] = {name: [] for name in sides}
    for number in range(rounds):
        order = list(sides) if number % 2 == 0 else list(sides)[::-1]
        for name in order:
            code, root = sides[name]
            if op == "import":  # every run imports into a fresh empty project
                root = empty_project(code, work / f"import-{name}-{number}")
            runs[name].append(in_child(code, op, str(root), str(files), f"{name}{number}"))
    out: dict = {"op": op, "rounds": rounds}
    for name, figures in runs.items():
        loads = [v for f in figures for v in f["load"]]
        out[name] = {"wall": spread([f["wall"] for f in figures]), "cpu": spread([f["cpu"] for f in figures]),
                     "peak_rss_mib": round(max(f["peak_rss_mib"] for f in figures), 1),
                     "load": [min(loads), max(loads)]}
    out["ratio_wall"] = round(out["new"]["wall"]["median"] / out["old"]["wall"]["median"], 3)
    out["ratio_cpu"] = round(out["new"]["cpu"]["median"] / max(out["old"]["cpu"]["median"], 1e-9), 3)
    return out


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        op, root, files, tag = argv[1:5]
        print(json.dumps(child(op, Path(root), Path(files), tag)))
        return {}
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--old", type=Path, required=True, help="the old checkout (its qualcode/ is used)")
    parser.add_argument("--files", type=Path, required=True, help="folder of .txt transcripts")
    parser.add_argument("--ops", default="export,autocode-as,autocode-dry,tally,import")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="qualcode-bench-versions-"))
    work.mkdir(parents=True, exist_ok=True)
    built = work / "built-old"
    if not built.exists():
        empty_project(args.old, built)
        print("build: import", in_child(args.old, "import", str(built), str(args.files), "build"), file=sys.stderr)
        print("build: autocode", in_child(args.old, "autocode-build", str(built), "-", "build"), file=sys.stderr)
    sides = {}
    for name, code in (("old", args.old), ("new", NEW)):
        root = work / f"project-{name}"
        if not root.exists():
            shutil.copytree(built, root)
        sides[name] = (code, root)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "files": str(args.files),
               "transcripts": len(list(args.files.glob("*.txt"))), "ops": {}}
    for op in args.ops.split(","):
        result = compare(op, sides, args.files, work, args.rounds)
        results["ops"][op] = result
        print(f"{op:<13} old {result['old']['wall']['median']:.2f} s ({result['old']['wall']['min']:.2f}-"
              f"{result['old']['wall']['max']:.2f}), {result['old']['peak_rss_mib']:.0f} MiB | new "
              f"{result['new']['wall']['median']:.2f} s ({result['new']['wall']['min']:.2f}-{result['new']['wall']['max']:.2f}), "
              f"{result['new']['peak_rss_mib']:.0f} MiB | CPU ratio {result['ratio_cpu']} | load "
              f"{min(result['old']['load'][0], result['new']['load'][0]):.1f}-"
              f"{max(result['old']['load'][1], result['new']['load'][1]):.1f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
