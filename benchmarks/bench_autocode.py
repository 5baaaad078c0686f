"""Autocoding throughput: the rule matcher against spaCy's bare tokenizer, in one run.

    python benchmarks/bench_autocode.py [--words 10000000] [--processes 2] [--rounds 3] [--seed 11] [--json OUT]

Two corpora:

1. the example study (transcripts/ imported into a scratch project): ``autocode``
   end to end as a dry run (loading turns, matching, proposals), and the tokenizer
   over the same respondent turns;
2. a generated corpus of ``--words`` words: respondent turns of 40-300 words made of
   new sentences from a word bigram chain over the example study's respondent turns
   (seeded, so deterministic), so word sequences vary as they do across interviews;
   and new word forms at the rate Heaps' law gives (V = K n^0.5 distinct forms after
   n words, K fitted to the example study's own vocabulary, the generated words
   counted as its continuation), so neither the tokenizer's cache nor the matcher's
   sees only familiar words. Matching runs on
   ``--processes`` processes in chunks (the core's :func:`match_units`, assigning
   codes in the workers as ``autocode`` does); the floor is ``nlp.tokenizer.pipe``
   over the same turns on one process. The two alternate ``--rounds`` times (noisy
   machines: each ratio compares passes seconds apart); the median round is reported.

Words are whitespace-separated words. The ratio is autocoder words/s divided by
tokenizer words/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import string
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SENTENCE = re.compile(r"(?<=[.!?])\s+")
ROLES = ("law_enforcement", "prosecutor", "service_provider", "other")


def example_project(workdir: Path):
    from qualcode.demo import import_example_transcripts, prepare_demo_project

    project = prepare_demo_project(REPO, workdir)
    import_example_transcripts(project)
    return project


def example_sentences(project) -> list[str]:
    from qualcode.coding.autocode.runner import load_units
    from qualcode.store.transcripts import transcript_ids

    with project.read() as conn:
        units, _ = load_units(conn, transcript_ids(conn))
    return [s for u in units for s in SENTENCE.split(u.text.replace("\n", " ")) if s.strip()]


HEAPS_BETA = 0.5  # distinct forms V = K * n**beta after n words
MAX_SENTENCE_WORDS = 60


class BigramChain:
    """Sentences from word bigrams of real ones: each next word drawn by observed frequency."""

    def __init__(self, sentences: list[str]) -> None:
        self.starts: list[str] = []
        self.following: dict[str, list[str]] = {}
        for sentence in sentences:
            words = sentence.split()
            if len(words) < 3:
                continue
            self.starts.append(words[0])
            for word, after in zip(words, words[1:], strict=False):
                self.following.setdefault(word, []).append(after)

    def sentence(self, rng: random.Random) -> list[str]:
        words = [rng.choice(self.starts)]
        while len(words) < MAX_SENTENCE_WORDS and words[-1][-1] not in ".!?":
            after = self.following.get(words[-1])
            if not after:
                break
            words.append(rng.choice(after))
        return words


def generate_turns(sentences: list[str], words: int, seed: int) -> list[tuple[str, str]]:
    """Deterministic (text, role) respondent turns totalling at least ``words`` words."""
    rng = random.Random(seed)
    chain = BigramChain(sentences)
    heaps = HeapsGrowth(sentences)
    turns, total = [], 0
    while total < words:
        target, pieces = rng.randint(40, 300), []
        while len(pieces) < target:
            for word in chain.sentence(rng):
                novel = rng.random() < heaps.new_form_rate(total + len(pieces))
                pieces.append(new_form(word, rng) if novel else word)
        turns.append((" ".join(pieces), rng.choice(ROLES)))
        total += len(pieces)
    return turns


class HeapsGrowth:
    """Heaps' law V = K n^beta with K fitted to the source text, continued past it."""

    def __init__(self, sentences: list[str]) -> None:
        words = [w.strip(string.punctuation).lower() for s in sentences for w in s.split()]
        self.source_words = len(words)
        self.k = len(set(words)) / self.source_words**HEAPS_BETA

    def new_form_rate(self, generated: int) -> float:
        """The chance that the next word is a form not seen before: dV/dn."""
        return self.k * HEAPS_BETA * (self.source_words + generated) ** (HEAPS_BETA - 1)


