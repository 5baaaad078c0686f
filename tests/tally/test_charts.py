"""Charts: PNG and SVG files, readable defaults, matplotlib only when drawing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from qualcode.tally import (
    TallyError,
    agreement_chart,
    crosstab,
    crosstab_heatmap,
    tally,
    tally_chart,
)
from tests.helpers import REPO
from tests.tally.seed_study import CODER

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_chart(path, suffix: str) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG_MAGIC) if suffix == ".png" else b"<svg" in data[:500]


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_tally_chart(seed_project, tmp_path, suffix):
    path = tally_chart(tally(seed_project, "referral", by="role", coder=CODER), tmp_path / f"t{suffix}")
    assert is_chart(path, suffix)


def test_svg_lists_every_nonzero_child_with_its_percent(seed_project, tmp_path):
    result = tally(seed_project, "referral", roles=["VSP"], coder=CODER)
    text = tally_chart(result, tmp_path / "t.svg").read_text(encoding="utf-8")
    assert "31 (20.5%)" in text and "9 (6.0%)" in text
    assert "Online monitoring" not in text  # never cited by providers: left off the bars


@pytest.mark.parametrize(("values", "suffix"), [("count", ".png"), ("row", ".svg"), ("column", ".png")])
def test_heatmap(seed_project, tmp_path, values, suffix):
    table = crosstab(seed_project, "referral", "challenge", rollup=True, coder=CODER)
    assert is_chart(crosstab_heatmap(table, tmp_path / f"h{suffix}", values=values), suffix)


def test_agreement_chart_draws_undefined_rows(tmp_path):
    rows = [{"code": "a", "kappa": 0.81, "ci_low": 0.7, "ci_high": 0.92},
            {"code": "b", "name": "A long code name that needs wrapping to fit", "kappa": 0.41,
             "ci_low": 0.1, "ci_high": 0.72},
            {"code": "c", "kappa": None, "ci_low": None, "ci_high": None}]
    text = agreement_chart(rows, tmp_path / "k.svg").read_text(encoding="utf-8")
    assert "undefined" in text and "0.81" in text


@pytest.mark.parametrize(("call", "message"), [
    (lambda p: agreement_chart([{"code": "a", "kappa": 0.5}], p / "k.png"), "lacks ci_low, ci_high"),
    (lambda p: agreement_chart([], p / "k.png"), "no agreement rows"),
    (lambda p: agreement_chart([{"code": "a", "kappa": 1, "ci_low": 1, "ci_high": 1}], p / "k.pdf"),
     "should end in .png or .svg"),
])
def test_chart_errors(tmp_path, call, message):
    with pytest.raises(TallyError, match=message):
        call(tmp_path)


def test_nothing_to_chart(seed_project, tmp_path):
    with pytest.raises(TallyError, match="Nothing to chart"):
        tally_chart(tally(seed_project, "investigation", coder=CODER), tmp_path / "t.png")


def test_importing_tally_and_report_loads_no_plotting_or_numeric_library():
    code = ("import sys, qualcode.tally, qualcode.report, qualcode.cli.tally; "
            "print(sorted(m for m in ('matplotlib', 'numpy', 'docx', 'pandas', 'sqlalchemy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, cwd=REPO)
    assert done.stdout.strip() == "[]"
