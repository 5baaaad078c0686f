"""Regenerate the measured tables of docs/performance.md from the benchmarks' JSON.

    python benchmarks/write_performance.py [--check]

The benchmarks write their figures as JSON (``--json``); the runs the page reports are
kept in ``benchmarks/results/``. Each table between ``<!-- generated:NAME -->`` and
``<!-- /generated:NAME -->`` in docs/performance.md is rewritten here from those files,
so the page cannot drift from what was measured. ``--check`` rewrites nothing and
exits 1 if the page is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PAGE = HERE.parent / "docs" / "performance.md"


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _range(figure: dict, unit: str = " s", digits: int = 2) -> str:
    return f"{figure['median']:.{digits}f}{unit} ({figure['min']:.{digits}f}–{figure['max']:.{digits}f})"


def _load(*loads: list[float]) -> str:
    low, high = min(pair[0] for pair in loads), max(pair[1] for pair in loads)
    return f"{low:.1f}–{high:.1f}"


def versions_table() -> str:
    """Before (the code at the start of issue 21) and after, alternating, same cores."""
    rows = ["| operation | before: wall (range), CPU, peak memory | after | CPU after/before | goal | load average |",
            "|---|---|---|---:|---|---|"]
    goals = {"export": "≤ 1.5 s; memory ≤ 2× the output's text", "autocode-as": "≤ 1.3× the dry run",
             "autocode-dry": "(reference)", "import": "", "tally": ""}
    goals["codings-import"] = "bulk: executemany, one transaction, one event group"
    for name in ("versions-export-200x8000.json", "versions-200x8000.json", "versions-codings-import-200x8000.json",
                 "versions-export-followup.json"):
        data = load(name)
        if data is None:
            continue
        for op, r in data["ops"].items():
            old, new = r["old"], r["new"]
            rows.append(
                f"| `{op}`, {data['transcripts']} transcripts ({data['started'][:16]}) | {_range(old['wall'])}, "
                f"CPU {old['cpu']['median']:.2f} s, {old['peak_rss_mib']:.0f} MiB | {_range(new['wall'])}, "
                f"CPU {new['cpu']['median']:.2f} s, {new['peak_rss_mib']:.0f} MiB | {r['ratio_cpu']:.2f} | "
                f"{goals.get(op, '')} | {_load(old['load'], new['load'])} |"
            )
    return "\n".join(rows)


def autocode_ratio_table(name: str = "autocode-ratio-200x8000.json") -> str:
    data = load(name)
    if data is None:
        return "_not measured yet_"
    if "autocode_ratio" in data:  # a bench_scaling run: the ratio is one of its parts
        data = data["autocode_ratio"]
    return "\n".join([
        "| side | wall, median (range) | CPU, median (range) | load average |", "|---|---|---|---|",
        f"| `autocode --as NAME` | {_range(data['as_coder']['wall'])} | {_range(data['as_coder']['cpu'])} | "
        f"{_load(data['as_coder']['load'])} |",
        f"| `autocode --dry-run` | {_range(data['dry_run']['wall'])} | {_range(data['dry_run']['cpu'])} | "
        f"{_load(data['dry_run']['load'])} |",
        f"| **ratio** (per round, {data['rounds']} rounds) | {_range(data['ratio_wall'], '×')} | "
        f"{_range(data['ratio_cpu'], '×')} | |",
        *([f"| client + server CPU: `--as` {_range(data['as_coder']['server_cpu'])} server, `--dry-run` "
           f"{_range(data['dry_run']['server_cpu'])} server; **ratio** | | {_range(data['ratio_total_cpu'], '×')} | |"]
          if "ratio_total_cpu" in data else []),
    ])


def autocode_tokenizer_table() -> str:
    """The autocoder against spaCy's bare tokenizer, one process each (bench_autocode.py),
    before and after the batch scan: per corpus, the median of the per-round ratios."""
    import statistics

    runs = [("before (token-by-token matcher), 2026-12-05 02:16", "autocode-tokenizer-2M-1proc-before.json"),
            ("after (batch scan)", "autocode-tokenizer-2M-1proc-load10.json"),
            ("after (batch scan)", "autocode-tokenizer-2M-1proc.json"),
            ("after (batch scan, per-turn rule tables), quiet, end of session", "autocode-tokenizer-2M-1proc-quiet.json"),
            # the cheaper scan: the code before it (commit 4d7d55b) and after, run in turn
            ("A/B 1: before the cheaper scan (4d7d55b)", "autocode-tokenizer-2M-1proc-scan-before-1.json"),
            ("A/B 1: after the cheaper scan", "autocode-tokenizer-2M-1proc-scan-after-1.json"),
            ("A/B 2: before the cheaper scan (4d7d55b)", "autocode-tokenizer-2M-1proc-scan-before-2.json"),
            ("A/B 2: after the cheaper scan", "autocode-tokenizer-2M-1proc-scan-after-2.json"),
            ("main after the cheaper scan, quiet, end of the seventh session", "autocode-tokenizer-2M-1proc-quiet-s7.json"),
            # eighth session, under load: the code before it (41824c0) and after, run in turn
            ("A/B 3: before the per-turn step (41824c0)", "autocode-tokenizer-2M-1proc-s8-before-1.json"),
            ("A/B 3: after it, but for ancestor_ids (3c6f9fc)", "autocode-tokenizer-2M-1proc-s8-mid-1.json"),
            ("A/B 4: before the per-turn step (41824c0)", "autocode-tokenizer-2M-1proc-s8-before-2.json"),
            ("A/B 4: after it, but for ancestor_ids (3c6f9fc)", "autocode-tokenizer-2M-1proc-s8-mid-2.json"),
            ("after the per-turn step (2e439b5), loaded, 7 rounds", "autocode-tokenizer-2M-1proc-s8.json"),
            ("main at the end of the eighth session (4c7ecde), quiet, 7 rounds", "autocode-tokenizer-2M-1proc-quiet-s8.json"),
            # ninth session, under load: the code before it (68ed32f) and after (02bb9e4; eb154cb for
            # the last row), run in turn, 7 rounds each
            ("A/B 5: before the ninth session's step (68ed32f)", "autocode-tokenizer-2M-1proc-s9-before-1.json"),
            ("A/B 5: after it (02bb9e4)", "autocode-tokenizer-2M-1proc-s9-after-1.json"),
            ("A/B 6: after it (02bb9e4)", "autocode-tokenizer-2M-1proc-s9-after-2.json"),
            ("A/B 6: before it (68ed32f)", "autocode-tokenizer-2M-1proc-s9-before-2.json"),
            ("A/B 7: after it (eb154cb)", "autocode-tokenizer-2M-1proc-s9-after-3.json"),
            ("A/B 7: before it (68ed32f)", "autocode-tokenizer-2M-1proc-s9-before-3.json"),
            ("after the ninth session's step (eb154cb), 7 rounds", "autocode-tokenizer-2M-1proc-s9.json"),
            # main at the end of the ninth session (77c75a5), quiet, three 7-round runs in a row
            ("main at the end of the ninth session (77c75a5), quiet, run 1", "autocode-tokenizer-2M-1proc-quiet-s9.json"),
            ("main at the end of the ninth session (77c75a5), quiet, run 2", "autocode-tokenizer-2M-1proc-quiet-s9-second.json"),
            ("main at the end of the ninth session (77c75a5), quiet, run 3", "autocode-tokenizer-2M-1proc-quiet-s9-third.json"),
            # after the regex order check (dc68b08), quiet, three 7-round runs in a row
            ("main with the regex order check (dc68b08), quiet, run 1", "autocode-tokenizer-2M-1proc-quiet-s9-final-1.json"),
            ("main with the regex order check (dc68b08), quiet, run 2", "autocode-tokenizer-2M-1proc-quiet-s9-final-2.json"),
            ("main with the regex order check (dc68b08), quiet, run 3", "autocode-tokenizer-2M-1proc-quiet-s9-final-3.json")]
    rows = ["| run | corpus | ratio per CPU second, median (range) | ratio, wall, median | CPU s per round: "
            "autocoder / tokenizer (medians) | load average |", "|---|---|---|---|---|---|"]
    for label, name in runs:
        data = load(name)
        if data is None:
            continue
        for r in data:
            rounds = r.get("rounds") or []
            cpu = [x["ratio_cpu"] for x in rounds]
            cpu_text = (f"**{statistics.median(cpu):.2f}** ({min(cpu):.2f}–{max(cpu):.2f})" if cpu
                        else f"**{r['ratio_cpu']:.2f}** (the median round)")
            seconds = ("–" if not rounds or "autocode_cpu_s" not in rounds[0] else
                       f"{statistics.median(x['autocode_cpu_s'] for x in rounds):.2f} s / "
                       f"{statistics.median(x['tokenizer_cpu_s'] for x in rounds):.2f} s")
            loads = [x["load"] for x in rounds if "load" in x]
            load_text = _load(*loads) if loads else "0.5–0.9 (noted by hand)"
            when = f"{label}, {r['date']}" if "date" in r else label
            corpus = f"{r['corpus']}, {r['words']:,} words, {r['processes']} process"
            rows.append(f"| {when} | {corpus} | {cpu_text} | "
                        f"{statistics.median(x['ratio'] for x in rounds) if rounds else r['ratio']:.2f} | "
                        f"{seconds} | {load_text} |")
    return "\n".join(rows)


def tally_table(name: str) -> str:
    """qualcode against a bare pandas groupby and, where measured, against pandas doing the
    same work (the groupby plus the coverage every qualcode figure states)."""
    data = load(name)
    if data is None:
        return "_not measured yet_"
    covered = all("pandas_coverage" in r for r in data["results"])
    head = "| question | qualcode (SQL) | pandas groupby (in memory) | ratio (wall) | ratio (CPU) |"
    rule = "|---|---|---|---|---|"
    if covered:
        head += " pandas groupby + coverage | ratio (wall) | ratio (CPU) |"
        rule += "---|---|---|"
    rows = [f"{data['codings']:,} codings, {data['transcripts']:,} transcripts, {data['rounds']} alternating rounds, "
            f"{data['started']}; pandas `read_sql` fetch {data['pandas_fetch_s']:.2f} s.", "",
            head + " load | same |", rule + "---|---|"]
    for r in data["results"]:
        row = (f"| `{r['question']}` | {_range(r['qualcode']['wall'], digits=3)} | {_range(r['pandas']['wall'], digits=3)} | "
               f"{_range(r['ratio_wall'], '×')} | {r['ratio_cpu']['median']:.2f}× |")
        if covered:
            row += (f" {_range(r['pandas_coverage']['wall'], digits=3)} | {_range(r['ratio_coverage_wall'], '×')} | "
                    f"{r['ratio_coverage_cpu']['median']:.2f}× |")
        rows.append(row + f" {_load(r['load'])} | {'yes' if r['same_results'] else 'NO'} |")
    if any("ratio_total_cpu" in r for r in data["results"]):  # PostgreSQL: the SQL runs in the server's process
        rows += ["", "The SQL runs in the server's backend: qualcode's CPU with the backend's "
                 "(`honest.server_cpu_seconds`) against pandas' (in memory, no server).", "",
                 "| question | qualcode client CPU | server CPU | ratio, client + server CPU ÷ groupby | "
                 "÷ groupby + coverage |", "|---|---|---|---|---|"]
        rows += [f"| `{r['question']}` | {_range(r['qualcode']['cpu'], digits=3)} | "
                 + (f"{_range(r['qualcode']['server_cpu'], digits=3)} | {_range(r['ratio_total_cpu'], '×')} | "
                    f"{_range(r['ratio_coverage_total_cpu'], '×')} |" if "ratio_total_cpu" in r else
                    "under one clock tick (10 ms) | – | – |") for r in data["results"]]
    return "\n".join(rows)


def scaling_table(name: str) -> str:
    data = load(name)
    if data is None:
        return "_not measured yet_"
    sizes = data["sizes"]
    head = " | ".join(f"{n} transcripts" for n in sizes)
    served = any("server_cpu" in data[str(n)][step] for n in sizes for step in data["growth"])
    rows = [f"{data['backend']}, {data['words']} words per transcript, {data['started']}; each step in its own "
            "process; wall median (range), CPU, peak RSS; growth = CPU ratio ÷ size ratio (1.0 = linear)."
            + (" On PostgreSQL, CPU is the client's, + server the seconds of the backends serving it "
               "(`honest.server_cpu_seconds`); growth in brackets: client + server." if served else "")
            + (f" Runs per read-only step: {data['rounds']}"
               + "".join(f", {step} {n}" for step, n in data.get("step_rounds", {}).items())
               + " (import and autocode: 1), each in a fresh process after an untimed call." if "rounds" in data else ""), "",
            f"| step | {head} | growth | load |", "|---|" + "---|" * len(sizes) + "---|---|"]
    for step, growth in data["growth"].items():
        cells = []
        loads = []
        for n in sizes:
            f = data[str(n)][step]
            loads.append(f["load"])
            server = f" + server {f['server_cpu']['median']:.2f} s" if "server_cpu" in f else ""
            cells.append(f"{_range(f['wall'])}, CPU {f['cpu']['median']:.2f} s{server}, {f['peak_rss_mib']:.0f} MiB")
        grown = ", ".join(f"{g['cpu_x_linear']}×" + (f" ({g['total_cpu_x_linear']}×)" if "total_cpu_x_linear" in g else "")
                          for g in growth)
        rows.append(f"| {step} | " + " | ".join(cells) + f" | {grown} | {_load(*loads)} |")
    return "\n".join(rows)


def export_linearity_table(name: str = "export-linearity-250-1000x8000.json") -> str:
    """qdpx export at two sizes (bench_scaling --steps import,autocode,export): growth and memory."""
    data = load(name)
    if data is None:
        return "_not measured yet_"
    small, large = data["sizes"][0], data["sizes"][-1]
    rows = [f"{data['backend']}, {data['words']:,} words per transcript, {data['started']}; each run a fresh process "
            f"after an untimed call; median (range) of {data[str(small)]['export']['wall']['n']} runs; RSS above start = "
            "peak RSS less the RSS after the untimed call; heap = tracemalloc peak of one more run; text = the "
            "archive's `sources/` uncompressed.", "",
            "| transcripts | wall | CPU | peak RSS (above start) | heap | output: archive, text | memory ÷ text | load |",
            "|---|---|---|---|---|---|---|---|"]
    for n in (small, large):
        f = data[str(n)]["export"]
        rows.append(f"| {n:,} | {_range(f['wall'])} | {_range(f['cpu'])} | {f['peak_rss_mib']:.0f} MiB "
                    f"(+{f['above_start_mib']:.0f}) | {f['heap_mib']:.1f} MiB | {f['output_mib']:.1f} MiB, "
                    f"{f['output_text_mib']:.1f} MiB | RSS {f['peak_rss_mib'] / f['output_text_mib']:.2f}×, "
                    f"heap {f['heap_mib'] / f['output_text_mib']:.2f}× | {_load(f['load'])} |")
    a, b = data[str(small)]["export"], data[str(large)]["export"]
    rows.append(f"| **{large // small}× the data** | {b['wall']['median'] / a['wall']['median']:.2f}× | "
                f"**{b['cpu']['median'] / a['cpu']['median']:.2f}×** | {b['peak_rss_mib'] / a['peak_rss_mib']:.2f}× | "
                f"{b['heap_mib'] / a['heap_mib']:.2f}× | {b['output_text_mib'] / a['output_text_mib']:.2f}× | | |")
    return "\n".join(rows)


def streaming_table() -> str:
    """The read-only steps of two bench_scaling runs, before and after the streaming walks:
    the traced heap peak per size and its growth, beside CPU time."""
    before, after = load("scaling-streaming-before.json"), load("scaling-streaming-after.json")
    if before is None or after is None:
        return "_not measured yet_"
    sizes = after["sizes"]
    rows = [f"{after['backend']}, {after['words']} words per transcript; before {before['started']}, after "
            f"{after['started']}; one run per step and size, each in its own process; heap = peak of Python's "
            "allocations during the step (tracemalloc, an extra untimed run).", "",
            "| step | " + " | ".join(f"heap at {n}, before → after" for n in sizes)
            + " | heap growth, before → after | " + " | ".join(f"CPU at {n}, before → after" for n in sizes)
            + " | load |", "|---|" + "---|" * (2 * len(sizes) + 2)]
    for step in ("agreement", "quotes", "report", "tally", "export"):
        if "heap_mib" not in before[str(sizes[0])].get(step, {}):
            continue
        heap = [f"{before[str(n)][step]['heap_mib']:.2f} → {after[str(n)][step]['heap_mib']:.2f} MiB" for n in sizes]
        cpu = [f"{before[str(n)][step]['cpu']['median']:.2f} → {after[str(n)][step]['cpu']['median']:.2f} s" for n in sizes]
        growth = f"{before['growth'][step][0]['heap_ratio']}× → {after['growth'][step][0]['heap_ratio']}×"
        loads = [run[str(n)][step]["load"] for run in (before, after) for n in sizes]
        rows.append(f"| {step} | " + " | ".join(heap) + f" | {growth} | " + " | ".join(cpu) + f" | {_load(*loads)} |")
    return "\n".join(rows)


def size_table() -> str:
    """Store size at the start of issue 21, before and after the compact-store change, with the
    stored counts (before the packed texts) and now (those measured), every table and index of 0.01 MiB or more (bench_size.py)."""
    runs = [(label, load(name)) for label, name in (("issue start", "size-before.json"),
                                                     ("before compact store", "size-prev.json"),
                                                     ("compact store", "size-compact.json"),
                                                     ("+ stored counts", "size-unpacked.json"), ("packed texts", "size.json"))]
    runs = [(label, run) for label, run in runs if run is not None]
    if len(runs) < 2:
        return "_not measured yet_"
    rows = ["| | " + " | ".join(label for label, _ in runs) + " |", "|---|" + "---:|" * len(runs),
            "| store file (vacuumed) | " + " | ".join(f"{r['file_mib']:.2f} MiB" for _, r in runs) + " |"]
    names = {name for _, r in runs for name, mib in r["tables_mib"].items() if mib >= 0.01}
    for name in sorted(names, key=lambda n: (-runs[-1][1]["tables_mib"].get(n, 0), n)):
        kind = "index" if name.startswith(("ix_", "sqlite_autoindex")) else "table"
        cells = [f"{r['tables_mib'][name]:.2f} MiB" if name in r["tables_mib"] else "–" for _, r in runs]
        rows.append(f"| `{name}` {kind} | " + " | ".join(cells) + " |")
    per_coding = [round(r["payload_bytes_per_event"] * r["events"] / max(r["codings"], 1)) for _, r in runs]
    rows.append("| event payload (before + after JSON), per coding | " + " | ".join(f"{b} bytes" for b in per_coding) + " |")
    rows.append("| codings / event rows | " + " | ".join(f"{r['codings']:,} / {r['events']:,}" for _, r in runs) + " |")
    return "\n".join(rows)


def startup_table(name: str = "startup.json") -> str:
    """One coding action and --help, each a fresh process, before and after (bench_startup.py)."""
    data = load(name)
    if data is None:
        return "_not measured yet_"
    rows = [f"{data['started']}, {data['rounds']} alternating rounds, Python {data['python']}; load average "
            f"{data['load_before'][0]:.1f} before, {data['load_after'][0]:.1f} after"
            + "".join(f"; every case with {k}={v}" for k, v in (data.get("env") or {}).items())
            + ". Wall and CPU seconds (the child's user + system), median (range).", "",
            "| case | wall | CPU | load |", "|---|---|---|---|"]
    for name, figure in data["cases"].items():
        rows.append(f"| `{name}` | {_range(figure['wall'], ' s', 3)} | {_range(figure['cpu'], ' s', 3)} | "
                    f"{figure['load'][0]:.1f}–{figure['load'][1]:.1f} |")
    return "\n".join(rows)


def backends_table() -> str:
    """SQLite and PostgreSQL alternating figure by figure (benchmarks/bench_backends.py)."""
    data = load("backends.json")
    if data is None:
        return "_not measured yet_"
    run = data["run"]
    rows = [f"{run['started']}; {run['rounds']} alternating rounds per query, {run['actions']} coding actions "
            "alternating action by action; wall median (range), load average beside each figure.", "",
            "| | SQLite | PostgreSQL | SQLite ÷ PostgreSQL | load |", "|---|---|---|---|---|"]
    for project, title in (("corpus", run["corpus"]), ("example", "example study")):
        if project not in data:
            continue
        figures = data[project]
        rows.append(f"| **{title}, {figures['queries']['codings']['sqlite']:,} codings** | | | | |")
        for label, figure in figures["queries"].items():
            if label == "codings" or "postgresql" not in figure:
                continue
            sqlite, server = figure["sqlite"], figure["postgresql"]
            rows.append(
                f"| `{label}` | {sqlite['median_ms']:,.1f} ms ({sqlite['min_ms']:,.1f}–{sqlite['max_ms']:,.1f}) | "
                f"{server['median_ms']:,.1f} ms ({server['min_ms']:,.1f}–{server['max_ms']:,.1f}) | "
                f"{_range(figure['ratio_wall'], '×')} | {_load(sqlite['load'], server['load'])} |"
            )
        actions = figures["coding actions"]
        for kind in ("tag", "undo"):
            sqlite, server = actions["sqlite"][kind], actions.get("postgresql", {}).get(kind)
            if server:
                rows.append(f"| `{kind}`, median / p95 (n = {sqlite['n']}) | {sqlite['median_ms']:.1f} / "
                            f"{sqlite['p95_ms']:.1f} ms | {server['median_ms']:.1f} / {server['p95_ms']:.1f} ms | | "
                            f"{actions['load'][0]:.1f} |")
    return "\n".join(rows)


def import_docx_table() -> str:
    rows = ["| code | `parse_file` wall, median (range) | CPU | lxml pass wall | CPU | ratio (CPU, per round) | load |",
            "|---|---|---|---|---|---|---|"]
    for label, name in (("before (bdae08c)", "import-docx-before.json"), ("after", "import-docx.json"),
                        ("main at the end of the ninth session (77c75a5), quiet", "import-docx-quiet-s9.json")):
        data = load(name)
        if data is None:
            continue
        ours, lxml = data["ours"], data["lxml"]
        rows.append(f"| {label}, {data['rounds']} rounds | {_range(ours['wall'])} | {ours['cpu']['median']:.2f} s | "
                    f"{_range(lxml['wall'])} | {lxml['cpu']['median']:.2f} s | {_range(data['ratio_cpu'], '×')} | "
                    f"{_load(ours['load'])} |")
    return "\n".join(rows) if len(rows) > 2 else "_not measured yet_"


def peers_table(name: str = "peers.json") -> str:
    data = load(name)
    if data is None:
        return "_not measured yet_"
    rows = [f"{data['transcripts']} transcripts of ~{data['words']:,} words; {data['qc_version']}; {data['started']}; "
            f"Python {data['python']}; each figure a whole command in a fresh process, {data['import']['rounds']} "
            "alternating rounds after a warm-up; ratio = qc ÷ qualcode per round (above 1: qualcode is faster).", "",
            "| command | qualcode: wall (range), CPU | qc | ratio, wall (range) | ratio, CPU | load |",
            "|---|---|---|---|---|---|"]
    for key, label in (("import", "import the .txt files"), ("export", "export .qdpx"), ("tag", "one coding action")):
        f = data[key]
        ours, theirs = f["qualcode"], f["qc"]
        rows.append(f"| {label} | {_range(ours['wall'])}, CPU {ours['cpu']['median']:.2f} s | "
                    f"{_range(theirs['wall'])}, CPU {theirs['cpu']['median']:.2f} s | "
                    f"{_range(f['ratio_wall'], '×')} | {f['ratio_cpu']['median']:.2f}× | {_load(ours['load'], theirs['load'])} |")
    # Size does not depend on load: a later `--size-only` run (peers-size.json) replaces the size row
    # of the current run alone (earlier runs keep the size their code had).
    resized = load("peers-size.json") if name == "peers.json" else None
    size, when = (resized["size"], f" (re-measured {resized['started']}, `--size-only`)") if resized else (data["size"], "")
    rows.append(f"| project size after coding{when} | {size['qualcode_mib']:.1f} MiB (store {size['qualcode_store_mib']:.1f}) | "
                f"{size['qc_mib']:.1f} MiB (store {size['qc_store_mib']:.1f}) | {size['ratio']:.2f}× qc's size | | |")
    return "\n".join(rows)


def import_floor_table(name: str = "import-floor.json") -> str:
    """The .txt import against qc: start-up floor and per-file cost (bench_import_floor.py)."""
    data = load(name)
    if data is None:
        return "_not measured yet_"
    rows = [f"{data['files']} files; {data['started']}; Python {data['python']}; {data['rounds']} alternating rounds "
            f"after a warm-up, each case a fresh process; load average {data['load_before']:.1f} before, "
            f"{data['load_after']:.1f} after. CPU seconds are the child's user + system.", "",
            "| case | wall, median (range) | CPU, median (range) | load |", "|---|---|---|---|"]
    for name, figure in data["cases"].items():
        rows.append(f"| {name} | {_range(figure['wall'], ' s', 3)} | {_range(figure['cpu'], ' s', 3)} | "
                    f"{figure['load'][0]:.1f}–{figure['load'][1]:.1f} |")
    rows += ["", f"Per file (CPU, marginal: (all − 1 file) ÷ {data['files'] - 1}): qualcode "
             f"{data['qualcode_per_file_ms']:.2f} ms, qc {data['qc_per_file_ms']:.2f} ms, "
             f"**{data['ratio_per_file']:.1f}×**; whole import (CPU) **{data['ratio_total']:.1f}×**; the floor "
             f"`import typer, sqlalchemy` ({data['floor_s']:.3f} s CPU) is {data['floor_share_of_goal']:.0%} of what a "
             "whole import may take for 10× (qc's CPU ÷ 10)"
             + (f"; with the command line's collector the floor is {data['floor_cli_s']:.3f} s CPU, "
                f"{data['floor_cli_s'] / (data['cases']['qc import, all files']['cpu']['median'] / 10):.0%} of it."
                if data.get("floor_cli_s") else ".")]
    stages = data.get("stages_ms_per_file") or {}
    if stages:
        rows += ["", "One more import of all the files, its stages timed in process (CPU):", "",
                 "| stage | CPU |", "|---|---:|"]
        rows += [f"| {label} | {ms:.3f} ms{'' if label.startswith('imports') else ' a file'} |" for label, ms in stages.items()]
    return "\n".join(rows)


def tui_quiet_table() -> str:
    """bench_tui.py on a quiet machine: main when issue 20's latency work began, and at the
    end of each session since (the last column is now)."""
    runs = [("bdae08c", "tui-quiet-before.json"), ("ab7a9b0", "tui-quiet-prev.json"),
            ("0890c7c", "tui-quiet-s6.json"), ("41824c0", "tui-quiet-s7.json"),
            ("6430fa2", "tui-quiet-s8-end.json"), ("now", "tui-quiet-after.json")]
    loaded = [(label, load(name) or {"load_average": [float("nan")] * 2, "results": {}}) for label, name in runs]
    after = loaded[-1][1]
    if not after["results"]:
        return "_not measured yet_"
    paint, cpu = "press to paint", "CPU time per keypress"

    def loads(data: dict) -> str:
        return f"{data['load_average'][0]:.1f}–{data['load_average'][1]:.1f}"

    def p95(data: dict, kind: str, action: str) -> str:
        value = data["results"].get(kind, {}).get(action, {}).get("p95_ms")
        return "–" if value is None else f"{value}"

    labels = " → ".join(label for label, _ in loaded)
    rows = ["Load average while the keys were timed: " + ", ".join(f"{label} {loads(d)}" for label, d in loaded)
            + ". Targets: CPU p95 ≤ 25 ms, wall p95 ≤ 50 ms (the jump list ≤ 100 ms).", "",
            f"| action | wall p95: {labels} (ms) | CPU p95: {labels} (ms) | met now |", "|---|---|---|---|"]
    for action, figure in after["results"][paint].items():
        wall, spent = figure["p95_ms"], after["results"][cpu][action]["p95_ms"]
        limit = 100 if action.startswith("open jump list") else 50
        met = "yes" if wall <= limit and (spent <= 25 or action.startswith("open jump list")) else "**no**"
        rows.append(f"| {action} | {' → '.join(p95(d, paint, action) for _, d in loaded)} | "
                    f"{' → '.join(p95(d, cpu, action) for _, d in loaded)} | {met} |")
    return "\n".join(rows)


def tui_search_table(name: str = "tui-search-loaded.json") -> str:
    """bench_tui.py's F rows, the code before and after the search pass."""
    data = load(name)
    if data is None:
        return "_not measured yet_"
    paint, cpu = "press to paint", "CPU time per keypress"
    rows = ["| action | n | CPU p50 / p95 before → after (ms) | press→paint p95 before → after (ms) |",
            "|---|---:|---|---|"]
    before, after = data["bench_tui"]["before"], data["bench_tui"]["after"]
    for action, figure in after["results"][cpu].items():
        old, old_paint = before["results"][cpu].get(action), before["results"][paint].get(action)
        if action.startswith(("search", "close jump list")) and old is not None and old_paint is not None:
            rows.append(f"| {action} | {figure['n']} | {old['p50_ms']} / {old['p95_ms']} → {figure['p50_ms']} / "
                        f"{figure['p95_ms']} | {old_paint['p95_ms']} → {after['results'][paint][action]['p95_ms']} |")
    rows.append(f"\nLoad average: before {_load(before['load_average'])}, after {_load(after['load_average'])}.")
    return "\n".join(rows)


