"""``qualcode quotes`` through typer's CliRunner: output, exports, refusals, exit codes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.quotes.attribution import AttributionOptions
from qualcode.quotes.cleaning import CleaningOptions
from qualcode.quotes.quoteset import build_quote_set, ensure_masked
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import GROUPINGS
from tests.quotes.study import REDACTION, add_redaction, build_study

pytestmark = pytest.mark.coders("ana")

runner = CliRunner()


@pytest.fixture
def study(project):
    return build_study(project)


def run(project, *args):
    return runner.invoke(app, ["-p", str(project.root), "quotes", *args])


def test_terminal_block_quotes(study):
    result = run(study, "referral.hotline", "--coder", "ana", "--order", "transcript", "--context", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Hotlines and tip lines"
    assert "▌ Q: How do cases start?" in lines
    assert "▌ Mostly the hotline. The hotline sends us most of our clients." in lines
    assert [line.strip() for line in lines].count("—Service provider") == 1


def test_json_to_stdout_and_filters(study):
    add_redaction(study, REDACTION + "\n[quotes]\nk_anonymity = 1\n")
    result = run(study, "challenge", "--coder", "ana", "--role", "VSP,police", "--site", "A",
                 "--attr", "mode=virtual", "--format", "json", "--with-site")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["quotes"]
    assert [(r["transcript"], r["segment"], r["attribution"]) for r in rows] == [
        ("vsp-1", 4, "—Service provider, site A")
    ]


def test_with_site_falls_back_to_role_below_k_and_says_so(study):
    result = run(study, "challenge", "--coder", "ana", "--format", "json", "--with-site")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert all(", site" not in row["attribution"] and row["site"] == "" for row in data["quotes"])
    notes = [line for line in result.stderr.splitlines() if line.startswith("Attribution: quote ")]
    assert len(notes) == len(data["quotes"]) and all("fewer than 3" in line for line in notes)
    assert data["provenance"]["attribution"]["k_anonymity"] == 3
    assert len(data["provenance"]["attribution"]["notes"]) >= len(notes)


@pytest.mark.parametrize("suffix", ["docx", "md", "csv", "xlsx", "json"])
def test_export_files(study, tmp_path, suffix):
    target = tmp_path / f"set.{suffix}"
    result = run(study, "referral", "challenge", "--coder", "ana", "--limit", "2", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Wrote 4 quotes to {target}"
    assert target.stat().st_size > 0


def test_refusal_lists_leftovers_and_override_is_recorded(study, tmp_path):
    add_redaction(study, "[redaction]\nbuiltin = []\n")
    target = tmp_path / "set.md"
    refused = run(study, "referral.law_enforcement", "--coder", "ana", "-o", str(target))
    assert refused.exit_code == 1
    first, *rest = refused.stderr.splitlines()
    assert first.startswith(f"Error: {target}: Refusing to export: ") and "'Tasha'" in first
    assert any("vsp-1 segment 6" in line and "phone number '(555) 014-2298'" in line for line in rest)
    assert not target.exists()
    allowed = run(study, "referral.law_enforcement", "--coder", "ana", "-o", str(target), "--allow-unmasked")
    assert allowed.exit_code == 0
    assert "--allow-unmasked" in target.read_text(encoding="utf-8")


def test_terminal_view_highlights_instead_of_refusing(study):
    add_redaction(study, "[redaction]\nbuiltin = []\n")
    result = run(study, "referral.law_enforcement", "--coder", "ana")
    assert result.exit_code == 0
    assert "Tasha from Riverton PD" in result.stdout
    assert "likely identifier(s) unmasked" in result.stderr
    assert run(study, "referral.law_enforcement", "--coder", "ana", "--format", "json").exit_code == 1


def test_cleaning_switches(study):
    result = run(study, "referral.hotline", "--coder", "ana", "--keep-disfluencies", "--keep-tags",
                 "--site", "A", "--order", "transcript", "--format", "json")
    texts = [r["text"] for r in json.loads(result.stdout)["quotes"]]
    assert "Um, the the hotline sends us, you know, most of our clients. [laughs]" in texts[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["referal", "--coder", "ana"], "Unknown code 'referal'; did you mean 'referral'"),
        (["referral", "--coder", "ana", "--attr", "mode"], "--attr expects key=value, got 'mode'"),
        (["referral", "--coder", "ana", "--format", "docx"], "--format docx needs -o FILE"),
        (["referral", "--coder", "ana", "--order", "best"], "orders: representative, length, transcript, random"),
        (["referral", "--coder", "ana", "-o", "x.pdf"], "formats: docx, md, csv, xlsx, json"),
        (["referral", "--coder", "ana", "--by", "site"], "--by accepts: code, role"),
    ],
)
def test_errors(study, tmp_path, args, message):
    result = runner.invoke(app, ["-p", str(study.root), "quotes", *args])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_timings(study):
    result = run(study, "challenge", "--coder", "ana", "--timings")
    assert result.exit_code == 0
    assert "Timings: query" in result.stderr and "total" in result.stderr


@pytest.mark.coders("autocoder")  # the demo's autocode --as autocoder creates it
def test_demo_step_writes_a_set_per_theme(project):
    from rich.console import Console

    from qualcode.analysis.assignments import assign
    from qualcode.cli.demo import STAGES
    from qualcode.coding.session import CodingSession
    from tests.helpers import add_transcript
    from tests.quotes.study import CODINGS, TRANSCRIPTS, add_redaction

    add_redaction(project)
    for tid, (role, site, _, turns) in TRANSCRIPTS.items():
        add_transcript(project, tid, role, turns, site=site)
    for _, tid, segment, codes in CODINGS:
        CodingSession(project, "autocoder").tag(tid, segment, codes, origin="rules")
    assign(project, "autocoder", every=True)  # the lead names the machine coder: counted, with a warning
    console = Console(record=True, width=100)
    dict(STAGES)["Quote sets by theme, de-identified"](project, console, {})
    written = sorted((project.root / "reports").glob("quotes-*"))
    names = sorted(p.name for p in written)
    assert names == sorted(f"quotes-{c}.{s}" for c in ("referral", "challenge") for s in ("docx", "md"))
    assert all(p.parent == project.root / "reports" and p.is_file() for p in written)
    output = console.export_text()
    assert "referral: 2 quotes -> quotes-referral.docx" in output
    assert "pros.charging: no quotes" in output  # its only quote is shorter than the demo's minimum
    assert "▌ " in output  # example quotes printed
    assert "Warning: autocoder is a machine coder" in output


def test_terminal_quote_set_loads_no_heavy_library(study):
    """Printing a quote set (representative order) imports neither scikit-learn nor python-docx."""
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        "from qualcode.cli.app import app\n"
        "try:\n"
        "    app(args=sys.argv[1:], prog_name='qualcode')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in ('sklearn', 'docx', 'pandas', 'spacy', 'openpyxl') if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, "quotes", "challenge", "--coder", "ana"],
                          cwd=study.root, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Case length" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_docs_cover_every_option_and_the_toml_example_is_valid():
    """docs/quotes.md names every option of `qualcode quotes --help`; its [redaction]
    example passes validation."""
    import re
    import tomllib

    from qualcode.quotes.redaction import rules_from_config
    from tests.helpers import REPO

    doc = (REPO / "docs" / "quotes.md").read_text(encoding="utf-8")
    help_text = runner.invoke(app, ["quotes", "--help"], terminal_width=200).stdout
    options = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    assert options and not [o for o in sorted(options) if o not in doc]
    example = re.search(r"```toml\n(.*?)```", doc, flags=re.DOTALL).group(1)
    rules = rules_from_config(tomllib.loads(example)["redaction"])
    assert rules.transcripts["vsp-a-01"].names == ("Dana",)


def test_identifying_transcript_id_blocks_provenance_exports_only(project, tmp_path):
    from qualcode.coding.session import CodingSession
    from tests.helpers import add_transcript

    add_transcript(project, "maria-gonzalez-interview", "service_provider",
                   [("Interviewer", "What do you do?"), ("Respondent", "We help people find housing every week.")])
    CodingSession(project, "ana").tag("maria-gonzalez-interview", 2, ["referral"])
    target = tmp_path / "set.csv"
    refused = run(project, "--coder", "ana", "-o", str(target))
    assert refused.exit_code == 1 and not target.exists()
    assert "transcript id): name 'gonzalez'" in refused.stderr and "--no-provenance" in refused.stderr
    written = run(project, "--coder", "ana", "-o", str(target), "--no-provenance")
    assert written.exit_code == 0, written.output
    assert "gonzalez" not in target.read_text(encoding="utf-8").lower()


def test_coder_help_says_the_default_is_the_analysis_set():
    # it said "consensus, else the only coder": the rule of query and matrix, not of quotes
    shown = " ".join(runner.invoke(app, ["quotes", "--help"], terminal_width=200).stdout.split())
    assert "Quote NAME's codings on every transcript (default: the analysis set)." in shown
    assert "consensus" not in shown


def test_default_is_the_analysis_set(study):
    # vsp-1 is coded by ana and ben, unassigned: it counts nobody until one is assigned.
    from qualcode.analysis.assignments import assign

    def transcripts() -> set[str]:
        result = runner.invoke(app, ["-p", str(study.root), "quotes", "referral", "--format", "json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)  # stderr carries the coverage lines
        assert data["provenance"]["coder"] == "analysis set"
        return {q["transcript"] for q in data["quotes"]}

    assert "vsp-1" not in transcripts()
    assign(study, "ana", ["vsp-1"])
    assert "vsp-1" in transcripts()


# CLI options -> the twin's (query, cleaning, attribution) arguments
QUOTE_OPTIONS = {
    "defaults": ([], {}, {}, {}),
    "attribution, context and cleaning": (
        ["challenge", "--with-site", "--context", "1", "--keep-tags", "--keep-disfluencies",
         "--order", "transcript", "--per-transcript", "1"],
        {"codes": ("referral", "challenge"), "context": 1, "order": "transcript", "per_transcript": 1},
        {"tags": False, "disfluencies": False}, {"site": True},
    ),
    "leftovers allowed through": (["--allow-unmasked", "--with-respondent"], {}, {}, {"respondent": True}),
}


def _without_time(data: dict) -> dict:
    """The JSON with its generation time blanked (the CLI and the twin run a moment apart)."""
    if "provenance" in data:
        assert data["provenance"].pop("generated_at")
    return data


@pytest.mark.parametrize("options", list(QUOTE_OPTIONS))
@pytest.mark.parametrize("provenance", [True, False], ids=["provenance", "no-provenance"])
@pytest.mark.parametrize("by", GROUPINGS)
def test_json_is_the_twins_to_dict(study, options, provenance, by):
    """``quotes --format json`` prints the twin's ``to_dict()``: the set built with the same
    options, through the same leftover gate, for every grouping and provenance choice."""
    from qualcode.coding.session import CodingSession
    from tests.helpers import add_transcript

    args, query, cleaning, attribution = QUOTE_OPTIONS[options]
    allow_unmasked = "--allow-unmasked" in args
    if allow_unmasked:  # leftovers in the text, and one in a transcript id (an audit field only)
        add_redaction(study, "[redaction]\nbuiltin = []\n")
        add_transcript(study, "maria-gonzalez-interview", "service_provider",
                       [("Interviewer", "What do you do?"), ("Respondent", "We help people find housing every week.")])
        CodingSession(study, "ana").tag("maria-gonzalez-interview", 2, ["referral"])
    flags = [*args, "--by", by, *([] if provenance else ["--no-provenance"])]
    result = run(study, "referral", "--coder", "ana", "--format", "json", *flags)
    assert result.exit_code == 0, result.output
    twin = build_quote_set(study, QuoteQuery(**{"codes": ("referral",), "coder": "ana", **query}),
                           CleaningOptions(**cleaning), AttributionOptions(**attribution), provenance=provenance)
    expected = ensure_masked(twin, allow_unmasked=allow_unmasked).to_dict()
    assert expected["quotes"]
    assert _without_time(json.loads(result.stdout)) == _without_time(json.loads(json.dumps(expected)))
    if allow_unmasked:
        recorded = expected["provenance"]["unmasked_allowed"] if provenance else expected["note"]
        assert recorded and any(row["unmasked_allowed"] for row in expected["quotes"])
