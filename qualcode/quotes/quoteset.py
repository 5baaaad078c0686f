"""Building a quote set: select, order, redact, clean, de-duplicate, attribute, check.

``build_quote_set`` is the plain-Python twin of ``qualcode quotes``. Per group (a
requested code with its descendants) it orders every candidate, then walks that order
redacting and cleaning lazily, skipping quotes outside the word limits, over the
per-transcript cap or near-duplicates of a quote already taken, until ``limit``
quotes are taken. The result carries the leftover-identifier findings; exporting
refuses while there are any (:func:`ensure_masked`).

Like a tally, a quote set states whose codings it draws on (the analysis set, or the
coder named with ``--coder``) and carries that selection's coverage: when the quotes
rest on less than the whole selection (transcripts with no counted codings, a
reconciliation under way, a machine coder) :func:`basis_lines` says so, and the CLI,
the JSON and the Word/Markdown headers print it.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from qualcode.analysis.analysis_set import AnalysisSet, analysis_set, require_counted
from qualcode.analysis.guard import guard_counted_codings
from qualcode.errors import ExportError, NotFoundError
from qualcode.quotes.attribution import (
    DASH,
    AttributionOptions,
    attribution_line,
    respondent_ids,
)
from qualcode.quotes.cleaning import CleaningOptions, clean_quote, word_count
from qualcode.quotes.coders import check_coder
from qualcode.quotes.identifiers import find_identifiers
from qualcode.quotes.layout import basis_lines, quote_set_data  # noqa: F401 (quoteset.basis_lines, as before)
from qualcode.quotes.near_duplicates import NearDuplicates
from qualcode.quotes.ordering import order_items
from qualcode.quotes.reading import QuoteReader, candidate_texts, with_texts
from qualcode.quotes.redaction import Redactor, load_rules, rules_summary
from qualcode.quotes.selection import (
    Candidate,
    QuoteQuery,
    fetch_candidates,
    load_context,
    resolve_groups,
)

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project


@dataclass(frozen=True)
class Quote:
    """One quote of a set: cleaned text, the (masked) original, and where it came from."""

    number: int
    group: str
    code: str
    transcript: str
    segment: int
    role: str
    role_label: str
    site: str
    coder: str
    origin: str
    start: int
    end: int
    text: str
    original_text: str
    attribution: str
    respondent: str | None = None
    shown_site: str = ""  # the (masked) site the attribution shows; "" when it shows none
    context: list[str] = field(default_factory=list)
    score: float | None = None
    collapsed: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return word_count(self.text)


@dataclass(frozen=True)
class Leftover:
    """A likely identifier still in an exported field of a quote."""

    quote: int
    transcript: str
    segment: int
    field: str
    kind: str
    text: str

    def __str__(self) -> str:
        return (f"quote {self.quote} ({self.transcript} segment {self.segment}, {self.field}): "
                f"{self.kind} '{self.text}'")


@dataclass(frozen=True)
class QuoteSet:
    """What ``qualcode quotes`` selected, with everything an export and an audit need.

    Frozen, like its quotes: a step that changes the set (numbering and attribution, the
    k-anonymity rule, the leftover gate recording what it let through) returns a new one
    (``dataclasses.replace``).
    """

    project: str
    coder: str
    groups: list[str]
    quotes: list[Quote]
    query: QuoteQuery
    cleaning: CleaningOptions
    attribution: AttributionOptions
    leftovers: list[Leftover] = field(default_factory=list)
    candidates: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    generated_at: str = ""
    code_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, definition)
    role_labels: dict[str, str] = field(default_factory=dict)  # key -> label, codebook order
    allowed_unmasked: list[Leftover] = field(default_factory=list)
    redaction: dict[str, object] = field(default_factory=dict)  # what the rules masked
    k_anonymity: int = 3
    attribution_notes: list[str] = field(default_factory=list)  # sites left out, and why
    analysis: str = ""  # whose codings count (AnalysisSet.statement), with any machine-coder warning
    coverage: dict = field(default_factory=dict)  # Coverage.to_dict() of the selected transcripts
    machine_coders: list[str] = field(default_factory=list)
    provenance: bool = True  # with the audit trail (ids, offsets, coders); False: --no-provenance

    @property
    def warning(self) -> str:
        """The coverage warning ('' when the quotes rest on the whole selection)."""
        return str(self.coverage.get("warning", ""))

    def to_dict(self) -> dict[str, Any]:
        """The ``qualcode quotes --format json`` shape, with or without provenance as the
        set was built. Like every export, the CLI passes the set through
        :func:`ensure_masked` first."""
        return quote_set_data(self, provenance=self.provenance)


class _Timer:
    def __init__(self) -> None:
        self.totals: defaultdict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, stage: str):
        began = time.perf_counter()
        try:
            yield
        finally:
            self.totals[stage] += time.perf_counter() - began


def _whose(project: Project, named: str | None) -> tuple[str, dict[str, str] | None, AnalysisSet]:
    """(label, None) for a named coder; ("analysis set", transcript -> coder) by default;
    and the analysis set either way (its statement and coverage go with the quotes)."""
    if named:
        check_coder(project, named)
        return named, None, analysis_set(project, named)
    aset = analysis_set(project)
    require_counted(aset)
    return aset.label, aset.coder_for, aset


def _selected(conn: Connection, codebook, query: QuoteQuery) -> list[str]:
    """Ids of the transcripts the query's role, site and attribute filters select."""
    from qualcode.store.transcripts import transcript_headers

    roles = {codebook.resolve_role(r) for r in query.roles}
    sites = {s.lower() for s in query.sites}
    return [row["id"] for row in transcript_headers(conn)
            if (not roles or row["role"] in roles) and (not sites or row["site"].lower() in sites)
            and all(str(row["attributes"].get(k, "")).casefold() == v.casefold() for k, v in query.attributes)]


