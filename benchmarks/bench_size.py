"""Project size after coding: the store file and its largest tables, events per coding.

    python benchmarks/bench_size.py PROJECT_DIR [--files DIR] [--json FILE]

If PROJECT_DIR does not exist it is built with this checkout (the example study's
codebook, the .txt files of ``--files`` imported, ``autocode --as auto``). Then the
SQLite store is checkpointed, its free pages and file size noted, then vacuumed (in place:
pass a copy if the project matters) and measured: file size, bytes per table and index
(SQLite's ``dbstat``, every table and index, the search index's included), and the mean
stored event payload (before + after JSON) per event. bench_peers.py measures the same
way (a ``VACUUM INTO`` copy).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
ROLES = ("law_enforcement", "prosecutor", "service_provider")


def build(root: Path, files: Path) -> None:
    from qualcode.coding.autocode import autocode
    from qualcode.coding.coders import add_coder
    from qualcode.demo import prepare_demo_project
    from qualcode.transcripts.importing import ImportRequest, import_transcripts

    project = prepare_demo_project(HERE.parent, root)
    paths = sorted(files.glob("*.txt"))
    import_transcripts(project, [ImportRequest(p, ROLES[n % 3], "ABCDEFGHIJ"[n % 10]) for n, p in enumerate(paths)])
    add_coder(project, "auto")  # coders are added deliberately
    autocode(project, as_coder="auto", processes=1)
    project.close()


def measure(root: Path) -> dict:
    store = next((root / ".qualcode").glob("*.db"))
    db = sqlite3.connect(store)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    free_before = db.execute("SELECT freelist_count * page_size FROM pragma_freelist_count(), pragma_page_size()").fetchone()[0]
    unvacuumed = store.stat().st_size
    db.execute("VACUUM")
    total = db.execute("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").fetchone()[0]
    tables = dict(db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall())
    events, payload = db.execute(
        "SELECT count(*), sum(length(coalesce(before, '')) + length(coalesce(after, ''))) FROM events"
    ).fetchone()
    codings = db.execute("SELECT count(*) FROM codings").fetchone()[0]
    version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    return {"project": root.name, "schema_version": version, "file_mib": round(total / 2**20, 2),
            "unvacuumed_mib": round(unvacuumed / 2**20, 2), "free_pages_mib": round(free_before / 2**20, 2),
            "codings": codings, "events": events,
            "payload_bytes_per_event": round((payload or 0) / max(events, 1)),
            "tables_mib": {name: round(size / 2**20, 2) for name, size in tables.items()}}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--files", type=Path, help="folder of .txt transcripts (to build the project)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if not args.project.exists():
        if args.files is None:
            raise SystemExit("the project does not exist: give --files to build it")
        build(args.project, args.files)
    figures = measure(args.project)
    print(json.dumps(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
