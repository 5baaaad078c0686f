"""The ``qualcode`` command: a typer app whose commands are thin wrappers over the core.

Every QualcodeError raised by a command becomes one line on stderr
(``Error: <location>: <message>``) and exit code 1, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

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
            for problem in error.problems or [error]:
                click.echo(f"Error: {problem}", err=True)
            ctx.exit(1)
        except QualcodeError as error:
            click.echo(f"Error: {error}", err=True)
            ctx.exit(1)
        except Exception as error:
            from sqlalchemy.exc import DBAPIError

            if not isinstance(error, DBAPIError):
                raise
            # never a traceback: it would show the statement and its values
            click.echo(f"Error: the database refused the command: {database_reason(error)}", err=True)
            ctx.exit(1)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # keep registration order in --help


app = typer.Typer(
    cls=QualcodeGroup,
    help="qualcode: qualitative interview coding in the terminal.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    project: Annotated[
        Path | None,
        typer.Option("-p", "--project", help="Project folder (default: found from the working directory)."),
    ] = None,
) -> None:
    from qualcode.cli.common import State

    ctx.obj = State(project)


# Command modules in --help order. Any other module in qualcode/cli with a
# register(app) function is registered after these, so adding a command group
# needs no edit here.
COMMAND_ORDER = (
    "project", "transcripts", "codebook", "coding", "codings_io", "code", "autocode",
    "agreement", "tally", "quotes", "interop", "team",
)


def _register() -> None:
    import importlib
    import pkgutil

    import qualcode.cli as package

    found = {m.name for m in pkgutil.iter_modules(package.__path__)}
    names = [n for n in COMMAND_ORDER if n in found] + sorted(found - set(COMMAND_ORDER))
    for name in names:
        module = importlib.import_module(f"qualcode.cli.{name}")
        if hasattr(module, "register"):
            module.register(app)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
