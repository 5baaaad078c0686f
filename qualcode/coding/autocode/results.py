"""What the autocoder works on and returns: turns to match, proposals, a run's result."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unit:
    """A respondent turn to match: where it is and what it says."""

    transcript_id: str
    ordinal: int
    segment_id: int
    role: str
    start: int  # transcript offset of the turn's first character
    text: str


@dataclass(frozen=True)
class Proposal:
    """A code the rules assign to a turn, with its span (transcript offsets) and evidence."""

    transcript_id: str
    ordinal: int
    segment_id: int
    role: str
    code_id: str
    start: int
    end: int
    score: float
    evidence: dict

    @property
    def summary(self) -> str:
        """``phrase 'referral' -> "referred"`` for listings and the coding screen."""
        return f'{self.evidence["rule"]} -> "{self.evidence["matched"]}"'


@dataclass(frozen=True)
class RoleSummary:
    """One role's turns and rule codes in a run."""

    role: str
    turns: int
    turns_coded: int
    references: int
    distinct_codes: int
    mean_codes_per_turn: float
    max_codes_per_turn: int

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "turns": self.turns, "turns_coded": self.turns_coded,
                "references": self.references, "distinct_codes": self.distinct_codes,
                "mean_codes_per_turn": self.mean_codes_per_turn, "max_codes_per_turn": self.max_codes_per_turn}


@dataclass(frozen=True)
class AutocodeResult:
    """What one autocode run found and did (``to_dict()``: the JSON of ``qualcode autocode --json``)."""

    proposals: list[Proposal]
    transcripts: list[str]
    units: list[Unit]
    words: int
    seconds: float
    dry_run: bool = False
    coder: str | None = None
    stored: int = 0
    replaced: int = 0
    kept_decided: int = 0
    codings_added: int = 0
    coder_created: bool = False  # ``--as autocoder`` creates the built-in coder on first use
    roles: dict[str, str] = field(default_factory=dict)  # transcript -> role
    off_topic_dropped: int = 0  # matched codes left out of crowded turns (TopicFocus)

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def role_summary(self) -> list[RoleSummary]:
        """Per role: turns, turns with a code, references, mean and max codes per turn."""
        per_turn: dict[tuple[str, int], int] = Counter()
        for p in self.proposals:
            per_turn[(p.transcript_id, p.ordinal)] += 1
        rows = []
        by_role: dict[str, list[Unit]] = defaultdict(list)
        for unit in self.units:
            by_role[unit.role].append(unit)
        for role, units in sorted(by_role.items()):
            counts = [per_turn.get((u.transcript_id, u.ordinal), 0) for u in units]
            codes = {p.code_id for p in self.proposals if p.role == role}
            rows.append(RoleSummary(
                role, len(units), sum(c > 0 for c in counts), sum(counts), len(codes),
                sum(counts) / len(counts) if counts else 0.0, max(counts, default=0),
            ))
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run, "coder": self.coder, "transcripts": self.transcripts, "turns": len(self.units),
            "words": self.words, "seconds": round(self.seconds, 3), "stored": self.stored, "replaced": self.replaced,
            "kept_decided": self.kept_decided, "codings_added": self.codings_added,
            "coder_created": self.coder_created, "off_topic_dropped": self.off_topic_dropped,
            "roles": [row.to_dict() for row in self.role_summary()],
            "proposals": [
                {"transcript": p.transcript_id, "segment": p.ordinal, "code": p.code_id, "start": p.start,
                 "end": p.end, "score": p.score, "evidence": p.evidence}
                for p in self.proposals
            ],
        }

    def code_counts(self) -> Counter:
        return Counter(p.code_id for p in self.proposals)
