"""Which transcript a coder opens, and whether the screen must be blind.

*Assigned* transcripts are those in an open double-coding sample the coder belongs to
(tables ``samples``, ``sample_transcripts``, ``sample_coders``), then those the lead
assigned with ``qualcode assign`` (table ``assignments``). A transcript is
*finished* for a coder when the coder marked it done or handled every respondent turn
(coded it, or marked it nothing to code: :mod:`qualcode.coding.finishing`). Without a
transcript argument the screen opens the coder's first unfinished assigned transcript,
else the first unfinished transcript of the project — where the coder left off.

This is the core's rule the coding screen (``qualcode code``) follows; whether the
screen is blind is :mod:`qualcode.coding.blind`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError
from qualcode.store import codings as coding_store
from qualcode.store import finishing as finishing_store
from qualcode.store import samples as sample_store
from qualcode.store import transcripts as transcript_store
from qualcode.store.assignments import assignment_rows

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project


@dataclass(frozen=True)
class TranscriptChoice:
    """One line of the jump list."""

    id: str
    title: str
    role: str
    site: str
    coded: int  # respondent segments the coder has coded
    total: int  # respondent segments
    assigned: bool
    nothing: int = 0  # respondent segments the coder marked nothing to code (and did not code)
    done: bool = False  # the coder marked the transcript done

    @property
    def finished(self) -> bool:
        """Marked done, or every respondent turn handled (coded or nothing to code)."""
        return self.done or self.coded + self.nothing >= self.total


def assigned_transcripts(conn: Connection, coder: str) -> list[str]:
    """Transcripts in the coder's open double-coding samples (oldest sample first), then
    the transcripts assigned to the coder with ``qualcode assign`` (in id order)."""
    in_samples = sample_store.open_sample_transcripts_of(conn, coder)
    assigned = sorted(t for t, coders in assignment_rows(conn).items() if coder in coders)
    return list(dict.fromkeys([*in_samples, *assigned]))


def transcript_choices(conn: Connection, coder: str) -> list[TranscriptChoice]:
    """Every transcript with the coder's progress on it; assigned ones first."""
    totals = coding_store.respondent_segment_totals(conn)
    coded = {t: n for c, t, n in coding_store.coded_segment_counts(conn) if c == coder}
    assigned = assigned_transcripts(conn, coder)
    nothing = finishing_store.uncoded_nothing_marks(conn, coder)
    done = finishing_store.done_marks(conn, coder)
    choices = [
        TranscriptChoice(
            id=tid, title=title, role=role, site=site, coded=coded.get(tid, 0),
            total=totals.get(tid, 0), assigned=tid in assigned,
            nothing=nothing.get((coder, tid), 0), done=(coder, tid) in done,
        )
        for tid, title, role, site in transcript_store.transcript_titles(conn)
    ]
    rank = {tid: i for i, tid in enumerate(assigned)}
    return sorted(choices, key=lambda c: (not c.assigned, rank.get(c.id, 0), c.id))


def next_transcript(project: Project, coder: str) -> str:
    """The transcript to open when none is named: assigned and unfinished first.

    Raises
    ------
    NotFoundError
        When the project has no transcripts, or the coder has finished all of them.
    """
    with project.read() as conn:
        choices = transcript_choices(conn, coder)
    if not choices:
        raise NotFoundError("The project has no transcripts yet; import some with 'qualcode import'")
    for choice in choices:  # assigned ones come first
        if not choice.finished:
            return choice.id
    raise NotFoundError(
        f"{coder} has finished all {len(choices)} transcripts (each marked done or every respondent turn "
        "coded or marked nothing to code); "
        "name one to open it anyway: qualcode code TRANSCRIPT --coder NAME"
    )
