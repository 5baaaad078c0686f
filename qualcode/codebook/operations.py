"""The plain-Python twins of the ``qualcode codebook`` commands: each returns data.

The CLI parses arguments, calls one of these and renders the result; scripts and
notebooks can call them directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.codebook.csvfile import codebook_to_csv, read_csv_codebook
from qualcode.codebook.diff import CodebookDiff, diff_codebooks
from qualcode.codebook.documents import codebook_to_markdown, write_docx
from qualcode.codebook.loader import load_codebook, parse_codebook
from qualcode.codebook.model import Codebook
from qualcode.codebook.refi import codebook_to_qdc, read_refi_codebook
from qualcode.errors import CodebookError, ExportError, InteropError

# qualcode.codebook.versions (the stored versions) is imported inside the functions that
# read the store: it loads SQLAlchemy, which validating or converting a codebook file
# must not (tests/codebook/test_cli.py checks it).

if TYPE_CHECKING:
    from qualcode.codebook.versions import RenameResult
    from qualcode.project import Project

EXPORT_FORMATS = ("qdc", "csv", "md", "docx")
IMPORTERS: dict[str, Callable[..., Codebook]] = {
    ".qdc": read_refi_codebook,
    ".qde": read_refi_codebook,
    ".qdpx": read_refi_codebook,
    ".csv": read_csv_codebook,
}


@dataclass(frozen=True)
class CodebookSummary:
    """What ``validate`` reports for a valid codebook."""

    path: str | None
    roles: dict[str, str]  # key -> label
    codes: int
    codable: int
    top_level: int
    with_rules: int
    per_role: dict[str, int]  # role key -> codes a coder may apply

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "roles": dict(self.roles), "codes": self.codes, "codable": self.codable,
                "top_level": self.top_level, "with_rules": self.with_rules, "per_role": dict(self.per_role)}


@dataclass(frozen=True)
class Snapshot:
    """``snapshot``: the stored version's id and whether this call stored it."""

    version: int
    created: bool

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "created": self.created}


@dataclass(frozen=True)
class DiffReport:
    """``diff``: the latest snapshot against the file, with codings of removed codes."""

    diff: CodebookDiff
    snapshot_id: int | None
    removed_codings: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"snapshot": self.snapshot_id, **self.diff.to_dict(), "removed_codings": self.removed_codings}


@dataclass(frozen=True)
class CodebookVersion:
    """One stored codebook version of ``codebook versions``; ``codes`` is None when its
    stored text no longer validates under today's rules."""

    id: int
    hash: str
    path: str | None
    created_at: str  # ISO 8601
    codes: int | None
    codings: int  # made under this version

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "hash": self.hash, "path": self.path, "created_at": self.created_at,
                "codes": self.codes, "codings": self.codings}


def summarize(codebook: Codebook) -> CodebookSummary:
    """Counts of roles, codes and codes per role."""
    return CodebookSummary(
        path=codebook.path,
        roles={r.key: r.label for r in codebook.roles.values()},
        codes=len(codebook.codes),
        codable=sum(c.codable for c in codebook.codes.values()),
        top_level=len(codebook.top_level()),
        with_rules=sum(not c.rules.is_empty for c in codebook.codes.values()),
        per_role={r: len(codebook.codes_for(r)) for r in codebook.roles},
    )


def validate_codebook_file(path: str | Path) -> CodebookSummary:
    """Load (and so validate) a codebook file; raises ValidationFailed with every problem."""
    return summarize(load_codebook(path))


@dataclass(frozen=True)
class CodeRow:
    """One code of ``codebook show``; ``codings`` is None where no counts were asked for."""

    id: str
    name: str
    parent: str | None
    roles: tuple[str, ...]  # codebook order
    definition: str
    include: str
    exclude: str
    examples: tuple[str, ...]
    codable: bool
    codings: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "parent": self.parent, "roles": list(self.roles),
            "definition": self.definition, "include": self.include, "exclude": self.exclude,
            "examples": list(self.examples), "codable": self.codable, "codings": self.codings,
        }  # fmt: skip