def _analysis_groups(project: Project, query: QuoteQuery, coder_for: dict[str, str]) -> list[str]:
    """Requested codes, else the top-level codes any counted coder used."""
    if query.codes or query.all_of:
        return resolve_groups(project, query, next(iter(coder_for.values())))
    found: list[str] = []
    for coder in sorted(set(coder_for.values())):
        try:
            found += [g for g in resolve_groups(project, query, coder) if g not in found]
        except NotFoundError:
            continue
    order = [c.id for c in project.codebook.top_level()]
    return sorted(found, key=order.index)


def _candidates(conn, codebook, query, coder: str, group: str, coder_for: dict[str, str] | None):
    """One coder's candidates, or each counted coder's on the transcripts it counts for."""
    if coder_for is None:
        return fetch_candidates(conn, codebook, query, coder, group)
    found = []
    for who in sorted(set(coder_for.values())):
        found += [c for c in fetch_candidates(conn, codebook, query, who, group) if coder_for.get(c.transcript) == who]
    return sorted(found, key=lambda c: c.sort_key)


def build_quote_set(
    project: Project,
    query: QuoteQuery | None = None,
    cleaning: CleaningOptions | None = None,
    attribution: AttributionOptions | None = None,
    *,
    provenance: bool = True,
) -> QuoteSet:
    """Select and prepare a quote set; see the module docstring for the steps.
    ``provenance=False`` (``--no-provenance``) shapes ``to_dict()`` and the gate for circulation."""
    timer = _Timer()
    began = time.perf_counter()
    query = query or QuoteQuery()
    query.validate()
    cleaning = replace(cleaning or CleaningOptions(), max_words=query.max_words)
    attribution = attribution or AttributionOptions()
    coder, coder_for, aset = _whose(project, query.coder)
    groups = resolve_groups(project, query, coder) if coder_for is None else _analysis_groups(project, query, coder_for)
    guard_counted_codings(project, named=coder if coder_for is None else None, coder_for=coder_for,
                          what="this quote set")
    codebook = project.codebook
    rules = load_rules(project)
    quote_set = QuoteSet(
        project=project.name, coder=coder, groups=groups, quotes=[], query=query, cleaning=cleaning,
        attribution=attribution, generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        role_labels={key: role.label for key, role in codebook.roles.items()},
        redaction=rules_summary(rules), k_anonymity=k_anonymity(project),
        analysis=aset.statement(), machine_coders=list(aset.machine_coders), provenance=provenance,
    )
    with project.read() as conn:
        quote_set = replace(quote_set, coverage=aset.coverage(_selected(conn, codebook, query)).to_dict())
        transcripts = QuoteReader(conn, Redactor(rules))
        pseudonyms = _pseudonyms(project, conn) if attribution.respondent else {}
        counts = _role_site_counts(conn)
        quotes: list[Quote] = []
        found: dict[str, int] = {}  # candidates per group
        for group in groups:
            with timer("query"):
                candidates = _candidates(conn, codebook, query, coder, group, coder_for)
            found[group] = len(candidates)
            with timer("ordering"):
                ordered = order_items(
                    candidates, query.order, key=lambda c: c.sort_key, texts=lambda items: candidate_texts(conn, items),
                    words=lambda text: word_count(clean_quote(text, replace(cleaning, trim=False))),
                    seed=query.seed,
                )
            quotes += _walk(ordered, query, cleaning, transcripts, timer)
        quote_set = replace(quote_set, quotes=quotes, candidates=found)
        quote_set = _apply_k_anonymity(_finish(quote_set, codebook, transcripts, pseudonyms, timer), counts)
        with timer("check"):
            leftovers = find_leftovers(quote_set, transcripts, rules)
    timings = {stage: round(seconds, 4) for stage, seconds in timer.totals.items()}
    timings["total"] = round(time.perf_counter() - began, 4)
    return replace(quote_set, leftovers=leftovers, timings=timings)


