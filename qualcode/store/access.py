"""Team mode on a shared server: who may write what, and one writer per coder at a time.

Two things live here:

- :func:`lock_coder`, taken at the start of every write action of a coder, so two
  processes of the *same* coder (two terminals) never interleave their
  read-then-write merges or undos, while *different* coders never wait on each other.
- the PostgreSQL row-level-security set-up (:func:`policy_statements`,
  :func:`grant_statements`, :func:`grant_access`) that lets each coder's login role
  read everything but write only its own codings, events, suggestion decisions, finish
  marks and memos.
  ``qualcode db grant`` runs it; docs/team.md explains it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from qualcode.errors import CodingError, StoreError
from qualcode.store.row_checks import refuse_stored_problems, stored_row_problems
from qualcode.store.schema import coders

CODER_SETTING = "qualcode.coder"
"""Session setting naming the coder on a shared login role (see :func:`bind_coder`)."""

POSTGRES_NAME_LIMIT = 63  # NAMEDATALEN - 1: longer role names are silently truncated

# Tables a coder writes: the column that says whose row it is, the actions with a
# policy, and the privileges granted. Events are append-only: a coder inserts their
# own and may only flip ``undone`` and set ``group_id`` on them, never rewrite or
# delete one. The coder's own row in ``coders`` is locked FOR UPDATE (lock_coder),
# which needs an UPDATE privilege on some column. Suggestions are stored by the lead;
# a coder's accept or reject is a row of its own (decided_by, status), so a coder
# only inserts decisions and can neither rewrite nor delete anyone's suggestion.
OWNED_TABLES = {
    "coders": ("name", ("INSERT", "UPDATE"), "INSERT, UPDATE (created_at)"),
    "codings": ("coder", ("INSERT", "UPDATE", "DELETE"), "INSERT, UPDATE, DELETE"),
    "events": ("coder", ("INSERT", "UPDATE"), "INSERT, UPDATE (undone, group_id)"),
    "suggestions": ("decided_by", ("INSERT",), "INSERT"),
    # A coder's finish marks (nothing to code, done) and memos on transcripts and codes:
    # set and cleared by the coder alone; a memo's text is the only thing changed in place.
    "finish_marks": ("coder", ("INSERT", "DELETE"), "INSERT, DELETE"),
    "memos": ("coder", ("INSERT", "UPDATE", "DELETE"), "INSERT, UPDATE (text, updated_at), DELETE"),
}
# Privileges older versions of 'db grant' gave and this one takes back (re-run it).
REVOKED = {"suggestions": "UPDATE, DELETE", "codebook_versions": "INSERT"}
# Counts the database keeps from codings (store/stored_counts.py): a coder reads them
# (blind like codings) and writes them only through the trigger on codings, which runs
# as the lead (SECURITY DEFINER); the coder's role has no privilege to write them.
# transcript_turns (store/turn_totals.py) has no coder: every reader sees it, as segments.
COUNTED_TABLES = {"coder_turns": "coder", "code_turns": "coder", "coder_transcripts": "coder"}
# Rows of another coder hidden while a sample the reader codes in is open (blind).
BLIND_TABLES = {"codings": "coder", "events": "coder", "suggestions": "decided_by", "finish_marks": "coder",
                "memos": "coder", **COUNTED_TABLES}
# Server-side checks of what a coder's role writes (the lead's own writes are trusted).
CHECKED_TABLES = ("codings", "events", "suggestions")
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
    check_coder_name(coder)
    locked = select(coders.c.name).where(coders.c.name == coder).with_for_update()
    return conn.execute(locked).first() is not None


def create_coder(conn: Connection, coder: str) -> bool:
    """Create the coder if new, then lock its row; True when it was created here."""
    if lock_coder(conn, coder):
        return False
    created = conn.execute(_insert_coder_once(conn.dialect.name).values(name=coder, created_at=_now()))
    lock_coder(conn, coder)
    return bool(created.rowcount)


CODER_NAME_LIMIT = 100  # coders.name is VARCHAR(100): PostgreSQL enforces it, SQLite does not


def check_coder_name(name: str) -> str:
    """A coder name both back ends store alike: 1-100 characters, no control characters."""
    if not isinstance(name, str) or not name.strip():
        raise CodingError("A coder name cannot be empty")
    if len(name) > CODER_NAME_LIMIT:
        raise CodingError(f"A coder name has at most {CODER_NAME_LIMIT} characters; received {len(name):,}")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise CodingError(f"A coder name cannot hold control characters (NUL, line breaks, tabs); received {name[:40]!r}")
    return name


def _insert_coder_once(dialect: str):
    """INSERT that does nothing when another transaction created the coder first."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(coders).on_conflict_do_nothing(index_elements=["name"])
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(coders).on_conflict_do_nothing(index_elements=["name"])
    return insert(coders)


