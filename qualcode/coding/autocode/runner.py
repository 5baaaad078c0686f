"""``autocode``: apply the codebook's rules to respondent turns, store what they find.

The unit matched is one respondent turn (rules see the whole turn, so an exclusion
anywhere in it can veto a match). Each (turn, code) the rules assign becomes one
:class:`Proposal` whose span is the sentence around the strongest hit, and whose
evidence names the rules that fired and the text they matched. Proposals are then

- printed only (``dry_run``),
- stored as open suggestions (source ``rules``; the default), replacing the open rule
  suggestions of the transcripts and codes processed, or
- applied as one coder's codings (``as_coder``; origin ``rules``, confidence = score).

Between matching and proposing, two steps choose which matched codes a turn gets: the
most specific code wins over its ancestors (:func:`most_specific`), and a crowded turn
keeps its topic and drops passing mentions of other topics (:class:`TopicFocus`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import TYPE_CHECKING, TypedDict

from qualcode.coding.autocode import stored
from qualcode.coding.autocode.engine import sentence_bounds
from qualcode.coding.autocode.hits import Hit
from qualcode.coding.autocode.parallel import Progress, match_units, word_count
from qualcode.coding.autocode.results import AutocodeResult, Proposal, Unit
from qualcode.coding.coders import AUTOCODER, require_coder
from qualcode.errors import NotFoundError, ProjectError
from qualcode.store.transcripts import load_transcript, segment_ids, transcript_ids

if TYPE_CHECKING:
    from qualcode.codebook.model import Code, Codebook
    from qualcode.coding.autocode.engine import CodeMatch
    from qualcode.project import Project

MAX_EVIDENCE_HITS = 5
SETTINGS_SECTION = "autocode"  # [autocode] in qualcode.toml


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
        Store the matches as this coder's codings instead of suggestions. The coder
        must exist (``qualcode coders add``), except the built-in ``autocoder``, which
        is created on first use (``result.coder_created`` says so).
    dry_run
        Compute and return the proposals; write nothing.
    progress
        Called with (words done, words in total) as matching advances.
    processes
        Matching processes (default: 2 for large jobs, 1 otherwise).
    """
    codebook = project.codebook
    selected = select_codes(codebook, codes)
    every = select_codes(codebook, None) if codes else selected
    began = time.perf_counter()
    with project.read() as conn:
        if as_coder and as_coder != AUTOCODER:
            require_coder(conn, as_coder)  # refused before the matching, not after
        chosen = _transcript_ids(conn, transcripts)
        units, roles = load_units(conn, chosen)
    # Every code is matched even for a --codes run: how crowded a turn is (TopicFocus)
    # depends on all its codes, and a code's proposals must not depend on the run's scope.
    allowed = allowed_by_role(codebook, every, set(roles.values()))
    texts = [(u.text, u.role) for u in units]
    # Codes are assigned where the matching is done: only the kept matches travel back.
    assign = partial(assign_wanted, codebook, TopicFocus.from_project(project), frozenset(c.id for c in selected))
    counts = [word_count(u.text) for u in units]  # once: for the progress and the result
    assigned = match_units(
        every, texts, allowed, processes=processes, progress=progress, finish=assign, counts=counts
    )
    proposals, dropped = propose(units, assigned)
    written: _Written = {}
    if not dry_run and as_coder:
        written["codings_added"], written["coder_created"] = stored.apply_as_coder(project, as_coder, proposals)
    elif not dry_run:
        written["replaced"], written["stored"], written["kept_decided"] = stored.store_rule_suggestions(
            project, chosen, [c.id for c in selected], proposals)
    return AutocodeResult(
        proposals, chosen, units, sum(counts), time.perf_counter() - began, dry_run,
        as_coder, roles=roles, off_topic_dropped=dropped, **written,
    )


class _Written(TypedDict, total=False):
    """What a run that is not a dry run stored: as a coder's codings, or as suggestions."""

    codings_added: int
    coder_created: bool
    replaced: int
    stored: int
    kept_decided: int


