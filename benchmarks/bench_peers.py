"""qualcode against qc (qualitative-coding), the nearest command-line peer, whole processes.

    python benchmarks/bench_peers.py --qc PATH/TO/qc [--transcripts 200] [--words 8000]
                                     [--rounds 3] [--work DIR] [--json FILE]

qc is not a dependency: install it in a venv of its own, e.g.
``python -m venv .bench/qc && .bench/qc/bin/pip install qualitative-coding==1.7.8``,
and pass ``--qc .bench/qc/bin/qc``.

Every figure is a whole command in a fresh process (what a user waits for), the two
tools alternating for ``--rounds`` rounds after an untimed warm-up round; per side the
median and range of wall seconds, the child's CPU seconds (``os.wait4``),
the per-round ratio (qc / qualcode: above 1 means qualcode is faster) and the load
average. Both run on the same cores, one process each.

- **import**: the ``--transcripts`` generated .txt files (bench_scaling's corpus:
  ``Interviewer:``/``Respondent:`` turns) into a fresh project: ``qualcode import DIR
  --role ... --site ...`` (parses speaker turns, segments, stores) and ``qc corpus
  import -r -i verbatim DIR`` (copies each file verbatim into its corpus; qc's default
  importer needs pandoc).
- **coded project**: built once, untimed: qualcode imports the files and runs
  ``autocode --as auto``; its REFI-QDA export is imported by ``qc init --import``, so
  both hold the same transcripts and codings.
- **export**: ``qualcode export X.qdpx`` and ``qc export X.qdpx`` of the coded projects.
- **one coding action**: ``qualcode tag T N CODE --coder bench`` (a new respondent turn N each round) against ``qc code bench
  -p FILE`` with an "editor" that adds one code to the codes file (``sed``), so both
  sides save one coding and nothing waits for a person.
- **size**: the coded projects' folders on disk (qualcode's store checkpointed and
  vacuumed into a copy). ``--size-only`` measures this alone, with no timed rounds.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from honest import load_average, spread  # noqa: E402

ROLE, SITE = "prosecutor", "A"
CODE = "challenge.collaboration"
QC_CODE = "bench_code"  # qc's code names allow letters, digits, _ and - only


def run(argv: list[str], cwd: Path) -> dict:
    """One whole process: wall seconds, its CPU seconds, the load around it.

    ``rss_mib`` is kept in the JSON but not reported: Linux carries the parent's peak
    into a forked child's ``ru_maxrss``, so a child smaller than this script reads as
    this script's size."""
    load = load_average()
    # qc 1.7.8 left a breakpoint() in its REFI-QDA reader; PYTHONBREAKPOINT=0 makes it a no-op.
    env = {**os.environ, "QUALCODE_QUIET": "1", "PYTHONPATH": str(REPO), "PYTHONBREAKPOINT": "0"}
    # Bytecode written and read as an installed package's is: under PYTHONDONTWRITEBYTECODE=1
    # (as in the development shells) a checkout never compiled would be compiled every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} ... failed ({child.returncode}): {stderr.strip()[-400:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mib": usage.ru_maxrss / 1024,
            "load": [load, load_average()]}


def qualcode(*args: str) -> list[str]:
    return [sys.executable, "-m", "qualcode", *args]


def alternate(sides: dict[str, Callable[[int], list[str] | tuple[list[str], Path]]], rounds: int) -> dict:
    """``sides`` give, per round number, the command (and its folder) to run; round 0 is the warm-up."""
    names = list(sides)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for number in range(rounds + 1):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            argv, cwd = sides[name](number)
            figure = run(argv, cwd)
            if number:
                runs[name].append(figure)
    out: dict = {"rounds": rounds}
    for name in names:
        loads = [v for r in runs[name] for v in r["load"]]
        out[name] = {"wall": spread([r["wall"] for r in runs[name]]), "cpu": spread([r["cpu"] for r in runs[name]]),
                     "rss_mib": round(max(r["rss_mib"] for r in runs[name]), 1), "load": [min(loads), max(loads)]}
    qc_runs, our_runs = runs["qc"], runs["qualcode"]
    out["ratio_wall"] = spread([q["wall"] / o["wall"] for q, o in zip(qc_runs, our_runs, strict=True)], 3)
    out["ratio_cpu"] = spread([q["cpu"] / max(o["cpu"], 1e-9) for q, o in zip(qc_runs, our_runs, strict=True)], 3)
    return out