def _walk(ordered, query: QuoteQuery, cleaning: CleaningOptions, transcripts: QuoteReader, timer) -> list[Quote]:
    """Take quotes in order, skipping filtered ones and near-duplicates, up to the limit."""
    seen = NearDuplicates(query.similarity)
    per_transcript: Counter[str] = Counter()
    taken: list[Quote] = []
    for candidate, score, raw in with_texts(ordered, transcripts, timer):
        if query.limit is not None and len(taken) >= query.limit:
            break
        if query.per_transcript and per_transcript[candidate.transcript] >= query.per_transcript:
            continue
        with timer("query"):
            transcripts.speakers(candidate.transcript)  # its speaker labels feed the redaction
        with timer("redaction"):
            original = transcripts.redact(raw, candidate.transcript)
        with timer("cleaning"):
            text = clean_quote(original, cleaning)
        if not _within_limits(word_count(text), query, cleaning):
            continue
        with timer("dedupe"):
            duplicate = seen.duplicate_of(text)
        if duplicate is not None:
            taken[duplicate].collapsed.append(f"{candidate.transcript}:{candidate.segment} {candidate.code}")
            continue
        seen.add(text)
        per_transcript[candidate.transcript] += 1
        taken.append(_quote(candidate, text, original, score))
    return taken


def _within_limits(words: int, query: QuoteQuery, cleaning: CleaningOptions) -> bool:
    if words == 0 or (query.min_words and words < query.min_words):
        return False
    return cleaning.trim or not query.max_words or words <= query.max_words


def _quote(candidate: Candidate, text: str, original: str, score: float | None) -> Quote:
    return Quote(
        number=0, group=candidate.group, code=candidate.code, transcript=candidate.transcript,
        segment=candidate.segment, role=candidate.role, role_label=candidate.role, site=candidate.site,
        coder=candidate.coder, origin=candidate.origin, start=candidate.start, end=candidate.end,
        text=text, original_text=original, attribution="", score=score,
    )


