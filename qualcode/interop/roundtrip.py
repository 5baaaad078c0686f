"""Checking a round trip: export a project, import it into a fresh one, compare.

:func:`compare_projects` lists every difference between two projects in what a
.qdpx carries — transcripts (id, title, role, site, attributes, text, segments), the
codebook (roles and every field of every code), coders, and codings (coder,
transcript, code, span, the text under the span, memo, origin, confidence), memos on
transcripts and codes, and counted finish marks. An empty list means the round trip
was exact.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.words import plural

if TYPE_CHECKING:
    from qualcode.project import Project

CODE_FIELDS = ("name", "parent", "definition", "include", "exclude", "examples", "roles", "color",
               "exclusive", "codable", "rules")  # fmt: skip
TRANSCRIPT_FIELDS = ("title", "role", "site", "attributes", "text", "segments")


@dataclass(frozen=True)
class RoundTrip:
    """The outcome of :func:`round_trip`."""

    path: Path
    transcripts: int = 0
    codings: int = 0
    coders: int = 0
    codes: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not self.differences

    def summary(self) -> str:
        verdict = "exact" if self.exact else f"{len(self.differences)} difference(s), first: {self.differences[0]}"
        return (
            f"{self.path.name}: {plural(self.transcripts, 'transcript')}, {plural(self.codes, 'code')}, {plural(self.coders, 'coder')}, "
            f"{plural(self.codings, 'coding')}; round trip {verdict}"
        )


def round_trip(project: Project, output: Path, *, workdir: Path | None = None) -> RoundTrip:
    """Export ``project`` to ``output``, import it into a fresh project, compare the two."""
    from qualcode.interop.qdpx_export import export_qdpx
    from qualcode.interop.qdpx_import import ImportOptions, import_project
    from qualcode.project import Project as ProjectClass

    summary = export_qdpx(project, output)
    with tempfile.TemporaryDirectory(prefix="qualcode-roundtrip-", dir=workdir) as temp:
        fresh = ProjectClass.init(Path(temp) / "roundtrip", name=project.name)
        try:
            import_project(fresh, output, ImportOptions(codebook_from_file=True))
            differences = compare_projects(project, fresh)
        finally:
            fresh.close()
    return RoundTrip(
        Path(output), summary.transcripts, summary.codings, len(summary.coders), summary.codes, differences
    )


def compare_projects(a: Project, b: Project) -> list[str]:
    """Every difference between two projects in what a .qdpx carries (empty: none)."""
    differences = _compare_codebooks(a.codebook, b.codebook)
    with a.read() as conn_a, b.read() as conn_b:
        differences += _compare_transcripts(conn_a, conn_b)
        differences += _compare_codings(conn_a, conn_b)
        differences += _compare_memos_and_marks(conn_a, conn_b)
    return differences


def _compare_memos_and_marks(conn_a, conn_b) -> list[str]:
    from qualcode.interop.travel import gather

    first, second = gather(conn_a, None), gather(conn_b, None)
    differences = [f"memo lost or changed: {m.coder} on {m.target}" for m in set(first.memos) - set(second.memos)]
    differences += [f"memo appeared: {m.coder} on {m.target}" for m in set(second.memos) - set(first.memos)]
    differences += [f"finish mark lost: {m.coder} {m.kind} on {m.where}" for m in set(first.marks) - set(second.marks)]
    differences += [f"finish mark appeared: {m.coder} {m.kind} on {m.where}"
                    for m in set(second.marks) - set(first.marks)]
    return sorted(differences)


def _compare_codebooks(a, b) -> list[str]:
    differences = []
    if {k: (r.label, r.aliases) for k, r in a.roles.items()} != {k: (r.label, r.aliases) for k, r in b.roles.items()}:
        differences.append("codebook roles differ")
    if list(a.codes) != list(b.codes):
        missing = [c for c in a.codes if c not in b.codes]
        differences.append(f"codebook code ids differ (missing: {', '.join(missing[:5]) or 'none'}; or order)")
    for code_id, code in a.codes.items():
        other = b.codes.get(code_id)
        for name in CODE_FIELDS if other is not None else ():
            if getattr(code, name) != getattr(other, name):
                differences.append(f"code '{code_id}': {name} differs")
    return differences


def _compare_transcripts(conn_a, conn_b) -> list[str]:
    from qualcode.store.transcripts import load_transcript, transcript_ids

    ids_a, ids_b = transcript_ids(conn_a), transcript_ids(conn_b)
    differences = [f"transcript '{t}' missing after import" for t in ids_a if t not in ids_b]
    differences += [f"transcript '{t}' appeared on import" for t in ids_b if t not in ids_a]
    for transcript_id in (t for t in ids_a if t in ids_b):
        first, second = load_transcript(conn_a, transcript_id), load_transcript(conn_b, transcript_id)
        for name in TRANSCRIPT_FIELDS:
            if getattr(first, name) != getattr(second, name):
                differences.append(f"transcript '{transcript_id}': {name} differs")
    return differences


def _compare_codings(conn_a, conn_b) -> list[str]:
    from qualcode.store import codings as store

    differences = []
    if store.coder_names(conn_a) != store.coder_names(conn_b):
        differences.append(f"coders differ: {store.coder_names(conn_a)} vs {store.coder_names(conn_b)}")
    first, second = _coding_set(conn_a), _coding_set(conn_b)
    for item in sorted(first - second, key=str)[:20]:
        differences.append(f"coding lost or changed: {item[:5]}")
    for item in sorted(second - first, key=str)[:20]:
        differences.append(f"coding appeared: {item[:5]}")
    return differences


def _coding_set(conn) -> set[tuple]:
    from qualcode.store.coded_text import coding_listing

    return {
        (r.coder, r.transcript_id, r.code_id, r.start_offset, r.end_offset, r.coded_text,
         r.memo, r.origin, r.confidence)
        for r in coding_listing(conn)
    }
