"""``qualcode init`` and ``qualcode demo``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import console


def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the new project.")] = Path("."),
    name: Annotated[str | None, typer.Option(help="Project name (default: folder name).")] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="SQLAlchemy URL of a shared database (team mode).")
    ] = None,
) -> None:
    """Create a project: qualcode.toml, codebooks/, transcripts/, reports/ and the store."""
    from qualcode.project import Project

    project = Project.init(directory, name=name, database_url=database_url)
    console.print(f"Created qualcode project '{project.name}' in {project.root}")
    if project.password_withheld:
        console.print(
            "The password in --database-url was not written to qualcode.toml (it is shared, often in git). "
            "Give it through ~/.pgpass, PGPASSWORD or QUALCODE_DATABASE_URL.", markup=False, soft_wrap=True,
        )
    console.print("Next: edit codebooks/codebook.yaml, then 'qualcode import FILES --role ROLE --site SITE'")


def demo(
    workdir: Annotated[
        Path | None, typer.Option(help="Where to build the scratch project (default: a temp folder).")
    ] = None,
) -> None:
    """Run the main job on the example study in a scratch copy of this project."""
    from qualcode.cli.demo import run_demo

    run_demo(workdir)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(demo)
