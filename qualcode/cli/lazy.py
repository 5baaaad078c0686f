"""Lazy command loading: ``qualcode tag ...`` imports only the module that defines ``tag``.

Each command module in ``qualcode/cli`` has a ``register(app)`` function that adds its
commands to a typer app. The root group does not call them up front; it reads the
static table in :mod:`qualcode.cli.catalog` (command name -> the modules that build it,
and its one-line help) and calls ``register`` for just those modules when a command is
asked for. ``qualcode --help`` therefore imports no command module at all.

The table is generated (``python -m qualcode.cli.reference --write``) and a test
fails when it drifts. Until it is regenerated nothing breaks, only start-up is slower:
a module the table does not know yet is imported for every listing, and a command
name the table does not know makes every module load.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from typer import _click as click  # the copy typer carries (see below)
else:
    # typer >= 0.29 carries its own copy of click (typer._click) and no longer imports
    # click itself; using that copy keeps the real click (~0.1 s) out of start-up.
    click = getattr(typer, "_click", None) or importlib.import_module("click")

# Command modules in registration (and so --help) order; any other module with a
# register(app) function is registered after these, in name order.
COMMAND_ORDER = (
    "project", "transcripts", "codebook", "coding", "codings_io", "code", "autocode",
    "agreement", "tally", "quotes", "interop", "team",
)
# Modules of the package that hold no commands (never imported by the loader).
NOT_COMMANDS = frozenset({"__init__", "__main__", "app", "lazy", "coercion", "catalog", "reference", "common", "conventions", "examples", "tables", "progress"})


class Loader:
    """Registers command modules into one scratch typer app, each module once.

    Once per process because a module's register may add to another module's
    typer (``codings_io`` adds ``codings import``); doing it twice would repeat them.
    """

    def __init__(self) -> None:
        self.scratch = typer.Typer(rich_markup_mode=None, add_completion=False)
        self.registered: list[str] = []
        self.group: typer.core.TyperGroup | None = None

    def load(self, modules):
        """The group of every command the modules define (each one built)."""
        if self.register(modules) or self.group is None:
            self.group = typer.main.get_group(self.scratch)
        return self.group

    def command(self, modules, name: str):
        """Command ``name`` from the modules, building only it: typer builds a command by
        reading its function's signature, and a module holds up to a dozen commands."""
        self.register(modules)
        only = typer.Typer(rich_markup_mode=None, add_completion=False)
        only.registered_commands = [c for c in self.scratch.registered_commands if _name(c) in (name, None)]
        only.registered_groups = [g for g in self.scratch.registered_groups if _name(g) in (name, None)]
        return typer.main.get_group(only).commands.get(name)

    def register(self, modules) -> list[str]:
        new = [name for name in modules if name not in self.registered]
        for name in new:
            module = importlib.import_module(f"qualcode.cli.{name}")
            if hasattr(module, "register"):
                module.register(self.scratch)
            self.registered.append(name)
        return new


def _name(info) -> str | None:
    """The name a registered command or group gets, when it is plain to see (None: unsure)."""
    if isinstance(info.name, str):
        return info.name
    if getattr(info, "callback", None) is not None:
        return typer.main.get_command_name(info.callback.__name__)
    group = getattr(info, "typer_instance", None)
    named = getattr(getattr(group, "info", None), "name", None)
    return named if isinstance(named, str) else None


def cli_modules() -> list[str]:
    """Every module of qualcode.cli that may hold commands, in registration order."""
    import qualcode.cli as package

    found = {m.name for m in pkgutil.iter_modules(package.__path__)} - NOT_COMMANDS
    return [n for n in COMMAND_ORDER if n in found] + sorted(found - set(COMMAND_ORDER))


_loader = Loader()


def loader() -> Loader:
    return _loader


def unknown_modules() -> list[str]:
    """Command modules the generated table does not know yet (added since it was made)."""
    from qualcode.cli.catalog import KNOWN_MODULES

    return [name for name in cli_modules() if name not in KNOWN_MODULES]


def resolve(name: str):
    """The click command called ``name``, importing only the modules the table names."""
    from qualcode.cli.catalog import COMMANDS

    entry = COMMANDS.get(name)
    command = _loader.command(entry[0] if entry else cli_modules(), name)
    if command is None and entry is not None:  # the table is stale: load everything
        command = _loader.load(cli_modules()).commands.get(name)
    return command


def command_names() -> list[str]:
    """Every top-level command name: the table's, then any from modules it does not know."""
    from qualcode.cli.catalog import COMMANDS

    names = list(COMMANDS)
    extra = unknown_modules()
    if extra:
        names += [n for n in _loader.load(extra).commands if n not in COMMANDS]
    return names