def _finish(quote_set: QuoteSet, codebook, transcripts: QuoteReader, pseudonyms: dict, timer) -> QuoteSet:
    """Number the quotes, add attribution and context, record code names."""
    quotes = [_finished(quote_set, quote, number, transcripts, pseudonyms, timer)
              for number, quote in enumerate(quote_set.quotes, start=1)]
    used = {*quote_set.groups, *(q.code for q in quotes)}
    names = {code.id: (code.name, code.definition)  # codebook order, which the writers follow
             for code in codebook.codes.values() if code.id in used}
    return replace(quote_set, quotes=quotes, code_names=names)


def _finished(quote_set: QuoteSet, quote: Quote, number: int, transcripts: QuoteReader, pseudonyms: dict,
              timer) -> Quote:
    """One quote numbered, attributed (role label, masked site, pseudonym) and with its context."""
    options = quote_set.attribution
    role_label = quote_set.role_labels.get(quote.role, quote.role)
    respondent = pseudonyms.get(quote.transcript)
    shown_site = transcripts.redact(quote.site, quote.transcript) if options.site else ""
    attribution = attribution_line(role_label, site=shown_site or None,
                                   respondent=respondent if options.respondent else None)
    context = quote.context
    if quote_set.query.context:
        with timer("redaction"):
            turns = [(asks, transcripts.redact(text, quote.transcript)) for asks, text in
                     load_context(transcripts.get(quote.transcript), quote.segment, quote_set.query.context)]
        with timer("cleaning"):
            cleaning = replace(quote_set.cleaning, trim=False)
            context = [f"{'Q' if asks else 'A'}: {clean_quote(text, cleaning)}" for asks, text in turns]
    return replace(quote, number=number, role_label=role_label, respondent=respondent, shown_site=shown_site,
                   attribution=attribution, context=context)


def k_anonymity(project: Project) -> int:
    """``[quotes] k_anonymity`` (default 3): the fewest respondents an attribution may fit."""
    from qualcode.errors import ProjectError

    value = project.setting("quotes", "k_anonymity", 3)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ProjectError(f"[quotes] k_anonymity must be a whole number of at least 1, got {value!r}",
                           file=str(project.config_path))
    return value


def _role_site_counts(conn: Connection) -> dict[tuple[str, str], int]:
    from qualcode.store.transcripts import role_site_counts

    return role_site_counts(conn)


def _apply_k_anonymity(quote_set: QuoteSet, counts: dict[tuple[str, str], int]) -> QuoteSet:
    """Attribution by role and site only where at least k respondents share both.

    Where fewer do, the quote is attributed by role alone (and by its pseudonymous id,
    if asked) and a note says so; a role with fewer than k respondents in the whole
    project is noted too (the role label alone may point at them).
    """
    k = quote_set.k_anonymity
    roles: dict[str, int] = {}
    for (role, _site), count in counts.items():
        roles[role] = roles.get(role, 0) + count
    quotes, notes = [], list(quote_set.attribution_notes)
    for quote in quote_set.quotes:
        if quote.shown_site and counts.get((quote.role, quote.site), 0) < k:
            respondent = quote.respondent if quote_set.attribution.respondent else None
            quote = replace(quote, shown_site="", attribution=attribution_line(quote.role_label, respondent=respondent))
            notes.append(
                f"quote {quote.number}: site left out of the attribution: fewer than {k} "
                f"{quote.role_label.lower()} respondents at that site ([quotes] k_anonymity = {k})"
            )
        quotes.append(quote)
    if quote_set.attribution.site:
        small = sorted({q.role_label for q in quotes if roles.get(q.role, 0) < k})
        notes += [f"role '{label}' has fewer than {k} respondents in the project: its label alone may identify them"
                  for label in small]
    return replace(quote_set, quotes=quotes, attribution_notes=notes)


