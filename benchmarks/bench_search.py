"""Search speed: ``qualcode search`` (lemma index) against a plain regex scan, in one run.

    python benchmarks/bench_search.py [--words 10000000] [--rounds 5] [--seed 11] [--json OUT] [--keep DIR]
        [--startup [--baseline-tree DIR [--baseline-project DIR]]]

The corpus is bench_autocode.py's generated one (respondent turns from a word bigram
chain over the example study, with new word forms at the Heaps' law rate), laid out
as transcripts of about 10,000 words, each respondent turn after a short interviewer
question, stored in a scratch project (SQLite, or the server QUALCODE_DATABASE_URL
names). Timed:

- the index build (the first search after import indexes everything);
- per pattern, ``search`` for the first page (50 KWIC lines, what the terminal shows)
  and for the counts by role and site, both through the plain twin in this process;
- ``qualcode search PATTERN`` as a command (a new process each time, so Python start-up
  and imports are included), first page only;
- the baseline: a plain Python regex over the same texts read from the store, the
  lemma's surface forms as one alternation (the same words the lemma search finds),
  first page = scan in transcript order until 50 hits, counts = scan everything.

The baseline's first page stops at the 50th hit, usually inside the first transcript
for a common word, so it is fast; its counts read and scan every text. For NEAR the
baseline only finds either word (a lower bound on a real scan's work). ``--keep DIR``
builds the corpus once in DIR and reuses it on later runs.

``--startup`` times only whole fresh processes, what a user waits for: ``qualcode
search PATTERN`` (first page) and ``--count``, alternating (order reversed every other
round) with the same command from ``--baseline-tree DIR`` (the previous code, e.g.
``git archive COMMIT qualcode | tar -x -C DIR``; ``--baseline-project`` names a copy of
the project that code can open) and with a fresh Python process that scans the SQLite
texts with the baseline regex below. It checks that both trees print the same output.

The two sides alternate ``--rounds`` times, so both are measured seconds apart on a
busy machine; the median and the range are reported, with the load average at the
start and the end (the goal in issue 23: first page <= 1 s, counts <= 3 s).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

PATTERNS = [("referral", "lemma"), ("housing", "lemma"), ("law enforcement", "phrase"),
            ("trust NEAR/5 police", "lemma"), ("Detectiv", "fuzzy")]
PAGE = 50
TRANSCRIPT_WORDS = 10_000
SITES = "ABCDEFGHIJ"


def build_corpus(workdir: Path, words: int, seed: int):
    """A project holding the example study plus ``words`` generated words."""
    from bench_autocode import example_project, example_sentences, generate_turns

    from qualcode.store.transcripts import insert_transcript
    from qualcode.transcripts.model import Transcript, Turn, render

    project = example_project(workdir)
    turns = generate_turns(example_sentences(project), words, seed)
    rng = random.Random(seed)
    batch, size, number = [], 0, 0
    with project.write() as conn:
        for text, role in turns:
            batch += [Turn("Interviewer", "Can you say more about that?"), Turn("Respondent", text)]
            size += len(text.split())
            if size >= TRANSCRIPT_WORDS:
                number += 1
                _store(conn, insert_transcript, Transcript, render, batch, number, role, rng)
                batch, size = [], 0
        if batch:
            _store(conn, insert_transcript, Transcript, render, batch, number + 1, role, rng)
    return project, sum(len(t.split()) for t, _ in turns)


def _store(conn, insert_transcript, transcript_class, render, turns, number, role, rng) -> None:
    text, segments = render(turns, {"Interviewer"})
    tid = f"gen-{number:05d}"
    insert_transcript(conn, transcript_class(
        id=tid, title=tid, role=role, site=rng.choice(SITES), text=text, segments=segments,
        format="text", source_path=f"{tid}.txt", sha256=tid))


def baseline_regex(pattern: str, mode: str) -> re.Pattern:
    """The same words as the lemma search, as one regular expression."""
    from qualcode.search.lemmas import key, lemmas, words

    if mode == "phrase":
        return re.compile(r"\b" + r"\s+".join(map(re.escape, words(pattern))) + r"\b", re.I)
    terms = [t for t in re.split(r"\s+NEAR/\d+\s+", pattern)]
    forms = []
    for term in terms:
        wanted = key(term)
        table = lemmas()._table  # every known form, plus the term itself
        forms += [f for f in {*table, term.lower()} if key(f) == wanted]
    return re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, forms), key=len, reverse=True)) + r")\b", re.I)


def run_baseline(project, regex: re.Pattern, first_page: bool) -> tuple[float, int]:
    from sqlalchemy import select

    from qualcode.store.schema import transcripts

    began, hits = time.perf_counter(), 0
    with project.read() as conn:
        for (text,) in conn.execute(select(transcripts.c.text).order_by(transcripts.c.id)).yield_per(50):
            hits += sum(1 for _ in regex.finditer(text))
            if first_page and hits >= PAGE:
                break
    return time.perf_counter() - began, hits


def run_search(project, pattern: str, mode: str, first_page: bool) -> tuple[float, int]:
    from qualcode.search.engine import SearchOptions, search

    options = SearchOptions(mode=mode, limit=PAGE) if first_page else SearchOptions(mode=mode, limit=0, count=True)
    began = time.perf_counter()
    result = search(project, pattern, options)
    return time.perf_counter() - began, result.total


def run_command(project, pattern: str, mode: str) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one ``qualcode search`` process."""
    import resource
    import subprocess

    flags = {"lemma": [], "phrase": ["--phrase"], "fuzzy": ["--fuzzy"]}[mode]
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "qualcode", "-p", str(project.root), "search", pattern, *flags],
                   capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def startup_floor() -> float:
    """What any qualcode command pays before its own work: Python, the CLI, SQLAlchemy."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import qualcode.cli.app, sqlalchemy.engine"], env=env, check=True)
    return time.perf_counter() - began


def summary(values: list[float]) -> dict:
    return {"median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
            "max_s": round(max(values), 3)}


def measure(project, rounds: int) -> list[dict]:
    rows = []
    for pattern, mode in PATTERNS:
        regex = baseline_regex(pattern, mode) if mode != "fuzzy" else None
        for first_page in (True, False):
            ours, theirs, totals = [], [], set()
            for round_ in range(rounds):
                order = (0, 1) if round_ % 2 == 0 else (1, 0)  # alternate who goes first
                for side in order:
                    if side == 0:
                        seconds, total = run_search(project, pattern, mode, first_page)
                        ours.append(seconds)
                        totals.add(total)
                    elif regex is not None:
                        theirs.append(run_baseline(project, regex, first_page)[0])
            rows.append({"pattern": pattern, "mode": mode, "what": "first page" if first_page else "counts",
                         "hits": sorted(totals), "search": summary(ours),
                         "regex_scan": summary(theirs) if theirs else None})
        command = [run_command(project, pattern, mode) for _ in range(rounds)]
        rows.append({"pattern": pattern, "mode": mode, "what": "command", "hits": [],
                     "search": summary([w for w, _ in command]), "cpu": summary([c for _, c in command]),
                     "regex_scan": None})
    floor = [startup_floor() for _ in range(rounds)]
    rows.append({"pattern": "(start-up only)", "mode": "-", "what": "command", "hits": [], "search": summary(floor),
                 "regex_scan": None})
    return rows


# -- --startup: the whole fresh process ----------------------------------------------


STARTUP_PATTERNS = [("referral", "lemma"), ("law enforcement", "phrase"), ("trust NEAR/5 police", "lemma")]


def run_process(argv: list[str], env: dict[str, str]) -> dict:
    """One process: wall and CPU seconds (user + system of the child), load before and after, stdout."""
    import resource
    import subprocess

    from honest import load_average

    load = load_average()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    # run from an empty folder: `python -m` puts the working directory first on sys.path,
    # and a checkout there would shadow the tree PYTHONPATH names
    with tempfile.TemporaryDirectory() as empty:
        done = subprocess.run(argv, capture_output=True, text=True, env=env, check=True, cwd=empty)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": [load, load_average()], "stdout": done.stdout}


SCAN = """
import re, sqlite3, sys
regex, limit, hits = re.compile(sys.argv[2], re.I), int(sys.argv[3]), 0
for (text,) in sqlite3.connect(sys.argv[1]).execute("select text from transcripts order by id"):
    hits += sum(1 for _ in regex.finditer(text))
    if limit and hits >= limit:
        break
