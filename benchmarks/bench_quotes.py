"""Benchmark quote sets: ``qualcode quotes CODE --limit 20 --order representative`` on a
1,000-transcript project must take under two seconds end to end.

    python benchmarks/bench_quotes.py [--transcripts 1000] [--repeat 5] [--code referral] [--coder consensus] [--keep DIR]

Builds a project in a temp folder with the ECM codebook and the example study's
[redaction] rules: synthetic transcripts (interviewer questions and 40-160-word answers
with fillers, stutters, transcriber tags and, now and then, a planted name, place or
phone number), stored through ``qualcode.store.transcripts.insert_transcript`` in one
transaction, and about one or two codings per respondent turn (a tenth of them a sub-span)
inserted in bulk into the codings table, all by the coder ``consensus``. Then it runs
the command, with ``--coder consensus`` (``--coder``), in-process through
typer's CliRunner: the first run (cold: it imports the quotes modules and rapidfuzz and
loads the English lexicon of the leftover check) and
``--repeat`` more (warm), and reports the times with the per-stage breakdown
(query, ordering, redaction, cleaning, dedupe, leftover check) from ``--timings``.
The text is random: it is labelled synthetic and means nothing.

    python benchmarks/bench_quotes.py --dedupe [--sizes 500,1000,2000,4000]

measures only the near-duplicate check of an unlimited quote set (no ``--limit``): the
all-pairs check it replaced (rapidfuzz ``extractOne`` against every accepted quote) and
``NearDuplicates`` on the same texts, CPU seconds and pairs scored at each size, with the
load average, for three corpora (``--kinds``): "zipf" (20-80-word quotes over a 3,000-word
Zipf-like vocabulary) and "salad" (the 40-160-word answers above, over a 200-word
vocabulary, where most pairs score 70-85 and the bound prunes least), in both of which
every seventh quote is a sub-span or a respelling of an earlier one; and "chain" (the
scaling benchmark's turns: ordinary English from a word-bigram chain over the example
study, 40-300 words, no near-duplicates). The all-pairs side stops at
``--all-pairs-up-to`` (2,000); ``--module OLD.py`` times an older copy of
``near_duplicates.py`` instead (before and after).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 2.0
CODER = "consensus"  # whose codings the project holds (build_project) and the command counts
ROLES = ("law_enforcement", "prosecutor", "service_provider", "other")
WORDS = tuple("""
    the a and to of in that it we was for they on with as but so he she there this at be have
    had not you what when who would could about from were our their them then just like really
    know think said case cases victim victims survivor survivors task force detective officer
    prosecutor agency shelter housing referral referrals hotline grant funding training services
    provider advocate advocates county state federal local police court trial charges
    investigation labor trafficking trafficker interview meeting team partner coordinator
    community medical clinic hospital legal immigration visa language interpreter trust
    relationship information data protocol policy process time year years month week first
    always never sometimes often usually people person family workers employer restaurant farm
    hotel online support safety plan needs help work call report schools church tip line nurse
    emergency room walk-ins probation juvenile parents motel operation ads
