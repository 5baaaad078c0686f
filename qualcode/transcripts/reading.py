"""Reading stored transcripts: the plain-Python twins of ``qualcode transcripts``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.project import Project

LIST_FIELDS = ("id", "title", "role", "site", "format", "turns", "respondent_turns", "words")


def list_transcripts(project: Project) -> list[dict]:
    """``[{id, title, role, site, format, turns, respondent_turns, words}]`` sorted by id."""
    from qualcode.store.transcripts import summaries

    with project.read() as conn:
        return [{k: row[k] for k in LIST_FIELDS} for row in summaries(conn)]


def show_transcript(project: Project, transcript_id: str) -> dict:
    """``{id, title, role, site, attributes, preamble, speakers, segments: [...]}`` for one transcript."""
    from qualcode.store.transcripts import load_transcript

    with project.read() as conn:
        t = load_transcript(conn, transcript_id)
    return {
        "id": t.id,
        "title": t.title,
        "role": t.role,
        "site": t.site,
        "attributes": t.attributes,
        "preamble": t.preamble,
        "speakers": t.speakers,
        "segments": [
            {
                "ordinal": s.ordinal,
                "speaker": s.speaker,
                "is_interviewer": s.is_interviewer,
                "start": s.start,
                "end": s.end,
                "text": t.text[s.start : s.end],
            }
            for s in t.segments
        ],
    }


@dataclass
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
    counts = Counter((row["role"], row["site"]) for row in rows)
    declared = list(project.codebook.roles)
    roles = [r for r in declared if any(key[0] == r for key in counts)]
    roles += sorted({r for r, _ in counts} - set(roles))
    return CorpusSummary(
        roles=roles,
        sites=sorted({s for _, s in counts}),
        counts=dict(counts),
        words=sum(row["words"] for row in rows),
        respondent_turns=sum(row["respondent_turns"] for row in rows),
    )