def propose(units: list[Unit], assigned: list[tuple[list[CodeMatch], int]]) -> tuple[list[Proposal], int]:
    """The proposals of every unit's assigned codes, and how many matches the focus dropped."""
    proposals: list[Proposal] = []
    dropped = 0
    for unit, (kept, left_out) in zip(units, assigned, strict=True):
        proposals.extend(proposal(unit, m) for m in kept)
        dropped += left_out
    return proposals, dropped


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
    implied = {a for code_id in matched for a in codebook.ancestor_ids(code_id)}
    return [m for m in matches if m.code_id not in implied]


@dataclass(frozen=True)
class TopicFocus:
    """Which of its matched codes a crowded turn keeps.

    A respondent turn mostly answers one question, so the codes it deserves mostly share
    a top-level code, its *topic* (a list of referral sources, of challenges, of
    services). A rule also fires on a passing mention of another topic ("the detective
    we trained", "funded by the grant"), and in a long turn those mentions pile up. So
    when the rules give a turn more than ``crowded`` codes, a code outside the turn's
    topic is kept only if its hits fall on at least ``min_evidence`` different words.
    The topic is the top-level code whose codes have hits on the most words (all of
    them on a tie). The codes of the topic, and every code of an uncrowded turn, are
    kept. ``crowded = 0`` turns the step off.

    Settings in qualcode.toml: ``[autocode] crowded_turn = 3``, ``off_topic_min_evidence = 2``.
    """

    crowded: int = 3
    min_evidence: int = 2

    @classmethod
    def from_project(cls, project: Project) -> TopicFocus:
        """The project's ``[autocode]`` settings, or the defaults."""
        values = {}
        settings = (("crowded_turn", "crowded", 0), ("off_topic_min_evidence", "min_evidence", 1))
        for key, attribute, least in settings:
            value = project.setting(SETTINGS_SECTION, key, getattr(cls, attribute))
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ProjectError(
                    f"[{SETTINGS_SECTION}] {key} must be a whole number of at least {least}; got {value!r}",
                    file=str(project.config_path),
                )
            values[attribute] = value
        return cls(**values)

    def apply(self, codebook: Codebook, matches: list[CodeMatch]) -> list[CodeMatch]:
        """The matches the turn keeps, in their original order."""
        if not self.crowded or len(matches) <= self.crowded:
            return matches
        topics = [topic(codebook, m.code_id) for m in matches]  # once per match, not per use
        places = list(map(evidence_places, matches))
        weight: dict[str, int] = {}
        for match_topic, match_places in zip(topics, places, strict=True):
            weight[match_topic] = weight.get(match_topic, 0) + match_places
        heaviest = max(weight.values())
        return [
            m
            for m, match_topic, match_places in zip(matches, topics, places, strict=True)
            if weight[match_topic] == heaviest or match_places >= self.min_evidence
        ]


def topic(codebook: Codebook, code_id: str) -> str:
    """The top-level code a code belongs to (itself if it is top-level)."""
    ancestors = codebook.ancestor_ids(code_id)
    return ancestors[-1] if ancestors else code_id


def evidence_places(match: CodeMatch) -> int:
    """Different words the match's hits start at (two rules on one word count once).

    Counted over the hits a match keeps as evidence (the strongest five), so at most five.
    """
    return len(set(map(_POSITION, match.hits)))


_POSITION = itemgetter(Hit._fields.index("position"))  # C-level: a NamedTuple's field is a Python property


def assign_codes(codebook: Codebook, matches: list[CodeMatch], focus: TopicFocus) -> list[CodeMatch]:
    """What a turn is coded with: the most specific codes, focused on the turn's topic."""
    return focus.apply(codebook, most_specific(codebook, matches))


def assign_wanted(
    codebook: Codebook, focus: TopicFocus, wanted: frozenset[str], matches: list[CodeMatch]
) -> tuple[list[CodeMatch], int]:
    """:func:`assign_codes` restricted to the ``wanted`` codes, and how many of those the focus dropped."""
    specific = most_specific(codebook, matches)
    kept = focus.apply(codebook, specific)
    if kept is specific:  # the focus kept every code (an uncrowded turn)
        return [m for m in kept if m.code_id in wanted], 0
    dropped = sum(m.code_id in wanted for m in specific) - sum(m.code_id in wanted for m in kept)
    return [m for m in kept if m.code_id in wanted], dropped


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
