"""Team mode on a shared server: who may write what, and one writer per coder at a time.

Two things live here:

- :func:`lock_coder`, taken at the start of every write action of a coder, so two
  processes of the *same* coder (two terminals) never interleave their
  read-then-write merges or undos, while *different* coders never wait on each other.
- the PostgreSQL row-level-security set-up (:func:`policy_statements`,
  :func:`grant_statements`, :func:`grant_access`) that lets each coder's login role
  read everything but write only its own codings, events and suggestion decisions.
  ``qualcode db grant`` runs it; docs/team.md explains it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from qualcode.errors import StoreError
from qualcode.store.schema import coders

CODER_SETTING = "qualcode.coder"
"""Session setting naming the coder on a shared login role (see :func:`bind_coder`)."""

POSTGRES_NAME_LIMIT = 63  # NAMEDATALEN - 1: longer role names are silently truncated

# Tables a coder writes: the column that says whose row it is, the actions with a
# policy, and the privileges granted. Events are append-only: a coder inserts their
# own and may only flip ``undone`` and set ``group_id`` on them, never rewrite or
# delete one. The coder's own row in ``coders`` is locked FOR UPDATE (lock_coder),
# which needs an UPDATE privilege on some column. A suggestion belongs to nobody
# until a coder decides it (decided_by).
OWNED_TABLES = {
    "coders": ("name", ("INSERT", "UPDATE"), "INSERT, UPDATE (created_at)"),
    "codings": ("coder", ("INSERT", "UPDATE", "DELETE"), "INSERT, UPDATE, DELETE"),
    "events": ("coder", ("INSERT", "UPDATE"), "INSERT, UPDATE (undone, group_id)"),
    "suggestions": ("decided_by", ("INSERT", "UPDATE", "DELETE"), "INSERT, UPDATE, DELETE"),
}
# Shared tables a coding action may add to: the codebook snapshot of the version coded with.
SHARED_INSERT_TABLES = ("codebook_versions",)
POLICY_PREFIX = "qualcode_"


class AccessDenied(StoreError):
    """The database server refused a read or write for the connected role."""


# -- per-coder write lock ------------------------------------------------------


def lock_coder(conn: Connection, coder: str) -> bool:
    """Lock the coder's row until the transaction ends; False when there is no such coder.

    On PostgreSQL this is ``SELECT ... FOR UPDATE`` on the coder's row in
    ``coders``: a second transaction of the same coder waits here, then reads the
    first one's committed codings. On SQLite the clause is not rendered: writers
    already take the database write lock at BEGIN (``BEGIN IMMEDIATE``). Unknown
    coders are not created here: callers refuse them
    (``qualcode.coding.coders.require_coder``) or create them deliberately
    (:func:`create_coder`).
    """
    locked = select(coders.c.name).where(coders.c.name == coder).with_for_update()
    return conn.execute(locked).first() is not None


def create_coder(conn: Connection, coder: str) -> bool:
    """Create the coder if new, then lock its row; True when it was created here."""
    if lock_coder(conn, coder):
        return False
    created = conn.execute(_insert_coder_once(conn.dialect.name).values(name=coder, created_at=_now()))
    lock_coder(conn, coder)
    return bool(created.rowcount)


def _insert_coder_once(dialect: str):
    """INSERT that does nothing when another transaction created the coder first."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(coders).on_conflict_do_nothing(index_elements=["name"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(coders).on_conflict_do_nothing(index_elements=["name"])
    return insert(coders)


def _now():
    from qualcode.store.codings import now

    return now()


# -- binding a coder name to a shared login ------------------------------------


def bind_coder(dbapi_connection, coder: str) -> None:
    """Set ``qualcode.coder`` for the life of a PostgreSQL connection.

    For teams that share one login role: policies made with
    ``grant_statements(role, shared=True)`` accept rows whose coder is this
    setting. Committed at once, so the pool's rollback on check-in keeps it.
    """
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", (CODER_SETTING, coder))
    dbapi_connection.commit()


# -- row-level security ----------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """What ``qualcode db grant`` did: the role, whether it was created, its SQL."""

    role: str
    created: bool
    password: str | None
    statements: list[str]
    coder_added: bool = False  # granting a (non-shared) coder role adds the coder of that name


def check_role_name(name: str) -> str:
    """A coder name usable as a PostgreSQL role (it is compared with current_user)."""
    if not name or len(name.encode("utf-8")) > POSTGRES_NAME_LIMIT or "\x00" in name:
        raise StoreError(
            f"Coder name '{name}' cannot be a PostgreSQL role: use 1 to {POSTGRES_NAME_LIMIT} bytes"
        )
    if re.fullmatch(r"pg_.*|public|current_user|session_user|current_role|none", name, re.IGNORECASE):
        raise StoreError(f"'{name}' is reserved by PostgreSQL; choose another coder name")
    return name