# -- projects ---------------------------------------------------------------------------------


def new_qualcode(folder: Path) -> Path:
    from qualcode.demo import prepare_demo_project

    prepare_demo_project(REPO, folder).close()
    return folder


def new_qc(qc: str, folder: Path) -> Path:
    folder.mkdir(parents=True)
    run([qc, "init"], folder)
    return use_bench_editor(folder)


def use_bench_editor(folder: Path) -> Path:
    """qc codes in an editor; this one adds one code on the codes file's first line (an
    interviewer's line: no codes yet) and exits."""
    settings = folder / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("editor:"))
    text += ("\neditor: bench\neditors:\n  bench:\n    name: bench\n"
             f"    code_command: 'sed -i \"1s/^$/{QC_CODE}/\" \"{{codes_file_path}}\"'\n"
             "    memo_command: 'true'\n")
    settings.write_text(text, encoding="utf-8")
    return folder


def coded_projects(work: Path, files: Path, qc: str) -> tuple[Path, Path, str, dict]:
    """The same transcripts and codings in both tools (qualcode autocodes; qc imports its export)."""
    ours = new_qualcode(work / "coded-qualcode")
    run(qualcode("-p", str(ours), "import", str(files), "--role", ROLE, "--site", SITE), ours)
    for coder in ("auto", "bench"):
        run(qualcode("-p", str(ours), "coders", "add", coder), ours)
    run(qualcode("-p", str(ours), "autocode", "--as", "auto"), ours)
    exported = work / "coded.qdpx"
    run(qualcode("-p", str(ours), "export", "qdpx", "-o", str(exported)), ours)
    theirs = work / "coded-qc"
    theirs.mkdir()
    imported = run([qc, "init", "--import", str(exported)], theirs)
    use_bench_editor(theirs)
    transcript = sorted(p.stem for p in files.glob("*.txt"))[0]
    return ours, theirs, transcript, imported


def tree_bytes(*paths: Path) -> int:
    return sum(f.stat().st_size for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file())


def vacuumed_bytes(store: Path) -> int:
    copy = store.with_name(store.name + ".vacuumed")
    copy.unlink(missing_ok=True)
    with sqlite3.connect(store) as connection:
        connection.execute("VACUUM INTO ?", (str(copy),))
    size = copy.stat().st_size
    copy.unlink()
    return size


def sizes(ours: Path, theirs: Path) -> dict:
    """What each tool keeps: the store (vacuumed) and its own files; not the source documents
    (qualcode's transcripts/ folder holds the demo's originals), exports or qc's import scratch."""
    our_store = vacuumed_bytes(ours / ".qualcode" / "qualcode.db")
    their_store = vacuumed_bytes(theirs / "qualitative_coding.sqlite3")
    our_total = our_store + tree_bytes(ours / "codebooks", ours / "qualcode.toml")
    their_total = their_store + tree_bytes(theirs / "corpus", theirs / "memos", theirs / "codebook.yaml",
                                           theirs / "settings.yaml")
    return {"qualcode_store_mib": our_store / 2**20, "qualcode_mib": our_total / 2**20,
            "qc_store_mib": their_store / 2**20, "qc_mib": their_total / 2**20, "ratio": our_total / their_total}


