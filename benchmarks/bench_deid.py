"""Benchmark the identifier detectors on the labelled sentences of tests/data/deid/.

    python benchmarks/bench_deid.py [--set tests/data/deid/sentences.txt] [--misses] [--json]

Each line of the set is one interview-like sentence with its identifiers marked
``[[category:text]]``. The detectors run on the plain sentence, alone (no transcript
around it, an empty allow list), exactly as the export gate runs them
(``qualcode.quotes.identifiers.find_identifiers``).

- **recall** of a category: the share of its marked spans that a finding overlaps (the
  export would mask it or refuse it); **strict recall**: the share whose every letter
  and digit lies inside findings (nothing of it would survive masking);
- **precision** of a finding kind: the share of its findings that overlap a marked span.

Prints a Markdown table (the one in docs/quotes.md); ``--misses`` lists what was missed
and the false alarms; ``--json`` prints the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_SET = ROOT / "tests" / "data" / "deid" / "sentences.txt"
_MARK = re.compile(r"\[\[([a-z_]+):(.+?)\]\]")


@dataclass(frozen=True)
class Span:
    category: str
    start: int
    end: int


@dataclass
class Sentence:
    line: int
    text: str
    spans: list[Span] = field(default_factory=list)


def load_set(path: Path = DEFAULT_SET) -> list[Sentence]:
    """The labelled sentences: plain text and the marked spans."""
    return load_set_from_text(path.read_text(encoding="utf-8"))


def load_set_from_text(content: str) -> list[Sentence]:
    sentences = []
    for number, raw in enumerate(content.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        text, spans, position = "", [], 0
        for match in _MARK.finditer(raw):
            text += raw[position:match.start()]
            spans.append(Span(match.group(1), len(text), len(text) + len(match.group(2))))
            text += match.group(2)
            position = match.end()
        sentences.append(Sentence(number, text + raw[position:], spans))
    return sentences


def score(sentences: list[Sentence]) -> dict:
    """Recall per marked category, precision per finding kind, overall figures and misses."""
    from qualcode.quotes.identifiers import find_identifiers

    gold, caught, strict = Counter(), Counter(), Counter()
    found, correct = Counter(), Counter()
    misses, false_alarms = [], []
    for sentence in sentences:
        findings = find_identifiers(sentence.text)
        for span in sentence.spans:
            gold[span.category] += 1
            hit = [f for f in findings if f.offset < span.end and span.start < f.end]
            if hit:
                caught[span.category] += 1
                inside = {i for f in hit for i in range(f.offset, f.end)}
                if all(i in inside for i in range(span.start, span.end) if sentence.text[i].isalnum()):
                    strict[span.category] += 1
            else:
                misses.append((sentence.line, span.category, sentence.text[span.start:span.end]))
        for finding in findings:
            found[finding.kind] += 1
            if any(finding.offset < s.end and s.start < finding.end for s in sentence.spans):
                correct[finding.kind] += 1
            else:
                false_alarms.append((sentence.line, finding.kind, finding.text))
    recall = {c: {"spans": gold[c], "recall": caught[c] / gold[c], "strict_recall": strict[c] / gold[c]}
              for c in sorted(gold)}
    precision = {k: {"findings": found[k], "precision": correct[k] / found[k]} for k in sorted(found)}
    return {
        "sentences": len(sentences),
        "negative_sentences": sum(1 for s in sentences if not s.spans),
        "spans": sum(gold.values()),
        "recall": sum(caught.values()) / sum(gold.values()),
        "strict_recall": sum(strict.values()) / sum(gold.values()),
        "precision": sum(correct.values()) / max(1, sum(found.values())),
        "by_category": recall,
        "by_kind": precision,
        "misses": misses,
        "false_alarms": false_alarms,
    }


def markdown(result: dict) -> str:
    lines = [
        f"{result['sentences']} sentences ({result['negative_sentences']} without any identifier), "
        f"{result['spans']} marked identifiers. Overall: recall {result['recall']:.3f}, "
        f"strict recall {result['strict_recall']:.3f}, precision {result['precision']:.3f}.",
        "",
        "| category | marked | recall | strict recall |",
        "|---|---:|---:|---:|",
    ]
    lines += [f"| {c} | {r['spans']} | {r['recall']:.3f} | {r['strict_recall']:.3f} |"
              for c, r in result["by_category"].items()]
    lines += ["", "| finding kind | findings | precision |", "|---|---:|---:|"]
    lines += [f"| {k} | {p['findings']} | {p['precision']:.3f} |" for k, p in result["by_kind"].items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--misses", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = score(load_set(args.set))
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k not in ("misses", "false_alarms")}, indent=2))
    else:
        print(markdown(result))
    if args.misses:
        print("\nMissed:")
        print("\n".join(f"  line {line}: {cat} {text!r}" for line, cat, text in result["misses"]))
        print("False alarms:")
        print("\n".join(f"  line {line}: {kind} {text!r}" for line, kind, text in result["false_alarms"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
