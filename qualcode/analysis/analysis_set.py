"""The analysis set: per transcript, whose codings every tally, crosstab and report counts.

The rule (``qualcode analysis-set show`` prints it per transcript):

1. ``--coder NAME`` (or ``[report] coder``) overrides: NAME's codings on every transcript.
2. Otherwise a transcript counts its **primary coder** (the first coder assigned to
   it, ``qualcode assign``).
3. On a transcript of a two-coder double-coding sample, the **consensus** coder
   replaces the primary once the transcript is reconciled: the consensus coder has
   codings on it and no disagreement of the pair is pending there. While a
   reconciliation is under way, the unreconciled transcripts keep the primary coder
   and every figure carries a warning (the figures mix consensus and single-coder
   codings).
4. An unassigned transcript counts the only coder with codings on it, said as
   "inferred"; with several such coders, or none, it counts nothing (and says so).
   Codings by the autocoder or a model (coders whose codings are all of origin
   ``rules``/``model``) count only where the lead names them: by assigning them
   or with ``--coder``.

Coverage of a transcript: respondent turns with at least one coding of its counted
coder / respondent turns. qualcode has no "done" marker, so coverage cannot say
whether a coder finished a transcript; a transcript with no counted coder is
"not covered".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.coding.coders import AUTOCODER, CONSENSUS
from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project

MACHINE_ORIGINS = frozenset({"rules", "model"})


@dataclass(frozen=True)
class Entry:
    """One transcript of the analysis set."""

    transcript: str
    role: str
    site: str
    coder: str | None
    source: str  # named | assigned | consensus | inferred | none
    respondent_turns: int
    coded_turns: int
    note: str = ""
    pending: bool = False  # a double-coded transcript whose reconciliation is under way

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "role": self.role, "site": self.site, "coder": self.coder,
                "source": self.source, "respondent_turns": self.respondent_turns,
                "coded_turns": self.coded_turns, "coverage": _ratio(self.coded_turns, self.respondent_turns),
                "pending_reconciliation": self.pending, "note": self.note}


@dataclass(frozen=True)
class Coverage:
    """How much of a selection the figures rest on."""

    transcripts: int
    transcripts_coded: int
    respondent_turns: int
    turns_coded: int
    pending_reconciliation: int
    not_covered: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.not_covered and not self.pending_reconciliation

    @property
    def warning(self) -> str:
        """'' when the figures rest on the whole selection; else what they rest on."""
        parts = []
        if self.not_covered:
            parts.append(f"{len(self.not_covered)} of {self.transcripts} transcripts in the selection have no "
                         f"counted codings ({_listed(self.not_covered)})")
        if self.pending_reconciliation:
            parts.append(f"reconciliation is partial: {self.pending_reconciliation} double-coded transcript(s) "
                         "still count the primary coder, not the consensus")
        if not parts:
            return ""
        return (f"Coverage: these figures rest on less than the whole selection ({self.transcripts_coded} of "
                f"{self.transcripts} transcripts have counted codings; {self.turns_coded} of {self.respondent_turns} "
                "respondent turns carry a counted code): " + "; ".join(parts))

    def to_dict(self) -> dict[str, Any]:
        return {"transcripts": self.transcripts, "transcripts_coded": self.transcripts_coded,
                "respondent_turns": self.respondent_turns, "respondent_turns_coded": self.turns_coded,
                "turn_coverage": _ratio(self.turns_coded, self.respondent_turns),
                "pending_reconciliation": self.pending_reconciliation, "not_covered": list(self.not_covered),
                "marked_done": None, "complete": self.complete, "warning": self.warning}


@dataclass(frozen=True)
class AnalysisSet:
    """Whose codings count, per transcript (see the module docstring)."""

    entries: tuple[Entry, ...]
    named: str | None = None
    machine: bool = False  # the named coder is the autocoder or codes only by rules/model

    @property
    def label(self) -> str:
        return self.named or "analysis set"

    @property
    def coder_for(self) -> dict[str, str]:
        return {e.transcript: e.coder for e in self.entries if e.coder}

    @property
    def coders(self) -> list[str]:
        return sorted(set(self.coder_for.values()))

    def coverage(self, transcript_ids=None) -> Coverage:
        wanted = None if transcript_ids is None else set(transcript_ids)
        chosen = [e for e in self.entries if wanted is None or e.transcript in wanted]
        return Coverage(
            transcripts=len(chosen), transcripts_coded=sum(1 for e in chosen if e.coded_turns),
            respondent_turns=sum(e.respondent_turns for e in chosen),
            turns_coded=sum(e.coded_turns for e in chosen),
            pending_reconciliation=sum(1 for e in chosen if e.pending),
            not_covered=tuple(e.transcript for e in chosen if e.coder is None),
        )

    def statement(self) -> str:
        """One sentence saying whose codings count (printed with every figure)."""
        if self.named:
            warning = f" Warning: {MACHINE_WARNING.format(coder=self.named)}." if self.machine else ""
            return f"Counts the codings of '{self.named}' on every transcript (named with --coder).{warning}"
        by: dict[str, int] = {}
        for e in self.entries:
            by[e.source] = by.get(e.source, 0) + 1
        words = {"assigned": "their assigned primary coder", "consensus": "the reconciled consensus",
                 "inferred": "their only coder (unassigned, inferred)", "none": "no coder"}
        parts = [f"{n} transcript{'s' if n != 1 else ''} {words[s]}" for s, n in sorted(by.items())]
        return "Analysis set: " + "; ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        return {"named": self.named, "machine": self.machine, "statement": self.statement(), "coders": self.coders,
                "coverage": self.coverage().to_dict(), "transcripts": [e.to_dict() for e in self.entries]}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _listed(ids, limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def analysis_set(project: Project, coder: str | None = None) -> AnalysisSet:
    """The project's analysis set, or ``coder``'s codings everywhere when named."""
    from qualcode.coding.coders import resolve_coder
    from qualcode.store.assignments import (
        assignment_rows,
        coded_turns,
        coding_origins,
        transcript_metadata,
    )
    from qualcode.store.codings import respondent_segment_totals

    with project.read() as conn:
        infos, coded, totals = transcript_metadata(conn), coded_turns(conn), respondent_segment_totals(conn)
        origins = coding_origins(conn)
        if coder:
            resolve_coder(conn, coder)  # refuses a coder with no codings, listing those with some
        else:
            assigned, pairs = assignment_rows(conn), _sample_pairs(conn)
    if coder:
        return AnalysisSet(tuple(Entry(t.id, t.role, t.site, coder, "named", totals.get(t.id, 0),
                                       coded.get((coder, t.id), 0)) for t in infos), named=coder,
                           machine=_is_machine(coder, origins.get(coder, set())))
    pending = _pending_reconciliation(project, pairs, coded)
    machines = {c for c, kinds in origins.items() if _is_machine(c, kinds)}
    entries = []
    for t in infos:
        who, source, note, waiting = _choose(t.id, assigned.get(t.id, []), coded, pending, machines)
        entries.append(Entry(t.id, t.role, t.site, who, source, totals.get(t.id, 0),
                             coded.get((who, t.id), 0) if who else 0, note, waiting))
    return AnalysisSet(tuple(entries))


def _is_machine(coder: str, origins: set[str]) -> bool:
    """The built-in autocoder, or a coder whose live codings all come from the rules or a
    model: figures resting on it are a first pass, not a person's judgement."""
    return coder == AUTOCODER or (bool(origins) and origins <= MACHINE_ORIGINS)


