"""The shapes of ``qualcode import-project``: the options chosen and the report of what the import did.

:mod:`~qualcode.interop.qdpx_import` plans into these (through its drafts) and
:mod:`~qualcode.interop.import_apply` stores what they list; ``ImportReport.to_dict()``
is the command's ``--json``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from qualcode.interop.travel import TravelResult


@dataclass
class ImportOptions:
    """What the user chose on the command line."""

    as_coder: str | None = None
    role: str | None = None
    site: str | None = None
    codebook_from_file: bool = False
    dry_run: bool = False
    offsets: str | None = None  # force a position model instead of choosing one
    allow_consensus: bool = False  # the lead imports reconciled work as the 'consensus' coder


@dataclass(frozen=True)
class PlannedCoding:
    coder: str
    code_id: str
    start: int
    end: int
    memo: str | None = None
    origin: str = "import"
    confidence: float | None = None
    created_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class SourceOutcome:
    """One source of the file and what happens to it."""

    guid: str
    name: str
    transcript_id: str = ""
    status: str = "new"  # new | existing | skipped
    reason: str = ""
    model: str = ""
    model_reason: str = ""
    segmentation: str = ""
    segments: int = 0
    selections: int = 0
    codings: list[PlannedCoding] = field(default_factory=list)
    already_present: int = 0
    skipped: list[str] = field(default_factory=list)
    transcript: object | None = field(default=None, repr=False)  # not kept: rebuilt when stored

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("transcript")
        data["codings"], data["skipped"] = len(self.codings), list(self.skipped)
        return data


@dataclass(frozen=True)
class ImportReport:
    """Everything the import did (or, on a dry run, would do); ``to_dict()`` is its ``--json``."""

    path: str
    origin: str
    dry_run: bool
    sources: list[SourceOutcome] = field(default_factory=list)
    codebook_source: str = "none"
    codebook_action: str = ""
    codebook_file: str | None = None
    coders: list[str] = field(default_factory=list)
    coders_created: list[str] = field(default_factory=list)  # new to the project: the import adds them
    notes: list[str] = field(default_factory=list)
    travel: TravelResult | None = None  # memos on transcripts/codes and finish marks stored (None: dry run)

    @property
    def codings_added(self) -> int:
        return sum(len(s.codings) for s in self.sources)

    @property
    def codings_skipped(self) -> int:
        return sum(len(s.skipped) for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "origin": self.origin, "dry_run": self.dry_run,
            "sources": [source.to_dict() for source in self.sources],
            "codebook_source": self.codebook_source, "codebook_action": self.codebook_action,
            "codebook_file": self.codebook_file, "coders": list(self.coders),
            "coders_created": list(self.coders_created), "notes": list(self.notes),
            "travel": None if self.travel is None else self.travel.to_dict(),
            "codings_added": self.codings_added, "codings_skipped": self.codings_skipped,
        }
