"""``qualcode code``: the terminal coding screen (Textual, imported only when it runs)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, project_of

if TYPE_CHECKING:
    from rich.console import Console

    from qualcode.project import Project

DEMO_CODER = "demo"


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
    if screenshot is None:
        from qualcode.tui.app import CodingApp

        screen = CodingApp(project, coder, transcript, search=search)  # an unknown transcript is refused first
        _require_terminal()
        screen.run()
        return
    from qualcode.tui.app import run_headless

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


def demo_step(project: Project, out: Console) -> None:
    """Drive the coding screen headless on the demo project: code a turn, save a screenshot.

    Needs the ECM codebook and at least one imported service-provider transcript.
    """
    from qualcode.coding.coders import add_coder
    from qualcode.coding.listing import list_codings
    from qualcode.tui.app import run_headless

    # A coder is added deliberately before coding, as 'qualcode coders add demo' does.
    if add_coder(project, DEMO_CODER).created:
        out.print(f"Added coder '{DEMO_CODER}' (qualcode coders add {DEMO_CODER})", markup=False)
    target = project.root / "reports" / "coding-screen.svg"
    # Find "hotline" and apply it, then code one sentence of the next turn as a challenge.
    keys = ("slash", *"hotline", "enter", "n", "s", "l", "slash", *"case length", "enter")
    app = run_headless(project, DEMO_CODER, keys=keys, screenshot=str(target))
    rows = list_codings(project, coder=DEMO_CODER, transcript=app.state.transcript.id)
    out.print(f"Coding screen (headless) on {app.state.transcript.id} as coder '{DEMO_CODER}':", markup=False)
    for row in rows:
        snippet = " ".join(row["text"].split())
        shown = snippet if len(snippet) <= 70 else snippet[:69] + "…"
        out.print(f"  turn {row['segment']}: {row['code']} on “{shown}”", markup=False, soft_wrap=True)
    out.print(f"Screenshot: {target}", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(code)