print(hits)
"""


def startup_sides(project, pattern: str, mode: str, count: bool, baseline: tuple[Path, Path] | None) -> dict:
    """name -> argv and environment of each side (this tree, the baseline tree, a regex-scan process).

    ``baseline``: (source tree, project folder) -- a copy of the project made before this
    tree migrated it, since an older tree refuses a store from a newer schema.
    """
    flags = {"lemma": [], "phrase": ["--phrase"]}[mode] + (["--count"] if count else [])
    base_env = {**os.environ, "COLUMNS": "100"}

    def command(root: Path) -> list[str]:
        return [sys.executable, "-m", "qualcode", "-p", str(root), "search", pattern, *flags]

    sides = {"now": (command(project.root), {**base_env, "PYTHONPATH": str(REPO)})}
    if baseline is not None:
        tree, folder = baseline
        sides["before"] = (command(folder.resolve()), {**base_env, "PYTHONPATH": str(tree.resolve())})
    if project.engine.url.get_backend_name() == "sqlite":  # the scan reads the SQLite file directly
        regex = baseline_regex(pattern, mode).pattern
        sides["regex process"] = ([sys.executable, "-c", SCAN, str(project.engine.url.database), regex,
                                   "0" if count else str(PAGE)], base_env)
    return sides


def measure_startup(project, rounds: int, baseline: tuple[Path, Path] | None) -> list[dict]:
    """Fresh processes, the sides in turn (order reversed every other round), one untimed warm-up each."""
    from honest import spread

    rows = []
    for pattern, mode in STARTUP_PATTERNS:
        for count in (False, True):
            sides = startup_sides(project, pattern, mode, count, baseline)
            outputs = {name: run_process(*side)["stdout"] for name, side in sides.items()}  # warm-up
            runs: dict[str, list[dict]] = {name: [] for name in sides}
            for number in range(rounds):
                for name in (list(sides) if number % 2 == 0 else list(sides)[::-1]):
                    runs[name].append(run_process(*sides[name]))
            row = {"pattern": pattern, "mode": mode, "what": "counts" if count else "first page",
                   "same_output_as_before": outputs.get("before", outputs["now"]) == outputs["now"]}
            for name, measured in runs.items():
                loads = [v for r in measured for v in r["load"]]
                row[name] = {"wall": spread([r["wall"] for r in measured], 3),
                             "cpu": spread([r["cpu"] for r in measured], 3), "load": [min(loads), max(loads)]}
            rows.append(row)
            print(describe_startup(row), flush=True)
    return rows


def describe_startup(row: dict) -> str:
    parts = [f"{row['pattern']!r} {row['what']}:"]
    for name in ("now", "before", "regex process"):
        if name in row:
            wall, cpu, load = row[name]["wall"], row[name]["cpu"], row[name]["load"]
            parts.append(f"{name} {wall['median']:.3f} s ({wall['min']:.3f}-{wall['max']:.3f}) wall, "
                         f"{cpu['median']:.3f} s CPU, load {load[0]:.1f}-{load[1]:.1f};")
    if "before" in row:
        parts.append("same output" if row["same_output_as_before"] else "OUTPUT DIFFERS")
    return " ".join(parts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", type=Path, help="build the corpus in DIR once and reuse it")
    parser.add_argument("--startup", action="store_true",
                        help="time only whole fresh 'qualcode search' processes (first page, --count)")
    parser.add_argument("--baseline-tree", type=Path,
                        help="with --startup: also run the command from this source tree (e.g. the previous "
                             "commit: git archive COMMIT qualcode | tar -x -C DIR)")
    parser.add_argument("--baseline-project", type=Path,
                        help="with --baseline-tree: the project folder it searches (default: the same as --keep; "
                             "give a copy made before this tree migrated the store)")
    args = parser.parse_args(argv)
    print(f"load average at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        folder = args.keep or Path(tmp) / "bench"
        if (folder / "qualcode.toml").exists():
            from qualcode.project import Project

            project, words = Project(folder), args.words
            print(f"corpus: reusing {folder}", flush=True)
        else:
            project, words = build_corpus(folder, args.words, args.seed)
            print(f"corpus: {words} generated words stored in {time.perf_counter() - began:.1f} s", flush=True)
        from qualcode.search.index import refresh

        began = time.perf_counter()
        report = refresh(project)
        built = time.perf_counter() - began
        print(f"index: {report.indexed} transcripts in {built:.1f} s", flush=True)
        baseline = (args.baseline_tree, args.baseline_project or folder) if args.baseline_tree else None
        rows = measure_startup(project, args.rounds, baseline) if args.startup else measure(project, args.rounds)
        project.close()
    if args.startup:
        print(f"load average at end: {os.getloadavg()}")
        if args.json:
            args.json.write_text(json.dumps({"words": words, "rows": rows}, indent=2), encoding="utf-8")
        return
    load = os.getloadavg()
    for row in rows:
        base = row["regex_scan"]
        print(f"{row['pattern']!r:24} {row['mode']:6} {row['what']:10} hits={row['hits'] or '-'} "
              f"search {row['search']['median_s']:.3f} s [{row['search']['min_s']:.3f}-{row['search']['max_s']:.3f}]"
              + (f"  regex scan {base['median_s']:.3f} s [{base['min_s']:.3f}-{base['max_s']:.3f}]" if base else "")
              + (f"  CPU {row['cpu']['median_s']:.3f} s [{row['cpu']['min_s']:.3f}-{row['cpu']['max_s']:.3f}]"
                 if row.get("cpu") else ""))
    print(f"load average at end: {load} (a shared machine: figures are as measured under that load)")
    if args.json:
        args.json.write_text(json.dumps({"words": words, "index_build_s": round(built, 1), "rows": rows,
                                         "load_average_end": load}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
