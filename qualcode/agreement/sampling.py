"""Double-coding samples: draw a stratified share of the transcripts, record and show it.

A sample is ``ceil(fraction * N)`` transcripts, allocated across strata (role, site or
any transcript attribute) by the largest-remainder method, optionally with at least one
transcript per stratum; the rule and its arithmetic live in ``agreement.allocation``.

Within a stratum the transcripts are chosen with ``random.Random(seed)``: one
``random()`` number per transcript, drawn in sorted-id order over the whole project,
and each stratum takes its transcripts with the smallest numbers. Only ``random()``
and the integer seeder are used, the two parts of the module Python guarantees to stay
the same across versions, so a seed reproduces the same sample anywhere.
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.agreement.allocation import Allocation, AllocationRow, allocate
from qualcode.coding.blind import require_lead
from qualcode.coding.coders import check_coder_name
from qualcode.errors import AgreementError
from qualcode.store import blind as blind_store
from qualcode.store import codings as coding_store
from qualcode.store import samples as store
from qualcode.store.codings import coder_names, ensure_coder, now
from qualcode.transcripts.corrections import actor

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project

MISSING_VALUE = "(none)"
MAX_SEED = 2**31  # the store's integer column
STRATUM_SEPARATOR = " / "


@dataclass(frozen=True)
class Sample:
    """A double-coding sample as stored."""

    name: str
    fraction: float
    seed: int
    stratify: tuple[str, ...]
    coders: tuple[str, ...]
    transcripts: tuple[tuple[str, str], ...]  # (transcript id, stratum)
    allocation: tuple[AllocationRow, ...] = ()
    population: int = 0
    target: int = 0
    notes: tuple[str, ...] = field(default=())
    closed_by: str | None = None  # the lead who ended blind coding; None while open
    closed_at: str | None = None

    @property
    def transcript_ids(self) -> list[str]:
        return [transcript for transcript, _ in self.transcripts]

    def to_dict(self) -> dict[str, Any]:
        """The ``sample draw/show --json`` shape."""
        return {
            "name": self.name, "fraction": self.fraction, "seed": self.seed, "stratify": list(self.stratify),
            "coders": list(self.coders), "population": self.population, "target": self.target,
            "allocation": [row.to_dict() for row in self.allocation],
            "transcripts": [{"transcript": t, "stratum": s} for t, s in self.transcripts],
            "notes": list(self.notes), "open": self.closed_at is None,
            "closed_by": self.closed_by, "closed_at": self.closed_at,
        }


def stratum_of(row: dict[str, Any], keys: tuple[str, ...]) -> str:
    """The stratum label of a transcript: its values of ``keys`` joined with " / "."""
    if not keys:
        return "all"
    values = []
    for key in keys:
        value = row[key] if key in ("role", "site") else (row.get("attributes") or {}).get(key)
        values.append(str(value) if value not in (None, "") else MISSING_VALUE)
    return STRATUM_SEPARATOR.join(values)


def draw(
    transcripts: list[dict[str, Any]], fraction: float, seed: int, stratify: tuple[str, ...] = (),
    minimum: int = 1,
) -> tuple[Allocation, list[tuple[str, str]]]:
    """Choose the sample's transcripts (pure: no store access).

    Parameters
    ----------
    transcripts : list of dict
        ``{"id", "role", "site", "attributes"}`` per transcript.
    fraction : float
        Share to double-code, ``0 < fraction <= 1``.
    seed : int
        Seed of ``random.Random``.
    stratify : tuple of str
        ``role``, ``site`` or attribute names.

    Returns
    -------
    allocation : Allocation
    chosen : list of (transcript id, stratum), sorted by id
    """
    check_fraction(fraction)
    ordered = sorted(transcripts, key=lambda row: row["id"])
    generator = random.Random(seed)
    keys = {row["id"]: generator.random() for row in ordered}
    strata: dict[str, list[str]] = {}
    for row in ordered:
        strata.setdefault(stratum_of(row, stratify), []).append(row["id"])
    allocation = allocate({name: len(ids) for name, ids in strata.items()}, math.ceil(fraction * len(ordered)),
                          minimum)
    chosen: list[tuple[str, str]] = []
    for name, ids in strata.items():
        picked = sorted(ids, key=lambda transcript: keys[transcript])[: allocation.drawn(name)]
        chosen.extend((transcript, name) for transcript in picked)
    return allocation, sorted(chosen)


def check_fraction(fraction: float) -> float:
    if not isinstance(fraction, int | float) or not 0.0 < float(fraction) <= 1.0:
        raise AgreementError(f"--fraction must be a share between 0 (exclusive) and 1; received {fraction!r}")
    return float(fraction)


def _check_stratify(stratify: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    known = {"role", "site"} | {key for row in rows for key in (row.get("attributes") or {})}
    for key in stratify:
        if key not in known:
            raise AgreementError(
                f"cannot stratify by '{key}'; transcripts have: {', '.join(sorted(known))}"
            )


def _check_coders(coders: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(name.strip() for name in coders if name and name.strip())
    if len(names) < 2 or len(set(names)) != len(names):
        raise AgreementError(
            f"a double-coding sample needs two or more distinct coders; received {', '.join(coders) or 'none'}"
        )
    return names


def create_sample(
    project: Project,
    name: str,
    *,
    fraction: float,
    coders: tuple[str, ...] | list[str],
    stratify: tuple[str, ...] | list[str] = (),
    seed: int | None = None,
    min_per_stratum: int = 0,
) -> Sample:
    """Draw a double-coding sample, store it and assign it to the coders.

    ``seed=None`` draws a fresh seed, which is stored and reported so the draw can
    be repeated. Raises :class:`AgreementError` for a sample name that exists, a bad
    fraction, fewer than two coders or an unknown stratification key.
    """
    name = (name or "").strip()
    if not name:
        raise AgreementError("a sample needs a name")
    coders, stratify = _check_coders(tuple(coders)), tuple(stratify)
    seed = secrets.randbelow(MAX_SEED) if seed is None else int(seed)
    if not 0 <= seed < MAX_SEED:
        raise AgreementError(f"--seed must be a whole number from 0 to {MAX_SEED - 1}; received {seed}")
    with project.write() as conn:
        if store.sample_row(conn, name) is not None:
            raise AgreementError(f"a sample named '{name}' exists; choose another name (see 'qualcode sample show')")
        return _draw_in(conn, name, float(fraction), coders, stratify, seed, min_per_stratum)


def _draw_in(conn: Connection, name: str, fraction: float, coders, stratify, seed: int, minimum: int) -> Sample:
    rows = store.transcript_strata_rows(conn)
    if not rows:
        raise AgreementError("the project has no transcripts to sample (qualcode import)")
    _check_stratify(stratify, rows)
    allocation, chosen = draw(rows, fraction, seed, stratify, minimum)
    sample = Sample(
        name, fraction, seed, stratify, coders, tuple(chosen),
        tuple(s.row() for s in allocation.strata), len(rows), allocation.target,
        _notes(allocation) + _new_coders_note(conn, coders),
    )
    _insert_sample(conn, sample)
    return sample


def _notes(allocation: Allocation) -> tuple[str, ...]:
    notes = [(f"allocation: largest remainder over {len(allocation.strata)} strata, {allocation.total} of "
              f"target {allocation.target}")] if len(allocation.strata) > 1 else []
    empty = [s.stratum for s in allocation.strata if s.population and not s.drawn]
    if empty:
        notes.append(f"strata with no transcript in the sample (quota below one; --min-per-stratum 1 "
                     f"gives each one): {', '.join(empty)}")
    raised = [s.stratum for s in allocation.strata if s.raised_to_minimum]
    if raised:
        notes.append(f"raised to the minimum of one transcript: {', '.join(raised)}")
    if allocation.grown_by:
        notes.append(
            f"the one-per-stratum minimum needs {allocation.total} transcripts, "
            f"{allocation.grown_by} more than the {allocation.target} the fraction asks for"
        )
    return tuple(notes)


def load_sample(conn: Connection, name: str) -> Sample:
    """A stored sample; NotFoundError listing the samples when it does not exist."""
    row = store.require_sample(conn, name)
    strata = row.strata
    return Sample(
        row.name, row.fraction, row.seed, tuple(strata.get("by", ())), tuple(store.sample_coder_names(conn, name)),
        tuple(store.sample_transcript_strata(conn, name)),
        tuple(AllocationRow.from_dict(item, name) for item in strata.get("allocation", ())),
        strata.get("population", 0), strata.get("target", 0), tuple(strata.get("notes", ())),
        row.closed_by, row.closed_at.isoformat(timespec="seconds") if row.closed_at else None,
    )


def get_sample(project: Project, name: str) -> Sample:
    with project.read() as conn:
        return load_sample(conn, name)


@dataclass(frozen=True)
class CoderProgress:
    """Respondent segments a coder has coded, of those there are."""

    coded: int
    total: int

    def to_dict(self) -> dict[str, int]:
        return {"coded": self.coded, "total": self.total}


@dataclass(frozen=True)
class TranscriptProgress:
    """One sample transcript with each sample coder's progress on it."""

    transcript: str
    stratum: str
    progress: dict[str, CoderProgress]  # sample coder -> progress, in the sample's coder order

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "stratum": self.stratum,
                "progress": {coder: p.to_dict() for coder, p in self.progress.items()}}


