"""``qualcode code``: the terminal coding screen (Textual, imported only when it runs)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli import collect_as_python_does
from qualcode.cli.common import console, project_of


def code(
    ctx: typer.Context,
    transcript: Annotated[
        str | None,
        typer.Argument(help="Transcript id; default: your next unfinished assigned transcript."),
    ] = None,
    coder: Annotated[str, typer.Option("--coder", help="Your coder name.", envvar="QUALCODE_CODER")] = "",
    screenshot: Annotated[
        Path | None,
        typer.Option(help="Render the screen without a terminal, save it as SVG to this file and exit."),
    ] = None,
    keys: Annotated[
        str,
        typer.Option(help="With --screenshot: keys to press first, comma-separated key names (e.g. 'n,s,slash')."),
    ] = "",
    size: Annotated[str, typer.Option(help="With --screenshot: the screen size, COLUMNSxROWS.")] = "140x42",
    search: Annotated[
        str | None,
        typer.Option(help="Open on the hits of 'qualcode search PATTERN' (respondent turns) to code from."),
    ] = None,
) -> None:
    """Code transcripts on a full-screen terminal coding screen (press ? in it for every key).

    Every action is stored the moment it happens; there is nothing to save.
    """
    from qualcode.errors import CodingError

    if not coder.strip():
        raise CodingError("a coder name is required: --coder NAME (or set QUALCODE_CODER)")
    project = project_of(ctx)
    collect_as_python_does()  # the screen tunes its collector from Python's defaults (tui/app.py)
    if screenshot is None:
        from qualcode.tui.app import CodingApp

        screen = CodingApp(project, coder, transcript, search=search)  # an unknown transcript is refused first
        _require_terminal()
        screen.run()
        return
    from qualcode.tui.run import run_headless

    pressed = tuple(k.strip() for k in keys.split(",") if k.strip())
    app = run_headless(project, coder, transcript, keys=pressed, screenshot=str(screenshot), size=_parse_size(size),
                       search=search)
    console.print(f"Saved a screenshot of {app.state.transcript.id} to {screenshot}", markup=False, soft_wrap=True)


def _require_terminal() -> None:
    """The full-screen app needs a terminal on both ends; without one it would wait forever."""
    import sys

    from qualcode.errors import CodingError

    missing = [name for name, stream in (("stdin", sys.stdin), ("stdout", sys.stdout))
               if not (hasattr(stream, "isatty") and stream.isatty())]
    if missing:
        raise CodingError(
            f"qualcode code needs a terminal, but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            "not one (a pipe, a file or a script); run it in a terminal, or use --screenshot FILE to render "
            "the screen without one"
        )


def _parse_size(text: str) -> tuple[int, int]:
    columns, sep, rows = text.lower().partition("x")
    if not sep or not columns.isdigit() or not rows.isdigit() or int(columns) < 40 or int(rows) < 12:
        from qualcode.errors import QualcodeError

        raise QualcodeError(f"--size expects COLUMNSxROWS of at least 40x12, e.g. 140x42; got '{text}'")
    return int(columns), int(rows)


def register(app: typer.Typer) -> None:
    app.command()(code)
