"""Correcting imported transcripts: role, site, attributes and id, or removing one.

Plain-Python twins of ``qualcode transcripts set`` and ``qualcode transcripts remove``;
``import --replace`` applies a changed role or site through :func:`correct_in` too.
Each change is one transaction and is recorded in the event log (actions
``transcript:set`` and ``transcript:remove``, under the name of who made it), with
the whole removed transcript and its codings, so that it can be audited and restored
(``transcripts restore``). A coder's ``undo`` does not revert these records.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError, TranscriptError
from qualcode.store.assignments import assignments_of, put_back_assignments

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.codebook.model import Codebook
    from qualcode.project import Project

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
SET_ACTION, REMOVE_ACTION, RESTORE_ACTION = "transcript:set", "transcript:remove", "transcript:restore"


@dataclass(frozen=True)
class SetResult:
    """What ``transcripts set`` changed: ``changes`` are (field, before, after)."""

    transcript_id: str
    previous_id: str
    changes: tuple[tuple[str, object, object], ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "id": self.transcript_id, "previous_id": self.previous_id,
            "changes": {name: {"from": old, "to": new} for name, old, new in self.changes},
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        if not self.changes:
            return f"{self.transcript_id}: nothing to change (already so)"
        parts = [f"{name} {_shown(old)} -> {_shown(new)}" for name, old, new in self.changes]
        return f"{self.transcript_id}: " + "; ".join(parts)


@dataclass(frozen=True)
class RemoveResult:
    """What ``transcripts remove`` deleted (or, from :func:`describe_removal`, would delete)."""

    transcript_id: str
    role: str
    site: str
    turns: int
    codings: int
    coders: tuple[str, ...]
    samples: tuple[str, ...]
    assigned: tuple[str, ...] = ()  # coders assigned to it (qualcode assign), primary first
    event_group: int | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.transcript_id, "role": self.role, "site": self.site, "turns": self.turns,
            "codings": self.codings, "coders": list(self.coders), "samples": list(self.samples),
            "assigned": list(self.assigned), "event_group": self.event_group,
        }


def actor(by: str | None) -> str:
    """Who is making a change, for the event log: ``--by`` or the login name."""
    if by and by.strip():
        return by.strip()
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return "unknown"


def set_transcript(
    project: Project,
    transcript_id: str,
    *,
    role: str | None = None,
    site: str | None = None,
    attributes: dict[str, str] | None = None,
    new_id: str | None = None,
    by: str | None = None,
) -> SetResult:
    """Change a transcript's role, site, attributes (``""`` removes one) and/or id."""
    if role is None and site is None and not attributes and new_id is None:
        raise TranscriptError("nothing to change; give --role, --site, --attr KEY=VALUE or --id NEWID")
    with project.write() as conn:
        return correct_in(
            conn, project.codebook, transcript_id, role=role, site=site, attributes=attributes or {},
            new_id=new_id, by=actor(by),
        )


def correct_in(
    conn: Connection,
    codebook: Codebook,
    transcript_id: str,
    *,
    role: str | None,
    site: str | None,
    attributes: dict[str, str],
    new_id: str | None = None,
    by: str,
) -> SetResult:
    """Apply a correction inside the caller's transaction (also used by ``import --replace``)."""
    from qualcode.store import transcripts as queries
    from qualcode.store.codings import append_event

    row = _existing(conn, transcript_id)
    before = {"id": row.id, "role": row.role, "site": row.site, "attributes": dict(row.attributes or {})}
    after = dict(before, attributes=_merged(before["attributes"], attributes))
    if role is not None:
        after["role"] = codebook.resolve_role(role)
    if site is not None:
        after["site"] = _site(site)
    if new_id is not None:
        after["id"] = _check_new_id(conn, transcript_id, new_id)
    changes = tuple((k, before[k], after[k]) for k in ("role", "site", "attributes", "id") if before[k] != after[k])
    if not changes:
        return SetResult(transcript_id, transcript_id, ())
    if after["role"] != before["role"]:
        check_role_change(conn, codebook, transcript_id, after["role"])
    queries.update_metadata(conn, transcript_id, {k: after[k] for k in ("role", "site", "attributes")})
    if after["id"] != transcript_id:
        queries.rename_transcript(conn, transcript_id, after["id"])
    append_event(conn, coder=by, action=SET_ACTION, transcript_id=after["id"], coding_id=None,
                 before=before, after=after)
    return SetResult(after["id"], transcript_id, changes, _notes(conn, after["id"], changes))


