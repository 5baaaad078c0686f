"""Benchmark: per-code kappa for many codes over many units, against a scikit-learn loop.

Builds two coders' boolean unit x code matrices (default 1,000,000 units x 200 codes,
about 200 MB each), times ``per_code_agreement`` on all codes, times a loop of
``sklearn.metrics.cohen_kappa_score`` over a subset of the same codes (it is slow, so the
loop time is scaled to all codes and the report says so), asserts the kappas agree to
1e-9, and prints both times and the speed ratio.

    python benchmarks/bench_kappa.py [--units N] [--codes K] [--sklearn-codes M] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qualcode.agreement import per_code_agreement  # noqa: E402

TARGET_RATIO = 50.0


def make_codings(units: int, codes: int, seed: int = 20240601) -> tuple[np.ndarray, np.ndarray]:
    """Coder A's codings with prevalence 0.5%-30% per code; coder B disagrees on 0-10%."""
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.005, 0.3, size=codes).astype(np.float32)
    noise = rng.uniform(0.0, 0.1, size=codes).astype(np.float32)
    a = np.empty((units, codes), dtype=bool)
    b = np.empty((units, codes), dtype=bool)
    step = 50_000  # float32 draws chunk by chunk keep the peak memory near the two matrices
    for start in range(0, units, step):
        stop = min(start + step, units)
        a[start:stop] = rng.random((stop - start, codes), dtype=np.float32) < prevalence
        b[start:stop] = a[start:stop] ^ (rng.random((stop - start, codes), dtype=np.float32) < noise)
    return a, b


def time_sklearn(a: np.ndarray, b: np.ndarray, codes: list[int]) -> tuple[float, np.ndarray]:
    from sklearn.metrics import cohen_kappa_score

    kappas = []
    started = time.perf_counter()
    for code in codes:
        kappas.append(cohen_kappa_score(a[:, code], b[:, code]))
    return time.perf_counter() - started, np.array(kappas)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--sklearn-codes", type=int, default=20, help="codes timed with the sklearn loop")
    parser.add_argument("--repeats", type=int, default=3, help="alternating rounds (after a warm-up)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from honest import alternate

    a, b = make_codings(args.units, args.codes)
    subset = np.linspace(0, args.codes - 1, min(args.sklearn_codes, args.codes)).astype(int).tolist()
    kept: dict = {}
    # The two sides alternate (after a warm-up round); the sklearn side is timed on the
    # subset and scaled to every code, so its per-round figure is multiplied back below.
    figures_run = alternate({
        "qualcode": lambda: kept.__setitem__("ours", per_code_agreement(a, b).kappa),
        "sklearn": lambda: kept.__setitem__("sklearn", time_sklearn(a, b, subset)[1]),
    }, args.repeats)
    scale = args.codes / len(subset)
    ours, theirs = figures_run["qualcode"]["wall"], figures_run["sklearn"]["wall"]
    ratio = {k: (1 / v) * scale if k != "n" else v for k, v in figures_run["ratio_wall"].items()}
    ratio["min"], ratio["max"] = min(ratio["min"], ratio["max"]), max(ratio["min"], ratio["max"])
    difference = float(np.max(np.abs(kept["ours"][subset] - kept["sklearn"])))
    sklearn_all_codes = theirs["median"] * scale

    figures = {
        "units": args.units, "codes": args.codes, "matrix_mb_each": a.nbytes / 1e6,
        "qualcode": figures_run["qualcode"], "sklearn_subset": figures_run["sklearn"],
        "sklearn_codes_timed": len(subset), "sklearn_seconds_scaled_to_all_codes": sklearn_all_codes,
        "speed_ratio": ratio, "max_abs_kappa_difference": difference, "rounds": args.repeats,
    }
    load = figures_run["qualcode"]["load"]
    print(f"units x codes            : {args.units:,} x {args.codes} ({a.nbytes / 1e6:.0f} MB per coder)")
    print(f"qualcode per_code        : {ours['median']:.3f} s (median of {args.repeats}, "
          f"{ours['min']:.3f}-{ours['max']:.3f}), load {load[0]:.1f}-{load[1]:.1f}")
    print(f"sklearn loop             : {theirs['median']:.2f} s for {len(subset)} codes"
          f" -> {sklearn_all_codes:.1f} s scaled to {args.codes} codes")
    print(f"speed ratio (per round)  : {ratio['median']:.0f}x ({ratio['min']:.0f}-{ratio['max']:.0f}) "
          f"(target >= {TARGET_RATIO:.0f}x)")
    ratio = ratio["median"]
    print(f"max |kappa difference|   : {difference:.2e} over the {len(subset)} compared codes")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2))
    if difference > 1e-9:
        print("FAIL: kappas differ from scikit-learn by more than 1e-9")
        return 1
    if ratio < TARGET_RATIO:
        print(f"FAIL: speed ratio below {TARGET_RATIO:.0f}x")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
