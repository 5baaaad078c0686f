"""The ``qualcode`` command: a typer app whose commands are thin wrappers over the core.

Every QualcodeError raised by a command becomes one line on stderr
(``Error: <location>: <message>``) and exit code 1, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from qualcode.cli import coercion, collect_less
from qualcode.cli.lazy import click
from qualcode.errors import QualcodeError, ValidationFailed


def database_reason(error) -> str:
    """The server's one-line reason, without the statement, its values or DETAIL lines
    (PostgreSQL's DETAIL can quote a failing row, which may hold transcript text)."""
    original = error.orig
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None)
    state = getattr(original, "sqlstate", None)
    reason = primary or (str(original).strip().splitlines() or [type(original).__name__])[0]
    return f"{reason[:200]}{f' (SQLSTATE {state})' if state else ''}; nothing was changed"


class QualcodeGroup(TyperGroup):
    """Root group: turns QualcodeError into a one-line message and exit code 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ValidationFailed as error:
            problems: list[object] = [*error.problems] or [error]
            for problem in problems:
                click.echo(f"Error: {problem}", err=True)
            ctx.exit(1)
        except QualcodeError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)
        except Exception as error:
            if "sqlalchemy" not in sys.modules:  # then it cannot be a database error
                raise
            from sqlalchemy.exc import DBAPIError

            if not isinstance(error, DBAPIError):
                raise
            # never a traceback: it would show the statement and its values
            click.echo(f"Error: the database refused the command: {database_reason(error)}", err=True)
            ctx.exit(1)

    # -- lazy loading: commands are built on demand from the generated catalog --

    def list_commands(self, ctx: click.Context) -> list[str]:
        from qualcode.cli.lazy import command_names

        return command_names()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commands = LazyCommands(self.commands)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        coercion.install(self.get_params(ctx))  # all of them by now: --help and completion too
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        try:
            return self.commands[name]
        except KeyError:
            return None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Commands grouped by who uses them, with help from the catalog (no imports)."""
        from qualcode.cli.catalog import COMMANDS

        listed = {}
        for name in self.list_commands(ctx):
            if name in COMMANDS and name not in self.commands:
                _, text, hidden = COMMANDS[name]
            else:
                command = self.get_command(ctx, name)
                assert command is not None, "a listed command loads"
                text, hidden = (command.short_help or (command.help or "").split("\n\n")[0]), command.hidden
            if not hidden:
                listed[name] = " ".join(text.split())
        if not listed:
            return
        limit = formatter.width - 6 - max(map(len, listed))
        for panel, names in panels(listed):
            rows = [(n, click.utils.make_default_short_help(listed[n], limit)) for n in names]
            with formatter.section(panel):
                formatter.write_dl(rows)


class LazyCommands(dict):
    """The root group's name -> command map, filled on first lookup (``group.commands["tag"]``
    works as with an eager group; iterating shows only the commands loaded so far)."""

    def __missing__(self, name: str):
        from qualcode.cli.conventions import apply_conventions
        from qualcode.cli.lazy import resolve

        command = resolve(name)
        if command is None:
            raise KeyError(name)
        self[name] = apply_conventions(command, (name,))
        coercion.install_everywhere(self[name])
        return self[name]


# Who uses which command, as the README's table says; --help lists them in these panels.
PERSONAS = (
    ("Setup (a lead setting up a study)", ("init", "demo", "import", "transcripts", "codebook", "coders", "lead")),
    ("Coding", ("code", "tag", "untag", "undo", "redo", "codings", "autocode", "suggest", "progress", "log")),
    ("Reliability", ("assign", "unassign", "sample", "agreement", "disagreements", "reconcile")),
    ("Writing", ("analysis-set", "search", "query", "matrix", "tally", "crosstab", "quotes", "report")),
    ("Exchange (other tools and coders)", ("export", "import-project", "merge")),
    ("Team (PostgreSQL)", ("db",)),
)


def panels(names) -> list[tuple[str, list[str]]]:
    """(panel title, command names) in PERSONAS order; unassigned commands go last."""
    out, seen = [], set()
    for title, members in PERSONAS:
        present = [n for n in members if n in names]
        seen.update(present)
        if present:
            out.append((title, present))
    rest = [n for n in names if n not in seen]
    if rest:
        out.append(("Other commands", rest))
    return out


def _version(value: bool) -> None:
    if value:
        from qualcode import __version__

        click.echo(f"qualcode {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=QualcodeGroup,
    help="qualcode: qualitative interview coding in the terminal.",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    project: Annotated[
        Path | None,
        typer.Option(
            "-p", "--project", envvar="QUALCODE_PROJECT",
            help="Project folder (default: found from the working directory). Also accepted after the command.",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("-q", "--quiet", envvar="QUALCODE_QUIET", help="No progress bars.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    from qualcode.cli.common import State

    ctx.obj = State(project, quiet)


def main() -> None:
    collect_less()  # the console script imported this module first; the command's imports still gain
    app()


if __name__ == "__main__":
    main()
