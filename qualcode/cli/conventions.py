"""Conventions every command gets without editing its module.

The root group passes each command it loads through :func:`apply_conventions`, which
adds to the command and all its subcommands:

- ``-p/--project DIR`` after the command name too (``qualcode tag ... -p study``);
- ``QUALCODE_CODER`` as the default of ``--coder`` where ``--coder`` names who acts;
- ``-o/--output FILE`` creates the file's missing folders;
- an "Examples" paragraph at the end of --help, from :mod:`qualcode.cli.examples`.

The rules are written down in docs/cli.md (the first part of :data:`CONVENTIONS_MD`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.lazy import click

# Commands whose --coder is the person acting (their codings, their undo stack);
# elsewhere --coder selects whose codings to read, and an environment variable
# silently narrowing a tally or an export would be wrong.
ACTING_CODER = frozenset({
    ("tag",), ("untag",), ("undo",), ("redo",), ("code",),
})

# Old spellings that still parse but are hidden from --help, with the one to use. The
# new spelling is added where missing only for --codes (one code, named in the plural);
# --coders stays where it names the pair compared (agreement, disagreements, reconcile).
OLD_SPELLINGS = {"--codes": "--code", "--coders": "--coder", "--transcripts": "--transcript"}
ADDED_SPELLINGS = frozenset({"--codes"})

# Commands that do not run inside a project (so -p after them would mean nothing).
NO_PROJECT = frozenset({("init",), ("demo",)})

CONVENTIONS_MD = """\
# The command line

`qualcode` is one command with subcommands (`qualcode --help` lists them by who uses
them: setup, coding, reliability, writing, exchange, team). Every command's `--help`
ends with examples that run on the example study (`qualcode demo --workdir DIR` makes
a copy to try them on; `tests/cli/test_examples_run.py` runs every one of them).

## Conventions

| concept | convention |
|---|---|
| the project | found by walking up from the working directory to `qualcode.toml`; `-p/--project DIR` before **or after** the command; `QUALCODE_PROJECT` |
| the coder acting | `--coder NAME` on `tag`, `untag`, `undo`, `redo` and `code`; `QUALCODE_CODER` gives its default. Elsewhere `--coder` selects whose codings are read and has no environment default (so a tally never silently changes with your shell) |
| data on the terminal | a table or text for people; `--json` for programs (every command that prints data) |
| terminal width | a table that does not fit the terminal (or `COLUMNS`) becomes one block per row, every cell kept as `header value`; no number is cut to "…" or dropped (tested at 80, 100 and 160 columns); piped output gets the whole table |
| files | `-o/--output FILE` writes a file and creates its missing folders; `--format` names the file format when the suffix does not say it |
| several values | a singular option, repeated where it takes several (`--role A --role B`); old plural spellings (`--codes`; `--coders` and `--transcripts` on `export qdpx`) still work but are hidden from --help. `--coders A,B` names the pair of coders compared (one value) |
| errors | one line `Error: ...` on stderr, exit code 1, nothing changed |
| long work | a progress bar on stderr when it is a terminal (import, autocode, suggest train, export qdpx, report); nothing when piped or with `-q/--quiet` (`QUALCODE_QUIET=1`) |
| version | `qualcode --version` |

## Shell completion

```bash
qualcode --install-completion              # bash, zsh, fish or PowerShell: detected from $SHELL
qualcode --show-completion bash > FILE     # or print the script and source it yourself
```

Commands, subcommands and options complete after a new shell starts.

## Start-up