""".split())
EXTRAS = ("um,", "uh,", "you know,", "the the", "I-I", "[laughs]", "[crosstalk]", "[inaudible 00:12:04]")
PLANTED = ("Riverton", "Marlow County", "Tasha", "Detective Ramos", "Harbor House", "(555) 014-2298")


def speech(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        picked = rng.choices(WORDS, k=rng.randint(6, 18))
        if rng.random() < 0.3:
            picked.insert(rng.randrange(len(picked)), rng.choice(EXTRAS))
        if rng.random() < 0.04:
            picked.insert(rng.randrange(len(picked)), rng.choice(PLANTED))
        text = " ".join(picked)
        sentences.append(text[0].upper() + text[1:] + rng.choice("....?"))
        count += len(picked)
    return " ".join(sentences)


def make_transcript(index: int, rng: random.Random):
    from qualcode.transcripts.model import Transcript, Turn, render

    turns = []
    for _ in range(rng.randint(10, 16)):
        turns.append(Turn("Interviewer", speech(rng, rng.randint(6, 14))[:-1] + "?"))
        turns.append(Turn("Respondent", speech(rng, rng.randint(40, 160))))
    text, segments = render(turns, {"Interviewer"})
    tid = f"t{index:04d}"
    return Transcript(id=tid, title=f"Synthetic interview {index}", role=ROLES[index % len(ROLES)],
                      site="ABCDEFGH"[index % 8], text=text, segments=segments, format="text",
                      source_path=f"{tid}.txt", sha256=tid)


def build_project(folder: Path, transcripts: int, seed: int = 7):
    """A project with the ECM codebook, ``transcripts`` transcripts and bulk codings."""
    from sqlalchemy import insert

    from qualcode.project import Project
    from qualcode.store.codings import ensure_coder, now
    from qualcode.store.schema import codings
    from qualcode.store.transcripts import insert_transcript, segment_ids

    project = Project.init(folder, name="quotes benchmark")
    shutil.copy(ROOT / "codebooks" / "ecm.yaml", folder / "codebooks" / "ecm.yaml")
    config = (folder / "qualcode.toml").read_text(encoding="utf-8")
    config = config.replace('codebook = "codebooks/codebook.yaml"', 'codebook = "codebooks/ecm.yaml"')
    config = config.split("[redaction]")[0] + redaction_section()
    (folder / "qualcode.toml").write_text(config, encoding="utf-8")
    project = Project(folder)
    rng = random.Random(seed)
    codable = {role: [c.id for c in project.codebook.codes_for(role)] for role in ROLES}
    rows = []
    stamp = now()
    with project.write() as conn:
        ensure_coder(conn, CODER)
        for index in range(transcripts):
            transcript = make_transcript(index, rng)
            insert_transcript(conn, transcript)
            ids = segment_ids(conn, transcript.id)
            for segment in transcript.respondent_segments:
                for code in rng.sample(codable[transcript.role], rng.choice((1, 1, 2))):
                    start, end = segment.start, segment.end
                    if rng.random() < 0.1:
                        start = segment.start + (segment.end - segment.start) // 3
                    rows.append({
                        "transcript_id": transcript.id, "segment_id": ids[segment.ordinal], "coder": CODER,
                        "code_id": code, "start_offset": start, "end_offset": end, "origin": "manual",
                        "orphaned": False, "created_at": stamp, "updated_at": stamp,
                    })
        conn.execute(insert(codings), rows)
    return project, len(rows)


def redaction_section() -> str:
    """The example study's [redaction] section (the repo's qualcode.toml)."""
    text = (ROOT / "qualcode.toml").read_text(encoding="utf-8")
    found = re.search(r"^\[redaction\].*", text, flags=re.DOTALL | re.MULTILINE)
    return found.group(0) if found else "[redaction]\n"


def run(project, code: str, coder: str = CODER) -> tuple[float, float, str]:
    """One ``qualcode quotes`` run. The coder is named: without ``--coder`` a quote set counts
    the analysis set, which counts no codings here (no transcript is assigned, and
    ``consensus`` codings count by default only on reconciled double-coded samples)."""
    from typer.testing import CliRunner

    from qualcode.cli.app import app

    args = ["-p", str(project.root), "quotes", code, "--limit", "20", "--order", "representative", "--timings",
            "--coder", coder]
    began, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(app, args)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    if result.exit_code != 0:
        raise SystemExit(f"qualcode quotes failed ({result.exit_code}): {result.output}{result.stderr}")
    timings = re.search(r"Timings: .*", result.stderr.replace("\n", " "))
    return elapsed, cpu, timings.group(0) if timings else ""


def dedupe_texts(kind: str, count: int, seed: int = 5) -> list[str]:
    if kind == "chain":
        return list(chain_turns(count))
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnoprstuvwy") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    texts: list[str] = []
    for number in range(count):
        if texts and number % 7 == 0:
            words = rng.choice(texts).split()
            texts.append(" ".join(words[len(words) // 3:]) if number % 2 else " ".join(words).upper() + "!")
        elif kind == "zipf":
            texts.append(" ".join(rng.choices(vocabulary, weights, k=rng.randint(20, 80))) + ".")
        else:
            texts.append(speech(rng, rng.randint(40, 160)))
    return texts


@functools.cache
def chain_turns(count: int) -> tuple[str, ...]:
    """The first ``count`` turns of the scaling benchmark's corpus (``bench_autocode.generate_turns``
    over the example study's sentences, seed 11: ordinary English, 40-300 words, new word
    forms at the Heaps' law rate), from a throwaway example project."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_autocode import example_project, example_sentences, generate_turns

    with tempfile.TemporaryDirectory(prefix="qualcode-bench-chain-") as folder:
        project = example_project(Path(folder))
        sentences = example_sentences(project)
        project.close()
    turns: list[str] = []
    words = 200 * count
    while len(turns) < count:
        turns = [text for text, _ in generate_turns(sentences, words, seed=11)]
        words *= 2
    return tuple(turns[:count])


