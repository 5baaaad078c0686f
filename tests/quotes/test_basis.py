"""A quote set says whose codings it rests on and warns when that is less than the whole
selection (transcripts without counted codings, a machine coder), like a tally does:
in the result, the CLI, the JSON and the Word/Markdown headers."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.analysis.assignments import assign
from qualcode.cli.app import app
from qualcode.quotes.quoteset import basis_lines, build_quote_set
from qualcode.quotes.selection import QuoteQuery
from qualcode.quotes.writers import export_quote_set, render_json, render_markdown
from tests.quotes.study import TRANSCRIPTS

pytestmark = pytest.mark.coders("ana", "autocoder")

ALL = sorted(TRANSCRIPTS)


def quotes(project, **query):
    return build_quote_set(project, QuoteQuery(codes=("challenge",), **query))


def test_default_set_with_a_transcript_of_two_unassigned_coders_warns(study):
    """vsp-1 is coded by ana and ben, unassigned: it counts nobody, so 3 of 4 transcripts."""
    quote_set = quotes(study)
    assert quote_set.coder == "analysis set"
    assert quote_set.coverage["transcripts"] == 4 and quote_set.coverage["transcripts_coded"] == 3
    assert quote_set.coverage["not_covered"] == ["vsp-1"]
    assert "3 of 4 transcripts have counted codings" in quote_set.warning
    assert {q.transcript for q in quote_set.quotes} <= {"vsp-2", "le-1", "pros-1"}
    lines = basis_lines(quote_set)
    assert lines[0].startswith("Analysis set: ")
    assert lines[-1] == "Warning: " + quote_set.warning.replace("these figures", "these quotes")


def test_full_coverage_carries_the_statement_and_no_warning(study):
    assign(study, "ana", ALL)
    quote_set = quotes(study)
    assert quote_set.warning == "" and quote_set.coverage["complete"]
    assert basis_lines(quote_set) == ["Analysis set: 4 transcripts count their assigned primary coder."]


def test_coverage_follows_the_selection_filters(study):
    assign(study, "ana", ["vsp-2", "le-1", "pros-1"])
    assert quotes(study, roles=("law_enforcement", "prosecutor")).warning == ""
    partial = quotes(study, roles=("service_provider",))
    assert partial.coverage["transcripts"] == 2 and partial.coverage["not_covered"] == ["vsp-1"]


def test_named_coder_with_partial_coverage_and_machine_coder(study):
    from qualcode.coding.session import CodingSession

    CodingSession(study, "autocoder").tag("le-1", 4, ["challenge.case_length"])
    quote_set = quotes(study, coder="autocoder")
    assert quote_set.machine_coders == ["autocoder"]
    assert "1 of 4 transcripts have counted codings" in quote_set.warning
    full = basis_lines(quote_set)
    assert "Warning: autocoder is a machine coder" in full[0] and len(full) == 2
    circulated = basis_lines(quote_set, provenance=False)
    assert circulated == [
        ("Warning: some of these quotes were selected from a machine coder's codings (keyword rules or a learned "
         "model), not a person's: read the selection as a first pass."),
        "Warning: drawn from less than the whole selection: 1 of 4 transcripts have counted codings.",
    ]
    assert not any(word in " ".join(circulated) for word in ("autocoder", "vsp", "le-1", "pros"))


@pytest.mark.parametrize("provenance", [True, False])
def test_markdown_json_and_word_headers_carry_the_warning(study, tmp_path, provenance):
    from docx import Document

    quote_set = quotes(study)
    expected = basis_lines(quote_set, provenance=provenance)
    markdown = render_markdown(quote_set, provenance=provenance)
    head = markdown.split("\n## ", 1)[0]
    assert all(f"> {line}" in head for line in expected) and any("Warning" in line for line in expected)
    data = json.loads(render_json(quote_set, provenance=provenance))
    assert data["warnings"] == [line for line in expected if line.startswith("Warning: ")]
    if provenance:
        assert data["provenance"]["coverage"]["not_covered"] == ["vsp-1"]
        assert data["provenance"]["analysis_set"].startswith("Analysis set: ")
    path = export_quote_set(quote_set, tmp_path / "set.docx", provenance=provenance)
    paragraphs = [p.text for p in Document(str(path)).paragraphs]
    first_heading = next(i for i, p in enumerate(Document(str(path)).paragraphs) if p.style.name.startswith("Heading"))
    assert all(line in paragraphs[:first_heading] for line in expected)


def test_cli_prints_the_warning_and_json_carries_it(study):
    runner = CliRunner()
    result = runner.invoke(app, ["-p", str(study.root), "quotes", "challenge", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert "Warning: Coverage: these quotes rest on less than the whole selection" in result.stderr
    assert json.loads(result.stdout)["warnings"][0].startswith("Warning: Coverage:")
    assign(study, "ana", ALL)
    clean = runner.invoke(app, ["-p", str(study.root), "quotes", "challenge"])
    assert clean.exit_code == 0 and "Warning" not in clean.stderr
    assert "Analysis set: 4 transcripts count their assigned primary coder." in clean.stderr
