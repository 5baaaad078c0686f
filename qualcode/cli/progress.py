"""Progress bars for long work: on a terminal only, never when piped or with --quiet.

Core functions report progress through a plain callback ``progress(done, total)``; this
module turns it into a rich progress bar on stderr, so that stdout (JSON, tables) stays
clean and a pipe or a log file gets nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Advance = Callable[[int, int], None]


def quiet() -> bool:
    """Whether the root ``-q/--quiet`` option (or QUALCODE_QUIET) asked for no progress."""
    from qualcode.cli.common import State
    from qualcode.cli.lazy import click

    ctx = click.globals.get_current_context(silent=True)
    state = ctx.find_root().obj if ctx is not None else None
    return bool(getattr(state, "quiet", False)) if isinstance(state, State) else False


def shown() -> bool:
    if quiet() or not _may_be_terminal():
        return False  # decided without importing rich (~50 ms of a 200-file import)
    from qualcode.cli.common import err_console

    return err_console.is_terminal


def _may_be_terminal() -> bool:
    """False only where rich's ``Console.is_terminal`` is False too: stderr is no tty and
    neither of the variables that override that (TTY_COMPATIBLE, FORCE_COLOR) is set."""
    if "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no stderr, or a closed one
        return False


@contextmanager
def progress_bar(description: str, unit: str = "") -> Iterator[Advance]:
    """Yields ``advance(done, total)``; a transient bar on stderr when it is a terminal."""
    if not shown():
        yield lambda done, total: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from qualcode.cli.common import err_console

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    columns += [TextColumn(unit)] if unit else []
    with Progress(*columns, TimeRemainingColumn(), console=err_console.real(), transient=True) as bar:  # type: ignore[attr-defined]  # a LazyConsole
        tasks: list[Any] = []  # made at the first call, so that the bar never shows an unknown total

        def advance(done: int, total: int) -> None:
            if not tasks:
                tasks.append(bar.add_task(description, total=total))
            bar.update(tasks[0], completed=done, total=total, refresh=True)  # calls are seconds apart

        yield advance
