"""Blind double-coding: who may see whose codings while a sample is open.

The rule, applied to every channel that carries a coder's judgement (the coding
screen's tags, listings, agreement, disagreements, exports, tallies, quotes, the
report, model suggestions):

- A sample is **open** from ``qualcode sample create`` until the lead runs
  ``qualcode sample close NAME``.
- A coder assigned to an open sample (the *viewer*) sees nothing of any other coder's
  codings on that sample's transcripts: not the other sample coders', not
  ``consensus``'s, not an autocoder's. Their own codings they always see.
- The **lead** (``lead = "NAME"`` in qualcode.toml's ``[project]``) is not blind.
- Everyone else (a viewer in no open sample) sees everything.
- An **unknown** viewer is refused whatever would touch codings on an open sample's
  transcripts: it could be one of the sample's coders.

Who is acting: the coding screen and ``tag`` act as their ``--coder``; every other
command acts as ``QUALCODE_CODER`` (the same variable that binds a coder to a shared
login in team mode), else ``coder`` in qualcode.toml's ``[team]`` section.

Commands that would show hidden codings are refused with one line (never silently
filtered, so no number is quietly computed on less data). Model training never
learns from codings on open samples' transcripts (see :mod:`qualcode.coding.learn`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError
from qualcode.store import blind as store
from qualcode.store import codings as coding_store
from qualcode.store import samples

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy import Connection

    from qualcode.project import Project

CODER_ENV = "QUALCODE_CODER"
SAMPLE_CLOSE = "sample:close"  # the event a closing leaves in the log (not undoable: store.codings)


class BlindError(QualcodeError):
    """The request would show codings that blind double-coding hides from the viewer."""


@dataclass(frozen=True)
class Viewer:
    """Who is acting: a name (None when unknown) and whether that is the project's lead."""

    name: str | None
    lead: bool = False

    @property
    def known(self) -> bool:
        return self.name is not None


def lead_of(project: Project) -> str | None:
    """The lead named in qualcode.toml (``[project] lead``), if any."""
    lead = project.setting("project", "lead")
    return str(lead).strip() or None if lead else None


def viewer_of(project: Project, name: str | None = None) -> Viewer:
    """The acting person: ``name`` (a command's --coder), else QUALCODE_CODER, else [team] coder."""
    name = (name or os.environ.get(CODER_ENV) or project.setting("team", "coder") or "").strip() or None
    return Viewer(name, lead=name is not None and name == lead_of(project))


@dataclass(frozen=True)
class BlindRule:
    """The open samples, and what each viewer may see under them."""

    samples: tuple[store.OpenSample, ...]

    @classmethod
    def load(cls, conn: Connection) -> BlindRule:
        return cls(tuple(store.open_samples(conn)))

    def blind_transcripts(self, viewer: Viewer) -> frozenset[str]:
        """Transcripts on which the viewer sees only their own codings."""
        if viewer.lead:
            return frozenset()
        return frozenset(t for s in self.samples if viewer.name is None or viewer.name in s.coders
                         for t in s.transcripts)

    def hidden(self, viewer: Viewer, coder: str, transcript: str) -> bool:
        """Whether the viewer may not see this coder's codings on this transcript."""
        return coder != viewer.name and transcript in self.blind_transcripts(viewer)

    def samples_of(self, transcript: str) -> list[str]:
        return [s.name for s in self.samples if transcript in s.transcripts]


def is_blind(conn: Connection, viewer: Viewer, transcript_id: str) -> bool:
    """True when the viewer codes this transcript blind (an open sample they are assigned to)."""
    return viewer.known and transcript_id in BlindRule.load(conn).blind_transcripts(viewer)


