"""Coders are created deliberately: `coders add`, validated names, unknown names refused
everywhere a coder acts (with the closest known names), and the commands that create
coders of their own say so."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.coding.coders import add_coder, list_coders
from qualcode.coding.listing import list_codings
from qualcode.coding.session import CodingSession
from qualcode.errors import CodingError, ValidationFailed
from qualcode.store.codings import coder_names

pytestmark = pytest.mark.coders("alice", "bob")
runner = CliRunner()


def run(project, *args, **kwargs):
    return runner.invoke(app, ["-p", str(project.root), *args], **kwargs)


def names(project):
    with project.read() as conn:
        return coder_names(conn)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["tag", "vsp-1", "2", "referral", "--coder", "alcie"], "Unknown coder 'alcie'; did you mean 'alice'?"),
        (["tag", "vsp-1", "2", "referral", "--coder", "bad name!"], "Unknown coder 'bad name!'"),
        (["untag", "vsp-1", "2", "referral", "--coder", "bbo"], "did you mean 'bob'?"),
        (["undo", "--coder", "alcie"], "did you mean 'alice'?"),
        (["redo", "--coder", "alcie"], "did you mean 'alice'?"),
        (["autocode", "--as", "alcie"], "did you mean 'alice'?"),
        (["code", "vsp-1", "--coder", "alcie"], "did you mean 'alice'?"),
    ],
)
def test_an_unknown_coder_is_refused_everywhere_a_coder_acts(project, interview, args, message):
    result = run(project, *args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "qualcode coders add NAME" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert names(project) == ["alice", "bob"]  # no coder was started by the typo
    assert list_codings(project) == []


def test_codings_import_refuses_unknown_coders_once_each(project, interview, tmp_path):
    from qualcode.interop.spreadsheets import import_codings

    path = tmp_path / "codings.csv"
    path.write_text("transcript,coder,code,segment\nvsp-1,alcie,referral,2\nvsp-1,alcie,referral,4\n"
                    "vsp-1,alice,referral,4\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        import_codings(project, path)
    problems = [str(p) for p in caught.value.problems]
    assert len(problems) == 1 and "row 2: Unknown coder 'alcie'; did you mean 'alice'?" in problems[0]
    assert list_codings(project) == [] and names(project) == ["alice", "bob"]


def test_coders_add_and_list(project):
    added = run(project, "coders", "add", "carol")
    assert added.exit_code == 0 and "Added coder carol" in added.output
    again = run(project, "coders", "add", "carol")
    assert again.exit_code == 0 and "already exists; nothing changed" in again.output
    listed = json.loads(run(project, "coders", "list", "--json").output)
    assert [(c["name"], c["codings"]) for c in listed] == [("alice", 0), ("bob", 0), ("carol", 0)]
    assert "3 coders" in run(project, "coders", "list").output


@pytest.mark.parametrize("bad", ["bad name!", "", "9lives", "x" * 41, "ana/ben", "é"])
def test_coder_names_are_validated(project, bad):
    result = run(project, "coders", "add", bad)
    assert result.exit_code == 1
    assert "a coder name is 1 to 40 characters: a letter first, then letters, digits" in result.output
    assert names(project) == ["alice", "bob"]


@pytest.mark.parametrize("good", ["carol", "Carol_2", "j.doe", "coder-3"])
def test_valid_names(project, good):
    assert add_coder(project, good).created
    assert good in [c.name for c in list_coders(project)]


def test_an_added_coder_can_code_at_once(project, interview):
    add_coder(project, "carol")
    CodingSession(project, "carol").tag("vsp-1", 2, ["referral"])
    assert [r.coder for r in list_codings(project)] == ["carol"]


def test_reconcile_creates_the_consensus_coder_and_says_so(project, interview):
    from qualcode.agreement.reconcile import copy_agreements

    CodingSession(project, "alice").tag("vsp-1", 2, ["referral"])
    CodingSession(project, "bob").tag("vsp-1", 2, ["referral"])
    first = copy_agreements(project, ["alice", "bob"], "consensus")
    assert first.coder_created and "consensus" in names(project)
    assert not copy_agreements(project, ["alice", "bob"], "consensus").coder_created
    with pytest.raises(CodingError, match="Invalid coder name 'con sensus'"):
        copy_agreements(project, ["alice", "bob"], "con sensus")


def test_sample_assignment_adds_new_coders_with_a_note(project, interview):
    from qualcode.agreement.sampling import create_sample

    sample = create_sample(project, "dc", fraction=1.0, coders=["alice", "dana"], seed=1)
    assert "new coders added by this assignment: dana" in sample.notes
    assert names(project) == ["alice", "bob", "dana"]
