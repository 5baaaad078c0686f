"""Training the learned suggestions: the previous fit and the current one, side by side in one run.

    python benchmarks/bench_train.py [--repeat 3] [--cv] [--gold tests/data/gold/ecm_gold.csv]
                                     [--project DIR] [--coder autocoder] [--json OUT]

The example study is imported into a scratch project and coded by the rules as coder
``autocoder``, as ``qualcode demo`` does (``--project DIR`` uses an existing project
instead). Both fits then train on that coder's respondent turns:

- ``old``: the fit as it was before it was made faster, kept measurable here: the
  same TF-IDF features (``make_vectorizer``), liblinear's *primal* solver, each fit
  on a row slice whose column indices are unsorted;
- ``new``: :func:`qualcode.coding.learn.fit` (indices sorted once, liblinear's *dual*
  solver, codes fitted on forked processes), timed on one process (``new_1``) and on
  its default number (``new_2`` on two cores or more).

Runs alternate (old, new_1, new_2, old, ...) so that load on a shared machine falls on
all; compare the ratios to old within each round and their median, not single times.
Times are wall seconds, and CPU seconds of this process and its workers. The old fit's
primal solver calls BLAS, on OpenBLAS threads that spin on a busy machine: its time
swings with the load, and is steadier with ``OPENBLAS_NUM_THREADS=1``.
The two models are compared too: the largest difference in probability over the
training turns, and how many codes got a different threshold.

``--cv`` also measures each fit's quality as ``qualcode suggest evaluate`` does
(model only, 5 folds by transcript) with the coder as reference, and ``--gold FILE``
on a hand-coded gold CSV.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


# -- the previous fit (its solver and unsorted slices kept, so that it stays measurable) --


def old_classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000, solver="liblinear")


def old_fit(turns, codebook, min_positive: int = 5):
    """The fit before it was made faster: the primal solver, on row slices with unsorted indices, one process.

    Code selection, thresholds and the report are the current code's (they did not change).
    """
    from qualcode.coding.learn import (
        assemble_model,
        choose_threshold,
        learnable_codes,
        make_vectorizer,
    )

    vectorizer = make_vectorizer(len(turns))
    features = vectorizer.fit_transform([t.text for t in turns])  # indices left unsorted, as they were
    learnable, skipped = learnable_codes(turns, codebook, min_positive)
    fitted = [
        (
            choose_threshold(features[rows], labels, weights, groups, make_classifier=old_classifier),
            old_classifier().fit(features[rows], labels, sample_weight=weights),
        )
        for _, rows, labels, weights, groups in learnable
    ]
    return assemble_model(vectorizer, turns, codebook, min_positive, (learnable, skipped), fitted)


# -- measuring ------------------------------------------------------------------------


def example_project(workdir: Path, coder: str):
    from qualcode.coding.autocode import autocode
    from qualcode.demo import import_example_transcripts, prepare_demo_project

    project = prepare_demo_project(REPO, workdir)
    import_example_transcripts(project)
    autocode(project, as_coder=coder)
    return project


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children (forked fit workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def timed(function, *args, **kwargs):
    began, cpu = time.perf_counter(), cpu_seconds()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - began, cpu_seconds() - cpu


def compare_speed(turns, codebook, repeat: int) -> tuple[dict, object, object]:
    """Alternating timings of the old fit, the new one on one process and on the default processes."""
    import sklearn.feature_extraction.text
    import sklearn.linear_model
    import sklearn.model_selection  # noqa: F401  (imported outside the timings)

    from qualcode.coding.learn import default_processes, fit

    processes = default_processes(len(turns))
    variants = {"old": old_fit, "new_1": partial(fit, processes=1), f"new_{processes}": fit}
    runs = []
    for _ in range(repeat):
        run = {}
        for name, function in variants.items():
            model, run[f"{name}_s"], run[f"{name}_cpu_s"] = timed(function, turns, codebook)
            if name == "old":
                old = model
        runs.append(run)
        print("  " + " | ".join(_timing(run, name) for name in variants), flush=True)
    summary = {"processes": processes, "runs": runs}
    for name in list(variants)[1:]:
        summary[f"median_ratio_{name}"] = statistics.median(r["old_s"] / r[f"{name}_s"] for r in runs)
        summary[f"median_ratio_cpu_{name}"] = statistics.median(r["old_cpu_s"] / r[f"{name}_cpu_s"] for r in runs)
    return summary, old, model


def _timing(run: dict, name: str) -> str:
    text = f"{name} {run[f'{name}_s']:5.1f} s (cpu {run[f'{name}_cpu_s']:5.1f})"
    if name != "old":
        text += f" ratio {run['old_s'] / run[f'{name}_s']:4.1f}"
    return text


def compare_models(turns, old, new) -> dict:
    """Largest probability difference over ``turns`` and codes whose threshold differs."""
    texts, roles = [t.text for t in turns], [t.role for t in turns]
    largest = max(
        abs(a[code] - b[code])
        for a, b in zip(old.probabilities(texts, roles), new.probabilities(texts, roles), strict=True)
        for code in a
    )
    differ = sorted(c for c in old.thresholds if old.thresholds[c] != new.thresholds.get(c))
    return {
        "codes_old": len(old.classifiers),
        "codes_new": len(new.classifiers),
        "max_probability_difference": largest,
        "thresholds_differ": differ,
    }


@contextmanager
def fitting_with(function):
    """``qualcode.coding.learn.fit`` replaced (evaluation imports it from there at call time)."""
    from qualcode.coding import learn

    real = learn.fit
    learn.fit = function
    try:
        yield
    finally:
        learn.fit = real


def cross_validated(project, reference) -> dict:
    """Model micro/macro scores of the old and new fit, as ``suggest evaluate`` computes them."""
    from qualcode.coding import learn
    from qualcode.coding.evaluate import evaluate

    result = {"reference": reference.name, "turns": len(reference.turns)}
    for name, function in (("old", old_fit), ("new", learn.fit)):
        with fitting_with(function):
            evaluation, seconds, _ = timed(lambda: evaluate(project, reference, systems=("model",)))
        model = evaluation.to_dict()["systems"]["model"]
        result[name] = {
            "seconds": seconds,
            "micro": {k: model["micro"][k] for k in ("precision", "recall", "f1", "tp", "fp", "fn")},
            "macro": {k: v["value"] for k, v in model["macro"].items()},
        }
        result["folds"] = evaluation.folds
    return result


def print_quality(result: dict) -> None:
    print(
        f"cross-validated by transcript ({result['folds']} folds), reference {result['reference']}, "
        f"{result['turns']} turns:"
    )
    for name in ("old", "new"):
        r = result[name]
        micro, macro = r["micro"], r["macro"]
        print(
            f"  {name}: micro P {micro['precision']:.3f} R {micro['recall']:.3f} F1 {micro['f1']:.3f} | "
            f"macro P {macro['precision']:.3f} R {macro['recall']:.3f} F1 {macro['f1']:.3f} | "
            f"{r['seconds']:.1f} s"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="old/new pairs to time")
    parser.add_argument("--cv", action="store_true", help="also cross-validate both fits (slow for the old one)")
    parser.add_argument("--gold", type=Path, help="also cross-validate both on this gold CSV")
    parser.add_argument("--project", type=Path, help="an existing project (default: a scratch example study)")
    parser.add_argument("--coder", default="autocoder")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as workdir:
        results = run(args, Path(workdir))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def run(args, workdir: Path) -> dict:
    from qualcode.coding.evaluate import reference_from_coder, reference_from_csv
    from qualcode.coding.learn import coder_turns
    from qualcode.project import Project

    project = Project(args.project) if args.project else example_project(workdir / "demo", args.coder)
    turns = coder_turns(project, args.coder)
    results = {"turns": len(turns), "transcripts": len({t.transcript_id for t in turns}), "coder": args.coder}
    results["load_before"] = os.getloadavg()
    print(
        f"{len(turns)} turns of {results['transcripts']} transcripts coded by {args.coder}; "
        f"load average {results['load_before'][0]:.2f}"
    )
    results["speed"], old, new = compare_speed(turns, project.codebook, args.repeat)
    results["models"] = compare_models(turns, old, new)
    m = results["models"]
    speed = results["speed"]
    for name in dict.fromkeys(("new_1", f"new_{speed['processes']}")):
        print(
            f"median ratio old/{name}: {speed[f'median_ratio_{name}']:.1f} wall, "
            f"{speed[f'median_ratio_cpu_{name}']:.1f} cpu"
        )
    print(
        f"models: {m['codes_new']} codes learned (old {m['codes_old']}); largest probability difference "
        f"{m['max_probability_difference']:.1e}; thresholds differ for {len(m['thresholds_differ'])} codes "
        f"{m['thresholds_differ'] or ''}"
    )
    references = ([reference_from_coder(project, args.coder)] if args.cv else []) + (
        [reference_from_csv(project, args.gold)] if args.gold else []
    )
    results["quality"] = [cross_validated(project, reference) for reference in references]
    for quality in results["quality"]:
        print_quality(quality)
    results["load_after"] = os.getloadavg()
    print(f"load average at the end {results['load_after'][0]:.2f}")
    project.close()
    return results


if __name__ == "__main__":
    main()
