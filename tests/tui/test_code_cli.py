"""``qualcode code``: argument checks, the headless --screenshot mode and the demo step."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.cli.demo import screen_step
from qualcode.coding.listing import list_codings

pytestmark = pytest.mark.coders("ana")


def invoke(project, *args, env=None):
    return CliRunner().invoke(app, ["-p", str(project.root), "code", *args], env=env or {})


def test_a_coder_is_required(project, interview):
    result = invoke(project, "vsp-1")
    assert result.exit_code == 1
    assert "a coder name is required: --coder NAME" in result.output


def test_unknown_transcript_is_reported_before_the_screen_opens(project, interview):
    result = invoke(project, "vsp-9", "--coder", "ana")
    assert result.exit_code == 1
    assert "No transcript 'vsp-9'; did you mean 'vsp-1'?" in result.output


def test_screenshot_mode_presses_keys_and_saves_svg(project, interview, tmp_path):
    target = tmp_path / "shot.svg"
    result = invoke(project, "vsp-1", "--screenshot", str(target), "--keys", "slash,h,o,t,l,i,n,e,enter",
                    env={"QUALCODE_CODER": "ana"})
    assert result.exit_code == 0, result.output
    assert f"Saved a screenshot of vsp-1 to {target}" in result.output
    svg = target.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "vsp-1" in svg and "referral.hotline" in svg
    assert [r.code for r in list_codings(project, coder="ana")] == ["referral.hotline"]


def test_demo_step_codes_and_saves_a_screenshot(project, interview):
    buffer = io.StringIO()
    screen_step(project, Console(file=buffer, width=120, color_system=None))
    printed = buffer.getvalue()
    assert "Coding screen (headless) on vsp-1 as coder 'demo'" in printed
    assert "turn 2: referral.hotline" in printed
    assert "turn 4: challenge.case_length" in printed  # one sentence of the next turn
    assert (project.root / "reports" / "coding-screen.svg").is_file()
    coded = {(r.segment, r.code, r.text) for r in list_codings(project, coder="demo")}
    assert (4, "challenge.case_length", "Shelters are full.") in coded


def test_keys_reference_in_docs_matches_the_bindings():
    from qualcode.tui.app import CodingApp
    from qualcode.tui.keys import keys_markdown
    from tests.helpers import REPO

    page = (REPO / "docs" / "coding-screen.md").read_text(encoding="utf-8")
    assert keys_markdown(CodingApp.BINDINGS) in page, (
        "docs/coding-screen.md is stale: paste keys_markdown(CodingApp.BINDINGS) into its Keys section"
    )


def test_bad_screenshot_size_is_refused(project, interview, tmp_path):
    result = invoke(project, "vsp-1", "--coder", "ana", "--screenshot", str(tmp_path / "s.svg"), "--size", "big")
    assert result.exit_code == 1
    assert "--size expects COLUMNSxROWS of at least 40x12, e.g. 140x42; got 'big'" in result.output


def test_without_a_terminal_the_screen_is_refused(project, interview, monkeypatch):
    """CliRunner's stdin/stdout are not a TTY: the full-screen app must not start (it would hang)."""
    from qualcode.tui.app import CodingApp

    def must_not_run(self, *args, **kwargs):
        raise AssertionError("the full-screen app started without a terminal")

    monkeypatch.setattr(CodingApp, "run", must_not_run)
    result = invoke(project, "vsp-1", "--coder", "ana")
    assert result.exit_code == 1
    assert "Error: qualcode code needs a terminal, but stdin and stdout are not one" in result.output
    assert "Traceback" not in result.output


def test_search_option_opens_on_the_hits_to_code_from(project, interview, tmp_path):
    target = tmp_path / "shot.svg"
    result = invoke(project, "vsp-1", "--coder", "ana", "--search", "police", "--screenshot", str(target),
                    "--keys", "enter,slash,l,a,w,enter")
    assert result.exit_code == 0, result.output
    assert [(r.segment, r.code, r.text) for r in list_codings(project, coder="ana")] == [
        (2, "referral.law_enforcement", "Police")]

