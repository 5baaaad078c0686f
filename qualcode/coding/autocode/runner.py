"""``autocode``: apply the codebook's rules to respondent turns, store what they find.

The unit matched is one respondent turn (rules see the whole turn, so an exclusion
anywhere in it can veto a match). Each (turn, code) the rules assign becomes one
:class:`Proposal` whose span is the sentence around the strongest hit, and whose
evidence names the rules that fired and the text they matched. Proposals are then

- printed only (``dry_run``),
- stored as open suggestions (source ``rules``; the default), replacing the open rule
  suggestions of the transcripts and codes processed, or
- applied as one coder's codings (``as_coder``; origin ``rules``, confidence = score).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.coding.autocode.parallel import Progress, match_units, word_count
from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from qualcode.codebook.model import Code, Codebook
    from qualcode.coding.autocode.engine import CodeMatch
    from qualcode.project import Project

MAX_EVIDENCE_HITS = 5


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


@dataclass
class AutocodeResult:
    """What one autocode run found and did."""

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
    roles: dict[str, str] = field(default_factory=dict)  # transcript -> role

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def role_summary(self) -> list[dict]:
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
            rows.append(
                {
                    "role": role,
                    "turns": len(units),
                    "turns_coded": sum(c > 0 for c in counts),
                    "references": sum(counts),
                    "distinct_codes": len(codes),
                    "mean_codes_per_turn": sum(counts) / len(counts) if counts else 0.0,
                    "max_codes_per_turn": max(counts, default=0),
                }
            )
        return rows

    def code_counts(self) -> Counter:
        return Counter(p.code_id for p in self.proposals)


def autocode(
    project: Project,
    transcripts: list[str] | None = None,
    *,
    codes: str | None = None,
    as_coder: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    processes: int | None = None,
) -> AutocodeResult:
    """Apply the codebook's rules to the respondent turns of ``transcripts`` (default: all).

    Parameters
    ----------
    codes
        A code id prefix: only that code and its descendants are autocoded.
    as_coder
        Store the matches as this coder's codings instead of suggestions.
    dry_run
        Compute and return the proposals; write nothing.
    progress
        Called with (words done, words in total) as matching advances.
    processes
        Matching processes (default: 2 for large jobs, 1 otherwise).
    """
    codebook = project.codebook
    selected = select_codes(codebook, codes)
    began = time.perf_counter()
    with project.read() as conn:
        chosen = _transcript_ids(conn, transcripts)
        units, roles = load_units(conn, chosen)
    allowed = allowed_by_role(codebook, selected, set(roles.values()))
    matches = match_units(
        selected, [(u.text, u.role) for u in units], allowed, processes=processes, progress=progress
    )
    proposals = [
        proposal(u, m) for u, found in zip(units, matches, strict=True) for m in most_specific(codebook, found)
    ]
    result = AutocodeResult(
        proposals, chosen, units, sum(word_count(u.text) for u in units), 0.0, dry_run, as_coder, roles=roles
    )
    if not dry_run:
        from qualcode.coding.autocode import stored

        if as_coder:
            result.codings_added = stored.apply_as_coder(project, as_coder, proposals)
        else:
            stored.store_rule_suggestions(project, chosen, [c.id for c in selected], proposals, result)
    result.seconds = time.perf_counter() - began
    return result


def select_codes(codebook: Codebook, prefix: str | None) -> list[Code]:
    """Codable codes with rules, restricted to ``prefix`` and its descendants if given."""
    if prefix:
        codebook.get(prefix)  # NotFoundError with suggestions for a typo
        inside = {prefix} | {c.id for c in codebook.descendants(prefix)}
    else:
        inside = set(codebook.codes)
    return [c for c in codebook.codes.values() if c.id in inside and c.codable and not c.rules.is_empty]


def most_specific(codebook: Codebook, matches: list[CodeMatch]) -> list[CodeMatch]:
    """Drop a code when one of its descendants also matched the turn.

    The child implies its parent ("referral.hotline" is a referral), so coding both
    would count the turn twice under the parent and crowd the coder's view.
    """
    matched = {m.code_id for m in matches}
    implied = {a.id for code_id in matched for a in codebook.ancestors(code_id)}
    return [m for m in matches if m.code_id not in implied]


def allowed_by_role(codebook: Codebook, selected: list[Code], roles: set[str]) -> dict[str, frozenset[str]]:
    """Role scoping: for each role, the selected codes that apply to it."""
    wanted = {c.id for c in selected}
    result = {}
    for role in roles:
        applicable = {c.id for c in codebook.codes_for(role)} if role in codebook.roles else set()
        result[role] = frozenset(applicable & wanted)
    return result


def load_units(conn, transcript_ids: list[str]) -> tuple[list[Unit], dict[str, str]]:
    """The respondent turns of the transcripts, and each transcript's role."""
    from qualcode.store.transcripts import load_transcript, segment_ids

    units, roles = [], {}
    for transcript_id in transcript_ids:
        transcript = load_transcript(conn, transcript_id)
        ids = segment_ids(conn, transcript_id)
        roles[transcript_id] = transcript.role
        for segment in transcript.respondent_segments:
            units.append(
                Unit(
                    transcript_id,
                    segment.ordinal,
                    ids[segment.ordinal],
                    transcript.role,
                    segment.start,
                    transcript.segment_text(segment),
                )
            )
    return units, roles


def _transcript_ids(conn, wanted: list[str] | None) -> list[str]:
    from qualcode.store.transcripts import load_transcript, transcript_ids

    known = transcript_ids(conn)
    if not wanted:
        if not known:
            raise NotFoundError("The project has no transcripts to autocode; import some first (qualcode import)")
        return known
    for transcript_id in wanted:
        if transcript_id not in known:
            load_transcript(conn, transcript_id)  # raises NotFoundError with a suggestion
    return list(dict.fromkeys(wanted))


def proposal(unit: Unit, match: CodeMatch) -> Proposal:
    """The stored form of a match: sentence span around the best hit, evidence JSON."""
    from qualcode.coding.autocode.engine import sentence_bounds

    best = match.best
    start, end = sentence_bounds(unit.text, best.start, best.end)
    evidence = best.evidence(unit.text)
    evidence["hits"] = [h.evidence(unit.text) for h in match.hits[:MAX_EVIDENCE_HITS]]
    evidence["hit_count"] = match.hit_count
    return Proposal(
        unit.transcript_id,
        unit.ordinal,
        unit.segment_id,
        unit.role,
        match.code_id,
        unit.start + start,
        unit.start + end,
        round(best.score, 4),
        evidence,
    )