def _pseudonyms(project: Project, conn: Connection) -> dict[str, str]:
    from qualcode.store.transcripts import transcript_ids

    salt = str(project.setting("quotes", "pseudonym_salt", ""))
    return respondent_ids(transcript_ids(conn), salt)


# Fields exported only with the provenance (audit) part of an export.
PROVENANCE_FIELDS = frozenset({"transcript id", "collapsed"})


def exported_fields(quote: Quote) -> list[tuple[str, str]]:
    """Every field of a quote that some export format writes, as (field, text).

    The role label and code ids are the codebook's own text and are not checked;
    transcript ids are checked word by word ("maria-gonzalez-interview").
    """
    attribution_tail = quote.attribution.removeprefix(DASH + quote.role_label)
    return [
        ("text", quote.text), ("original_text", quote.original_text),
        ("context", "\n".join(quote.context)), ("attribution", attribution_tail), ("site", quote.shown_site),
        ("transcript id", _id_words(quote.transcript)),
        ("collapsed", "\n".join(_id_words(item.split(":")[0]) for item in quote.collapsed)),
    ]


def _id_words(identifier: str) -> str:
    return " ".join(part for part in identifier.replace("_", "-").replace(".", "-").split("-") if part)


def find_leftovers(quote_set: QuoteSet, transcripts: QuoteReader, rules) -> list[Leftover]:
    """Every likely identifier in the exported fields, once per quote, field, kind and text.

    The quotes are checked transcript by transcript (each against its whole masked
    speech, read once), and the findings reported in quote order."""
    quotes = quote_set.quotes
    findings: dict[int, list] = {}
    for index in sorted(range(len(quotes)), key=lambda i: quotes[i].transcript):
        quote = quotes[index]
        allow = rules.allow_for(quote.transcript)
        speech = transcripts.redacted_speech(quote.transcript)
        findings[index] = [(name, finding) for name, value in exported_fields(quote)
                           for finding in find_identifiers(value, allow=allow, transcript_text=speech)]
    found: dict[tuple, Leftover] = {}
    for index, quote in enumerate(quotes):
        for name, finding in findings[index]:
            key = (quote.number, name in PROVENANCE_FIELDS, finding.kind, finding.text)
            found.setdefault(key, Leftover(quote.number, quote.transcript, quote.segment, name,
                                           finding.kind, finding.text))
    return list(found.values())


def ensure_masked(quote_set: QuoteSet, *, allow_unmasked: bool = False, target: str | None = None,
                  provenance: bool | None = None) -> QuoteSet:
    """Refuse (ExportError) while likely identifiers are left, unless overridden; return the
    set to export.

    Without ``provenance`` (default: the set's own option) the audit fields (transcript ids, collapsed duplicates) are
    not exported, so what is left in them does not count. With ``allow_unmasked`` the
    returned set records the leftovers in ``allowed_unmasked`` so the export shows them.
    """
    provenance = quote_set.provenance if provenance is None else provenance
    leftovers = [item for item in quote_set.leftovers if provenance or item.field not in PROVENANCE_FIELDS]
    if not leftovers:
        return quote_set
    if allow_unmasked:
        return replace(quote_set, allowed_unmasked=leftovers)
    raise ExportError(unmasked_message(leftovers), file=target)


def unmasked_message(leftovers: list[Leftover]) -> str:
    """One summary line, then one line per leftover."""
    quotes = len({item.quote for item in leftovers})
    distinct = sorted({item.text for item in leftovers})
    shown = ", ".join(repr(t) for t in distinct[:8]) + (", ..." if len(distinct) > 8 else "")
    summary = (
        f"Refusing to export: {len(leftovers)} likely identifier(s) left unmasked in {quotes} quote(s) "
        f"({shown}). Mask them in qualcode.toml [redaction] (names, places, agencies, patterns) "
        f"or list them under allow (in a transcript id: rename it or export with --no-provenance); "
        f"--allow-unmasked overrides and is recorded in the provenance."
    )
    return summary + "".join(f"\n  {item}" for item in leftovers)
