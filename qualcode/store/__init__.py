"""Persistence: SQLAlchemy Core schema, migrations and queries. No business logic.

The package itself imports nothing heavy: ``qualcode.store.rows`` (the transcript
types) is read by modules that load at start-up, so SQLAlchemy is imported only when
a submodule that speaks SQL is (the names below load on first use).
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "schema": "qualcode.store.schema",
    "open_engine": "qualcode.store.engine",
    "sqlite_url": "qualcode.store.engine",
    "HEAD": "qualcode.store.migrations",
    "upgrade": "qualcode.store.migrations",
}

__all__ = ["HEAD", "open_engine", "schema", "sqlite_url", "upgrade"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'qualcode.store' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    return module if name == "schema" else getattr(module, name)
