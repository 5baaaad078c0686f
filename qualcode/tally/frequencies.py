"""``qualcode tally``: the children of a code, counted per group, with report sentences.

Counting semantics (docs/tally.md has the full statement):

- references: distinct (coder, segment, child); percent of the group's total, which
  is the sum over the children (what a report calls "cited N times");
- transcripts: transcripts in the group with at least one reference to the child;
  percent of the group's transcripts (all selected transcripts, coded or not);
- sites: sites with such a transcript; percent of the sites in the group.

Codings of the tallied code itself are "not further specified": reported, never in
the total. Without rollup, codings of grandchildren are left out and reported.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.tally import wording
from qualcode.tally.counting import (
    CountTable,
    KeyMap,
    children_keymap,
    key_counts,
    presence_rows,
)
from qualcode.tally.selection import (
    Dimension,
    TallyError,
    check_count_type,
    check_dimension,
    group_label,
    load_transcripts,
    ordered_groups,
    parse_dimension,
    select_transcripts,
)
from qualcode.tally.whose import guard_whose, whose_codings

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.tally import TranscriptInfo

SUMMARY_TOP = 4


@dataclass(frozen=True)
class TallyRow:
    code: str
    name: str
    count: int
    percent: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "count": self.count, "percent": self.percent}


@dataclass(frozen=True)
class TallyGroup:
    """One group's counts. ``total`` is the percentage base (see the module docstring)."""

    key: str
    label: str
    total: int
    rows: list[TallyRow]
    mentioning: int
    unspecified: int = 0
    other_codes: int = 0
    other_count: int = 0
    statement: str = ""
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.label,
            "key": self.key,
            "total": self.total,
            "mentioning": self.mentioning,
            "rows": [r.to_dict() for r in self.rows],
            "others": {"codes": self.other_codes, "count": self.other_count},
            "unspecified": self.unspecified,
            "statement": self.statement,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class TallyResult:
    code: str
    name: str
    noun: str
    count_type: str
    coder: str
    by: str
    rollup: bool
    groups: list[TallyGroup]
    deeper: int = 0
    command: str = ""
    notes: list[str] = field(default_factory=list)
    coverage: dict[str, Any] = field(default_factory=dict)
    analysis: str = ""

    @property
    def warning(self) -> str:
        return self.coverage.get("warning", "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis_set": self.analysis,
            "coverage": self.coverage,
            "code": self.code,
            "name": self.name,
            "count_type": self.count_type,
            "coder": self.coder,
            "by": self.by,
            "rollup": self.rollup,
            "groups": [g.to_dict() for g in self.groups],
            "deeper_not_counted": self.deeper,
            "command": self.command,
            "notes": self.notes,
        }


def tally(
    project: Project,
    code: str,
    *,
    by: str | Dimension | None = None,
    roles: list[str] | None = None,
    sites: list[str] | None = None,
    count: str = "references",
    top: int | None = None,
    rollup: bool = False,
    coder: str | None = None,
    noun: str | None = None,
) -> TallyResult:
    """Count the children of ``code`` per group; the plain twin of ``qualcode tally``.

    Parameters
    ----------
    by : ``role``, ``site``, ``attr:NAME`` (or a bare attribute name), or None for one group.
    roles, sites : restrict to transcripts of these roles (keys, labels, aliases) / sites.
    count : ``references``, ``transcripts`` or ``sites``.
    top : keep the N most frequent children per group (the rest are summed as "others").
    rollup : count codings of deeper descendants under the child above them.
    coder : whose codings on every transcript; default the analysis set
        (:mod:`qualcode.analysis.analysis_set`), stated and with its coverage.
    noun : what the children are called in sentences (default: the code's name).
    """
    check_count_type(count)
    if top is not None and top < 1:
        raise TallyError(f"--top must be 1 or more, got {top}")
    codebook = project.codebook
    parent = codebook.get(code)
    if not codebook.children(code):
        raise TallyError(f"Code '{code}' has no children to tally; tally its parent or a code with children")
    dimension = by if isinstance(by, Dimension) else parse_dimension(by)
    keymap = children_keymap(codebook, code, rollup=rollup)
    whose = whose_codings(project, coder)
    guard_whose(project, whose, what="this tally")
    who = whose.label
    with project.read() as conn:
        infos = load_transcripts(conn, attributes=dimension.kind == "attr")
        check_dimension(dimension, infos)
        # Transcripts or sites under rollup need only which transcripts mention a key.
        presence_only = count != "references" and rollup
        table = CountTable(whose.reference_rows(conn, keymap, presence_rows if presence_only else key_counts))
    selected = select_transcripts(codebook, infos, roles, sites)
    counting = _Counting(count, noun or wording.lower_first(parent.name), table, keymap,
                         {key: codebook.get(key).name for key in keymap.keys}, top)
    groups = _groups(counting, _named_selection(dimension, selected), selected, codebook)
    deeper = _deeper_references(table, keymap, selected)
    return TallyResult(
        code=code, name=parent.name, noun=counting.noun, count_type=count, coder=who, by=dimension.spec,
        rollup=rollup, groups=groups, deeper=deeper,
        command=tally_command(code, dimension, roles, sites, count, top, rollup, whose.named),
        notes=_notes(code, count, deeper, groups, selected) + wording.coding_notes(project),
        coverage=whose.aset.coverage([t.id for t in selected]).to_dict(), analysis=whose.aset.statement(),
    )