MACHINE_WARNING = ("{coder} is a machine coder (keyword rules or a learned model), not a person: "
                   "read these figures as a first pass; docs/autocoding.md says how far to trust them")


def _choose(transcript: str, assigned: list[str], coded, pending: dict[str, str], machines):
    """(coder, source, note, pending) for one transcript."""
    if transcript in pending and pending[transcript] == "":
        return CONSENSUS, "consensus", "double-coded sample, reconciled", False
    waiting = transcript in pending
    note = pending.get(transcript, "")
    if assigned:
        extra = f"; also coded by {', '.join(assigned[1:])} (reliability)" if len(assigned) > 1 else ""
        return assigned[0], "assigned", (note + extra).lstrip("; "), waiting
    humans = sorted(c for (c, t), n in coded.items() if t == transcript and n and c not in machines
                    and c != CONSENSUS)
    if len(humans) == 1:
        return humans[0], "inferred", ("not assigned; its only coder " + note).strip(), waiting
    if humans:
        return None, "none", f"not assigned and coded by {', '.join(humans)}: assign one (qualcode assign)", False
    return None, "none", "not assigned and not coded", False


def _sample_pairs(conn: Connection) -> list[tuple[str, tuple[str, str], list[str]]]:
    """(sample, its two coders, its transcripts) for every two-coder sample."""
    from qualcode.agreement.sampling import load_sample, sample_names

    found: list[tuple[str, tuple[str, str], list[str]]] = []
    for name in sample_names(conn):
        sample = load_sample(conn, name)
        if len(sample.coders) == 2:
            found.append((name, (sample.coders[0], sample.coders[1]), sample.transcript_ids))
    return found


def _pending_reconciliation(project: Project, pairs, coded) -> dict[str, str]:
    """transcript -> '' when reconciled, else a note; only for samples whose reconciliation began."""
    from qualcode.agreement.reconcile import list_disagreements

    found: dict[str, str] = {}
    for name, coders, transcripts in pairs:
        started = [t for t in transcripts if coded.get((CONSENSUS, t))]
        if not started:
            continue
        left: dict[str, int] = {}
        for row in list_disagreements(project, coders, CONSENSUS, sample=name):
            left[row.transcript] = left.get(row.transcript, 0) + 1
        for t in transcripts:
            if t in started and not left.get(t):
                found[t] = ""
            else:
                found[t] = f"double-coded sample '{name}': reconciliation pending ({left.get(t, 0)} disagreements)"
    return found


def require_counted(aset: AnalysisSet) -> None:
    """Refuse an analysis set that counts nothing, saying how to name whose codings count."""
    if aset.named or aset.coder_for:
        return
    raise NotFoundError(
        "The analysis set counts no codings: no transcript is assigned or coded by a person. Assign coders "
        "(qualcode assign CODER --all), or name whose codings to count with --coder NAME "
        "(the autocoder's codings count only when named)")
