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
   "Codings on it" are every live coding a tally would count, on respondent turns
   and on interviewer turns alike: where ``[coding] code_interviewer_turns = true``
   a coder may have coded only interviewer turns, and tallies count those codings,
   so that coder is inferred too (the entry notes it) rather than the transcript
   being reported as uncoded while its codings are counted elsewhere.
   Codings by the autocoder or a model (coders whose codings are all of origin
   ``rules``/``model``) count only where the lead names them: by assigning them
   or with ``--coder``; either way the statement then carries a warning.

Coverage of a transcript: respondent turns with at least one coding of its counted
coder / respondent turns (interviewer turns coded are reported beside it); *handled*
turns also count those the coder marked "nothing to code", and the transcript is
*finished* when its counted coder marked it done or handled every respondent turn
(:mod:`qualcode.coding.finishing`). A transcript whose counted coder has no codings on
it (none assigned, or assigned but not yet coded) is "not covered", and the figures say so.

The store (and agreement/, which loads it) is imported inside the functions that read
it: it loads SQLAlchemy, and importing qualcode.tally or qualcode.report, which use
this module, must not (tests/tally/test_charts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.coding.coders import AUTOCODER, CONSENSUS, resolve_coder
from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.handles import Connection

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
    interviewer_turns_coded: int = 0  # counted like any coding; not part of the coverage ratio
    handled_turns: int = 0  # coded or marked nothing to code by the counted coder
    done: bool = False  # the counted coder marked the transcript done

    @property
    def counted(self) -> bool:
        """Whether any coding of this transcript is counted."""
        return self.coder is not None and bool(self.coded_turns or self.interviewer_turns_coded)

    @property
    def finished(self) -> bool:
        return self.coder is not None and (self.done or self.handled_turns >= self.respondent_turns)

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "role": self.role, "site": self.site, "coder": self.coder,
                "source": self.source, "respondent_turns": self.respondent_turns,
                "coded_turns": self.coded_turns, "coverage": _ratio(self.coded_turns, self.respondent_turns),
                "interviewer_turns_coded": self.interviewer_turns_coded,
                "handled_turns": self.handled_turns, "marked_done": self.done, "finished": self.finished,
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
    turns_handled: int = 0  # coded or marked nothing to code
    marked_done: int = 0  # transcripts their counted coder marked done
    transcripts_finished: int = 0  # marked done, or every respondent turn handled

    @property
    def complete(self) -> bool:
        return not self.not_covered and not self.pending_reconciliation

    @property
    def warning(self) -> str:
        """'' when the figures rest on the whole selection; else what they rest on."""
        parts = []
        if self.not_covered:
            parts.append(f"{len(self.not_covered)} of {self.transcripts} transcripts in the selection have no "
                         f"counted codings ({_listed(list(self.not_covered))})")
        if self.pending_reconciliation:
            parts.append(f"reconciliation is partial: {self.pending_reconciliation} double-coded transcript(s) "
                         "still count the primary coder, not the consensus")
        if not parts:
            return ""
        return (f"Coverage: these figures rest on less than the whole selection ({self.transcripts_coded} of "
                f"{self.transcripts} transcripts have counted codings; {self.turns_coded} of {self.respondent_turns} "
                f"respondent turns carry a counted code{self._finishing}): " + "; ".join(parts))

    @property
    def _finishing(self) -> str:
        """How far the counted coders say they got, when that differs from the coded turns."""
        if self.turns_handled == self.turns_coded and not self.marked_done:
            return ""
        return (f", {self.turns_handled} are coded or marked nothing to code; {self.transcripts_finished} of "
                f"{self.transcripts} transcripts finished, {self.marked_done} marked done")

    def to_dict(self) -> dict[str, Any]:
        return {"transcripts": self.transcripts, "transcripts_coded": self.transcripts_coded,
                "respondent_turns": self.respondent_turns, "respondent_turns_coded": self.turns_coded,
                "turn_coverage": _ratio(self.turns_coded, self.respondent_turns),
                "respondent_turns_handled": self.turns_handled,
                "handled_coverage": _ratio(self.turns_handled, self.respondent_turns),
                "transcripts_finished": self.transcripts_finished,
                "pending_reconciliation": self.pending_reconciliation, "not_covered": list(self.not_covered),
                "marked_done": self.marked_done, "complete": self.complete, "warning": self.warning}


@dataclass(frozen=True)
class AnalysisSet:
    """Whose codings count, per transcript (see the module docstring)."""

    entries: tuple[Entry, ...]
    named: str | None = None
    machine: bool = False  # the named coder is the autocoder or codes only by rules/model
    machine_coders: tuple[str, ...] = ()  # counted coders that are machines (named, or assigned by the lead)

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
            transcripts=len(chosen), transcripts_coded=sum(1 for e in chosen if e.counted),
            respondent_turns=sum(e.respondent_turns for e in chosen),
            turns_coded=sum(e.coded_turns for e in chosen),
            pending_reconciliation=sum(1 for e in chosen if e.pending),
            not_covered=tuple(e.transcript for e in chosen if not e.counted),
            turns_handled=sum(e.handled_turns for e in chosen),
            marked_done=sum(1 for e in chosen if e.done),
            transcripts_finished=sum(1 for e in chosen if e.finished),
        )

    @property
    def machine_warning(self) -> str:
        """'' unless some counted codings are a machine's; else the warning, one sentence."""
        if not self.machine_coders:
            return ""
        return "Warning: " + "; ".join(MACHINE_WARNING.format(coder=c) for c in self.machine_coders) + "."

    def statement(self) -> str:
        """One sentence saying whose codings count (printed with every figure)."""
        warning = f" {self.machine_warning}" if self.machine_warning else ""
        if self.named:
            return f"Counts the codings of '{self.named}' on every transcript (named with --coder).{warning}"
        by: dict[str, int] = {}
        for e in self.entries:
            by[e.source] = by.get(e.source, 0) + 1
        words = {"assigned": "{its} assigned primary coder", "consensus": "the reconciled consensus",
                 "inferred": "{its} only coder (unassigned, inferred)", "none": "no coder"}
        parts = [f"{n} transcript{'s count' if n != 1 else ' counts'} " + words[s].format(its="their" if n != 1 else "its")
                 for s, n in sorted(by.items())]
        return "Analysis set: " + "; ".join(parts) + "." + warning

    def to_dict(self) -> dict[str, Any]:
        return {"named": self.named, "machine": self.machine, "machine_coders": list(self.machine_coders),
                "statement": self.statement(), "coders": self.coders,
                "coverage": self.coverage().to_dict(), "transcripts": [e.to_dict() for e in self.entries]}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _listed(ids, limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def analysis_set(project: Project, coder: str | None = None) -> AnalysisSet:
    """The project's analysis set, or ``coder``'s codings everywhere when named."""
    if coder:
        return _named_set(project, coder)
    from qualcode.store.analysis import coded_turns, coding_origins
    from qualcode.store.assignments import assignment_rows, transcript_metadata
    from qualcode.store.codings import respondent_segment_totals
    from qualcode.store.finishing import done_marks, uncoded_nothing_marks

    with project.read() as conn:
        infos, totals = transcript_metadata(conn), respondent_segment_totals(conn)
        coded, asked = coded_turns(conn)
        origins = coding_origins(conn)
        assigned, pairs = assignment_rows(conn), _sample_pairs(conn)
        nothing, done = uncoded_nothing_marks(conn), done_marks(conn)
    anywhere = {key: coded.get(key, 0) + asked.get(key, 0) for key in {*coded, *asked}}
    pending = _pending_reconciliation(project, pairs, anywhere)
    machines = {c for c, kinds in origins.items() if _is_machine(c, kinds)}
    entries = []
    for t in infos:
        who, source, note, waiting = _choose(t.id, assigned.get(t.id, []), anywhere, pending, machines)
        turns, questions = (coded.get((who, t.id), 0), asked.get((who, t.id), 0)) if who else (0, 0)
        if source == "inferred" and questions and not turns:
            note = f"{note}; codes only interviewer turns ([coding] code_interviewer_turns)"
        entries.append(Entry(t.id, t.role, t.site, who, source, totals.get(t.id, 0), turns, note, waiting,
                             interviewer_turns_coded=questions,
                             handled_turns=turns + nothing.get((who, t.id), 0) if who else 0,
                             done=(who, t.id) in done))
    counted = {e.coder for e in entries if e.coder}
    return AnalysisSet(tuple(entries), machine_coders=tuple(sorted(counted & machines)))


def _named_set(project: Project, coder: str) -> AnalysisSet:
    """``coder``'s codings on every transcript: only that coder's codings are read."""
    from qualcode.store.analysis import coded_turns_of, origins_of
    from qualcode.store.assignments import transcript_metadata
    from qualcode.store.codings import respondent_segment_totals
    from qualcode.store.finishing import done_marks, uncoded_nothing_marks

    with project.read() as conn:
        resolve_coder(conn, coder)  # refuses a coder with no codings, listing those with some
        infos, totals = transcript_metadata(conn), respondent_segment_totals(conn)
        (coded, asked), origins = coded_turns_of(conn, coder), origins_of(conn, coder)
        nothing, done = uncoded_nothing_marks(conn, coder), done_marks(conn, coder)
    entries = tuple(
        Entry(t.id, t.role, t.site, coder, "named", totals.get(t.id, 0), coded.get(t.id, 0),
              interviewer_turns_coded=asked.get(t.id, 0),
              handled_turns=coded.get(t.id, 0) + nothing.get((coder, t.id), 0), done=(coder, t.id) in done)
        for t in infos)
    machine = _is_machine(coder, origins)
    return AnalysisSet(entries, named=coder, machine=machine, machine_coders=(coder,) if machine else ())


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
            first, second = sample.coders
            found.append((name, (first, second), sample.transcript_ids))
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