def check_visible(
    conn: Connection,
    viewer: Viewer,
    *,
    coders: Iterable[str] | None = None,
    transcripts: Iterable[str] | None = None,
    what: str = "this",
) -> None:
    """Refuse (BlindError) when ``what`` would read codings the viewer may not see.

    ``coders`` / ``transcripts``: the codings the command reads (None: all). Only
    codings that exist count, so a command reading nothing hidden runs as before.
    """
    rule = BlindRule.load(conn)
    blind = rule.blind_transcripts(viewer)
    if transcripts is not None:
        blind = blind & set(transcripts)
    if not blind:
        return
    shown = [(c, t) for c, t, n in store.coding_counts(conn, blind, coders) if n and c != viewer.name]
    if not shown:
        return
    names = sorted({s for _, t in shown for s in rule.samples_of(t)})
    where = f"sample{'s' if len(names) > 1 else ''} {', '.join(repr(n) for n in names)}"
    others = ", ".join(sorted({c for c, _ in shown}))
    if not viewer.known:
        raise BlindError(
            f"{what} would show codings by {others} on transcripts of open double-coding {where}, and it is not "
            f"known who you are: set {CODER_ENV}=NAME (a coder of the sample sees only their own codings there; "
            "the lead, named by 'lead' in qualcode.toml [project], sees everything)"
        )
    raise BlindError(
        f"{what} would show codings by {others} on transcripts of {where}, which {viewer.name} codes blind; "
        f"they show once the lead closes the sample (qualcode sample close NAME)"
    )


@dataclass(frozen=True)
class ClosedSample:
    """What ``qualcode sample close`` did."""

    name: str
    closed_by: str
    closed_at: str

    def to_dict(self) -> dict[str, str]:
        return {"sample": self.name, "closed_by": self.closed_by, "closed_at": self.closed_at}


def require_lead(project: Project, doing: str, viewer: Viewer | None = None) -> Viewer:
    """The acting viewer, refused unless it is the lead named in qualcode.toml."""
    viewer = viewer or viewer_of(project)
    lead = lead_of(project)
    if lead is None:
        raise BlindError(f"only the lead {doing}, and qualcode.toml names no lead: name one with "
                         "'qualcode lead set NAME' ([project] lead)")
    if not viewer.lead:
        who = viewer.name or f"unknown (set {CODER_ENV})"
        raise BlindError(f"only the lead ({lead}) {doing}; you are {who}")
    return viewer


def close_sample(project: Project, name: str, viewer: Viewer | None = None) -> ClosedSample:
    """Close an open sample (the lead only): its coders' codings become visible to each other."""
    viewer = require_lead(project, "closes a sample", viewer)
    lead = lead_of(project)
    assert lead is not None, "require_lead refuses a project without a lead"
    with project.write() as conn:
        samples.require_sample(conn, name)  # NotFoundError listing the samples
        stamp = store.close_sample(conn, name, viewer.name or lead)
        if stamp is None:
            closed_at, closed_by = store.sample_closure(conn, name)
            raise BlindError(f"sample '{name}' is already closed (by {closed_by} at {closed_at:%Y-%m-%d %H:%M})")
        closed = ClosedSample(name, viewer.name or lead, stamp.isoformat(timespec="seconds"))
        # why: ending blind coding changes what every coder sees, so the audit trail shows it
        coding_store.append_event(conn, coder=closed.closed_by or "unknown", action=SAMPLE_CLOSE, transcript_id=None,
                                  coding_id=None, before={"name": name, "open": True},
                                  after={"name": name, "open": False, "closed_at": closed.closed_at})
    return closed


def guard(
    project: Project,
    *,
    coders: Iterable[str] | None = None,
    transcripts: Iterable[str] | None = None,
    what: str,
    viewer: Viewer | None = None,
) -> None:
    """:func:`check_visible` for a command's plain twin (the viewer from the environment by default)."""
    viewer = viewer or viewer_of(project)
    with project.read() as conn:
        check_visible(conn, viewer, coders=coders, transcripts=transcripts, what=what)


def guard_counted(project: Project, coder_for: dict[str, str], *, what: str, viewer: Viewer | None = None) -> None:
    """Guard a reader of per-transcript coders (the analysis set: transcript -> whose codings
    count there): each coder is checked on the transcripts it counts for."""
    by_coder: dict[str, list[str]] = {}
    for transcript, coder in coder_for.items():
        by_coder.setdefault(coder, []).append(transcript)
    viewer = viewer or viewer_of(project)
    with project.read() as conn:
        for coder, transcripts in sorted(by_coder.items()):
            check_visible(conn, viewer, coders=[coder], transcripts=transcripts, what=what)
