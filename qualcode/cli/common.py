"""Helpers every CLI module uses: the project from the context, consoles, JSON output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from qualcode.project import Project

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class State:
    """What the root callback parsed: the -p/--project option."""

    def __init__(self, project_dir: Path | None) -> None:
        self.project_dir = project_dir
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


def fail(message: str) -> None:
    """Report a usage problem found by the CLI itself and exit 1."""
    err_console.print(f"Error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(1)