@dataclass(frozen=True)
class _Counting:
    """What every group of one tally is counted with."""

    count_type: str
    noun: str
    table: CountTable
    keymap: KeyMap
    names: dict[str, str]
    top: int | None


def _named_selection(dimension: Dimension, selected: list[TranscriptInfo]) -> Dimension:
    """Without --by, a selection of one role (or one site) is worded as that role or site."""
    if dimension.kind != "all" or not selected:
        return dimension
    for kind in ("role", "site"):
        if len({Dimension(kind).value(t) for t in selected}) == 1:
            return Dimension(kind)
    return dimension


def _groups(counting: _Counting, grouping: Dimension, selected, codebook) -> list[TallyGroup]:
    group_of = {t.id: grouping.value(t) for t in selected}
    # References of every group and key in one pass over the table (not one per cell).
    sums = counting.table.references_by_group(group_of) if counting.count_type == "references" else None
    groups = []
    for key in ordered_groups(grouping, selected, codebook):
        members = [t for t in selected if group_of[t.id] == key]
        found = sums.get(key, {}) if sums is not None else None
        groups.append(_group(counting, grouping, key, group_label(grouping, key, codebook), members, found))
    return groups


def _group(counting: _Counting, dimension: Dimension, key: str, label: str, members,
           references: dict[str, int] | None = None) -> TallyGroup:
    """One group's counts; ``references`` are its references by key when already summed."""
    kind, keys, table = counting.count_type, counting.keymap.keys, counting.table
    ids = {t.id for t in members}
    if references is not None:
        counts = {child: references.get(child, 0) for child in keys}
    else:
        counts = {child: unit_count(kind, table, members, [child], ids) for child in keys}
    base = group_base(kind, members, counts)
    order = sorted(counts.items(), key=lambda kv: (-kv[1], keys.index(kv[0])))
    rows = [TallyRow(child, counting.names[child], n, _percent(n, base)) for child, n in order]
    mentioning = base if kind == "references" else unit_count(kind, table, members, keys, ids)
    kept = rows[: counting.top] if counting.top else rows
    return TallyGroup(
        key=key, label=label, total=base, rows=kept, mentioning=mentioning,
        unspecified=(references.get(counting.keymap.code, 0) if references is not None
                     else unit_count(kind, table, members, [counting.keymap.code], ids)),
        other_codes=len(rows) - len(kept), other_count=sum(r.count for r in rows[len(kept):]),
        statement=wording.statement(kind, counting.noun, dimension.kind, label, base, mentioning),
        summary=wording.summary(kind, counting.noun, [(r.name, r.count, r.percent) for r in rows], base,
                                counting.top or SUMMARY_TOP),
    )


def unit_count(count_type: str, table: CountTable, members: list[TranscriptInfo], keys,
               ids: set[str] | None = None) -> int:
    """References, transcripts or sites of ``members`` with a reference to any of ``keys``;
    ``ids`` (the members' ids) when the caller counts one group many times."""
    ids = {t.id for t in members} if ids is None else ids
    if count_type == "references":
        return sum(table.references(ids, key) for key in keys)
    mentioning = table.transcripts_with(ids, keys)
    if count_type == "transcripts":
        return len(mentioning)
    return len({t.site for t in members if t.id in mentioning})


def group_base(count_type: str, members: list[TranscriptInfo], counts: dict[str, int]) -> int:
    """The percentage base: the children's references, or the group's transcripts/sites."""
    if count_type == "references":
        return sum(counts.values())
    if count_type == "transcripts":
        return len(members)
    return len({t.site for t in members})


def _percent(n: int, base: int) -> float | None:
    return 100 * n / base if base else None


def _deeper_references(table: CountTable, keymap, selected: list[TranscriptInfo]) -> int:
    ids = {t.id for t in selected}
    deeper = {key for key in table.counted_keys() if keymap.is_deeper(key)}
    return sum(table.references(ids, key) for key in deeper)


def _notes(code: str, count_type: str, deeper: int, groups: list[TallyGroup], selected) -> list[str]:
    notes = []
    if deeper:
        notes.append(
            f"{wording.plural(deeper, 'reference')} to codes below the children of {code} are not counted; "
            "add --rollup to count them under their child"
        )
    unspecified = sum(g.unspecified for g in groups)
    if unspecified:
        unit = wording.plural(unspecified, count_type[:-1])
        notes.append(f"{unit} coded {code} itself (no child code) not counted in the totals")
    if not selected:
        notes.append("No transcripts match the selection")
    return notes


def tally_command(code, dimension, roles, sites, count, top, rollup, coder) -> str:
    """The command that reproduces a tally (printed under every table in reports)."""
    parts = ["qualcode tally", code]
    if dimension.kind != "all":
        parts += ["--by", dimension.spec]
    parts += [f"--role {_quoted(r)}" for r in roles or []]
    parts += [f"--site {_quoted(s)}" for s in sites or []]
    if count != "references":
        parts += ["--count", count]
    if top:
        parts += ["--top", str(top)]
    if rollup:
        parts.append("--rollup")
    if coder:
        parts += ["--coder", _quoted(coder)]
    return " ".join(parts)


def _quoted(text: str) -> str:
    return shlex.quote(text)
