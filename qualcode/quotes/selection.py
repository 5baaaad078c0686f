"""Selecting coded spans: which codings a quote set draws from.

A *group* is one requested code with its descendants (dotted ids); each group is
ordered and limited on its own. The store's query (store/quotes.py) fetches the
candidates' places without their text: qualcode/quotes/reading.py reads the texts a
few transcripts at a time. The store is imported inside the functions that
query: it loads SQLAlchemy, which importing qualcode.quotes (or qualcode.report) does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import ExportError, NotFoundError

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.project import Project
    from qualcode.store.handles import Connection

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


@dataclass(slots=True)
class Candidate:
    """One coding that may become a quote: its place, not its text (one is held per
    coding of the group, so it is kept small: slots, and its strings shared)."""

    group: str
    code: str
    transcript: str
    segment: int
    segment_id: int
    coding_id: int
    coder: str
    origin: str
    start: int
    end: int
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
    from qualcode.store import quotes as store

    with project.read() as conn:
        return store.used_code_ids(conn, coder)


def fetch_candidates(
    conn: Connection, codebook: Codebook, query: QuoteQuery, coder: str, group: str
) -> list[Candidate]:
    """The coder's codings of ``group`` (and descendants) on respondent turns, filtered."""
    from qualcode.store import quotes as store

    spans = store.respondent_spans(
        conn, coder, group, roles=[codebook.resolve_role(r) for r in query.roles], sites=list(query.sites),
        with_attributes=bool(query.attributes), with_text=False,
    )
    shared: dict[str, str] = {}  # one string object per distinct id, code, role, site, origin
    one = lambda value: shared.setdefault(value, value)  # noqa: E731
    found = [
        Candidate(
            group=group, code=one(s.code_id), transcript=one(s.transcript_id), segment=s.ordinal,
            segment_id=s.segment_id, coding_id=s.coding_id, coder=coder, origin=one(s.origin), start=s.start,
            end=s.end, role=one(s.role), site=one(s.site),
        )
        for s in spans
        if not query.attributes or _has_attributes(s.attributes or {}, query.attributes)
    ]
    if query.all_of:
        allowed = segments_with_all(conn, coder, query.all_of)
        found = [c for c in found if c.segment_id in allowed]
    return sorted(found, key=lambda c: c.sort_key)


def segments_with_all(conn: Connection, coder: str, codes: tuple[str, ...]) -> set[int]:
    """Segment ids the coder coded with every one of ``codes`` (each with descendants)."""
    from qualcode.store import quotes as store

    result: set[int] | None = None
    for code in codes:
        ids = store.segments_coded_with(conn, coder, code)
        result = ids if result is None else result & ids
    return result or set()


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
