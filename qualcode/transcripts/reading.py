"""Reading stored transcripts: the plain-Python twins of ``qualcode transcripts``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.store.transcripts import load_transcript, summaries

if TYPE_CHECKING:
    from qualcode.project import Project

@dataclass(frozen=True)
class TranscriptListing:
    """One row of ``transcripts list``."""

    id: str
    title: str
    role: str
    site: str
    format: str
    turns: int
    respondent_turns: int
    words: int

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "role": self.role, "site": self.site, "format": self.format,
                "turns": self.turns, "respondent_turns": self.respondent_turns, "words": self.words}


@dataclass(frozen=True)
class ShownSegment:
    """One turn of ``transcripts show``: offsets into the transcript's text, and its text."""

    ordinal: int
    speaker: str
    is_interviewer: bool
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"ordinal": self.ordinal, "speaker": self.speaker, "is_interviewer": self.is_interviewer,
                "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class ShownTranscript:
    """``transcripts show``: a transcript's metadata and turns."""

    id: str
    title: str
    role: str
    site: str
    attributes: dict[str, str]
    preamble: str
    speakers: tuple[str, ...]
    segments: tuple[ShownSegment, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "role": self.role, "site": self.site,
            "attributes": dict(self.attributes), "preamble": self.preamble, "speakers": list(self.speakers),
            "segments": [segment.to_dict() for segment in self.segments],
        }  # fmt: skip


def list_transcripts(project: Project) -> list[TranscriptListing]:
    """Every transcript with its turn and word counts, sorted by id."""
    with project.read() as conn:
        rows = summaries(conn)
    return [
        TranscriptListing(
            id=row["id"], title=row["title"], role=row["role"], site=row["site"], format=row["format"],
            turns=row["turns"], respondent_turns=row["respondent_turns"], words=row["words"],
        )
        for row in rows
    ]


def show_transcript(project: Project, transcript_id: str) -> ShownTranscript:
    """One transcript's metadata, speakers and turns (with offsets and text)."""
    with project.read() as conn:
        t = load_transcript(conn, transcript_id)
    return ShownTranscript(
        id=t.id, title=t.title, role=t.role, site=t.site, attributes=t.attributes, preamble=t.preamble,
        speakers=tuple(t.speakers),
        segments=tuple(
            ShownSegment(ordinal=s.ordinal, speaker=s.speaker, is_interviewer=s.is_interviewer,
                         start=s.start, end=s.end, text=t.text[s.start : s.end])
            for s in t.segments
        ),
    )


@dataclass(frozen=True)
class CorpusSummary:
    """Transcripts by role and site (like Table 1 of a study report)."""

    roles: list[str]
    sites: list[str]
    counts: dict[tuple[str, str], int]
    words: int
    respondent_turns: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def role_total(self, role: str) -> int:
        return sum(n for (r, _), n in self.counts.items() if r == role)

    def site_total(self, site: str) -> int:
        return sum(n for (_, s), n in self.counts.items() if s == site)


def corpus_summary(project: Project) -> CorpusSummary:
    rows = list_transcripts(project)
    counts = Counter((row.role, row.site) for row in rows)
    declared = list(project.codebook.roles)
    roles = [r for r in declared if any(key[0] == r for key in counts)]
    roles += sorted({r for r, _ in counts} - set(roles))
    return CorpusSummary(
        roles=roles,
        sites=sorted({s for _, s in counts}),
        counts=dict(counts),
        words=sum(row.words for row in rows),
        respondent_turns=sum(row.respondent_turns for row in rows),
    )