def tui_search_alone_table(name: str = "tui-search-loaded.json") -> str:
    """bench_tui_search.py: F alone, the code before and after, alternating."""
    data = load(name)
    if data is None:
        return "_not measured yet_"
    rows = ["| project, pattern | F … Enter | CPU p50 / p95 before, each run (ms) | after (ms) | "
            "statements before → after | load average |", "|---|---|---|---|---|---|"]
    for run in data["bench_tui_search"]:
        befores, afters = run["before"], run["after"]
        for kind in afters[0]["cpu"]:
            def figures(side: list[dict], kind: str = kind) -> str:
                return " · ".join(f"{r['cpu'][kind]['p50_ms']} / {r['cpu'][kind]['p95_ms']}" for r in side)

            def counts(side: list[dict], kind: str = kind) -> str:
                found = sorted({n for r in side for n in r["cpu"][kind]["statements"]})
                return f"{found[0]}–{found[-1]}" if found[0] != found[-1] else f"{found[0]}"

            rows.append(f"| {run['project']}, “{afters[0]['search']}” | {kind} (n={afters[0]['cpu'][kind]['n']}) | "
                        f"{figures(befores)} | {figures(afters)} | {counts(befores)} → {counts(afters)} | "
                        f"{_load(*[r['load_average'] for r in befores + afters])} |")
    return "\n".join(rows)


