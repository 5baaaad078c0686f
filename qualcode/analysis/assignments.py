"""``qualcode assign`` / ``unassign``: who codes which transcript.

The first coder assigned to a transcript is its *primary* coder; coders assigned
after it (a second coder of a double-coded sample) code it for reliability. The
analysis set (:mod:`qualcode.analysis.analysis_set`) counts the primary coder's
codings until a reconciled consensus replaces them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.coding.assignments import transcript_choices
from qualcode.coding.coders import check_known_coder, require_coder
from qualcode.errors import NotFoundError, QualcodeError

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.handles import Connection


class AssignmentError(QualcodeError):
    """An assignment that cannot be made as asked."""


@dataclass(frozen=True)
class AssignResult:
    """What ``assign`` / ``unassign`` changed."""

    coder: str
    action: str  # "assign" | "unassign"
    selected: tuple[str, ...]
    changed: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"coder": self.coder, "action": self.action, "selected": list(self.selected),
                "changed": list(self.changed), "unchanged": len(self.selected) - len(self.changed)}


def _selection(conn: Connection, project: Project, transcripts, role, site, every) -> list[str]:
    """The transcripts named by exactly one of: ids, --role, --site, --all."""
    from qualcode.store.assignments import transcript_ids

    given = sum(bool(x) for x in (transcripts, role, site, every))
    if given != 1:
        raise AssignmentError(
            f"name the transcripts in exactly one way (TRANSCRIPT..., --role, --site or --all); received {given}")
    if every:
        return transcript_ids(conn)
    if role:
        found = transcript_ids(conn, role=project.codebook.resolve_role(role))
    elif site:
        found = transcript_ids(conn, site=site.strip())
    else:
        known = set(transcript_ids(conn))
        unknown = [t for t in transcripts if t not in known]
        if unknown:
            raise NotFoundError(f"Unknown transcript {', '.join(repr(t[:60]) for t in unknown[:5])}; "
                                "see qualcode transcripts list")
        found = list(dict.fromkeys(transcripts))
    if not found:
        raise NotFoundError(f"No transcript of {'role' if role else 'site'} '{(role or site)[:60]}'")
    return found


def assign(project: Project, coder: str, transcripts: list[str] | None = None, *, role: str | None = None,
           site: str | None = None, every: bool = False) -> AssignResult:
    """Assign a known coder to transcripts; the plain twin of ``qualcode assign``."""
    from qualcode.store.assignments import add_assignments

    with project.write() as conn:
        require_coder(conn, coder)
        chosen = _selection(conn, project, transcripts, role, site, every)
        changed = add_assignments(conn, coder, chosen)
    return AssignResult(coder, "assign", tuple(chosen), tuple(changed))


def unassign(project: Project, coder: str, transcripts: list[str] | None = None, *, role: str | None = None,
             site: str | None = None, every: bool = False) -> AssignResult:
    """Remove a coder's assignments (its codings stay); the plain twin of ``qualcode unassign``."""
    from qualcode.store.assignments import remove_assignments

    with project.write() as conn:
        check_known_coder(conn, coder)
        chosen = _selection(conn, project, transcripts, role, site, every)
        changed = remove_assignments(conn, coder, chosen)
    return AssignResult(coder, "unassign", tuple(chosen), tuple(changed))


def assignments(project: Project) -> dict[str, list[str]]:
    """transcript -> assigned coders, primary first."""
    from qualcode.store.assignments import assignment_rows

    with project.read() as conn:
        return assignment_rows(conn)


def next_assignment(project: Project, coder: str) -> str | None:
    """The coder's first transcript assigned with ``qualcode assign`` (in transcript order) that
    is not finished (:attr:`qualcode.coding.assignments.TranscriptChoice.finished`: marked
    done, or every respondent turn coded or marked nothing to code). None when nothing is left."""
    from qualcode.store.assignments import assignment_rows

    with project.read() as conn:
        rows = assignment_rows(conn)
        choices = {choice.id: choice for choice in transcript_choices(conn, coder)}
    return next((t for t in sorted(rows) if coder in rows[t] and not choices[t].finished), None)
