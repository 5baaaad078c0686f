"""Codebook versions in the store: snapshots, removal checks, id renames.

Every codebook version that codings are made under is stored (sha256 of the text +
the text) in ``codebook_versions``, so an old coding's ``codebook_version_id`` always
leads back to the definitions it was made with. A new version that drops codes which
have codings is refused unless forced, because those codings would lose their code.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.model import CODE_ID_PATTERN, Codebook, unknown_code_message
from qualcode.errors import CodebookError, NotFoundError, ValidationFailed
from qualcode.store import codebook_versions as store
from qualcode.store.access import AccessDenied

if TYPE_CHECKING:
    from sqlalchemy import Connection


@dataclass(frozen=True)
class Snapshot:
    """One stored codebook version."""

    id: int
    hash: str
    path: str
    text: str
    created_at: datetime

    def codebook(self) -> Codebook:
        """The snapshot parsed back into a Codebook (cached by hash)."""
        return _parse_cached(self.text, self.path)


@dataclass(frozen=True)
class RenameResult:
    """What ``rename_code`` changed: ids (old -> new) and the codings moved."""

    mapping: dict[str, str]
    codings_updated: int
    suggestions_updated: int
    snapshot_id: int

    def to_dict(self) -> dict[str, Any]:
        return {"mapping": dict(self.mapping), "codings_updated": self.codings_updated,
                "suggestions_updated": self.suggestions_updated, "snapshot_id": self.snapshot_id}


@lru_cache(maxsize=16)
def _parse_cached(text: str, path: str) -> Codebook:
    # The loader (PyYAML) is imported only when a stored version is parsed: a coding
    # action under an already stored version never needs it (qualcode.codebook.cache).
    from qualcode.codebook.loader import parse_codebook

    return parse_codebook(text, file=path)


def latest_snapshot(conn: Connection) -> Snapshot | None:
    """The most recently stored version, or None when nothing was coded yet."""
    row = store.latest_version(conn)
    return _snapshot(row) if row is not None else None


def list_snapshots(conn: Connection) -> list[Snapshot]:
    """All stored versions, oldest first."""
    return [_snapshot(r) for r in store.all_versions(conn)]


def _snapshot(row: store.VersionRow) -> Snapshot:
    return Snapshot(row.id, row.hash, row.path, row.text, row.created_at)


def get_snapshot(conn: Connection, snapshot_id: int) -> Snapshot:
    row = store.version_by_id(conn, snapshot_id)
    if row is None:
        raise NotFoundError(f"No codebook version {snapshot_id} in the store")
    return _snapshot(row)


def version_rows(conn: Connection) -> list[dict]:
    """Stored versions, oldest first, with their code count and the codings made under each."""
    made = store.codings_per_version(conn)
    rows = []
    for snap in list_snapshots(conn):
        try:
            code_count = len(snap.codebook().codes)
        except (CodebookError, ValidationFailed):  # stored text no longer valid under today's rules
            code_count = None
        rows.append({
            "id": snap.id, "hash": snap.hash, "path": snap.path,
            "created_at": snap.created_at.isoformat(), "codes": code_count, "codings": made.get(snap.id, 0),
        })  # fmt: skip
    return rows


def coding_counts(conn: Connection, code_ids: list[str] | None = None) -> dict[str, int]:
    """Number of codings per code id (all coders), optionally only for ``code_ids``."""
    return store.coding_counts_by_code(conn, code_ids)


def removed_with_codings(conn: Connection, codebook: Codebook) -> dict[str, int]:
    """Codes with codings that ``codebook`` would drop (vs the latest snapshot).

    Without any snapshot, every coded code missing from ``codebook`` counts.
    """
    latest = latest_snapshot(conn)
    if latest is None:
        return {c: n for c, n in coding_counts(conn).items() if c not in codebook.codes}
    if latest.hash == codebook.hash:
        return {}
    dropped = [c for c in latest.codebook().codes if c not in codebook.codes]
    return coding_counts(conn, dropped) if dropped else {}


def ensure_snapshot(conn: Connection, codebook: Codebook, *, force: bool = False) -> int:
    """Id of the stored version of ``codebook``, storing it first if it is new.

    Raises
    ------
    CodebookError
        The codebook drops codes that have codings (unless ``force``); the message
        names them with their counts and says how to proceed.
    """
    latest = latest_snapshot(conn)
    if latest is not None and latest.hash == codebook.hash:
        return latest.id
    if not force:
        _refuse_removals(conn, codebook)
    found = store.version_id_of_hash(conn, codebook.hash)
    if found is not None:  # the file went back to an earlier version
        return found
    return _insert_snapshot(conn, codebook)


def _insert_snapshot(conn: Connection, codebook: Codebook) -> int:
    try:  # in a savepoint: another coder may store the same version first
        return store.insert_version(conn, codebook.hash, str(codebook.path or ""), codebook.text, datetime.now(UTC))
    except AccessDenied:  # team mode: codebook versions are the lead's (docs/team.md)
        raise CodebookError(
            f"this version of the codebook ({Path(codebook.path or 'codebook').name}, hash {codebook.hash[:12]}) "
            "is not stored in the shared database, and only the lead stores codebook versions: ask the lead "
            "to run 'qualcode codebook snapshot', or update your copy of the codebook file"
        ) from None


def _refuse_removals(conn: Connection, codebook: Codebook) -> None:
    removed = removed_with_codings(conn, codebook)
    if not removed:
        return
    listed = ", ".join(
        f"{code} ({count} coding{'s' if count != 1 else ''})" for code, count in removed.items()
    )
    raise CodebookError(
        f"The codebook removes codes that have codings: {listed}. Put them back, rename them with "
        "'qualcode codebook rename OLD NEW', or accept orphaned codings with "
        "'qualcode codebook snapshot --force'",
        file=str(codebook.path) if codebook.path else None,
    )


def rename_mapping(codebook: Codebook, old: str, new: str) -> dict[str, str]:
    """old -> new for ``old`` and every code whose id starts with ``old.``."""
    if old not in codebook.codes:
        raise NotFoundError(unknown_code_message(old, codebook.codes), code=old)
    if not CODE_ID_PATTERN.match(new):
        raise CodebookError(
            f"Invalid code id '{new}': ids are lowercase letters, digits, '_' and '-', "
            "in parts joined by dots (e.g. 'referral.hotline')"
        )
    prefix = old + "."
    mapping = {old: new}
    mapping.update({c: new + c[len(old) :] for c in codebook.codes if c.startswith(prefix)})
    taken = [n for o, n in mapping.items() if n in codebook.codes and n not in mapping]
    if taken:
        raise CodebookError(f"Cannot rename '{old}' to '{new}': code id '{taken[0]}' already exists")
    return mapping


def rename_code(conn: Connection, codebook: Codebook, old: str, new: str) -> RenameResult:
    """Rename a code id (and its dotted children) in the store and in the YAML file.

    Run inside one transaction (``project.write()``): codings and open suggestions are
    migrated, a snapshot of the renamed codebook is stored, and the file is replaced
    last, so a failure anywhere leaves both the store and the file as they were.
    """
    # The YAML modules (PyYAML) are imported here, not with this module: see _parse_cached.
    from qualcode.codebook.edit import rename_ids_in_text
    from qualcode.codebook.loader import parse_codebook

    mapping = rename_mapping(codebook, old, new)
    renamed = parse_codebook(rename_ids_in_text(codebook.text, mapping), file=codebook.path)
    ensure_snapshot(conn, codebook)  # old codings keep pointing at the version they used
    moved_codings = moved_suggestions = 0
    for before, after in mapping.items():
        codings_moved, suggestions_moved = store.rename_code_id(conn, before, after)
        moved_codings += codings_moved
        moved_suggestions += suggestions_moved
    snapshot_id = ensure_snapshot(conn, renamed)
    if codebook.path:
        write_text_atomically(Path(codebook.path), renamed.text)
    return RenameResult(mapping, moved_codings, moved_suggestions, snapshot_id)


def write_text_atomically(path: Path, text: str) -> None:
    """Replace a file's content in one step (temp file + rename in the same folder)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
