"""Start-up: `qualcode --help` imports no command module and no heavy library;
`qualcode tag ...` imports only the module that defines `tag`; the lazy group's
generated catalog matches the app."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import INTERVIEW, add_transcript

HEAVY = ("spacy", "sklearn", "pandas", "numpy", "docx", "matplotlib", "textual", "sqlalchemy", "pydantic", "rich",
         "yaml", PG_DIALECT := "sqlalchemy.dialects.postgresql")
COMMAND_MODULES = ("project", "transcripts", "codebook", "coding", "codings_io", "code", "autocode",
                   "agreement", "tally", "quotes", "interop", "team", "demo")

SCRIPT = """
import json, sys
from qualcode.cli.app import app
try:
    app(args=sys.argv[1:], prog_name="qualcode")
except SystemExit:
    pass
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
cli = sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("qualcode.cli.") and m.rsplit(".", 1)[1] in {modules!r})
print(json.dumps([heavy, cli]))
"""


def run_and_list(cwd, args, env: dict[str, str] | None = None) -> tuple[list[str], list]:
    """What the command printed (stdout and stderr lines) and the modules it loaded."""
    code = SCRIPT.format(heavy=HEAVY, modules=COMMAND_MODULES)
    environ = {k: v for k, v in os.environ.items() if k != "QUALCODE_QUIET"} | (env or {})
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env=environ)
    assert done.returncode == 0, done.stderr
    *printed, modules = done.stdout.strip().splitlines()
    return printed + done.stderr.splitlines(), json.loads(modules)


def loaded(cwd, args):
    return run_and_list(cwd, args)[1]


def the_store(database_server) -> list[str]:
    """What opening the store loads: SQLAlchemy, and its PostgreSQL dialect only on PostgreSQL
    (store.lateral builds its PostgreSQL statements on first use, not at import)."""
    return ["sqlalchemy", PG_DIALECT] if database_server else ["sqlalchemy"]


@pytest.mark.parametrize(
    ("args", "heavy", "modules"),
    [
        (["--help"], [], []),
        (["--version"], [], []),
        (["tag", "--help"], [], ["coding"]),
        (["codings", "--help"], [], ["coding", "codings_io"]),
        (["db", "--help"], [], ["team"]),
        # a table is printed with rich; plain values are coerced without typer's pydantic
        (["transcripts", "list"], ["rich", "store"], ["transcripts"]),
        (["transcripts", "list", "--json"], ["store"], ["transcripts"]),
    ],
)
def test_imports_only_what_the_command_needs(project, database_server, args, heavy, modules):
    heavy = sorted(m for name in heavy for m in (the_store(database_server) if name == "store" else [name]))
    assert loaded(project.root, args) == [heavy, modules]


@pytest.mark.coders("ana")
@pytest.mark.parametrize(("where", "env"), [([], {}), (["-p", "."], {}), ([], {"QUALCODE_QUIET": "1"})])
def test_one_coding_action_imports_only_the_store(project, interview, database_server, where, env):
    """A whole `qualcode tag` (and its undo) loads SQLAlchemy to write, and neither pydantic
    (typer's coercion of the given values, QUALCODE_QUIET=1's text included) nor rich (its
    few plain lines) nor any analysis library."""
    tag = ["tag", "vsp-1", "2", "referral.hotline", "--coder", "ana", "--text", "the hotline"]
    assert project.codebook  # an earlier command parsed the codebook: its cache spares this one PyYAML
    for args, line in ((tag, "+ referral.hotline [64:75] (coding 1)"), (["undo", "--coder", "ana"], "- referral.hotline [64:75] (coding 1)")):
        assert run_and_list(project.root, [*where, *args], env) == ([line], [the_store(database_server), ["coding"]])


@pytest.mark.parametrize("env", [{}, {"QUALCODE_QUIET": "1"}])
def test_an_import_imports_only_the_store(project, database_server, env):
    """`qualcode import`, piped or quiet, decides on its progress bar and prints its report
    without rich, and reads QUALCODE_QUIET=1 without pydantic (together ~0.1 s of a
    200-file import)."""
    (project.root / "vsp-9.txt").write_text("Interviewer: Where from?\nRespondent: The hotline.\n", encoding="utf-8")
    assert project.codebook  # an earlier command parsed the codebook: its cache spares this one PyYAML
    printed, modules = run_and_list(project.root, ["import", "vsp-9.txt", "--role", "VSP", "--site", "A"], env)
    assert printed == ["vsp-9: imported (2 turns, 4 words)", "1 imported"]
    assert modules == [the_store(database_server), ["transcripts"]]


@pytest.mark.coders("ana")
def test_the_codebook_is_parsed_once_then_read_from_its_cache(project):
    """The first command after the codebook changes parses its YAML (PyYAML) and caches the
    result (qualcode.codebook.cache); the next ones read the cache, without PyYAML."""
    add_transcript(project, "vsp-1", "service_provider", INTERVIEW)
    tag = ["tag", "vsp-1", "2", "referral.hotline", "--coder", "ana"]
    (project.root / ".qualcode" / "codebook-cache.json").unlink(missing_ok=True)
    for edited in (False, True):
        if edited:  # a comment is enough: the cache is keyed by the text's sha256
            with project.codebook_path.open("a", encoding="utf-8") as codebook:
                codebook.write("\n# edited\n")
        for first in (True, False):
            printed, modules = run_and_list(project.root, tag)
            assert ("yaml" in modules[0]) is first, (edited, first)
            run_and_list(project.root, ["undo", "--coder", "ana"])


def test_catalog_is_current():
    from qualcode.cli.reference import CATALOG, catalog_source

    assert CATALOG.read_text(encoding="utf-8") == catalog_source(), (
        "qualcode/cli/catalog.py is out of date: run python -m qualcode.cli.reference --write"
    )


def test_a_module_the_catalog_does_not_know_is_still_picked_up(monkeypatch):
    """A new command module works before the catalog is regenerated (only more slowly)."""
    from qualcode.cli import catalog, lazy

    monkeypatch.setattr(catalog, "KNOWN_MODULES", tuple(m for m in catalog.KNOWN_MODULES if m != "team"))
    monkeypatch.setattr(catalog, "COMMANDS", {k: v for k, v in catalog.COMMANDS.items() if k != "db"})
    monkeypatch.setattr(lazy, "_loader", lazy.Loader())
    assert lazy.unknown_modules() == ["team"]
    assert "db" in lazy.command_names()
    assert lazy.resolve("db") is not None


def test_a_command_the_catalog_does_not_know_loads_every_module(monkeypatch):
    from qualcode.cli import catalog, lazy

    monkeypatch.setattr(catalog, "COMMANDS", {k: v for k, v in catalog.COMMANDS.items() if k != "merge"})
    monkeypatch.setattr(lazy, "_loader", lazy.Loader())
    assert lazy.resolve("merge") is not None
    assert lazy.resolve("no-such-command") is None


def test_catalog_is_the_same_after_commands_were_used():
    """Conventions wrap some callbacks; the catalog still names each command's own module."""
    from typer.testing import CliRunner

    from qualcode.cli.app import app
    from qualcode.cli.reference import CATALOG, catalog_source

    for name in ("tally", "crosstab", "quotes", "agreement"):
        CliRunner().invoke(app, [name, "--help"])
    assert CATALOG.read_text(encoding="utf-8") == catalog_source()