def quote_identifier(name: str) -> str:
    """A PostgreSQL identifier in double quotes (case and spaces kept)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def policy_statements(schema: str) -> list[str]:
    """Turn on row-level security for the coder-owned tables (idempotent).

    Everyone may read every row (agreement needs all coders' work); a row may be
    inserted, changed or deleted only by the role named in its owner column. The
    table owner (the lead who created the schema) is not subject to these policies.
    """
    statements = []
    for table, (column, actions, _privileges) in OWNED_TABLES.items():
        qualified = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        own = f"{quote_identifier(column)} = current_user"
        if table == "suggestions":  # open suggestions are shared; decided ones belong to the decider
            own = f"({quote_identifier(column)} IS NULL OR {own})"
        statements.append(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY")
        statements += _replace_policy(qualified, "read", "FOR SELECT USING (true)")
        for action in actions:
            clause = {
                "INSERT": f"FOR INSERT WITH CHECK ({own})",
                "UPDATE": f"FOR UPDATE USING ({own}) WITH CHECK ({own})",
                "DELETE": f"FOR DELETE USING ({own})",
            }[action]
            statements += _replace_policy(qualified, action.lower(), clause)
    return statements


def shared_policy_statements(schema: str, role: str) -> list[str]:
    """Extra policies for a login role several coders share: the row's coder must be
    the connection's ``qualcode.coder`` setting. A guard against slips, not a wall:
    anyone holding the shared password can change the setting."""
    statements = []
    bound = f"current_setting({quote_literal(CODER_SETTING)}, true)"
    for table, (column, _actions, _privileges) in OWNED_TABLES.items():
        qualified = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        own = f"{quote_identifier(column)} = {bound}"
        if table == "suggestions":
            own = f"({quote_identifier(column)} IS NULL OR {own})"
        name = f"shared_{role}"
        statements += _replace_policy(
            qualified, name, f"FOR ALL TO {quote_identifier(role)} USING ({own}) WITH CHECK ({own})"
        )
    return statements


def _replace_policy(table: str, name: str, clause: str) -> list[str]:
    policy = quote_identifier(POLICY_PREFIX + name)
    return [f"DROP POLICY IF EXISTS {policy} ON {table}", f"CREATE POLICY {policy} ON {table} {clause}"]


def grant_statements(schema: str, role: str, *, shared: bool = False) -> list[str]:
    """Privileges a coder's role needs: read everything, write its own rows."""
    check_role_name(role)
    who = quote_identifier(role)
    where = quote_identifier(schema)
    statements = [
        f"GRANT USAGE ON SCHEMA {where} TO {who}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {where} TO {who}",
        # Serial ids of codings, events, suggestions and codebook snapshots.
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}",
        # Tables and sequences later migrations add (created by the lead) too.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT SELECT ON TABLES TO {who}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
    ]
    for table, (_column, _actions, privileges) in OWNED_TABLES.items():
        statements.append(f"GRANT {privileges} ON {where}.{quote_identifier(table)} TO {who}")
    for table in SHARED_INSERT_TABLES:
        statements.append(f"GRANT INSERT ON {where}.{quote_identifier(table)} TO {who}")
    if shared:
        statements += shared_policy_statements(schema, role)
    return statements


def create_role_statement(role: str, password: str) -> str:
    check_role_name(role)
    return f"CREATE ROLE {quote_identifier(role)} LOGIN PASSWORD {quote_literal(password)}"


def grant_access(
    conn: Connection, role: str, *, create_role: bool = False, shared: bool = False
) -> Grant:
    """Set up row-level security and give ``role`` a coder's privileges.

    Run by the lead (the owner of the tables) on PostgreSQL. With ``create_role``
    a login role is created first with a fresh random password, returned once.
    """
    require_postgresql(conn, "db grant")
    schema = conn.execute(select(_current_schema())).scalar_one()
    password = secrets.token_urlsafe(18) if create_role else None
    statements = ([create_role_statement(role, password)] if create_role else [])
    statements += policy_statements(schema) + grant_statements(schema, role, shared=shared)
    for statement in statements:
        conn.exec_driver_sql(statement)
    # The lead's grant is a deliberate creation of the coder the role writes as.
    coder_added = False if shared else create_coder(conn, role)
    return Grant(role, create_role, password, statements, coder_added)


def require_postgresql(conn: Connection, what: str) -> None:
    if conn.dialect.name != "postgresql":
        raise StoreError(
            f"'{what}' needs a PostgreSQL database (this project uses {conn.dialect.name}); "
            "row-level security does not exist in SQLite: set database_url first (docs/team.md)"
        )


def _current_schema():
    from sqlalchemy import func

    return func.current_schema()


# -- explaining refusals -----------------------------------------------------------


def explain_refusal(error: Exception, user: str | None) -> AccessDenied | None:
    """An :class:`AccessDenied` for a PostgreSQL permission error, else None.

    SQLSTATE 42501 is a refused privilege or row-level-security check; 3F000 means
    no schema on the search_path is usable: it does not exist or the role may not
    use it (so the store looks empty).
    """
    state = getattr(error, "sqlstate", None)
    if state not in ("42501", "3F000"):
        return None
    diag = getattr(error, "diag", None)
    detail = getattr(diag, "message_primary", None) or str(error).splitlines()[0]
    if state == "3F000":
        return AccessDenied(
            f"role '{user or '?'}' sees no schema to work in ({detail}): the schema named by "
            "the URL's search_path does not exist, or the lead has not run 'qualcode db grant' "
            "for this role (docs/team.md)"
        )
    return AccessDenied(
        f"the database refused role '{user or '?'}': {detail}. In team mode each coder "
        "writes only their own codings (connect as yourself, code as yourself); "
        "the lead grants access with 'qualcode db grant CODER' (docs/team.md)"
    )
