"""Store reads and writes behind the blind double-coding rule (qualcode.coding.blind)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from qualcode.store.schema import (
    codings,
    models,
    sample_coders,
    sample_transcripts,
    samples,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True)
class OpenSample:
    """A double-coding sample the lead has not closed: its coders code its transcripts blind."""

    name: str
    coders: frozenset[str]
    transcripts: frozenset[str]


def open_samples(conn: Connection) -> list[OpenSample]:
    """Every open sample with its coders and transcripts, oldest first."""
    names = list(conn.execute(
        select(samples.c.name).where(samples.c.closed_at.is_(None)).order_by(samples.c.created_at, samples.c.name)
    ).scalars())
    if not names:
        return []
    members: dict[str, set[str]] = {name: set() for name in names}
    for name, coder in conn.execute(select(sample_coders.c.sample, sample_coders.c.coder)
                                    .where(sample_coders.c.sample.in_(names))):
        members[name].add(coder)
    chosen: dict[str, set[str]] = {name: set() for name in names}
    for name, transcript in conn.execute(select(sample_transcripts.c.sample, sample_transcripts.c.transcript_id)
                                         .where(sample_transcripts.c.sample.in_(names))):
        chosen[name].add(transcript)
    return [OpenSample(name, frozenset(members[name]), frozenset(chosen[name])) for name in names]


def coding_counts(
    conn: Connection, transcripts: Iterable[str], coders: Iterable[str] | None = None
) -> list[tuple[str, str, int]]:
    """``(coder, transcript, codings)`` on these transcripts (orphans included), optionally some coders only."""
    wanted = sorted(set(transcripts))
    if not wanted:
        return []
    query = (select(codings.c.coder, codings.c.transcript_id, func.count())
             .where(codings.c.transcript_id.in_(wanted))
             .group_by(codings.c.coder, codings.c.transcript_id))
    if coders is not None:
        query = query.where(codings.c.coder.in_(sorted(set(coders))))
    return [(coder, transcript, count) for coder, transcript, count in conn.execute(query)]


def close_sample(conn: Connection, name: str, by: str) -> datetime | None:
    """Mark an open sample closed; returns when, or None when it was already closed."""
    stamp = datetime.now(UTC)
    changed = conn.execute(
        update(samples).where(samples.c.name == name, samples.c.closed_at.is_(None))
        .values(closed_at=stamp, closed_by=by)
    ).rowcount
    return stamp if changed else None


def sample_closure(conn: Connection, name: str) -> tuple[datetime | None, str | None]:
    row = conn.execute(select(samples.c.closed_at, samples.c.closed_by).where(samples.c.name == name)).first()
    return (row.closed_at, row.closed_by) if row is not None else (None, None)


def model_training_transcripts(conn: Connection, model_ids: Iterable[int]) -> dict[int, frozenset[str] | None]:
    """The transcripts each model learned from (None: not recorded, e.g. a model from before it was)."""
    ids = sorted(set(model_ids))
    if not ids:
        return {}
    found: dict[int, frozenset[str] | None] = {}
    for model_id, report in conn.execute(select(models.c.id, models.c.report).where(models.c.id.in_(ids))):
        trained_on = (report or {}).get("trained_on")
        found[model_id] = frozenset(trained_on) if isinstance(trained_on, list) else None
    return found
