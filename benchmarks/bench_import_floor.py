"""Where a .txt import's time goes, against qc: the fixed start-up and the per-file cost.

    python benchmarks/bench_import_floor.py --qc PATH/TO/qc --files DIR [--rounds 5]
                                            [--against OTHER_CHECKOUT] [--json FILE]

Issue 21 asks for a 200-file import ≥ 10× faster than qc's. A whole import is the
interpreter's and the libraries' start-up plus a cost per file, so this runs, each in a
fresh process and all cases alternating for ``--rounds`` rounds after a warm-up:

- ``python -c pass`` and ``python -c "import typer, sqlalchemy"``: the floor any qualcode
  command that writes the store pays before it reads a file (also with the collector's
  threshold the command line starts with, qualcode/cli/__init__.py);
- ``qualcode import`` of the first file of DIR, and of all of them (fresh projects, their
  codebook parsed once as ``qualcode init`` does, so the import reads it from its cache);
  and of all of them with no cache (the first command after the codebook changed);
- ``qc corpus import -r -i verbatim`` of the same (fresh qc projects; see bench_peers.py);
- with ``--against DIR``, ``qualcode import`` of all the files by that checkout's code too
  (the before/after comparison, in the same rounds).

From the medians of the child's CPU seconds it derives each side's per-file marginal
cost ((all − one) / (N − 1)) and the ratios qc ÷ qualcode of the totals and of the
marginal costs, and prints the load average beside each case.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_peers import ROLE, SITE, new_qc, new_qualcode, qualcode, run  # noqa: E402
from honest import load_average, spread  # noqa: E402


def cases(qc: str, files: Path, work: Path, against: Path | None = None) -> dict:
    """name -> (per round: the command and its folder)."""
    one = work / "one"
    one.mkdir(parents=True, exist_ok=True)
    first = sorted(files.glob("*.txt"))[0]
    shutil.copy(first, one / first.name)

    def ours(source: Path, tag: str, code: Path | None = None, parse: bool = False):
        def make(n: int):
            folder = work / f"qualcode-{tag}-{n}"
            shutil.rmtree(folder, ignore_errors=True)
            argv = qualcode("-p", str(new_qualcode(folder)), "import", str(source), "--role", ROLE, "--site", SITE)
            if parse:  # the first command after the codebook changed: no parsed-codebook cache
                (folder / ".qualcode" / "codebook-cache.json").unlink(missing_ok=True)
            if code is not None:  # that checkout's qualcode, ahead of this one on the path
                argv[1:3] = ["-c", f"import sys; sys.path.insert(0, {str(code)!r}); sys.argv[0] = 'qualcode'; "
                                   "from qualcode.cli.app import main; main()"]
            return argv, folder
        return make

    def theirs(source: Path, tag: str):
        def make(n: int):
            folder = work / f"qc-{tag}-{n}"
            shutil.rmtree(folder, ignore_errors=True)
            return [qc, "corpus", "import", "-r", "-i", "verbatim", str(source)], new_qc(qc, folder)
        return make

    table = {
        "python -c pass": lambda n: ([sys.executable, "-c", "pass"], work),
        "import typer, sqlalchemy": lambda n: ([sys.executable, "-c", "import typer, sqlalchemy"], work),
        # with the collector qualcode's command line starts with (qualcode/cli/__init__.py)
        "import typer, sqlalchemy, CLI collector": lambda n: (
            [sys.executable, "-c", "import gc; gc.set_threshold(100_000); import typer, sqlalchemy"], work),
        "qualcode import, 1 file": ours(one, "one"),
        "qualcode import, all files": ours(files, "all"),
        "qualcode import, all files, YAML parsed": ours(files, "parsed", parse=True),
        "qc import, 1 file": theirs(one, "one"),
        "qc import, all files": theirs(files, "all"),
    }
    if against is not None:
        table["qualcode import, all files [before]"] = ours(files, "before", against)
    return table


# (module, function, label): what one file's import spends, timed by wrapping these.
STAGES = (
    ("qualcode.transcripts.importing", "_read_bytes", "read the file"),
    ("qualcode.transcripts.importers.text", "decode_clean_text", "decode and control characters (one step)"),
    ("qualcode.transcripts.importers.text", "count_forms", "speaker labels: first pass"),
    ("qualcode.transcripts.importers.text", "assemble_turns", "turns: second pass, normalise, merge"),
    ("qualcode.transcripts.importing", "render", "lay out text and segments"),
    ("qualcode.transcripts.importing", "text_digest", "text digest"),
    ("qualcode.store.transcripts", "content_matches", "same-content check (batch)"),
    ("qualcode.store.transcripts", "check_storable", "storable check"),
    ("qualcode.store.transcripts", "insert_transcripts", "insert transcripts + segments (executemany)"),
)


def child_stages(files: Path, project_dir: Path) -> None:
    """In this process: import every file of ``files`` into the fresh project, printing the
    CPU milliseconds per file of each stage (JSON), the imports and the whole call."""
    import importlib

    started = time.process_time()
    from qualcode.cli import collect_less

    collect_less()  # as the command starts
    from qualcode.project import Project
    from qualcode.transcripts import importing

    spent = {"imports (qualcode, SQLAlchemy, ...)": time.process_time() - started}
    for module_name, function, label in STAGES:
        module = importlib.import_module(module_name)
        original = getattr(module, function)

        def timed(*args, _original=original, _label=label, **kwargs):
            begun = time.process_time()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_label] = spent.get(_label, 0.0) + time.process_time() - begun

        setattr(module, function, timed)
    project = Project.open(project_dir)
    requests = [importing.ImportRequest(path, ROLE, SITE) for path in importing.expand_paths([files])]
    begun = time.process_time()
    importing.import_transcripts(project, requests)
    spent["import_transcripts, whole"] = time.process_time() - begun
    project.close()
    count = len(requests)
    print(json.dumps({label: round(seconds * 1e3 / (1 if label.startswith("imports") else count), 3)
                      for label, seconds in spent.items()}))


def measure(table: dict, rounds: int) -> dict:
    runs: dict[str, list[dict]] = {name: [] for name in table}
    for number in range(rounds + 1):  # round 0 warms the caches, untimed
        order = list(table) if number % 2 == 0 else list(reversed(table))
        for name in order:
            argv, cwd = table[name](number)
            figure = run(argv, cwd)
            if number:
                runs[name].append(figure)
    return runs


def summarise(runs: dict, count: int) -> dict:
    out: dict = {}
    for name, figures in runs.items():
        loads = [v for f in figures for v in f["load"]]
        out[name] = {"wall": spread([f["wall"] for f in figures]), "cpu": spread([f["cpu"] for f in figures]),
                     "load": [min(loads), max(loads)]}

    def cpu(name: str) -> float:
        return out[name]["cpu"]["median"]

    ours = (cpu("qualcode import, all files") - cpu("qualcode import, 1 file")) / (count - 1)
    theirs = (cpu("qc import, all files") - cpu("qc import, 1 file")) / (count - 1)
    floor = cpu("import typer, sqlalchemy")
    cli_floor = out.get("import typer, sqlalchemy, CLI collector", {}).get("cpu", {}).get("median")
    return {"floor_cli_s": cli_floor, "cases": out, "files": count, "qualcode_per_file_ms": round(ours * 1e3, 3),
            "qc_per_file_ms": round(theirs * 1e3, 3), "ratio_per_file": round(theirs / ours, 2),
            "ratio_total": round(cpu("qc import, all files") / cpu("qualcode import, all files"), 2),
            "floor_s": floor, "floor_share_of_goal": round(floor / (cpu("qc import, all files") / 10), 2)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qc", required=True)
    parser.add_argument("--files", type=Path, required=True, help="a folder of .txt transcripts (bench_peers' corpus)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another checkout: its import of all the files, alternating")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child-stages", type=Path, help=argparse.SUPPRESS)  # (internal) the project folder
    args = parser.parse_args(argv)
    if args.child_stages:
        child_stages(args.files, args.child_stages)
        return {}
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-import-floor-"))
    count = len(list(args.files.glob("*.txt")))
    started, load_before = time.strftime("%Y-%m-%d %H:%M"), load_average()
    result = summarise(measure(cases(args.qc, args.files, work, args.against), args.rounds), count)
    folder = new_qualcode(work / "stages")
    done = subprocess.run([sys.executable, __file__, "--qc", args.qc, "--files", str(args.files), "--child-stages",
                           str(folder)], capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
    result["stages_ms_per_file"] = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(started=started, rounds=args.rounds, python=sys.version.split()[0], against=str(args.against or ""),
                  load_before=load_before, load_after=load_average())
    for name, figure in result["cases"].items():
        print(f"{name:<28} wall {figure['wall']['median']:.3f} s, CPU {figure['cpu']['median']:.3f} s "
              f"({figure['cpu']['min']:.3f}–{figure['cpu']['max']:.3f}), load {figure['load'][0]}–{figure['load'][1]}")
    print(f"per file (CPU, marginal): qualcode {result['qualcode_per_file_ms']} ms, qc {result['qc_per_file_ms']} ms "
          f"= {result['ratio_per_file']}x; whole import {result['ratio_total']}x; the start-up floor "
          f"({result['floor_s']:.3f} s) is {result['floor_share_of_goal']:.0%} of the 10x goal's budget")
    for label, ms in result["stages_ms_per_file"].items():
        print(f"  {label:<48} {ms:8.3f} ms{'' if label.startswith('imports') else ' a file'}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
