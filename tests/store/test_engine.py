"""Database URLs built by the store (the CLI never parses them itself)."""

from __future__ import annotations

import pytest

from qualcode.store.engine import url_with_login, url_without_password


@pytest.mark.parametrize(
    ("url", "role", "password", "expected"),
    [
        ("postgresql+psycopg://lead:secret@db.example:5432/study", "ana", "pw1",
         "postgresql+psycopg://ana:pw1@db.example:5432/study"),
        ("postgresql+psycopg://db.example/study", "ben", "pw2", "postgresql+psycopg://ben:pw2@db.example/study"),
        # A generated password may hold URL characters: escaped, so the URL reads back the same.
        ("postgresql://lead@localhost/study", "dee", "a@b/c:d", "postgresql://dee:a%40b%2Fc%3Ad@localhost/study"),
    ],
)
def test_url_with_login_replaces_user_and_password(url, role, password, expected):
    built = url_with_login(url, role, password)
    assert built == expected
    assert url_without_password(built) == url_with_login(url, role, "x").replace(":x@", "@")