@dataclass(frozen=True)
class SampleProgress:
    """``sample show``: the sample, each coder's progress per transcript and in total."""

    sample: Sample
    transcripts: tuple[TranscriptProgress, ...]
    totals: dict[str, CoderProgress]

    def to_dict(self) -> dict[str, Any]:
        return {**self.sample.to_dict(), "transcripts": [row.to_dict() for row in self.transcripts],
                "progress": {coder: p.to_dict() for coder, p in self.totals.items()}}


def sample_progress(project: Project, name: str) -> SampleProgress:
    """The sample with each coder's progress per transcript (respondent segments coded / total)."""
    with project.read() as conn:
        sample = load_sample(conn, name)
        totals = coding_store.respondent_segment_totals(conn)
        coded = {(c, t): n for c, t, n in coding_store.coded_segment_counts(conn)}
    rows: list[TranscriptProgress] = []
    for transcript, stratum in sample.transcripts:
        total = totals.get(transcript, 0)
        progress = {coder: CoderProgress(coded.get((coder, transcript), 0), total) for coder in sample.coders}
        rows.append(TranscriptProgress(transcript, stratum, progress))
    summary = {
        coder: CoderProgress(sum(r.progress[coder].coded for r in rows), sum(r.progress[coder].total for r in rows))
        for coder in sample.coders
    }
    return SampleProgress(sample, tuple(rows), summary)


