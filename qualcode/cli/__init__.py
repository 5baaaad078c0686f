"""Command-line interface (typer). Thin: parse, call one core function, render."""

import gc

# A command's start-up (typer, SQLAlchemy, our modules, the store's tables, the codebook)
# allocates some 85,000 container objects that live as long as the process. At Python's
# thresholds (700, 10, 10) the cyclic collector walks them ~120 times on the way (each
# middle pass every object since the last, a full pass all of them): 11 % of a whole
# coding action's instructions and more of its CPU on a loaded machine, for no garbage
# (issue 21, docs/performance.md). So the command-line process starts with
# a young threshold above what start-up allocates: a short command is never collected. The
# first collection (a long command, past start-up) freezes what is alive then, the start-up
# heap (later passes skip it, as the coding screen does for its own, tui/app.py), and puts
# Python's thresholds back for the rest of the command. The count is of objects allocated
# and not yet freed; what reference counting frees never counts, so at most this many
# objects of cyclic garbage can wait, and those made before the first collection are
# frozen with the rest until the process ends (start-up makes few: a few MB at worst).
START_UP_THRESHOLD = 100_000
PYTHON_THRESHOLDS = gc.get_threshold()  # as the interpreter started (the library and tests keep them)


def collect_less() -> None:
    """The command-line process's collector until its start-up is over (see above); called first thing."""
    if _end_of_start_up not in gc.callbacks:
        gc.callbacks.append(_end_of_start_up)
    gc.set_threshold(START_UP_THRESHOLD, *PYTHON_THRESHOLDS[1:])


def collect_as_python_does() -> None:
    """Python's own thresholds now (the coding screen tunes its collector from them)."""
    if _end_of_start_up in gc.callbacks:
        gc.callbacks.remove(_end_of_start_up)
    gc.set_threshold(*PYTHON_THRESHOLDS)


def _end_of_start_up(phase: str, _info: dict) -> None:
    # Called as a collection starts: what it would walk is frozen first, so it has nothing to do.
    # (Leaving gc.callbacks while Python runs them skips the next one, once; the command
    # line registers no other.)
    if phase == "start":
        gc.freeze()
        collect_as_python_does()
