"""Benchmark codebook loading: a generated 500-code codebook must load in well under 100 ms.

    python benchmarks/bench_codebook.py [--codes 500] [--repeat 20]

Generates a realistic codebook (definitions, include/exclude, examples, role-keyed
parents, autocode rules with phrases, regexes, fuzzy terms and proximity pairs on every
code), then times ``parse_codebook`` (compose with libyaml when available, full
validation, role resolution) over ``--repeat`` runs and reports the median and the
worst run. Also times the ECM codebook and a REFI-QDA .qdc export of the big one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0
ROLES = ("law_enforcement", "prosecutor", "service_provider")


def generate(codes: int) -> str:
    """YAML for ``codes`` codes: groups of 1 parent + 9 children, two levels deep."""
    lines = ["format: 1", "title: Generated benchmark codebook", "codes:"]
    for group in range(codes // 10):
        lines += _code(f"group{group:03d}", 2, roles=f"[{ROLES[group % 3]}, other]")
        lines.append("    children:")
        for child in range(9):
            lines += _code(f"group{group:03d}.code{child}", 6)
    return "\n".join(lines) + "\n"


def _code(code_id: str, indent: int, roles: str | None = None) -> list[str]:
    pad = " " * indent
    lines = [
        f"{pad}- id: {code_id}",
        f"{pad}  name: Name of {code_id}",
        f"{pad}  definition: >-",
        f"{pad}    A definition of {code_id} long enough to look like a real one, with a",
        f"{pad}    second line of explanation for coders.",
        f"{pad}  include: When the respondent talks about {code_id} or something close to it.",
        f"{pad}  exclude: When it is about something else entirely.",
        f"{pad}  examples:",
        f'{pad}    - "An example quote for {code_id}."',
        f'{pad}    - "Another example quote."',
        f"{pad}  rules:",
        f"{pad}    phrases: [tip line, hotline, referral, come to us]",
        f"{pad}    regex: ['\\bH-?1Bs?\\b', '\\b(an?|two)\\s+hours?\\s+away\\b']",
        f"{pad}    fuzzy: [{{term: Polaris, min_score: 85}}]",
        f"{pad}    near: [{{terms: [labor, trafficking], within: 5}}]",
        f"{pad}    exclude: [sex trafficking]",
    ]
    if roles:
        lines.insert(2, f"{pad}  roles: {roles}")
    return lines


def time_ms(function, repeat: int, clock=time.perf_counter) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = clock()
        function()
        runs.append((clock() - start) * 1000)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import yaml

    from qualcode.codebook import load_codebook, parse_codebook
    from qualcode.codebook.refi import codebook_to_qdc

    text = generate(args.codes)
    codebook = parse_codebook(text)  # warm-up, and a check that the generator is valid
    assert len(codebook.codes) == args.codes, len(codebook.codes)
    big = time_ms(lambda: parse_codebook(text), args.repeat)
    big_cpu = time_ms(lambda: parse_codebook(text), args.repeat, clock=time.process_time)
    ecm = time_ms(lambda: load_codebook(ROOT / "codebooks" / "ecm.yaml"), args.repeat)
    qdc = time_ms(lambda: codebook_to_qdc(codebook), max(3, args.repeat // 4))

    print(f"libyaml: {'yes' if yaml.__with_libyaml__ else 'no (pure-Python PyYAML)'}")
    print(
        f"{args.codes}-code codebook ({len(text) / 1024:.0f} KiB): median {statistics.median(big):.1f} ms, "
        f"worst {max(big):.1f} ms over {args.repeat} runs (target < {TARGET_MS:.0f} ms)"
    )
    print(f"  CPU time (not inflated by other processes): median {statistics.median(big_cpu):.1f} ms")
    print(
        f"codebooks/ecm.yaml ({len(load_codebook(ROOT / 'codebooks' / 'ecm.yaml').codes)} codes): "
        f"median {statistics.median(ecm):.1f} ms"
    )
    print(f"REFI-QDA .qdc export of the {args.codes}-code codebook: median {statistics.median(qdc):.1f} ms")
    ok = statistics.median(big_cpu) < TARGET_MS
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
