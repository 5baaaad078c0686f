"""Command-line interface (typer). Thin: parse, call one core function, render."""

import gc

# Python's cyclic collector at its defaults (700, 10, 10) during a command's start-up:
# typer, SQLAlchemy, our modules and the store's tables are some 300,000 objects that live
# as long as the process, and the collector passes over them again and again on the way
# (each middle pass walks every object since the last, each full pass all of them):
# 10-20 % of a whole coding action's CPU, for no garbage (issue 21). The count that
# starts a pass is of objects allocated and not yet freed, and what a command allocates
# after start-up is almost all freed by reference counting, so a higher young threshold
# changes little else: at most this many objects of cyclic garbage wait (a few MB).
YOUNG_THRESHOLD = 50_000
PYTHON_THRESHOLDS = gc.get_threshold()  # as the interpreter started (the library and tests keep them)


def collect_less() -> None:
    """The command-line process's collector thresholds (see above); called first thing."""
    gc.set_threshold(YOUNG_THRESHOLD, *PYTHON_THRESHOLDS[1:])


def collect_as_python_does() -> None:
    """Python's own thresholds again: for the coding screen, which tunes its collector from those."""
    gc.set_threshold(*PYTHON_THRESHOLDS)