def check_role_change(conn: Connection, codebook: Codebook, transcript_id: str, new_role: str) -> None:
    """Refuse a role under which some of the transcript's codings could not have been made."""
    from qualcode.store.codings import codings_of_transcript

    misfits: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for coding in codings_of_transcript(conn, transcript_id):
        try:
            codebook.check_applicable(coding["code_id"], new_role)
        except QualcodeError:
            misfits[coding["code_id"]].add(coding["coder"])
            counts[coding["code_id"]] += 1
    if misfits:
        listed = ", ".join(
            f"{code} ({counts[code]} by {', '.join(sorted(misfits[code]))})" for code in sorted(misfits)
        )
        raise TranscriptError(
            f"cannot make '{transcript_id}' a {new_role} transcript: {sum(counts.values())} of its codings "
            f"use codes that do not apply to {new_role}: {listed}; remove those codings first "
            "('qualcode untag') or keep the role; nothing changed"
        )


def describe_removal(project: Project, transcript_id: str) -> RemoveResult:
    """What :func:`remove_transcript` would delete (for the confirmation prompt)."""
    with project.read() as conn:
        return _removal(conn, transcript_id)


def remove_transcript(project: Project, transcript_id: str, *, by: str | None = None) -> RemoveResult:
    """Delete a transcript with its codings, recording all of it in the event log."""
    from qualcode.store import transcripts as queries
    from qualcode.store.access import lock_coder
    from qualcode.store.codings import append_event, codings_of_transcript

    who = actor(by)
    with project.write() as conn:
        preview = _removal(conn, transcript_id)
        for coder in preview.coders:  # no coder of this transcript is mid-action
            lock_coder(conn, coder)
        group = append_event(conn, coder=who, action=REMOVE_ACTION, transcript_id=transcript_id,
                             coding_id=None, before=_transcript_record(conn, transcript_id), after=None)
        for coding in codings_of_transcript(conn, transcript_id):
            append_event(conn, coder=who, action=REMOVE_ACTION, transcript_id=transcript_id,
                         coding_id=coding["id"], before=coding, after=None, group_id=group)
        queries.delete_transcript(conn, transcript_id)
    return replace(preview, event_group=group)


@dataclass(frozen=True)
class RestoreResult:
    """What ``transcripts restore`` brought back from the event log."""

    transcript_id: str
    turns: int
    codings: int
    samples: tuple[str, ...]
    samples_gone: tuple[str, ...]
    removal_group: int
    event_group: int
    assigned: tuple[str, ...] = ()
    assigned_gone: tuple[str, ...] = ()  # coders no longer in the project: not re-assigned

    def to_dict(self) -> dict:
        return {
            "id": self.transcript_id, "turns": self.turns, "codings": self.codings,
            "samples": list(self.samples), "samples_gone": list(self.samples_gone),
            "assigned": list(self.assigned), "assigned_gone": list(self.assigned_gone),
            "removal_group": self.removal_group, "event_group": self.event_group,
        }


def restore_transcript(project: Project, transcript_id: str, *, by: str | None = None) -> RestoreResult:
    """Undo the newest ``transcripts remove`` of this id: the transcript, its turns, its
    codings (under their old ids) and its sample memberships, from the event log."""
    from qualcode.store import codings as store
    from qualcode.store import transcripts as queries

    who = actor(by)
    with project.write() as conn:
        if queries.transcript_row(conn, transcript_id) is not None:
            raise TranscriptError(f"transcript '{transcript_id}' exists; nothing to restore")
        removal = store.last_removal(conn, transcript_id, REMOVE_ACTION)
        if removal is None:
            raise TranscriptError(f"the event log has no removal of '{transcript_id}' to restore")
        record, *coded = store.group_events(conn, removal)
        queries.insert_transcript(conn, _from_record(record["before"]))
        group = store.append_event(conn, coder=who, action=RESTORE_ACTION, transcript_id=transcript_id,
                                   coding_id=None, before=None, after={"restores": removal})
        new_ids = queries.segment_ids(conn, transcript_id)
        ordinals = {int(k): v for k, v in record["before"]["segment_ordinals"].items()}
        for event in coded:
            row = dict(event["before"])
            if row["segment_id"] is not None:
                row["segment_id"] = new_ids[ordinals[row["segment_id"]]]
            stored = store.insert_coding(conn, row)
            store.append_event(conn, coder=who, action=RESTORE_ACTION, transcript_id=transcript_id,
                               coding_id=row["id"], before=None, after=stored, group_id=group)
        memberships = [tuple(m) for m in record["before"]["samples"]]
        gone = queries.add_sample_memberships(conn, transcript_id, memberships)
        # Removals recorded before assignments were kept have none to put back.
        assigned = record["before"].get("assignments", [])
        assigned_gone = put_back_assignments(conn, transcript_id, assigned)
        store.set_group_undone(conn, removal, True)
    return RestoreResult(
        transcript_id, len(record["before"]["segments"]), len(coded),
        tuple(s for s, _ in memberships if s not in gone), tuple(gone), removal, group,
        tuple(a["coder"] for a in assigned if a["coder"] not in assigned_gone), tuple(assigned_gone),
    )