def _now() -> datetime:
    return datetime.now(UTC)


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
        if table == "suggestions":  # a coder inserts decisions only: accepted or rejected, as itself
            own = f"({own} AND status IN ('accepted', 'rejected'))"
        statements.append(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY")
        statements += _replace_policy(qualified, "read", f"FOR SELECT USING ({_readable(schema, table)})")
        for action in ("INSERT", "UPDATE", "DELETE"):
            if action not in actions:  # a policy older versions made
                statements.append(f"DROP POLICY IF EXISTS {quote_identifier(POLICY_PREFIX + action.lower())} ON {qualified}")
                continue
            clause = {
                "INSERT": f"FOR INSERT WITH CHECK ({own})",
                "UPDATE": f"FOR UPDATE USING ({own}) WITH CHECK ({own})",
                "DELETE": f"FOR DELETE USING ({own})",
            }[action]
            statements += _replace_policy(qualified, action.lower(), clause)
    for table in COUNTED_TABLES:  # read policy only: no coder writes a row of them
        qualified = f"{quote_identifier(schema)}.{quote_identifier(table)}"
        statements.append(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY")
        statements += _replace_policy(qualified, "read", f"FOR SELECT USING ({_readable(schema, table)})")
    return statements + check_statements(schema)


def _readable(schema: str, table: str) -> str:
    """Which rows a coder reads: all, except another coder's rows on the transcripts of
    an open sample the reader codes in (blind double coding, enforced by the server).

    A sample is open until ``samples.closed_at`` is set. Rows without an owner (open
    suggestions) and rows of transcripts outside such samples stay readable, since
    agreement and tallies need everyone's work.
    """
    column = BLIND_TABLES.get(table)
    if column is None:
        return "true"
    q = quote_identifier
    owner = f"{q(table)}.{q(column)}"
    blind = (
        f"SELECT 1 FROM {q(schema)}.{q('sample_transcripts')} st "
        f"JOIN {q(schema)}.{q('sample_coders')} sc ON sc.sample = st.sample "
        f"JOIN {q(schema)}.{q('samples')} s ON s.name = st.sample "
        f"WHERE st.transcript_id = {q(table)}.transcript_id AND sc.coder = current_user AND s.closed_at IS NULL"
    )
    return f"{owner} IS NULL OR {owner} = current_user OR NOT EXISTS ({blind})"


def check_statements(schema: str) -> list[str]:
    """Triggers that check the shape of what a coder's role writes (idempotent).

    Row-level security says *whose* row it is; these say it is a row qualcode could
    have written, so a hand-made row cannot break the log, agreement or tallies for
    everyone. The table owner (the lead) is not checked: its writes come from qualcode.
    """
    q = quote_identifier
    function = f"{q(schema)}.qualcode_check_row"
    body = r"""
DECLARE
  state json;
  code_key text;
  start_key text;
  end_key text;
BEGIN
  IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
    RETURN NEW;
  END IF;
  IF TG_TABLE_NAME = 'events' THEN
    IF NEW.action !~ '^[a-z][a-z_:-]{0,39}$' THEN
      RAISE EXCEPTION 'qualcode: an event''s action must be a lower-case word' USING ERRCODE = '23514';
    END IF;
    IF coalesce(json_typeof(NEW.before), 'null') NOT IN ('object', 'null')
       OR coalesce(json_typeof(NEW.after), 'null') NOT IN ('object', 'null') THEN
      RAISE EXCEPTION 'qualcode: an event''s before and after must be JSON objects or null' USING ERRCODE = '23514';
    END IF;
    IF NEW.coding_id IS NOT NULL AND json_typeof(NEW.after) = 'object' AND (NEW.after ->> '_c') = '3' THEN
      -- A batch of inserted codings, column by column (store/batches.py; its reader
      -- checks every row): bounded, with the code and span columns.
      IF coalesce(json_typeof(NEW.after -> 'n'), '') <> 'number'
         OR (NEW.after ->> 'n')::numeric NOT BETWEEN 1 AND 2000
         OR coalesce(json_typeof(NEW.after -> 'cols'), '') <> 'object'
         OR (NEW.after -> 'cols' -> 'code_id') IS NULL
         OR (NEW.after -> 'cols' -> 'start_offset') IS NULL
         OR (NEW.after -> 'cols' -> 'end_offset') IS NULL THEN
        RAISE EXCEPTION 'qualcode: a batch event must hold 1 to 2000 codings with their code_id, start_offset and end_offset' USING ERRCODE = '23514';
      END IF;
    ELSIF NEW.coding_id IS NOT NULL THEN
      -- The whole row: the after of an insert, else the before (an update's after may
      -- be a compact delta, "_c": 2, holding only the changed fields; store/codings.py).
      state := CASE WHEN json_typeof(NEW.after) = 'object' AND coalesce(NEW.after ->> '_c', '1') = '1'
                    THEN NEW.after ELSE NEW.before END;
      IF state IS NOT NULL AND json_typeof(state) = 'object' AND (state ->> '_c') IS NOT NULL THEN
        code_key := 'k'; start_key := 'a'; end_key := 'b';  -- compact payload keys
      ELSE
        code_key := 'code_id'; start_key := 'start_offset'; end_key := 'end_offset';
      END IF;
      IF state IS NULL OR json_typeof(state) <> 'object'
         OR coalesce(json_typeof(state -> code_key), '') <> 'string'
         OR coalesce(json_typeof(state -> start_key), '') <> 'number'
         OR coalesce(json_typeof(state -> end_key), '') <> 'number' THEN
        RAISE EXCEPTION 'qualcode: an event of a coding must carry its code_id, start_offset and end_offset' USING ERRCODE = '23514';
      END IF;
    END IF;
  ELSIF TG_TABLE_NAME = 'codings' THEN
    IF NEW.start_offset < 0 OR NEW.end_offset <= NEW.start_offset THEN
      RAISE EXCEPTION 'qualcode: a coding must cover 0 <= start < end' USING ERRCODE = '23514';
    END IF;
  ELSIF TG_TABLE_NAME = 'suggestions' THEN
    IF NEW.start_offset < 0 OR NEW.end_offset <= NEW.start_offset OR json_typeof(NEW.evidence) <> 'object' THEN
      RAISE EXCEPTION 'qualcode: a decision must cover 0 <= start < end and carry evidence as an object' USING ERRCODE = '23514';
    END IF;
  END IF;
  RETURN NEW;
END
"""
    statements = [f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $qualcode${body}$qualcode$"]
    for table in CHECKED_TABLES:
        qualified = f"{q(schema)}.{q(table)}"
        statements += [
            f"DROP TRIGGER IF EXISTS qualcode_check_row ON {qualified}",
            (f"CREATE TRIGGER qualcode_check_row BEFORE INSERT OR UPDATE ON {qualified} "
             f"FOR EACH ROW EXECUTE FUNCTION {function}()"),
        ]
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
            own = f"({own} AND status IN ('accepted', 'rejected'))"
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
    for table, privileges in REVOKED.items():
        statements.append(f"REVOKE {privileges} ON {where}.{quote_identifier(table)} FROM {who}")
    for table, (_column, _actions, privileges) in OWNED_TABLES.items():
        statements.append(f"GRANT {privileges} ON {where}.{quote_identifier(table)} TO {who}")
    if shared:
        statements += shared_policy_statements(schema, role)
    return statements


def create_role_statement(role: str, password: str) -> str:
    check_role_name(role)
    return f"CREATE ROLE {quote_identifier(role)} LOGIN PASSWORD {quote_literal(password)}"


def grant_access(
    conn: Connection, role: str, *, create_role: bool = False, shared: bool = False, codebook_parses=None
) -> Grant:
    """Set up row-level security and give ``role`` a coder's privileges.

    Refused (nothing done) while the store holds rows the coder checks would refuse
    (:func:`stored_row_problems`): they were written before the checks were in place.

    Run by the lead (the owner of the tables) on PostgreSQL. With ``create_role``
    a login role is created first with a fresh random password, returned once.
    """
    require_postgresql(conn, "db grant")
    refuse_stored_problems(stored_row_problems(conn, codebook_parses), role)
    schema = conn.execute(select(_current_schema())).scalar_one()
    password = secrets.token_urlsafe(18) if create_role else None
    statements = ([create_role_statement(role, password)] if password is not None else [])
    statements += policy_statements(schema) + grant_statements(schema, role, shared=shared)
    for statement in statements:
        conn.exec_driver_sql(statement)
    # The lead's grant is a deliberate creation of the coder the role writes as.
    coder_added = False if shared else create_coder(conn, role)
    return Grant(role, create_role, password, statements, coder_added)


def may_write(conn: Connection, *tables: str) -> bool:
    """Whether the connected role may insert into every one of ``tables`` (always on SQLite).

    In team mode the search index and saved queries are the lead's: a coder's role reads
    them, so a command a coder runs asks first instead of failing on a refused write."""
    from sqlalchemy import func

    if conn.dialect.name != "postgresql":
        return True
    return all(conn.execute(select(func.has_table_privilege(table, "INSERT"))).scalar_one() for table in tables)


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
