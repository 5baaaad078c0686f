"""The command-line process's cyclic collector (qualcode/cli/__init__.py, issue 21): no
collection during start-up, the start-up heap frozen at the first one, Python's thresholds
back after it and for the coding screen."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

import pytest

from qualcode.cli import PYTHON_THRESHOLDS, START_UP_THRESHOLD, collect_as_python_does, collect_less

# Collections are counted from the first import of qualcode on; ``python -m qualcode``.
SPY = """
import gc, json, runpy, sys
seen = []
gc.callbacks.append(lambda phase, info: seen.append(info["generation"]) if phase == "start" and "qualcode" in sys.modules else None)
sys.argv = ["qualcode", *sys.argv[1:]]
try:
    runpy.run_module("qualcode", run_name="__main__", alter_sys=True)
except SystemExit as stop:
    assert not stop.code, stop.code
print(json.dumps({"collections": seen, "threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def spy(cwd, args) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "QUALCODE_QUIET"}
    done = subprocess.run([sys.executable, "-c", SPY, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env=environ)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def python_collector():
    """Whatever a test does to this process's collector is undone."""
    yield
    collect_as_python_does()
    gc.unfreeze()
    assert gc.get_threshold() == PYTHON_THRESHOLDS


@pytest.mark.coders("ana")
def test_a_coding_action_never_walks_its_start_up(project, interview):
    """Python's thresholds collect a `tag` ~120 times (10 middle passes and a full one over
    start-up's objects). Now: a few young passes, none over the older generations; on
    SQLite start-up stays under the threshold (never collected, nothing frozen); a
    server's driver takes it past, and the one collection there freezes start-up."""
    tag = ["tag", "vsp-1", "2", "referral.hotline", "--coder", "ana"]
    on_sqlite = "QUALCODE_DATABASE_URL" not in os.environ
    for args in (tag, ["undo", "--coder", "ana"]):
        seen = spy(project.root, args)
        assert set(seen["collections"]) <= {0}, seen
        # 6 before the thresholds are set (importing qualcode/__init__'s dataclasses)
        assert len(seen["collections"]) <= 20, seen
        if on_sqlite:
            assert seen["threshold"] == [START_UP_THRESHOLD, *PYTHON_THRESHOLDS[1:]]
            assert seen["frozen"] == 0
        else:
            assert seen["threshold"] == list(PYTHON_THRESHOLDS) and seen["frozen"] > 50_000


def test_the_first_collection_freezes_start_up_and_gives_back_pythons_thresholds(python_collector):
    collect_less()
    collect_less()  # idempotent: one callback
    assert gc.get_threshold() == (START_UP_THRESHOLD, *PYTHON_THRESHOLDS[1:])
    assert sum(callback.__name__ == "_end_of_start_up" for callback in gc.callbacks) == 1
    alive = [[n] for n in range(1000)]  # noqa: F841 (kept alive through the collection)
    gc.collect(0)
    assert gc.get_threshold() == PYTHON_THRESHOLDS
    assert gc.get_freeze_count() >= 1000
    assert not any(callback.__name__ == "_end_of_start_up" for callback in gc.callbacks)


def test_cyclic_garbage_is_still_collected_after_start_up(python_collector):
    collect_less()
    gc.collect()  # the end of start-up
    cycle: list = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1  # a collection as Python makes them, frozen objects aside


def test_the_coding_screen_gets_pythons_thresholds(python_collector):
    """tui/app.py tunes its collector from the thresholds it finds and restores them after."""
    collect_less()
    collect_as_python_does()
    assert gc.get_threshold() == PYTHON_THRESHOLDS
    assert not any(callback.__name__ == "_end_of_start_up" for callback in gc.callbacks)
