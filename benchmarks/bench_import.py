"""Benchmark the .docx importer against a plain lxml text pass over the same files.

    python benchmarks/bench_import.py [--files 200] [--words 8000] [--seed 7] [--dir DIR]
                                      [--rounds 9] [--json FILE]

Generates the corpus (benchmarks/corpus.py) unless DIR already holds it, reads every
file once so both passes start from the OS cache, then in one process times
(a) ``parse_file`` over all files and (b) a baseline that unzips word/document.xml
and iterparses ``w:t`` elements into paragraph text, which is the least any docx
reader must do. The two passes alternate for ``--rounds`` rounds after a warm-up
round (benchmarks/honest.py): median and range of CPU and wall seconds per pass, the
median and range of the per-round throughput ratio, the load average beside them.
Target: ratio >= 0.5 at the median.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from lxml import etree

from benchmarks.corpus import generate
from qualcode.transcripts.importers import parse_file

W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
W_P = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"
TARGET_RATIO = 0.5


def importer_pass(paths: list[Path]) -> int:
    """Words in the turns ``parse_file`` returns for every file."""
    return sum(len(turn.text.split()) for path in paths for turn in parse_file(path).turns)


def lxml_pass(paths: list[Path]) -> int:
    """Words in the paragraph text of word/document.xml, by lxml iterparse over w:t."""
    words = 0
    for path in paths:
        with zipfile.ZipFile(path) as package:
            data = package.read("word/document.xml")
        paragraph: list[str] = []
        for _, element in etree.iterparse(io.BytesIO(data), events=("end",), tag=(W_T, W_P)):
            if element.tag == W_T:
                paragraph.append(element.text or "")
            else:
                words += len("".join(paragraph).split())
                paragraph = []
                element.clear()
    return words


def corpus(directory: Path, files: int, words: int, seed: int) -> list[Path]:
    paths = sorted(directory.glob("interview-*.docx"))
    if len(paths) != files:
        print(f"generating {files} transcripts of ~{words} words into {directory} ...", flush=True)
        start = time.perf_counter()
        paths = generate(directory, files, words, seed)
        print(f"  generated in {time.perf_counter() - start:.1f} s")
    return paths


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--words", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="corpus folder (default benchmarks/out/corpus-FxW-sS)")
    parser.add_argument("--rounds", type=int, default=9, help="alternating rounds of both passes")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    from honest import alternate, describe

    directory = args.dir or ROOT / "benchmarks" / "out" / f"corpus-{args.files}x{args.words}-s{args.seed}"
    paths = corpus(directory, args.files, args.words, args.seed)
    size = sum(len(path.read_bytes()) for path in paths)  # also warms the OS cache
    print(f"corpus: {len(paths)} files, {size / 2**20:.1f} MB, {directory}")
    words = {"lxml": lxml_pass(paths), "ours": importer_pass(paths)}
    # Same files, so the throughput ratio (ours / lxml) is lxml's time over ours.
    figures = alternate({"lxml": lambda: lxml_pass(paths), "ours": lambda: importer_pass(paths)}, args.rounds)
    for name, label in (("ours", "parse_file (qualcode)"), ("lxml", "lxml iterparse w:t")):
        cpu = figures[name]["cpu"]["median"]
        print(describe(label, figures[name]) + f", {words[name]:,} words, {words[name] / cpu:,.0f} words/CPU-s")
    ratio, cpu_ratio = figures["ratio_wall"], figures["ratio_cpu"]
    verdict = "meets" if cpu_ratio["median"] >= TARGET_RATIO else "MISSES"
    print(f"ratio (lxml time / our time), per round: CPU {cpu_ratio['median']:.2f}x ({cpu_ratio['min']:.2f}-"
          f"{cpu_ratio['max']:.2f}), wall {ratio['median']:.2f}x ({ratio['min']:.2f}-{ratio['max']:.2f}) - "
          f"{verdict} the {TARGET_RATIO}x target")
    if args.json:
        args.json.write_text(json.dumps({"files": len(paths), "words": words, **figures}, indent=1), encoding="utf-8")
    return cpu_ratio["median"]

if __name__ == "__main__":
    main()
