"""Running the tests against a real PostgreSQL server (``QUALCODE_TEST_DATABASE_URL``).

Each test gets its own schema (``test_<hex>``) in the server's test database; the
project under test reaches it through ``QUALCODE_DATABASE_URL`` with the schema as
its ``search_path``, so the code under test runs unchanged. ``.ci/postgres.sh``
starts a throwaway server and prints the variable.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

TEST_URL_ENV = "QUALCODE_TEST_DATABASE_URL"


def server_url() -> str | None:
    """The test server's URL, or None when the tests run on SQLite only."""
    return os.environ.get(TEST_URL_ENV) or None


def require_server() -> str:
    """The test server's URL; skip the calling test when there is none."""
    import pytest

    url = server_url()
    if url is None:
        pytest.skip(f"needs a PostgreSQL server: set {TEST_URL_ENV} (see .ci/postgres.sh)")
    return url


def with_search_path(url: str, schema: str) -> str:
    """``url`` whose connections use ``schema`` first (libpq ``options``)."""
    from sqlalchemy.engine import make_url

    target = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return target.render_as_string(hide_password=False)


def with_user(url: str, user: str, password: str) -> str:
    """``url`` with another login role."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=user, password=password).render_as_string(hide_password=False)


@cache
def _admin_engine(url: str):
    from sqlalchemy import create_engine

    # One kept connection: connecting (password hashing) costs more than the DDL.
    return create_engine(url, pool_size=1, max_overflow=2, pool_pre_ping=True)


def run_sql(url: str, *statements: str) -> None:
    """Run statements on the server as the test role, committed."""
    from sqlalchemy import text

    with _admin_engine(url).begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def create_schema(url: str) -> str:
    schema = f"test_{secrets.token_hex(6)}"
    run_sql(url, f"CREATE SCHEMA {schema}")
    return schema


def drop_schema(url: str, schema: str) -> None:
    # A connection a test leaked inside a transaction would block DROP forever;
    # give up after a while and leave the schema to the throwaway server.
    run_sql(url, "SET LOCAL lock_timeout = '10s'", f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def fresh_schema(url: str) -> Iterator[str]:
    """A new empty schema, dropped afterwards; yields a URL that uses it."""
    schema = create_schema(url)
    try:
        yield with_search_path(url, schema)
    finally:
        drop_schema(url, schema)


@contextmanager
def login_role(url: str, name: str) -> Iterator[str]:
    """A new login role ``name`` (not superuser); yields its password, drops it afterwards."""
    password = secrets.token_hex(12)
    run_sql(url, f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
    try:
        yield password
    finally:
        # Membership lets the test role drop what was granted to the role.
        run_sql(url, f"GRANT {name} TO CURRENT_USER", f"DROP OWNED BY {name}")
        run_sql(url, f"DROP ROLE {name}")


class SchemaPerProject:
    """Hands each project folder a test uses its own schema, like its own SQLite file.

    The first folder gets ``first_url`` (the schema QUALCODE_DATABASE_URL names, so
    worker processes spawned by the test find it too); any other folder gets a
    fresh schema on first use. :meth:`drop` removes the extra ones.
    """

    def __init__(self, server: str, first_url: str) -> None:
        self.server = server
        self.first_url = first_url
        self.urls: dict[str, str] = {}
        self.extra: list[str] = []

    def url_for(self, root) -> str:
        key = str(root)
        if key not in self.urls:
            if not self.urls:
                self.urls[key] = self.first_url
            else:
                schema = create_schema(self.server)
                self.extra.append(schema)
                self.urls[key] = with_search_path(self.server, schema)
        return self.urls[key]

    def drop(self) -> None:
        for schema in self.extra:
            drop_schema(self.server, schema)