def _from_record(record: dict):
    from qualcode.transcripts.model import Segment, Transcript

    fields = ("id", "title", "role", "site", "text", "attributes", "format", "source_path", "sha256")
    return Transcript(**{k: record[k] for k in fields}, segments=[Segment(**s) for s in record["segments"]])


def _removal(conn: Connection, transcript_id: str) -> RemoveResult:
    from qualcode.store import transcripts as queries
    from qualcode.store.codings import codings_of_transcript

    transcript = queries.load_transcript(conn, transcript_id)
    rows = codings_of_transcript(conn, transcript_id)
    return RemoveResult(
        transcript.id, transcript.role, transcript.site, len(transcript.segments), len(rows),
        tuple(sorted({r["coder"] for r in rows})), tuple(queries.samples_of(conn, transcript_id)),
        tuple(a["coder"] for a in assignments_of(conn, transcript_id)),
    )


def _transcript_record(conn: Connection, transcript_id: str) -> dict:
    """The whole transcript as JSON for the event log (enough to restore it)."""
    from dataclasses import asdict

    from qualcode.store import transcripts as queries

    t = queries.load_transcript(conn, transcript_id)
    return {
        "id": t.id, "title": t.title, "role": t.role, "site": t.site, "attributes": t.attributes,
        "source_path": t.source_path, "sha256": t.sha256, "format": t.format, "text": t.text,
        "segments": [asdict(s) for s in t.segments],
        "segment_ordinals": queries.segment_ordinals(conn, transcript_id),
        "samples": queries.sample_memberships(conn, transcript_id),
        "assignments": assignments_of(conn, transcript_id),
    }


def _existing(conn: Connection, transcript_id: str):
    from qualcode.store import transcripts as queries

    queries.load_transcript(conn, transcript_id)  # NotFoundError with a did-you-mean
    return queries.transcript_row(conn, transcript_id)


def _merged(current: dict[str, str], given: dict[str, str]) -> dict[str, str]:
    # An empty value removes the attribute (``--attr mode=``).
    merged = dict(current)
    for key, value in given.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _site(site: str) -> str:
    if not site.strip():
        raise TranscriptError("--site must not be empty")
    return site.strip()


def _check_new_id(conn: Connection, transcript_id: str, new_id: str) -> str:
    from qualcode.store.transcripts import transcript_row

    if not ID_PATTERN.fullmatch(new_id):
        raise TranscriptError(
            f"'{new_id}' is not a valid transcript id; use letters, digits, '.', '_' and '-' "
            "(starting with a letter or digit, at most 200 characters)"
        )
    if new_id != transcript_id and transcript_row(conn, new_id) is not None:
        raise TranscriptError(f"transcript id '{new_id}' is already taken; choose another or remove that one first")
    return new_id


def _notes(conn: Connection, transcript_id: str, changes) -> tuple[str, ...]:
    from qualcode.store.transcripts import samples_of

    fields = {name for name, *_ in changes}
    samples = samples_of(conn, transcript_id)
    if samples and fields & {"role", "site"}:
        return ((
            f"'{transcript_id}' is in sample(s) {', '.join(samples)}, drawn with its old role and site; "
            "the samples were not redrawn"
        ),)
    return ()


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={v}" for k, v in sorted(value.items())) + "}"
    return str(value)