SECTIONS = {
    "backends": backends_table,
    "size": size_table,
    "startup": startup_table,
    "startup-quiet": lambda: startup_table("startup-quiet.json"),
    "startup-quiet-env": lambda: startup_table("startup-quiet-env.json"),
    "versions": versions_table,
    "autocode-ratio": autocode_ratio_table,
    "autocode-tokenizer": autocode_tokenizer_table,
    "autocode-ratio-quiet": lambda: autocode_ratio_table("autocode-ratio-quiet-200x8000.json"),
    "autocode-ratio-quiet-end": lambda: autocode_ratio_table("autocode-ratio-quiet-end-200x8000.json"),
    "autocode-ratio-quiet-s7": lambda: autocode_ratio_table("autocode-ratio-quiet-s7-200x8000.json"),
    "autocode-ratio-quiet-s8": lambda: autocode_ratio_table("autocode-ratio-quiet-s8-200x8000.json"),
    "autocode-ratio-quiet-s9": lambda: autocode_ratio_table("autocode-ratio-quiet-s9-200x8000.json"),
    "autocode-ratio-postgresql": lambda: autocode_ratio_table("scaling-postgresql-streaming.json"),
    "autocode-ratio-counted-once-before": lambda: autocode_ratio_table("autocode-ratio-counted-once-before-200x8000.json"),
    "autocode-ratio-counted-once-before-postgresql": lambda: autocode_ratio_table("autocode-ratio-counted-once-before-postgresql-50x8000.json"),
    "autocode-ratio-counted-once-after": lambda: autocode_ratio_table("autocode-ratio-counted-once-after-200x8000.json"),
    "autocode-ratio-counted-once-after-postgresql": lambda: autocode_ratio_table("autocode-ratio-counted-once-after-postgresql-50x8000.json"),
    "autocode-ratio-counted-once-before2": lambda: autocode_ratio_table("autocode-ratio-counted-once-before2-200x8000.json"),
    "autocode-ratio-counted-once-after2": lambda: autocode_ratio_table("autocode-ratio-counted-once-after2-200x8000.json"),
    "autocode-ratio-counted-once-before3": lambda: autocode_ratio_table("autocode-ratio-counted-once-before3-200x8000.json"),
    "autocode-ratio-counted-once-after3": lambda: autocode_ratio_table("autocode-ratio-counted-once-after3-200x8000.json"),
    "autocode-ratio-counted-once-after4": lambda: autocode_ratio_table("autocode-ratio-counted-once-after4-200x8000.json"),
    "autocode-ratio-counted-once-before4": lambda: autocode_ratio_table("autocode-ratio-counted-once-before4-200x8000.json"),
    "autocode-ratio-pg-statement-before": lambda: autocode_ratio_table("autocode-ratio-pg-statement-before-postgresql-50x8000.json"),
    "autocode-ratio-pg-statement-after": lambda: autocode_ratio_table("autocode-ratio-pg-statement-after-postgresql-50x8000.json"),
    "autocode-ratio-pg-statement-before2": lambda: autocode_ratio_table("autocode-ratio-pg-statement-before2-postgresql-50x8000.json"),
    "autocode-ratio-pg-statement-after2": lambda: autocode_ratio_table("autocode-ratio-pg-statement-after2-postgresql-50x8000.json"),
    "autocode-ratio-s8a-before": lambda: autocode_ratio_table("autocode-ratio-s8a-before-200x8000.json"),
    "autocode-ratio-s8a-after": lambda: autocode_ratio_table("autocode-ratio-s8a-after-200x8000.json"),
    "autocode-ratio-s8b-before": lambda: autocode_ratio_table("autocode-ratio-s8b-before-200x8000.json"),
    "autocode-ratio-s8b-after": lambda: autocode_ratio_table("autocode-ratio-s8b-after-200x8000.json"),
    "autocode-ratio-s8c-before": lambda: autocode_ratio_table("autocode-ratio-s8c-before-200x8000.json"),
    "autocode-ratio-s8c-after": lambda: autocode_ratio_table("autocode-ratio-s8c-after-200x8000.json"),
    "autocode-ratio-s8": lambda: autocode_ratio_table("autocode-ratio-s8-200x8000.json"),
    "export-linearity": export_linearity_table,
    "tally-postgresql": lambda: tally_table("tally-postgresql.json"),
    "import-docx": import_docx_table,
    "peers": peers_table,
    "peers-quiet-0402": lambda: peers_table("peers-quiet-0402.json"),
    "peers-quiet-s8": lambda: peers_table("peers-quiet-s8.json"),
    "peers-quiet-s9": lambda: peers_table("peers-quiet-s9.json"),
    "peers-loaded-0507": lambda: peers_table("peers-loaded-0507.json"),
    "import-floor": import_floor_table,
    "import-floor-s8": lambda: import_floor_table("import-floor-s8.json"),
    "startup-200-s8": lambda: startup_table("startup-200-s8.json"),
    "import-floor-s9": lambda: import_floor_table("import-floor-s9.json"),
    "import-floor-s9-quiet": lambda: import_floor_table("import-floor-s9-quiet.json"),
    "startup-200-s9": lambda: startup_table("startup-200-s9.json"),
    "startup-200-s9-quiet": lambda: startup_table("startup-200-s9-quiet.json"),
    "tui-quiet": tui_quiet_table,
    "tui-search-loaded": tui_search_table,
    "tui-search-alone": tui_search_alone_table,
    "tally": lambda: tally_table("tally.json"),
    "tally-quiet": lambda: tally_table("tally-quiet.json"),
    "tally-before": lambda: tally_table("tally-before.json"),
    "tally-fourth-before": lambda: tally_table("tally-fourth-before.json"),
    "tally-fourth": lambda: tally_table("tally-fourth.json"),
    "tally-quiet-s7": lambda: tally_table("tally-quiet-s7.json"),
    "tally-quiet-s9": lambda: tally_table("tally-quiet-s9.json"),
    "tally-fourth-postgresql-200k": lambda: tally_table("tally-fourth-postgresql-200k.json"),
    "tally-fourth-postgresql": lambda: tally_table("tally-fourth-postgresql.json"),
    "scaling-sqlite": lambda: scaling_table("scaling-sqlite.json"),
    "scaling-postgresql": lambda: scaling_table("scaling-postgresql.json"),
    "scaling-postgresql-streaming": lambda: scaling_table("scaling-postgresql-streaming.json"),
    "scaling-postgresql-agreement-lateral": lambda: scaling_table("scaling-postgresql-agreement-lateral.json"),
    "streaming": streaming_table,
}
BLOCK = re.compile(r"(<!-- generated:(?P<name>[a-z0-9-]+) -->\n)(?:.*?\n)?(<!-- /generated:(?P=name) -->)", re.S)


def render(page: str) -> str:
    def replace(match: re.Match) -> str:
        name = match.group("name")
        if name not in SECTIONS:
            raise SystemExit(f"docs/performance.md names an unknown generated table '{name}'; known: {', '.join(SECTIONS)}")
        return match.group(1) + SECTIONS[name]() + "\n" + match.group(3)

    return BLOCK.sub(replace, page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is out of date")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    new = render(page)
    if args.check:
        if new != page:
            print("docs/performance.md is out of date: run python benchmarks/write_performance.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