# -- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--qc", required=True, help="the qc executable (qualitative-coding, in its own venv)")
    parser.add_argument("--transcripts", type=int, default=200)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--size-only", action="store_true",
                        help="build the coded projects and measure their size only (no timed rounds: size does not "
                             "depend on load, so it can be re-measured on a busy machine)")
    args = parser.parse_args(argv)
    # qc runs from its installed venv with compiled bytecode; qualcode from this tree, whose
    # bytecode may be stale (or never written, under PYTHONDONTWRITEBYTECODE=1), and then
    # every command would compile the changed modules again (~20-70 ms each run).
    compileall.compile_dir(REPO / "qualcode", quiet=1)
    from bench_autocode import example_project, example_sentences
    from bench_scaling import write_corpus

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-peers-"))
    files = work / f"files-{args.transcripts}x{args.words}"
    if not files.exists():
        write_corpus(files, example_sentences(example_project(work / "example")), args.transcripts, args.words)
    qc_version = subprocess.run([args.qc, "version"], capture_output=True, text=True).stdout.strip()
    print(f"qc {qc_version}; {args.transcripts} transcripts of ~{args.words} words; work {work}")
    result: dict = {"qc_version": qc_version, "transcripts": args.transcripts, "words": args.words,
                    "started": time.strftime("%Y-%m-%d %H:%M"), "python": sys.version.split()[0]}

    def import_ours(n: int):
        folder = new_qualcode(work / f"import-qualcode-{n}")
        return qualcode("-p", str(folder), "import", str(files), "--role", ROLE, "--site", SITE), folder

    def import_theirs(n: int):
        folder = new_qc(args.qc, work / f"import-qc-{n}")
        return [args.qc, "corpus", "import", "-r", "-i", "verbatim", str(files)], folder

    if args.size_only:
        ours, theirs, _, _ = coded_projects(work, files, args.qc)
        return finish(result, ours, theirs, args.json)
    result["import"] = alternate({"qualcode": import_ours, "qc": import_theirs}, args.rounds)
    report("import", result["import"])

    ours, theirs, transcript, imported = coded_projects(work, files, args.qc)
    result["qc_init_import_s"] = round(imported["wall"], 2)
    result["export"] = alternate({
        "qualcode": lambda n: (qualcode("-p", str(ours), "export", "qdpx", "-o", str(ours / f"out-{n}.qdpx")), ours),
        "qc": lambda n: ([args.qc, "export", str(theirs / f"out-{n}.qdpx")], theirs),
    }, args.rounds)
    report("export", result["export"])
    qc_file = sorted((theirs / "corpus").rglob("*.txt"))[0].relative_to(theirs / "corpus")
    result["tag"] = alternate({
        "qualcode": lambda n: (qualcode("-p", str(ours), "tag", transcript, str(2 + 2 * n), CODE, "--coder", "bench"), ours),
        "qc": lambda n: ([args.qc, "code", "bench", "-p", str(qc_file)], theirs),
    }, args.rounds)
    report("one coding action", result["tag"])
    return finish(result, ours, theirs, args.json)


def finish(result: dict, ours: Path, theirs: Path, out: Path | None) -> dict:
    result["size"] = sizes(ours, theirs)
    size = result["size"]
    print(f"size: qualcode {size['qualcode_mib']:.1f} MiB (store {size['qualcode_store_mib']:.1f}), qc "
          f"{size['qc_mib']:.1f} MiB (store {size['qc_store_mib']:.1f}, the rest its corpus files): "
          f"{size['ratio']:.2f}x qc")
    if out:
        out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return result


def report(name: str, figure: dict) -> None:
    for side in ("qualcode", "qc"):
        f = figure[side]
        print(f"{name:>18} {side:>8}: {f['wall']['median']:.3f} s ({f['wall']['min']:.3f}-{f['wall']['max']:.3f}) wall, "
              f"CPU {f['cpu']['median']:.3f} s, load {f['load'][0]}-{f['load'][1]}")
    print(f"{'':>18} qc / qualcode: wall {figure['ratio_wall']['median']:.2f}x "
          f"({figure['ratio_wall']['min']:.2f}-{figure['ratio_wall']['max']:.2f}), CPU {figure['ratio_cpu']['median']:.2f}x")


if __name__ == "__main__":
    main()
