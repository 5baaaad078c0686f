"""Saved queries: a search, coding query or matrix stored in the project by name.

A saved query is its kind (``search``, ``query``, ``matrix``), its text and its
options as JSON, so ``qualcode query run NAME`` (and a report) re-runs exactly it
against the current data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError
from qualcode.search.index import SearchError
from qualcode.search.patterns import parse_pattern
from qualcode.search.qparse import parse_query
from qualcode.store.access import may_write

if TYPE_CHECKING:
    from qualcode.project import Project

KINDS = ("search", "query", "matrix")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


@dataclass(frozen=True)
class SavedQuery:
    name: str
    kind: str
    text: str
    options: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "text": self.text, "options": self.options}


def save_query(project: Project, name: str, kind: str, text: str, options: dict[str, Any]) -> bool:
    """Store (or overwrite) a query; True when it replaced one of that name."""
    from qualcode.store.search import put_saved_query

    if not NAME.match(name or ""):
        raise SearchError(f"Query name '{name}' is not allowed: letters, digits, '_', '-', '.', up to 100")
    if kind not in KINDS:
        raise SearchError(f"Unknown query kind '{kind}'; kinds: {', '.join(KINDS)}")
    _check(kind, text, options)
    with project.write() as conn:
        _check_writable(conn)
        return put_saved_query(conn, name, kind, {"text": text, "options": options})


def _check_writable(conn) -> None:
    """Saved queries are shared by the team and kept by the lead (a coder's role reads them)."""
    if not may_write(conn, "saved_queries"):
        raise SearchError(
            "in team mode saved queries are the lead's: your role may list and run them, not save or delete "
            "them; ask the lead to save it, or run the search without --save"
        )


def _check(kind: str, text: str, options: dict[str, Any]) -> None:
    """Refuse to save what could not run: a query or pattern that does not parse."""
    if kind == "query":
        parse_query(text)
    elif kind == "search":
        parse_pattern(text, options.get("mode", "lemma"), vocabulary=[])


def load_query(project: Project, name: str) -> SavedQuery:
    from qualcode.store.search import saved_query

    with project.read() as conn:
        row = saved_query(conn, name)
    if row is None:
        known = [q.name for q in list_queries(project)]
        raise NotFoundError(f"No saved query '{name}'; saved: {', '.join(known) or 'none yet'}")
    return SavedQuery(row["name"], row["kind"], row["spec"]["text"], dict(row["spec"].get("options") or {}))


def list_queries(project: Project) -> list[SavedQuery]:
    from qualcode.store.search import saved_query_rows

    with project.read() as conn:
        rows = saved_query_rows(conn)
    return [SavedQuery(r["name"], r["kind"], r["spec"]["text"], dict(r["spec"].get("options") or {})) for r in rows]


def delete_query(project: Project, name: str) -> None:
    from qualcode.store.search import delete_saved_query

    load_query(project, name)
    with project.write() as conn:
        _check_writable(conn)
        delete_saved_query(conn, name)