def dedupe_growth(sizes: list[int], kinds: tuple[str, ...] = ("zipf", "salad", "chain"),
                  all_pairs_up_to: int = 2000, module: Path | None = None) -> None:
    """CPU seconds and pairs scored by the old all-pairs check and by NearDuplicates (from
    ``module``, a copy of an older near_duplicates.py, when given: before and after)."""
    from rapidfuzz import fuzz, process, utils

    from benchmarks.honest import cpu_seconds, load_average
    from qualcode.quotes import near_duplicates

    if module is not None:
        spec = importlib.util.spec_from_file_location("near_duplicates_under_test", module)
        if spec is None or spec.loader is None:
            raise SystemExit(f"--module: not a Python file: {module}")
        near_duplicates = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(near_duplicates)

    def old(texts: list[str]) -> tuple[int, int]:
        accepted: list[str] = []
        pairs = 0
        for text in texts:
            found = process.extractOne(text, accepted, scorer=fuzz.token_set_ratio, processor=utils.default_process,
                                       score_cutoff=90) if accepted else None
            pairs += len(accepted)
            if found is None:
                accepted.append(text)
        return len(accepted), pairs

    def new(texts: list[str]) -> tuple[int, int]:
        seen = near_duplicates.NearDuplicates(90)
        for text in texts:
            if seen.duplicate_of(text) is None:
                seen.add(text)
        return len(seen.accepted), seen.comparisons

    print(f"near-duplicate check, threshold 90, {module or 'qualcode.quotes.near_duplicates'} "
          f"(CPU seconds; load average {load_average()} on {os.cpu_count()} CPUs)")
    for kind in kinds:
        last: dict[str, tuple[int, float]] = {}
        for size in sizes:
            texts = dedupe_texts(kind, size)
            new(texts[:50])  # untimed: imports numpy and rapidfuzz's process module
            for side, check in (("all pairs", old), ("indexed", new)):
                if side == "all pairs" and size > all_pairs_up_to:
                    continue
                cpu = cpu_seconds()
                kept, pairs = check(texts)
                cpu = cpu_seconds() - cpu
                growth = f"  x{cpu / last[side][1]:.1f} CPU for x{size / last[side][0]:.0f} quotes" if side in last else ""
                last[side] = (size, cpu)
                print(f"  {kind:5} {size:5} quotes  {side:9}: {cpu:7.2f} s CPU, {pairs:9} pairs scored, "
                      f"{kept} kept{growth}  (load {load_average()})", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dedupe", action="store_true", help="Only the near-duplicate check, at --sizes.")
    parser.add_argument("--sizes", default="500,1000,2000,4000")
    parser.add_argument("--kinds", default="zipf,salad,chain", help="--dedupe corpora: zipf, salad, chain.")
    parser.add_argument("--all-pairs-up-to", type=int, default=2000, help="--dedupe: the all-pairs check up to this size.")
    parser.add_argument("--module", type=Path, help="--dedupe: time NearDuplicates from this copy of near_duplicates.py.")
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--code", default="referral")
    parser.add_argument("--coder", default=CODER, help="Whose codings the quote set counts (the project's are consensus's).")
    parser.add_argument("--keep", type=Path, help="Build the project here and keep it.")
    args = parser.parse_args(argv)
    if args.dedupe:
        dedupe_growth([int(size) for size in args.sizes.split(",")], tuple(args.kinds.split(",")),
                      args.all_pairs_up_to, args.module)
        return
    folder = args.keep or Path(tempfile.mkdtemp(prefix="qualcode-bench-quotes-"))
    began = time.perf_counter()
    project, coded = build_project(folder / "project", args.transcripts)
    print(f"built {args.transcripts} transcripts, {coded} codings in {time.perf_counter() - began:.1f} s")
    command = f"qualcode quotes {args.code} --limit 20 --order representative --coder {args.coder}"
    cold = run(project, args.code, args.coder)
    warm_runs = [run(project, args.code, args.coder) for _ in range(args.repeat)]
    warm = statistics.median(t for t, _, _ in warm_runs)
    warm_cpu = statistics.median(c for _, c, _ in warm_runs)
    print(f"{command}  ({args.transcripts} transcripts; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs: wall time suffers when the machine is shared, CPU time less)")
    print(f"  cold (first run in process): {cold[0]:.3f} s wall, {cold[1]:.3f} s CPU")
    print(f"    {cold[2]}")
    print(f"  warm median of {args.repeat}: {warm:.3f} s wall (worst {max(t for t, _, _ in warm_runs):.3f} s), "
          f"{warm_cpu:.3f} s CPU")
    print(f"    {warm_runs[-1][2]}")
    verdict = "OK" if max(cold[0], warm) < TARGET_SECONDS else "SLOWER THAN TARGET (wall)"
    print(f"  target < {TARGET_SECONDS:.0f} s: {verdict}")
    project.close()
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