def sample_names(conn: Connection) -> list[str]:
    """Every sample's name, oldest first."""
    return store.sample_names(conn)


def _new_coders_note(conn: Connection, coders: tuple[str, ...]) -> tuple[str, ...]:
    """The lead's assignment may create coders (names checked like 'coders add'); it says so."""
    known = set(coder_names(conn))
    new = [check_coder_name(c) for c in coders if c not in known]
    return (f"new coders added by this assignment: {', '.join(new)}",) if new else ()


def _insert_sample(conn: Connection, sample: Sample) -> None:
    strata = {"by": list(sample.stratify), "population": sample.population, "target": sample.target,
              "allocation": [row.to_dict() for row in sample.allocation], "notes": list(sample.notes)}
    for coder in sample.coders:  # created before the sample names them (foreign key)
        ensure_coder(conn, coder)
    store.insert_sample(conn, sample.name, sample.fraction, sample.seed, strata, now(), sample.transcripts,
                        sample.coders)


# -- deleting and redrawing (each recorded in the event log) -----------------------------------

SAMPLE_DELETE, SAMPLE_REDRAW = "sample:delete", "sample:redraw"


def delete_sample(project: Project, name: str, *, by: str | None = None) -> Sample:
    """Delete a sample (its codings stay); the deleted sample is recorded in the event log.

    Deleting an open sample ends its blind coding, so only the lead may (as with
    ``sample close``)."""
    with project.read() as conn:
        load_sample(conn, name)  # NotFoundError listing the samples
        closed_at, _ = blind_store.sample_closure(conn, name)
    if closed_at is None:
        require_lead(project, "deletes an open sample (it would end blind coding)")
    with project.write() as conn:
        sample = load_sample(conn, name)
        _record(conn, SAMPLE_DELETE, by, sample, None)
        _delete_in(conn, name)
    return sample


def _delete_in(conn: Connection, name: str) -> None:
    store.delete_sample(conn, name)


def redraw_sample(project: Project, name: str, *, seed: int | None = None, fraction: float | None = None,
                  min_per_stratum: int = 0, by: str | None = None) -> Sample:
    """Replace a sample by a fresh draw (same name, coders, strata) in one transaction; recorded.

    Refused once the sample's coders have codings on its transcripts: a redraw would
    silently move coded transcripts out of the sample.
    """
    old = get_sample(project, name)
    coded = _coded_by_sample_coders(project, old)
    if coded:
        raise AgreementError(f"sample '{name}' has codings by its coders on {len(coded)} transcript(s); "
                             "redrawing would leave them outside the sample. Delete it deliberately "
                             "(qualcode sample delete) and create a new one")
    seed = secrets.randbelow(MAX_SEED) if seed is None else int(seed)
    if not 0 <= seed < MAX_SEED:
        raise AgreementError(f"--seed must be a whole number from 0 to {MAX_SEED - 1}; received {seed}")
    fraction = check_fraction(fraction if fraction is not None else old.fraction)
    with project.write() as conn:
        _delete_in(conn, name)
        new = _draw_in(conn, name, float(fraction), old.coders, old.stratify, seed, min_per_stratum)
        _record(conn, SAMPLE_REDRAW, by, old, new)
    return new


def _coded_by_sample_coders(project: Project, sample: Sample) -> dict[str, int]:
    with project.read() as conn:
        return store.codings_by_coders(conn, sample.transcript_ids, sample.coders)


def _record(conn: Connection, action: str, by: str | None, before: Sample | None, after: Sample | None) -> None:
    coding_store.append_event(conn, coder=actor(by), action=action, transcript_id=None, coding_id=None,
                              before=before.to_dict() if before else None, after=after.to_dict() if after else None)
