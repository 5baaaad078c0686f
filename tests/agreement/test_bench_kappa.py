"""The kappa benchmark runs end to end on a small case (timings are not asserted here)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_kappa.py"


@pytest.fixture(scope="module")
def bench():
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("bench_kappa", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_data_and_values_agree_with_sklearn(bench) -> None:
    a, b = bench.make_codings(5_000, 6)
    assert a.shape == b.shape == (5_000, 6) and a.dtype == bool
    assert 0.0 < a.mean() < 0.35 and (a != b).mean() < 0.1
    ours = bench.per_code_agreement(a, b).kappa  # what the benchmark times as qualcode's side
    _, theirs = bench.time_sklearn(a, b, list(range(6)))
    assert np.allclose(ours, theirs, atol=1e-9, rtol=0)


def test_benchmark_main_reports_figures(bench, tmp_path, capsys) -> None:
    out = tmp_path / "bench.json"
    bench.main(["--units", "3000", "--codes", "4", "--sklearn-codes", "2", "--repeats", "1", "--json", str(out)])
    printed = capsys.readouterr().out
    assert "speed ratio" in printed and "max |kappa difference|" in printed
    assert '"codes": 4' in out.read_text()