def new_form(word: str, rng: random.Random) -> str:
    """An invented word in place of ``word``, keeping its trailing punctuation."""
    tail = word[len(word.rstrip(string.punctuation)) :]
    return "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 12))) + tail


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (the workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def tokenizer_rate(texts: list[str], words: int) -> tuple[float, float]:
    """Words per wall second and per CPU second of ``nlp.tokenizer.pipe``."""
    from qualcode.coding.autocode.lemmas import make_nlp

    nlp = make_nlp()
    began, cpu = time.perf_counter(), cpu_seconds()
    for _ in nlp.tokenizer.pipe(texts, batch_size=256):
        pass
    return words / (time.perf_counter() - began), words / (cpu_seconds() - cpu)


def autocoder_rate(codebook, turns, processes: int, words: int) -> tuple[float, float, int]:
    """Words per wall second and per CPU second (all processes) of the matcher, and codes found."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from qualcode.coding.autocode.parallel import match_units
    from qualcode.coding.autocode.runner import (
        TopicFocus,
        allowed_by_role,
        assign_wanted,
        select_codes,
    )

    selected = select_codes(codebook, None)
    assign = partial(assign_wanted, codebook, TopicFocus(), frozenset(c.id for c in selected))
    allowed = allowed_by_role(codebook, selected, set(ROLES))
    columns = (
        TextColumn("autocoding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("words"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("autocode", total=words)
        began, cpu = time.perf_counter(), cpu_seconds()
        matches = match_units(
            selected,
            turns,
            allowed,
            processes=processes,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
            finish=assign,
        )
        seconds, cpu = time.perf_counter() - began, cpu_seconds() - cpu
    return words / seconds, words / cpu, sum(len(kept) for kept, _ in matches)


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def rates(floor: tuple[float, float], autocoder: tuple[float, float, int], words: int, load: list[float]) -> dict:
    """Wall and CPU-time throughput of both passes, their ratios, CPU seconds and the load average."""
    return {
        "autocode_cpu_s": round(words / autocoder[1], 3),
        "tokenizer_cpu_s": round(words / floor[1], 3),
        "load": load,
        "autocode_wps": round(autocoder[0]),
        "tokenizer_wps": round(floor[0]),
        "ratio": round(autocoder[0] / floor[0], 3),
        "autocode_wps_cpu": round(autocoder[1]),
        "tokenizer_wps_cpu": round(floor[1]),
        "ratio_cpu": round(autocoder[1] / floor[1], 3),
    }


def run_example(project, rounds: int) -> dict:
    """End to end (``autocode`` dry run: spaCy load, turns from the store, proposals) and matching alone.

    Matching alone: one process, a new matcher each round (built untimed, its word cache
    cold), alternating with the tokenizer; the median round is reported.
    """
    from qualcode.coding.autocode import autocode
    from qualcode.coding.autocode.engine import RuleMatcher
    from qualcode.coding.autocode.runner import allowed_by_role, select_codes

    result = autocode(project, dry_run=True, processes=1)
    texts = [u.text for u in result.units]
    selected = select_codes(project.codebook, None)
    allowed = allowed_by_role(project.codebook, selected, {u.role for u in result.units})
    measured = []
    for _ in range(rounds):
        load = load_average()
        floor = tokenizer_rate(texts, result.words)
        matcher = RuleMatcher(selected)
        began, cpu = time.perf_counter(), cpu_seconds()
        found = list(matcher.match_texts(texts, [allowed[u.role] for u in result.units]))
        seconds, cpu = time.perf_counter() - began, cpu_seconds() - cpu
        autocoder = (result.words / seconds, result.words / cpu, sum(map(len, found)))
        measured.append(rates(floor, autocoder, result.words, [load, load_average()]))
    ratios = sorted(r["ratio"] for r in measured)
    return {
        "corpus": "example study",
        "words": result.words,
        "turns": len(result.units),
        "codes": len(result.proposals),
        **next(r for r in measured if r["ratio"] == ratios[len(ratios) // 2]),
        "ratios": [r["ratio"] for r in measured],
        "rounds": measured,
        "processes": 1,
        "end_to_end_wps": round(result.words_per_second),
        "end_to_end_s": round(result.seconds, 2),
    }


def run_generated(project, words: int, processes: int, seed: int, rounds: int) -> dict:
    """``rounds`` alternations of tokenizer then autocoder; the round with the median ratio is reported.

    Alternating keeps both sides of each ratio in the same few seconds of a noisy machine.
    """
    began = time.perf_counter()
    turns = generate_turns(example_sentences(project), words, seed)
    generated_in = time.perf_counter() - began
    total = sum(len(text.split()) for text, _ in turns)
    measured = []
    for _ in range(rounds):
        load = load_average()
        floor = tokenizer_rate([text for text, _ in turns], total)
        autocoder = autocoder_rate(project.codebook, turns, processes, total)
        measured.append((rates(floor, autocoder, total, [load, load_average()]), autocoder[2]))
    ratios = sorted(r["ratio"] for r, _ in measured)
    median, codes = next(m for m in measured if m[0]["ratio"] == ratios[len(ratios) // 2])
    return {
        "corpus": "generated",
        "words": total,
        "turns": len(turns),
        "codes": codes,
        **median,
        "ratios": [r["ratio"] for r, _ in measured],
        "rounds": [r for r, _ in measured],
        "processes": processes,
        "generated_in_s": round(generated_in, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=10_000_000, help="size of the generated corpus")
    parser.add_argument("--processes", type=int, default=2, help="matching processes for the generated corpus")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--rounds", type=int, default=3, help="tokenizer/autocoder alternations on each corpus")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-autocode-") as workdir:
        project = example_project(Path(workdir) / "demo")
        results = [run_example(project, args.rounds), run_generated(project, args.words, args.processes, args.seed, args.rounds)]
        project.close()
    for r in results:
        print(
            f"{r['corpus']:>13}: {r['words']:>11,} words, {r['turns']:>7,} turns, {r['codes']:>8,} codes | "
            f"autocode {r['autocode_wps']:>9,} words/s ({r['processes']} proc) | "
            f"tokenizer {r['tokenizer_wps']:>9,} words/s (1 proc) | ratio {r['ratio']:.2f}"
        )
        print(
            f"{'':>13}  per CPU second: autocode {r['autocode_wps_cpu']:,}, tokenizer {r['tokenizer_wps_cpu']:,}, "
            f"ratio {r['ratio_cpu']:.2f} (x{r['processes']} cores when they are free)"
        )
        if "ratios" in r:
            print(f"{'':>13}  ratio in each round: {', '.join(f'{x:.2f}' for x in r['ratios'])} (median shown)")
    example = results[0]
    print(
        f"example study end to end (autocode --dry-run incl. spaCy load and store reads): "
        f"{example['end_to_end_wps']:,} words/s, {example['end_to_end_s']} s"
    )
    if args.json:
        stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
        results = [{**r, "date": stamp, "command": " ".join(sys.argv[1:])} for r in results]
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
