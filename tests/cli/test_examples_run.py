"""Every example in a command's --help runs on the example study.

One copy of the example study is prepared per module the way ``qualcode demo`` leaves
it (transcripts imported, autocoded as ``autocoder``, the ``double-coding`` sample
loaded from alice's and bob's CSVs and closed by the lead); each example runs through
CliRunner in its own copy of it, so examples that write never affect each other.
An example that follows another (``transcripts restore`` after ``transcripts remove``)
runs that one first (SETUP); the few that cannot succeed on a scratch copy say why
they refuse (REFUSALS), and the test checks they refuse with exactly that one line.

SQLite only: the prepared study is a copied SQLite file (preparing it per test on a
fresh PostgreSQL schema would take ~10 s each); the commands themselves are tested on
both back ends in their own test files.
"""

from __future__ import annotations

import shlex
import shutil

import pytest
from typer.testing import CliRunner

from qualcode.cli.app import app
from qualcode.cli.examples import EXAMPLES
from tests.helpers import REPO

runner = CliRunner()

# Examples that follow an earlier one, as a user trying them in order would have run it.
SETUP = {
    "qualcode import transcripts/pros-a-01.docx --role prosecutor --site A --attr mode=virtual":
        ("qualcode transcripts remove pros-a-01 --yes",),
    "qualcode transcripts restore le-h-01": ("qualcode transcripts remove le-h-01 --yes",),
    "qualcode codebook import codebook.qdc -o codebooks/imported.yaml":
        ("qualcode codebook export --format qdc -o codebook.qdc",),
    "qualcode untag vsp-a-01 12 referral.law_enforcement --coder alice":
        ("qualcode tag vsp-a-01 12 referral.law_enforcement --coder alice",),
    "qualcode redo --coder alice": ("qualcode tag vsp-a-01 12 referral.law_enforcement --coder alice",
                                    "qualcode undo --coder alice"),
    "qualcode suggest predict": ("qualcode suggest train --from alice",),
    "QUALCODE_CODER=lead qualcode sample delete pilot": (EXAMPLES["sample create"][0],),
    "qualcode sample redraw pilot --seed 7": (EXAMPLES["sample create"][0],),
    "QUALCODE_CODER=lead qualcode sample close pilot": (EXAMPLES["sample create"][0],),
    "qualcode import-project reports/study.qdpx": ("qualcode export qdpx -o reports/study.qdpx",),
    "qualcode merge alice.qcb": ("qualcode export coder alice -o alice.qcb",),
}
# Examples that refuse on a scratch copy of the example study, and the refusal.
REFUSALS: dict[str, str | tuple[str, ...]] = {
    # HOST stands for the team's server; without the PostgreSQL extra the driver is missing first.
    "qualcode db copy --to 'postgresql+psycopg://HOST/qualcode?options=-csearch_path%3Decm'": (
        "Cannot connect to postgresql+psycopg://HOST/", "The database URL needs the Python driver 'psycopg'"),
    "qualcode db grant alice": "'db grant' needs a PostgreSQL database",  # the study is on SQLite
    "qualcode db grant alice --check": "'db grant' needs a PostgreSQL database",
}
# Commands whose examples are not run here, and why.
NOT_RUN = {
    "demo": "runs the whole example study (~15 s); tests/cli/test_demo.py runs it end to end",
    "code": "opens the full-screen coding screen; tests/tui drive it headless",
}
# What an interactive example is answered (reconcile asks per disagreement).
ANSWERS = {"qualcode reconcile --coders alice,bob --into consensus": "quit\n"}


def unique_examples() -> list[str]:
    seen: dict[str, None] = {}
    for path, examples in EXAMPLES.items():
        if path.split()[0] not in NOT_RUN:
            seen.update(dict.fromkeys(examples))
    return list(seen)


@pytest.fixture(scope="module")
def example_study(tmp_path_factory):
    """The example study as ``qualcode demo`` leaves it (SQLite, prepared once)."""
    if not (REPO / "transcripts" / "manifest.csv").is_file():
        pytest.skip("the example study (transcripts/manifest.csv) is not in this checkout")
    from qualcode.coding.autocode import autocode
    from qualcode.demo import (
        MACHINE_CODER,
        design_step,
        double_coding_step,
        import_example_transcripts,
        prepare_demo_project,
    )

    project = prepare_demo_project(REPO, tmp_path_factory.mktemp("example") / "study")
    import_example_transcripts(project)
    autocode(project, as_coder=MACHINE_CODER)
    drawn = double_coding_step(project)  # draws, loads and closes double-coding
    design_step(project, drawn.sample)  # alice and bob assigned, as the demo does
    project.close()
    return project.root


def run_example(example: str, *, input: str | None = None):
    words = shlex.split(example)
    env = {}
    while "=" in words[0]:  # an environment assignment before the command
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    return runner.invoke(app, words[1:], env=env, input=input)


@pytest.mark.sqlite_only
@pytest.mark.parametrize("example", unique_examples())
def test_example_runs_on_the_example_study(example_study, example, tmp_path, monkeypatch):
    study = tmp_path / "study"
    shutil.copytree(example_study, study)
    monkeypatch.chdir(study)  # examples find the project from the working directory
    monkeypatch.delenv("QUALCODE_CODER", raising=False)
    monkeypatch.delenv("QUALCODE_PROJECT", raising=False)
    for step in SETUP.get(example, ()):
        done = run_example(step)
        assert done.exit_code == 0, f"setup {step!r}: {done.output}"
    result = run_example(example, input=ANSWERS.get(example))
    if example in REFUSALS:
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        expected = REFUSALS[example]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        assert result.output.startswith(tuple(f"Error: {e}" for e in allowed)) and result.output.count("\n") == 1
    else:
        assert result.exit_code == 0, f"{example!r} failed: {result.output[-2000:]}"


def test_the_lists_name_real_examples():
    examples = set(unique_examples())
    assert set(SETUP) <= examples and set(REFUSALS) <= examples and set(ANSWERS) <= examples
    assert set(NOT_RUN) <= {path.split()[0] for path in EXAMPLES}
