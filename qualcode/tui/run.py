"""Running the coding screen: in the terminal, or headless with keys pressed and a screenshot saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.tui.app import CodingApp

if TYPE_CHECKING:
    from qualcode.project import Project


def run_coding_screen(project: Project, coder: str, transcript_id: str | None = None,
                      search: str | None = None) -> None:
    """Open the coding screen in the terminal (returns when the coder quits)."""
    CodingApp(project, coder, transcript_id, search=search).run()


def run_headless(
    project: Project,
    coder: str,
    transcript_id: str | None = None,
    *,
    keys: tuple[str, ...] = (),
    screenshot: str | None = None,
    size: tuple[int, int] = (140, 42),
    search: str | None = None,
) -> CodingApp:
    """Open the screen without a terminal, press ``keys``, optionally save an SVG screenshot.

    The keys act exactly as typed ones do (codings are stored); used by
    ``qualcode code --screenshot`` and the demo.
    """
    from pathlib import Path

    app = CodingApp(project, coder, transcript_id, search=search)

    async def drive(pilot) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        if screenshot is not None:
            target = Path(screenshot)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(app.export_screenshot(title=f"qualcode code {app.state.transcript.id}"), encoding="utf-8")
        app.exit()

    app.run(headless=True, size=size, auto_pilot=drive)
    return app
