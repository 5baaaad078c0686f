"""`qualcode lead show|set`: the lead is a known coder, written to qualcode.toml through
tomlkit (comments kept), and once named only the lead names another."""

from __future__ import annotations

import json
import tomllib

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app

pytestmark = pytest.mark.coders("alice", "ben")

runner = CliRunner()


def run(project, *args, coder=None):
    env = {"QUALCODE_CODER": coder} if coder else {}
    return runner.invoke(app, ["-p", str(project.root), *args], env=env)


def config(project) -> dict:
    return tomllib.loads(project.config_path.read_text(encoding="utf-8"))


def test_show_without_a_lead(project):
    shown = run(project, "lead", "show")
    assert shown.exit_code == 0 and "No lead is named" in shown.output and "qualcode lead set NAME" in shown.output
    assert json.loads(run(project, "lead", "show", "--json").output)["lead"] is None


def test_set_writes_the_toml_and_keeps_its_comments(project):
    before = project.config_path.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    done = run(project, "lead", "set", "alice")
    assert done.exit_code == 0, done.output
    assert "Lead: alice; written to qualcode.toml" in done.output
    after = project.config_path.read_text(encoding="utf-8")
    assert config(project)["project"]["lead"] == "alice"
    assert comments and all(line in after.splitlines() for line in comments)
    shown = json.loads(run(project, "lead", "show", "--json").output)
    assert (shown["lead"], shown["known_coder"]) == ("alice", True)
    again = run(project, "lead", "set", "alice", "--json")
    assert json.loads(again.output) == {"lead": "alice", "previous": "alice", "changed": False}


@pytest.mark.parametrize(("name", "message"), [
    ("alcie", "Unknown coder 'alcie'; did you mean 'alice'?"),
    ("nobody", "Unknown coder 'nobody'"),
    ('x" \nevil = "1', "Invalid coder name"),
    ("", "Invalid coder name"),
])
def test_set_refuses_unknown_or_invalid_names_and_changes_nothing(project, name, message):
    before = project.config_path.read_text(encoding="utf-8")
    refused = run(project, "lead", "set", name)
    assert refused.exit_code == 1 and message in refused.output and "Traceback" not in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert project.config_path.read_text(encoding="utf-8") == before


def test_only_the_lead_names_another(project):
    assert run(project, "lead", "set", "alice").exit_code == 0
    for who in (None, "ben"):
        refused = run(project, "lead", "set", "ben", coder=who)
        assert refused.exit_code == 1 and "only the lead (alice) names another lead" in refused.output
        assert config(project)["project"]["lead"] == "alice"
    moved = run(project, "lead", "set", "ben", "--json", coder="alice")
    assert json.loads(moved.output) == {"lead": "ben", "previous": "alice", "changed": True}
    assert config(project)["project"]["lead"] == "ben"
    assert project.config_path.read_text(encoding="utf-8").count("lead =") == 1


def test_a_lead_that_is_not_a_coder_is_shown_as_such(project):
    from tests.helpers import set_lead

    set_lead(project, "lead")
    shown = run(project, "lead", "show")
    assert shown.exit_code == 0 and "Lead: lead (not a coder of this project" in shown.output


def test_the_lead_set_here_closes_samples(project):
    from tests.helpers import INTERVIEW, add_transcript

    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    assert run(project, "sample", "create", "irr", "--coders", "alice,ben", "--fraction", "1").exit_code == 0
    refused = run(project, "sample", "close", "irr", coder="alice")
    assert refused.exit_code == 1 and "qualcode lead set NAME" in refused.output
    assert run(project, "lead", "set", "alice").exit_code == 0
    assert run(project, "sample", "close", "irr", coder="alice").exit_code == 0
