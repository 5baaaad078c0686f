"""A fresh ``qualcode search`` process loads only what the search path needs (issue 23:
the first page of a fresh process within a second on a busy machine).

Each case runs the real command in a subprocess (as tests/cli/test_fast_start.py does)
and lists which of the slow or unneeded modules were imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from qualcode.search.index import refresh
from tests.search.study import build_study

# Never on the search path: spaCy's pipeline (search keys words from the lookup table),
# the autocoder's runner and its store, blind coding, the coding session, Word, Textual.
UNNEEDED = ("spacy", "sklearn", "pandas", "docx", "matplotlib", "textual",
            "qualcode.coding.autocode.runner", "qualcode.coding.autocode.stored", "qualcode.coding.blind",
            "qualcode.coding.session")

SCRIPT = """
import json, sys
from qualcode.cli.app import app
try:
    app(args=sys.argv[1:], prog_name="qualcode")
except SystemExit as exit:
    code = exit.code
print(json.dumps([code, sorted(m for m in {unneeded!r} if m in sys.modules)]))
"""


def loaded(root, args) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(unneeded=UNNEEDED), "-p", str(root), *args],
                          capture_output=True, text=True, timeout=120, env={"COLUMNS": "100", **_env()})
    assert done.returncode == 0, done.stderr
    code, modules = json.loads(done.stdout.strip().splitlines()[-1])
    return code, modules


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)


@pytest.mark.parametrize("args", [["search", "housing"], ["search", "housing", "--count"],
                                  ["search", "three years", "--phrase", "--json"]])
def test_a_search_on_a_fresh_index_imports_nothing_it_does_not_need(project, args):
    build_study(project)
    refresh(project)
    code, modules = loaded(project.root, args)
    assert code in (0, None)
    assert modules == []


def test_the_first_search_after_an_import_indexes_without_spacy(project):
    """Building the index keys words from the lookup table too: no spaCy pipeline."""
    build_study(project)
    code, modules = loaded(project.root, ["search", "housing"])
    assert code in (0, None)
    assert "spacy" not in modules
