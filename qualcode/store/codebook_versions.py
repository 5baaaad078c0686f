"""Queries on stored codebook versions (``codebook_versions``) and code-id renames."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from qualcode.store.schema import codebook_versions, codings, suggestions


@dataclass(frozen=True)
class VersionRow:
    """One stored codebook version."""

    id: int
    hash: str
    path: str
    text: str
    created_at: datetime


def _version(row: Any) -> VersionRow:
    return VersionRow(**row._mapping)


def latest_version(conn: Connection) -> VersionRow | None:
    row = conn.execute(select(codebook_versions).order_by(codebook_versions.c.id.desc()).limit(1)).first()
    return _version(row) if row is not None else None


def all_versions(conn: Connection) -> list[VersionRow]:
    """Every stored version, oldest first."""
    return [_version(r) for r in conn.execute(select(codebook_versions).order_by(codebook_versions.c.id))]


def version_by_id(conn: Connection, version_id: int) -> VersionRow | None:
    row = conn.execute(select(codebook_versions).where(codebook_versions.c.id == version_id)).first()
    return _version(row) if row is not None else None


def version_id_of_hash(conn: Connection, text_hash: str) -> int | None:
    return conn.execute(select(codebook_versions.c.id).where(codebook_versions.c.hash == text_hash)).scalar()


def insert_version(conn: Connection, text_hash: str, path: str, text: str, created_at: datetime) -> int:
    """Store a version; when another writer stored the same hash first, its id.

    The insert runs in a savepoint so the losing writer's transaction stays usable.
    Team mode's refusal (``AccessDenied``) propagates to the caller.
    """
    values = {"hash": text_hash, "path": path, "text": text, "created_at": created_at}
    try:
        with conn.begin_nested():
            key = conn.execute(insert(codebook_versions).values(**values)).inserted_primary_key
        if key is None:  # only a many-row INSERT has none
            raise RuntimeError("inserting a codebook version returned no id")
        return key[0]
    except IntegrityError:
        found = select(codebook_versions.c.id).where(codebook_versions.c.hash == text_hash)
        return conn.execute(found).scalar_one()


def codings_per_version(conn: Connection) -> dict[int | None, int]:
    """Codings made under each version id (all coders, orphans included)."""
    query = select(codings.c.codebook_version_id, func.count()).group_by(codings.c.codebook_version_id)
    return dict(conn.execute(query).all())


def coding_counts_by_code(conn: Connection, code_ids: list[str] | None = None) -> dict[str, int]:
    """Number of codings per code id (all coders), optionally only for ``code_ids``."""
    query = select(codings.c.code_id, func.count()).group_by(codings.c.code_id)
    if code_ids is not None:
        query = query.where(codings.c.code_id.in_(code_ids))
    return {code_id: count for code_id, count in conn.execute(query)}


def rename_code_id(conn: Connection, before: str, after: str) -> tuple[int, int]:
    """Move codings and suggestions from one code id to another; (codings, suggestions) moved."""
    moved_codings = conn.execute(update(codings).where(codings.c.code_id == before).values(code_id=after)).rowcount
    moved_suggestions = conn.execute(
        update(suggestions).where(suggestions.c.code_id == before).values(code_id=after)
    ).rowcount
    return moved_codings, moved_suggestions
