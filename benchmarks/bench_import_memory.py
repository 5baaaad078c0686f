"""Peak memory of ``import-project`` on a crafted .qdpx holding one large transcript.

    PYTHONPATH=$PWD python benchmarks/bench_import_memory.py --mb 16 [--sources 4] [--max-source-mb 64] [--text]

Builds the archive in a temp folder (interview-like turns from a small vocabulary; issue 16's
745 KB archive held a 63 MB transcript), imports it into a fresh
SQLite project in a child process and prints the child's peak RSS, its growth over the
RSS just before the import (modules loaded, store open), both as multiples of the
transcript's size, and the wall time. ``--text`` imports the transcript as a plain
``.txt`` file (``qualcode import``) instead. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CHILD = """
import sys, time
from pathlib import Path
from qualcode.interop.qdpx_import import ImportOptions, import_project
from qualcode.transcripts.importing import ImportRequest, import_transcripts
from qualcode.project import Project
from qualcode.errors import QualcodeError
from qualcode.project import update_config
import numpy, sqlalchemy, defusedxml, charset_normalizer, lxml.etree  # loaded before the baseline
project = Project.init(Path(sys.argv[1]))
if sys.argv[3] != "default":
    update_config(project.config_path, {"import": {"max_source_mb": float(sys.argv[3])}})
    project = Project(project.root)
with project.read() as conn:
    pass
def status(key):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key + ":"))
open("/proc/self/clear_refs", "w").write("5")  # VmHWM restarts from here
baseline = status("VmRSS")
start = time.perf_counter()
try:
    if sys.argv[2].endswith(".txt"):
        import_transcripts(project, [ImportRequest(Path(sys.argv[2]), "prosecutor", "A")])
    else:
        import_project(project, Path(sys.argv[2]), ImportOptions(role="prosecutor", codebook_from_file=True))
    outcome = "imported"
except QualcodeError as error:
    outcome = "refused: " + str(error)[:160]
# VmHWM: this process's own peak (ru_maxrss would include the parent's, kept across exec)
print(time.perf_counter() - start, status("VmHWM"), baseline, outcome)
"""


def build(path: Path, megabytes: float, sources: int = 1) -> int:
    """An archive of ``sources`` transcripts of ``megabytes`` each; returns one's size in bytes."""
    import random

    code = "0b5c8a4e-2222-4d2e-9a11-000000000002"
    elements, texts = [], {}
    for number in range(sources):
        rng = random.Random(16 + number)
        words = ("hotline police shelter clients housing trial court referral support case worker family "
                 "money debt passport visa job promise travel fear trust safe help city bus night day").split()
        lines, size = ["Interviewer: Where do your cases come from?\nRespondent: Mostly the hotline.\n"], 0
        while size < megabytes * 2**20:
            line = ("Respondent: " if len(lines) % 2 else "Interviewer: ") + " ".join(rng.choices(words, k=14)) + ".\n"
            lines.append(line)
            size += len(line)
        text = "".join(lines)
        guid = f"0b5c8a4e-1111-4d2e-9a11-{number:012d}"
        start = text.index("the hotline")
        elements.append(
            f'<TextSource guid="{guid}" name="big{number}" plainTextPath="internal://{guid}.txt">'
            f'<PlainTextSelection guid="0b5c8a4e-3333-4d2e-9a11-{number:012d}" startPosition="{start}" '
            f'endPosition="{start + 11}"><Coding guid="0b5c8a4e-4444-4d2e-9a11-{number:012d}">'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection></TextSource>'
        )
        texts[guid] = text
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><Project name="big" xmlns="urn:QDA-XML:project:1.0">'
        f'<CodeBook><Codes><Code guid="{code}" name="Hotline" isCodable="true"/></Codes></CodeBook>'
        f'<Sources>{"".join(elements)}</Sources></Project>'
    )
    if path.suffix == ".txt":
        path.write_text(next(iter(texts.values())), encoding="utf-8")
        return path.stat().st_size
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("project.qde", xml)
        for guid, text in texts.items():
            archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
    return len(next(iter(texts.values())).encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=16.0, help="transcript size in MiB")
    parser.add_argument("--sources", type=int, default=1, help="how many transcripts of that size")
    parser.add_argument("--max-source-mb", default="default", help="[import] max_source_mb for the project")
    parser.add_argument("--text", action="store_true", help="a plain .txt transcript ('qualcode import') instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qualcode-mem-") as folder:
        archive = Path(folder) / ("big.txt" if args.text else "big.qdpx")
        size = build(archive, args.mb, args.sources)
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(Path(folder) / "p"), str(archive), args.max_source_mb],
                             capture_output=True, text=True, check=True).stdout.split(maxsplit=3)
        seconds, peak_kib, base_kib, outcome = float(out[0]), int(out[1]), int(out[2]), out[3].strip()
        print(json.dumps({
            "transcript_bytes": size, "archive_bytes": archive.stat().st_size, "import_seconds": round(seconds, 1),
            "wall_seconds": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak_kib / 1024, 1),
            "baseline_rss_mb": round(base_kib / 1024, 1), "sources": args.sources,
            "peak_over_largest": round(peak_kib * 1024 / size, 1),
            "growth_over_largest": round((peak_kib - base_kib) * 1024 / size, 1), "outcome": outcome,
        }))


if __name__ == "__main__":
    main()
