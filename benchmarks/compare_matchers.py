"""Two versions of the rule matcher, per CPU second against the tokenizer, on the same turns.

    git archive fc7552d qualcode | tar -x -C /tmp/old        # any earlier commit
    python benchmarks/compare_matchers.py --make-corpus /tmp/turns.json
    for tree in /tmp/old . /tmp/old .; do
        python benchmarks/compare_matchers.py --tree $tree --corpus /tmp/turns.json
    done

``--make-corpus`` writes about 1M words of generated respondent turns (the generator
of bench_autocode.py) as JSON. ``--tree DIR`` imports ``qualcode`` from DIR, loads the
ECM codebook (this checkout's codebooks/ecm.yaml, so only the matcher differs) with
that tree's loader, and measures each tree in its own process: the matcher and the
tokenizer are warmed on every turn first (the steady state of a long run), then alternate
in 12 rounds over slices of 900 turns; printed are the median and quartiles of
tokenizer CPU time / matcher CPU time. Run the trees in turn, twice, and compare medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROLES = ("law_enforcement", "prosecutor", "service_provider", "other")


def make_corpus(out: Path, words: int) -> None:
    sys.path.insert(0, str(REPO))
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_autocode import example_project, example_sentences, generate_turns

    with tempfile.TemporaryDirectory() as workdir:
        project = example_project(Path(workdir) / "demo")
        turns = generate_turns(example_sentences(project), words, seed=11)
        project.close()
    out.write_text(json.dumps(turns), encoding="utf-8")


def compare(tree: Path, corpus: Path, rounds: int = 12, slice_turns: int = 900) -> list[float]:
    sys.path.insert(0, str(tree.resolve()))
    import qualcode
    from qualcode.codebook import load_codebook
    from qualcode.coding.autocode.engine import RuleMatcher
    from qualcode.coding.autocode.lemmas import make_nlp

    assert Path(qualcode.__file__).resolve().is_relative_to(tree.resolve()), qualcode.__file__
    turns = json.loads(corpus.read_text(encoding="utf-8"))
    codes = [c for c in load_codebook(REPO / "codebooks" / "ecm.yaml").codes.values() if c.codable]
    codes = [c for c in codes if not c.rules.is_empty]
    texts = [text for text, _ in turns]
    allowed = [frozenset(c.id for c in codes if role in c.roles) for _, role in turns]
    nlp, matcher = make_nlp(), RuleMatcher(codes)
    list(matcher.match_texts(texts, allowed))
    list(nlp.tokenizer.pipe(texts))
    ratios = []
    slices = max(1, len(texts) // slice_turns)
    for number in range(rounds):
        part = slice((number % slices) * slice_turns, (number % slices + 1) * slice_turns)
        began = time.process_time()
        for _ in nlp.tokenizer.pipe(texts[part], batch_size=256):
            pass
        tokenizer = time.process_time() - began
        began = time.process_time()
        for _ in matcher.match_texts(texts[part], allowed[part]):
            pass
        ratios.append(tokenizer / (time.process_time() - began))
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--make-corpus", type=Path, help="write generated turns here and stop")
    parser.add_argument("--words", type=int, default=1_000_000)
    parser.add_argument("--tree", type=Path, help="directory holding the qualcode package to measure")
    parser.add_argument("--corpus", type=Path, help="turns written by --make-corpus")
    args = parser.parse_args()
    if args.make_corpus:
        make_corpus(args.make_corpus, args.words)
        return
    if not (args.tree and args.corpus):
        parser.error("give --make-corpus OUT, or --tree DIR and --corpus FILE")
    ratios = compare(args.tree, args.corpus)
    quartiles = ", ".join(f"{q:.3f}" for q in statistics.quantiles(ratios, n=4))
    print(f"{args.tree}: per-CPU ratio median {statistics.median(ratios):.3f} (quartiles {quartiles})")


if __name__ == "__main__":
    main()
