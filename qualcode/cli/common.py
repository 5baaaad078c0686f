"""Helpers every CLI module uses: the project from the context, consoles, JSON output."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from qualcode.project import Project


TERMINAL_ENV = ("COLUMNS", "LINES", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "FORCE_COLOR", "NO_COLOR", "TERM")


class LazyConsole:
    """A rich Console created on first use, so that `qualcode CMD --help` never imports rich."""

    def __init__(self, **options: Any) -> None:
        object.__setattr__(self, "_options", options)
        object.__setattr__(self, "_console", None)
        object.__setattr__(self, "_columns", None)

    def real(self):
        # made again when the terminal settings change (rich reads them once, when a
        # Console is made); in one real run they never do, in tests they do
        columns = tuple(os.environ.get(name) for name in TERMINAL_ENV)
        if self._console is None or self._columns != columns:
            from rich.console import Console

            object.__setattr__(self, "_console", Console(**self._options))
            object.__setattr__(self, "_columns", columns)
        return self._console

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.real(), name, value)


# Typed as the Console they stand in for: every attribute is the real console's.
console = cast("Console", LazyConsole(highlight=False))
err_console = cast("Console", LazyConsole(stderr=True, highlight=False))


class PlainLines:
    """``console.print`` of plain lines without rich (importing it is ~25 ms of a ~0.3 s
    ``qualcode tag``): for messages that are short, fixed-format and free of markup."""

    def print(self, text: str, **_rich_options: Any) -> None:
        typer.echo(text)


plain = PlainLines()


class State:
    """What the root callback parsed: -p/--project and -q/--quiet."""

    def __init__(self, project_dir: Path | None, quiet: bool = False) -> None:
        self.project_dir = project_dir
        self.quiet = quiet  # no progress bars
        self._project: Project | None = None

    def project(self) -> Project:
        from qualcode.project import Project

        if self._project is None:
            if self.project_dir is not None:
                self._project = Project.open(self.project_dir)
            else:
                self._project = Project.find()
        return self._project


def project_of(ctx: typer.Context) -> Project:
    """The project this command runs in (found by walking up, or -p/--project)."""
    state = ctx.find_root().obj
    if not isinstance(state, State):
        state = State(None)
        ctx.find_root().obj = state
    return state.project()


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, stable key order as given."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(message: str) -> NoReturn:
    """Report a usage problem found by the CLI itself and exit 1."""
    err_console.print(f"Error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(1)