def code_rows(
    codebook: Codebook, role: str | None = None, counts: dict[str, int] | None = None
) -> list[CodeRow]:
    """Flat rows, tree order, roles resolved; with ``role`` only codes applying to it.

    Grouping nodes are kept (``codable: false``) so the tree can be drawn.
    """
    key = codebook.resolve_role(role) if role else None
    return [
        CodeRow(
            id=code.id, name=code.name, parent=code.parent,
            roles=tuple(r for r in codebook.roles if r in code.roles),
            definition=code.definition, include=code.include, exclude=code.exclude,
            examples=tuple(code.examples), codable=code.codable,
            codings=counts.get(code.id, 0) if counts is not None else None,
        )
        for code in codebook.codes.values()
        if key is None or key in code.roles
    ]  # fmt: skip


def project_code_rows(project: Project, role: str | None = None) -> list[CodeRow]:
    """``show``: the project's codebook as rows, with counts of codings per code."""
    from qualcode.codebook.versions import coding_counts

    with project.read() as conn:
        counts = coding_counts(conn)
    return code_rows(project.codebook, role, counts)


def export_codebook(codebook: Codebook, fmt: str, output: str | Path) -> Path:
    """Write the codebook as qdc, csv, md or docx to ``output``."""
    output = Path(output)
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"Unknown export format '{fmt}'. Formats: {', '.join(EXPORT_FORMATS)}")
    if not output.parent.is_dir():
        raise ExportError(f"Folder {output.parent} does not exist", file=str(output))
    if fmt == "qdc":
        output.write_bytes(codebook_to_qdc(codebook))
    elif fmt == "csv":
        output.write_text(codebook_to_csv(codebook), encoding="utf-8", newline="")
    elif fmt == "md":
        output.write_text(codebook_to_markdown(codebook), encoding="utf-8")
    else:
        write_docx(codebook, output)
    return output


def import_codebook(source: str | Path, output: str | Path, *, overwrite: bool = False) -> Codebook:
    """Convert a REFI-QDA (.qdc/.qde/.qdpx) or CSV codebook to a YAML codebook file."""
    source, output = Path(source), Path(output)
    reader = IMPORTERS.get(source.suffix.lower())
    if reader is None:
        raise InteropError(
            f"Cannot import '{source.suffix or source.name}' files. Formats: {', '.join(IMPORTERS)}",
            file=str(source),
        )
    if output.exists() and not overwrite:
        raise InteropError(f"{output} already exists; pass --force to overwrite it", file=str(output))
    codebook = reader(source, output=str(output))
    output.write_text(codebook.text, encoding="utf-8")
    return codebook


def diff_project(project: Project) -> DiffReport:
    """``diff``: the latest stored version against the codebook file."""
    from qualcode.codebook.versions import coding_counts, latest_snapshot

    current = project.codebook
    with project.read() as conn:
        latest = latest_snapshot(conn)
        old = latest.codebook() if latest else parse_codebook("codes: []", file="(no snapshot)")
        diff = diff_codebooks(old, current)
        removed = coding_counts(conn, [c.id for c in diff.removed]) if diff.removed else {}
    return DiffReport(diff, latest.id if latest else None, removed)


def snapshot_project(project: Project, *, force: bool = False) -> Snapshot:
    """Store the codebook file's version; returns its id and whether it was new."""
    from qualcode.codebook.versions import ensure_snapshot, latest_snapshot

    codebook = project.codebook
    with project.write() as conn:
        before = latest_snapshot(conn)
        version = ensure_snapshot(conn, codebook, force=force)
    return Snapshot(version, before is None or before.id < version)


def list_versions(project: Project) -> list[CodebookVersion]:
    """``versions``: stored codebook versions, oldest first, with their code and coding counts."""
    from qualcode.codebook.versions import version_rows

    with project.read() as conn:
        rows = version_rows(conn)
    return [CodebookVersion(**row) for row in rows]


def rename_project_code(project: Project, old: str, new: str) -> RenameResult:
    """``rename``: migrate codings and edit the YAML file, in one transaction."""
    from qualcode.codebook.versions import rename_code

    codebook = project.codebook
    if codebook.path is None:
        raise CodebookError("The project's codebook has no file to edit")
    with project.write() as conn:
        result = rename_code(conn, codebook, old, new)
    project.reload_codebook()
    return result