`qualcode --help` and `qualcode tag ...` import only what they need: the root group
reads a generated table of commands (`qualcode/cli/catalog.py`) and imports a command's
module when the command is used, building only that command; plain values (text,
numbers, paths, flags) are coerced without typer's pydantic (`qualcode/cli/coercion.py`),
and a coding action prints its lines without rich. After adding or renaming a command run
`python -m qualcode.cli.reference --write` (a test says so when it is needed); a new
module in `qualcode/cli` with a `register(app)` function is picked up without it, only
more slowly. `benchmarks/bench_startup.py` measures start-up against `import typer`.
"""


def apply_conventions(command: click.Command, path: tuple[str, ...]) -> click.Command:
    """Add the shared options and examples to ``command`` and every subcommand below it."""
    from qualcode.cli.examples import EXAMPLES

    examples = EXAMPLES.get(" ".join(path))
    if examples and not command.epilog:
        command.epilog = "\b\nExamples:\n" + "\n".join(f"  {line}" for line in examples)
    if hasattr(command, "commands"):
        for name, sub in command.commands.items():
            apply_conventions(sub, (*path, name))
        return command
    taken = any({"-p", "--project"} & set(p.opts) or p.name == "project" for p in command.params)
    if path not in NO_PROJECT and not taken:
        command.params.append(project_option())
    _json_shorthand(command)
    for param in command.params:
        _hide_old_spellings(param)
        if param.name == "coder" and path in ACTING_CODER and not param.envvar:
            param.envvar = "QUALCODE_CODER"
            param.show_envvar = True  # type: ignore[attr-defined]  # --coder is an Option
        if param.param_type_name == "option" and "-o" in param.opts:
            param.callback = _make_folders(param.callback)
    return command


def _hide_old_spellings(param) -> None:
    """``--codes X`` keeps working but --help shows only ``--code X`` (one spelling per concept)."""
    opts = getattr(param, "opts", ())
    old = [o for o in opts if o in OLD_SPELLINGS and (OLD_SPELLINGS[o] in opts or o in ADDED_SPELLINGS)]
    if not old or param.param_type_name != "option":
        return
    for spelling in old:
        if OLD_SPELLINGS[spelling] not in param.opts:
            param.opts.insert(0, OLD_SPELLINGS[spelling])
    show = param.get_help_record

    def help_record(ctx):
        kept = param.opts
        param.opts = [o for o in kept if o not in OLD_SPELLINGS]
        try:
            return show(ctx)
        finally:
            param.opts = kept

    param.get_help_record = help_record


def _json_shorthand(command) -> None:
    """Give a command whose ``--format`` can print JSON the ``--json`` every data command has."""
    names = {o for p in command.params for o in getattr(p, "opts", ())}
    fmt = next((p for p in command.params if "--format" in getattr(p, "opts", ())), None)
    if fmt is None or "--json" in names or "json" not in (fmt.help or ""):
        return
    flag = _probe_option("json")
    command.params.append(flag)
    run = command.callback

    def callback(*args, **kwargs):
        if kwargs.pop(flag.name):
            if kwargs.get(fmt.name) not in (None, "json"):
                from qualcode.cli.common import fail

                fail(f"--json prints JSON; got --format {kwargs[fmt.name]} too (give one of them)")
            kwargs[fmt.name] = "json"
        return run(*args, **kwargs)

    command.callback = functools.update_wrapper(callback, run)  # keeps the command's own module


def project_option():
    return _probe_option("project")


def _probe_option(which: str):
    """An option built by typer (so it parses and renders like the rest), taken from a probe command."""
    import typer.main

    probe = typer.Typer(rich_markup_mode=None, add_completion=False)
    if which == "project":
        @probe.command()
        def command(
            project: Annotated[
                Path | None,
                typer.Option("-p", "--project", callback=_set_project, help="Project folder (same as qualcode -p DIR)."),
            ] = None,
        ) -> None:
            pass  # only its option is used
    else:
        @probe.command()
        def command(  # type: ignore[misc]  # one probe or the other: typer names the command after it
            qualcode_json_shorthand: Annotated[
                bool, typer.Option("--json", help="Print JSON on stdout (same as --format json).")
            ] = False,
        ) -> None:
            pass  # only its option is used

    option = typer.main.get_command(probe).params[0]
    option.expose_value = which != "project"
    return option


def _set_project(ctx: typer.Context, value: Path | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from qualcode.cli.common import State

    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(value)
    root.obj.project_dir = value
    root.obj._project = None


def _make_folders(callback):
    """Wrap an -o option's callback so that the file's missing folders are created first."""

    def create(ctx: click.Context, param: click.Parameter, value):
        if value is not None and not ctx.resilient_parsing and str(value) != "-":
            Path(value).expanduser().parent.mkdir(parents=True, exist_ok=True)
        return callback(ctx, param, value) if callback else value

    create.__wrapped__ = callback  # type: ignore[attr-defined]  # marks the wrapper (as functools.wraps does)
    return create
