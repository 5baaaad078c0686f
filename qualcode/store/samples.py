"""Queries on double-coding samples (``samples``, ``sample_transcripts``, ``sample_coders``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from qualcode.errors import NotFoundError
from qualcode.store.schema import (
    codings,
    sample_coders,
    sample_transcripts,
    samples,
    transcripts,
)


@dataclass(frozen=True)
class SampleRow:
    """One stored sample (its strata JSON as stored: by, population, target, allocation, notes)."""

    name: str
    fraction: float
    seed: int
    strata: dict[str, Any]
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None


def transcript_strata_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every transcript's id, role, site and attributes (what a sample stratifies by), by id."""
    query = select(transcripts.c.id, transcripts.c.role, transcripts.c.site, transcripts.c.attributes)
    return [dict(row._mapping) for row in conn.execute(query.order_by(transcripts.c.id))]


def sample_row(conn: Connection, name: str) -> SampleRow | None:
    row = conn.execute(select(samples).where(samples.c.name == name)).first()
    if row is None:
        return None
    values = dict(row._mapping)
    return SampleRow(**{**values, "strata": values["strata"] or {}})


def sample_names(conn: Connection) -> list[str]:
    """Every sample's name, oldest first."""
    return list(conn.execute(select(samples.c.name).order_by(samples.c.created_at, samples.c.name)).scalars())


def require_sample(conn: Connection, name: str) -> SampleRow:
    """The stored sample; NotFoundError listing the samples when it does not exist."""
    row = sample_row(conn, name)
    if row is None:
        known = sample_names(conn)
        listed = f"; samples: {', '.join(known)}" if known else "; the project has no samples (qualcode sample create)"
        raise NotFoundError(f"No sample '{name}'{listed}")
    return row


def sample_coder_names(conn: Connection, name: str) -> list[str]:
    query = select(sample_coders.c.coder).where(sample_coders.c.sample == name).order_by(sample_coders.c.coder)
    return list(conn.execute(query).scalars())


def sample_transcript_strata(conn: Connection, name: str) -> list[tuple[str, str]]:
    """(transcript, stratum) of the sample, by transcript id; a missing stratum reads as ''."""
    query = (select(sample_transcripts.c.transcript_id, sample_transcripts.c.stratum)
             .where(sample_transcripts.c.sample == name).order_by(sample_transcripts.c.transcript_id))
    return [(transcript, stratum or "") for transcript, stratum in conn.execute(query)]


def insert_sample(
    conn: Connection, name: str, fraction: float, seed: int, strata: dict[str, Any], created_at: datetime,
    members: Iterable[tuple[str, str]], coders: Iterable[str],
) -> None:
    """Store a sample with its (transcript, stratum) members and its coders (who must exist)."""
    conn.execute(insert(samples).values(name=name, fraction=fraction, seed=seed, strata=strata,
                                        created_at=created_at))
    conn.execute(insert(sample_transcripts), [
        {"sample": name, "transcript_id": transcript, "stratum": stratum} for transcript, stratum in members
    ])
    conn.execute(insert(sample_coders), [{"sample": name, "coder": coder} for coder in coders])


def delete_sample(conn: Connection, name: str) -> None:
    conn.execute(delete(sample_transcripts).where(sample_transcripts.c.sample == name))
    conn.execute(delete(sample_coders).where(sample_coders.c.sample == name))
    conn.execute(delete(samples).where(samples.c.name == name))


def codings_by_coders(conn: Connection, transcript_ids: list[str], coders: Iterable[str]) -> dict[str, int]:
    """transcript -> number of codings (orphans included) by these coders on these transcripts."""
    query = (select(codings.c.transcript_id, func.count())
             .where(codings.c.transcript_id.in_(transcript_ids), codings.c.coder.in_(list(coders)))
             .group_by(codings.c.transcript_id))
    return dict(conn.execute(query).all())


def open_sample_transcripts_of(conn: Connection, coder: str) -> list[str]:
    """Transcripts in the coder's open samples: oldest sample first, then by id (repeats kept)."""
    rows = conn.execute(
        select(sample_transcripts.c.transcript_id)
        .join(sample_coders, sample_coders.c.sample == sample_transcripts.c.sample)
        .join(samples, samples.c.name == sample_transcripts.c.sample)
        .where(sample_coders.c.coder == coder, samples.c.closed_at.is_(None))
        .order_by(samples.c.created_at, samples.c.name, sample_transcripts.c.transcript_id)
    )
    return list(rows.scalars())


def closed_sample_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).where(samples.c.closed_at.is_not(None))).scalar_one()
