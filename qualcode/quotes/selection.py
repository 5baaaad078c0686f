"""Selecting coded spans: which codings a quote set draws from.

A *group* is one requested code with its descendants (dotted ids); each group is
ordered and limited on its own. The query runs in SQL and fetches only the coded
text (``substr``, portable to PostgreSQL), never whole transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.codebook import Codebook
    from qualcode.project import Project

ORDERS = ("representative", "length", "transcript", "random")
MAX_CONTEXT_TURNS = 4


@dataclass(frozen=True)
class QuoteQuery:
    """What to select. ``codes`` empty: every top-level code that has codings.

    ``max_words`` is the trim length; with trimming off, longer quotes are left out.
    ``similarity`` is the rapidfuzz ``token_set_ratio`` at or above which two quotes
    are near-duplicates and collapse to the first.
    """

    codes: tuple[str, ...] = ()
    all_of: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()
    coder: str | None = None
    min_words: int | None = None
    max_words: int | None = 100
    limit: int | None = None
    per_transcript: int | None = None
    order: str = "representative"
    seed: int = 0
    context: int = 0
    similarity: float = 90.0

    def validate(self) -> None:
        """Refuse impossible settings with a message naming the allowed values."""
        from qualcode.errors import ExportError

        if self.order not in ORDERS:
            raise ExportError(f"Unknown order '{self.order}'; orders: {', '.join(ORDERS)}")
        for name in ("min_words", "max_words", "limit", "per_transcript"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ExportError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if self.context < 0:
            raise ExportError(f"--context must be 0 or more turns, got {self.context}")
        if self.min_words and self.max_words and self.min_words > self.max_words:
            raise ExportError(f"--min-words {self.min_words} is above --max-words {self.max_words}")
        if not 0 < self.similarity <= 100:
            raise ExportError(f"similarity must be in (0, 100], got {self.similarity}")


@dataclass
class Candidate:
    """One coding that may become a quote."""

    group: str
    code: str
    transcript: str
    segment: int
    segment_id: int
    coder: str
    origin: str
    start: int
    end: int
    raw: str
    role: str
    site: str

    @property
    def sort_key(self) -> tuple:
        return (self.transcript, self.start, self.end, self.code)


def resolve_groups(project: Project, query: QuoteQuery, coder: str) -> list[str]:
    """The requested codes (validated), or every top-level code with the coder's codings."""
    codebook = project.codebook
    for code in (*query.codes, *query.all_of):
        codebook.get(code)
    if query.codes:
        return list(dict.fromkeys(query.codes))
    if query.all_of:
        return [query.all_of[0]]
    used = used_codes(project, coder)
    groups = [c.id for c in codebook.top_level() if any(u == c.id or u.startswith(c.id + ".") for u in used)]
    if not groups:
        raise NotFoundError(f"Coder '{coder}' has no codings of codes in the codebook")
    return groups


def used_codes(project: Project, coder: str) -> set[str]:
    from sqlalchemy import select

    from qualcode.store.schema import codings

    with project.read() as conn:
        query = select(codings.c.code_id).where(codings.c.coder == coder, codings.c.orphaned.is_(False))
        return set(conn.execute(query.distinct()).scalars())


def fetch_candidates(
    conn: Connection, codebook: Codebook, query: QuoteQuery, coder: str, group: str
) -> list[Candidate]:
    """The coder's codings of ``group`` (and descendants) on respondent turns, filtered."""
    from sqlalchemy import func, select

    from qualcode.store.schema import codings, segments, transcripts

    text = func.substr(transcripts.c.text, codings.c.start_offset + 1, codings.c.end_offset - codings.c.start_offset)
    # Attributes are JSON: decode them only when a filter needs them.
    attributes = transcripts.c.attributes if query.attributes else transcripts.c.role.label("no_attributes")
    statement = (
        select(
            codings.c.code_id, codings.c.transcript_id, codings.c.segment_id, codings.c.origin,
            codings.c.start_offset, codings.c.end_offset, segments.c.ordinal, transcripts.c.role,
            transcripts.c.site, attributes.label("attributes"), text.label("raw"),
        )
        .select_from(
            codings.join(transcripts, codings.c.transcript_id == transcripts.c.id)
            .join(segments, codings.c.segment_id == segments.c.id)
        )
        .where(
            codings.c.coder == coder,
            codings.c.orphaned.is_(False),
            segments.c.is_interviewer.is_(False),
            _subtree(codings.c.code_id, group),
        )
    )
    if query.roles:
        statement = statement.where(transcripts.c.role.in_([codebook.resolve_role(r) for r in query.roles]))
    if query.sites:
        statement = statement.where(func.lower(transcripts.c.site).in_([s.lower() for s in query.sites]))
    rows = conn.execute(statement).all()
    found = [
        Candidate(
            group=group, code=r.code_id, transcript=r.transcript_id, segment=r.ordinal,
            segment_id=r.segment_id, coder=coder, origin=r.origin, start=r.start_offset,
            end=r.end_offset, raw=r.raw, role=r.role, site=r.site,
        )
        for r in rows
        if not query.attributes or _has_attributes(r.attributes or {}, query.attributes)
    ]
    if query.all_of:
        allowed = segments_with_all(conn, coder, query.all_of)
        found = [c for c in found if c.segment_id in allowed]
    return sorted(found, key=lambda c: c.sort_key)


def segments_with_all(conn: Connection, coder: str, codes: tuple[str, ...]) -> set[int]:
    """Segment ids the coder coded with every one of ``codes`` (each with descendants)."""
    from sqlalchemy import select

    from qualcode.store.schema import codings

    result: set[int] | None = None
    for code in codes:
        statement = select(codings.c.segment_id).where(
            codings.c.coder == coder, codings.c.orphaned.is_(False), _subtree(codings.c.code_id, code)
        )
        ids = set(conn.execute(statement.distinct()).scalars())
        result = ids if result is None else result & ids
    return result or set()


def _subtree(column, code: str):
    return (column == code) | column.startswith(code + ".", autoescape=True)


def _has_attributes(attributes: dict, wanted: tuple[tuple[str, str], ...]) -> bool:
    return all(str(attributes.get(key, "")).casefold() == value.casefold() for key, value in wanted)


def load_context(transcript, ordinal: int, turns: int) -> list[tuple[bool, str]]:
    """(is_interviewer, text) of the turns before segment ``ordinal``, back to the
    ``turns``-th preceding block of interviewer turns (the question that prompted it)."""
    if turns <= 0:
        return []
    earlier = transcript.segments[: ordinal - 1]
    picked: list = []
    blocks = 0
    for segment in reversed(earlier):
        if len(picked) >= MAX_CONTEXT_TURNS * turns:  # no interviewer nearby: keep it short
            break
        if not segment.is_interviewer and picked and picked[-1].is_interviewer:
            blocks += 1
            if blocks == turns:
                break
        picked.append(segment)
    return [(s.is_interviewer, transcript.segment_text(s)) for s in reversed(picked)]
