"""`qualcode --help` and `qualcode transcripts list` load no heavy library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("spacy", "sklearn", "pandas", "docx", "matplotlib", "textual")

SCRIPT = """
import json, sys
from qualcode.cli.app import app
try:
    app(args=sys.argv[1:], prog_name="qualcode")
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize("args", [["--help"], ["transcripts", "list"], ["transcripts", "list", "--json"]])
def test_no_heavy_imports(project, args):
    code = SCRIPT.format(heavy=HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=project.root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == []
