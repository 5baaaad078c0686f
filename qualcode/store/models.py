"""Queries on trained suggestion models (``models``: plain-data payloads, never pickle)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from qualcode.store.schema import models


@dataclass(frozen=True)
class ModelRow:
    """One stored model."""

    id: int
    name: str
    trained_from: str
    codebook_hash: str
    data_hash: str
    payload: bytes
    report: dict[str, Any]
    created_at: datetime


def insert_model(
    conn: Connection, *, name: str, trained_from: str, codebook_hash: str, data_hash: str, payload: bytes,
    report: dict[str, Any], created_at: datetime,
) -> int:
    result = conn.execute(insert(models).values(
        name=name, trained_from=trained_from, codebook_hash=codebook_hash, data_hash=data_hash,
        payload=payload, report=report, created_at=created_at,
    ))
    key = result.inserted_primary_key
    if key is None:  # only a many-row INSERT has none
        raise RuntimeError("inserting a model returned no id")
    return key[0]


def latest_model(conn: Connection, name: str) -> ModelRow | None:
    """The newest model stored under ``name``."""
    row = conn.execute(select(models).where(models.c.name == name).order_by(models.c.id.desc()).limit(1)).first()
    return ModelRow(**row._mapping) if row is not None else None


def latest_trained_from(conn: Connection, name: str) -> str | None:
    """The coder the newest model stored under ``name`` learned from (without loading its payload)."""
    query = select(models.c.trained_from).where(models.c.name == name).order_by(models.c.id.desc()).limit(1)
    return conn.execute(query).scalar()
