"""Import requests, one a file: from the command line (``--attr key=value`` pairs) or from
a row of a manifest CSV (``file,role,site`` plus attribute columns; ``--manifest``).
``qualcode.transcripts.importing`` re-exports them."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import TranscriptImportError

REQUIRED_MANIFEST_COLUMNS = ("file", "role", "site")


@dataclass
class ImportRequest:
    """One file to import with its metadata (from the command line or a manifest row)."""

    path: Path
    role: str
    site: str
    attributes: dict[str, str] = field(default_factory=dict)
    transcript_id: str | None = None
    row: int | None = None  # manifest row, for error messages
    speaker: str | None = None  # a document without labels: all its text is this speaker's (--speaker)

    @property
    def id(self) -> str:
        return self.transcript_id or slugify(self.path.stem)


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "transcript"


def read_manifest(path: Path) -> list[ImportRequest]:
    """Rows of a manifest CSV (``file,role,site`` plus attribute columns) as requests.

    Files are relative to the manifest's folder. Problems name the row.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TranscriptImportError("manifest not found; check the path", file=str(path)) from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_MANIFEST_COLUMNS if c not in columns]
    if missing:
        raise TranscriptImportError(
            f"manifest lacks column(s) {', '.join(missing)}; found: {', '.join(columns) or 'none'}; "
            f"required: {', '.join(REQUIRED_MANIFEST_COLUMNS)} (other columns become attributes)",
            file=str(path),
        )
    return [_manifest_request(path, number, row) for number, row in enumerate(reader, start=2)]


def _manifest_request(path: Path, number: int, row: dict[str, str]) -> ImportRequest:
    row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
    for column in REQUIRED_MANIFEST_COLUMNS:
        if not row.get(column):
            raise TranscriptImportError(
                f"empty '{column}'; every row needs file, role and site", file=str(path), row=number
            )
    extra = {k: v for k, v in row.items() if k not in (*REQUIRED_MANIFEST_COLUMNS, "id") and v}
    return ImportRequest(
        path=(path.parent / row["file"]),
        role=row["role"],
        site=row["site"],
        attributes=extra,
        transcript_id=row.get("id") or None,
        row=number,
    )


def parse_attributes(pairs: list[str]) -> dict[str, str]:
    """``["years=4", "mode=virtual"]`` -> dict; a pair without '=' is an error."""
    result = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise TranscriptImportError(f"--attr expects key=value, got '{pair}'")
        result[key.strip()] = value.strip()
    return result
