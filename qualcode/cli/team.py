"""``qualcode db upgrade|info|copy|grant``: the project's store, and team mode on a server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qualcode.cli.common import console, print_json, project_of
from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.project import Project

db_app = typer.Typer(
    help="The project's database: migrations, copies between SQLite and PostgreSQL, coder access.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@db_app.command("upgrade")
def upgrade_command(ctx: typer.Context) -> None:
    """Bring the project's database to this qualcode's schema (run once per release, as the lead)."""
    from qualcode.store import HEAD, open_engine, upgrade

    engine = open_engine(project_of(ctx).database_url)
    try:
        applied = upgrade(engine)
    finally:
        engine.dispose()
    for migration in applied:
        console.print(f"applied {migration.version}: {migration.name}")
    console.print(f"The database is at schema version {HEAD}" + ("" if applied else " (already up to date)"))


@db_app.command("info")
def info_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Where the project's data live: back end, schema version, rows per table, access rules."""
    from qualcode.store import open_engine
    from qualcode.store.copy import database_info

    engine = open_engine(project_of(ctx).database_url)
    try:
        info = database_info(engine)
    finally:
        engine.dispose()
    if as_json:
        print_json(info.to_dict())
        return
    console.print(f"database  {info.url}", soft_wrap=True, markup=False)
    console.print(f"backend   {info.backend} {info.server_version}".rstrip())
    console.print(f"schema    version {info.schema_version} (this qualcode: {info.head})")
    if info.user is not None:
        secured = ", ".join(info.row_level_security or ()) or "none"
        console.print(f"role      {info.user} in schema {info.schema}; row-level security on: {secured}")
    for table, rows in info.rows.items():
        console.print(f"  {table:<20} {rows:>9}")


@db_app.command("copy")
def copy_command(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="SQLAlchemy URL of the target database.")],
    source: Annotated[
        str | None, typer.Option("--from", help="URL to copy from (default: the project's database).")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Overwrite a target that holds data.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Copy every row to another database (SQLite <-> PostgreSQL), in one verified transaction.

    Row counts and content hashes of every table must match before the copy commits.
    Then point the project at the target: database_url in qualcode.toml or
    QUALCODE_DATABASE_URL.
    """
    from qualcode.store.copy import copy_store

    report = copy_store(source or project_of(ctx).database_url, to, replace=replace)
    if as_json:
        print_json(report.to_dict())
        return
    for table in report.tables:
        console.print(f"  {table.table:<20} {table.rows:>9}  sha256 {table.sha256[:16]}")
    console.print(
        f"Copied {plural(report.rows, 'row')} in {plural(len(report.tables), 'table')} from {report.source} to {report.target}; "
        "row counts and content hashes verified"
    )


@db_app.command("grant")
def grant_command(
    ctx: typer.Context,
    coder: Annotated[str, typer.Argument(help="Coder name = PostgreSQL role name.")],
    create_role: Annotated[
        bool, typer.Option("--create-role", help="Create the login role with a random password (printed once).")
    ] = False,
    shared: Annotated[
        bool,
        typer.Option("--shared", help="A login several coders share; each sets QUALCODE_CODER (a guard, not a wall)."),
    ] = False,
    sql: Annotated[bool, typer.Option("--sql", help="Print the SQL instead of running it.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Only list stored rows the coder checks would refuse (exit 1 if any).")
    ] = False,
) -> None:
    """Let a coder's PostgreSQL role read the project and write only its own codings.

    Turns on row-level security (codings, events, suggestions, coders) and grants
    the role what coding needs. Run as the lead, who owns the tables.
    """
    from qualcode.store import open_engine
    from qualcode.store.access import (
        grant_access,
        grant_statements,
        policy_statements,
        require_postgresql,
    )
    from qualcode.store.row_checks import stored_row_problems

    project = project_of(ctx)
    engine = open_engine(project.database_url)
    try:
        if sql:
            with engine.connect() as conn:
                require_postgresql(conn, "db grant")
                schema = conn.exec_driver_sql("SELECT current_schema()").scalar_one()
            for statement in policy_statements(schema) + grant_statements(schema, coder, shared=shared):
                console.print(statement + ";", markup=False, soft_wrap=True)
            return
        from qualcode.codebook.versions import ensure_snapshot

        if check:
            with engine.connect() as conn:
                problems = stored_row_problems(conn, _codebook_parses)
            for line in problems.lines():
                console.print(line, markup=False, soft_wrap=True)
            if problems.total:
                raise typer.Exit(1)
            console.print("No stored row breaks the coder checks", markup=False)
            return
        with engine.begin() as conn:
            grant = grant_access(conn, coder, create_role=create_role, shared=shared, codebook_parses=_codebook_parses)
            # Coders may not store codebook versions: store the one they will code with.
            ensure_snapshot(conn, project.codebook)
    finally:
        engine.dispose()
    console.print(f"Granted '{coder}' coder access: reads everything, writes only its own codings")
    if grant.coder_added:
        console.print(f"Added coder '{coder}' to the project", markup=False)
    if grant.password:
        _print_login(project, coder, grant.password)


def _codebook_parses(text: str) -> bool:
    """A stored codebook version must load, or every command using it fails for everyone."""
    from qualcode.codebook.loader import parse_codebook
    from qualcode.errors import QualcodeError

    try:
        parse_codebook(text)
    except (QualcodeError, RecursionError):
        return False
    return True


def _print_login(project: Project, role: str, password: str) -> None:
    from qualcode.store.engine import url_with_login

    url = url_with_login(project.database_url, role, password)
    console.print("Created the login role; give the coder this URL privately (shown once):", markup=False)
    console.print(f"  QUALCODE_DATABASE_URL='{url}'", markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
