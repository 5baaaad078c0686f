"""``qualcode query``: boolean coding queries over turns, with text and attributes.

The unit is a turn (respondent turns by default, as in search). Each part of the
query (see :mod:`qualcode.search.qparse`) evaluates to the turns it holds, each with
its *evidence* spans (the codings or text matches that put it there):

- ``CODE``: turns with a coding of the code or a descendant, by the analysis coder
  (``qualcode.coding.coders.resolve_coder``: --coder, else consensus, else the only one);
- ``"text"``: turns with a search hit (same modes as ``qualcode search``);
- ``NAME=VALUE``: every turn of transcripts with that role, site or attribute;
- ``A AND B``, ``A OR B``, ``NOT A`` (all selected turns without A);
- ``A NEAR/n B``: turns holding an A span and a B span at most n sentences apart
  (0 = the same sentence; sentences from qualcode/transcripts/sentences.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.coding.coders import resolve_coder
from qualcode.search.engine import CountRow, Hit, SearchOptions, find
from qualcode.search.filters import Selection, code_ids, select
from qualcode.search.index import refresh
from qualcode.search.qparse import (
    Binary,
    Code,
    Not,
    QueryError,
    Text,
    Where,
    parse_query,
)
from qualcode.transcripts.sentences import split_sentences

if TYPE_CHECKING:
    from qualcode.project import Project

Unit = tuple[str, int]  # (transcript id, turn ordinal)


@dataclass(frozen=True)
class Passage:
    transcript: str
    segment: int
    start: int
    end: int
    text: str
    role: str
    site: str
    evidence: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"transcript": self.transcript, "segment": self.segment, "start": self.start, "end": self.end,
                "role": self.role, "site": self.site, "text": self.text,
                "evidence": [list(e) for e in self.evidence]}


def evidence_hits(passages, width: int = 40) -> tuple[Hit, ...]:
    """KWIC lines of the passages' evidence (each coding or match, its context in the turn)."""
    hits = []
    for p in passages:
        for start, end in p.evidence:
            left = p.text[max(0, start - p.start - width) : start - p.start]
            right = p.text[end - p.start : end - p.start + width]
            left, right = " ".join(left.split()), " ".join(right.split())
            hits.append(Hit(p.transcript, p.segment, start, end, " ".join(p.text[start - p.start : end - p.start].split()),
                            left + " " if left else "", " " + right if right else "", p.role, p.site))
    return tuple(hits)


@dataclass(frozen=True)
class QueryResult:
    query: str
    coder: str | None
    speaker: str
    total: int
    passages: tuple[Passage, ...]
    by_role: tuple[CountRow, ...] = ()
    by_site: tuple[CountRow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "coder": self.coder, "speaker": self.speaker, "total": self.total,
                "shown": len(self.passages), "passages": [p.to_dict() for p in self.passages],
                "by_role": [r.to_dict() for r in self.by_role], "by_site": [r.to_dict() for r in self.by_site]}


@dataclass
class _Context:
    project: Any
    conn: Any
    options: SearchOptions
    selection: Selection
    universe: dict[Unit, tuple[int, int]]  # unit -> turn span
    coder: str | None = None
    sentences: dict[Unit, list[tuple[int, int]]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


def run_query(project: Project, expression: str, options: SearchOptions | None = None) -> QueryResult:
    """The plain twin of ``qualcode query EXPRESSION``."""
    options = options or SearchOptions()
    tree = parse_query(expression)
    needs_index = any(isinstance(node, Text) for node in _walk(tree))
    if needs_index:
        refresh(project)
    with project.read() as conn:
        ctx = _context(project, conn, options, tree)
        units = _evaluate(ctx, tree)
        ordered = sorted(units)
        shown = ordered if options.limit is None else ordered[: options.limit]
        passages = _passages(ctx, shown, units)
    by_role, by_site = _counts(ctx.selection, ordered)
    return QueryResult(expression, ctx.coder, options.speaker, len(ordered), tuple(passages), by_role, by_site)


def _walk(tree):
    yield tree
    if isinstance(tree, Not):
        yield from _walk(tree.operand)
    if isinstance(tree, Binary):
        yield from _walk(tree.left)
        yield from _walk(tree.right)


def _context(project, conn, options: SearchOptions, tree) -> _Context:
    from qualcode.store.search import segment_rows

    if options.speaker not in ("respondent", "interviewer", "any"):
        raise QueryError(f"Unknown --speaker '{options.speaker}'; speakers: respondent, interviewer, any")
    selection = select(project, conn, options)
    universe = {
        (r.transcript_id, r.ordinal): (r.start_offset, r.end_offset)
        for r in segment_rows(conn, None)
        if r.transcript_id in selection.ids
        and (options.speaker == "any" or bool(r.is_interviewer) == (options.speaker == "interviewer"))
    }
    for node in _walk(tree):
        if isinstance(node, Code):
            code_ids(project, [node.code])  # unknown codes refused before any work
    has_codes = any(isinstance(node, Code) for node in _walk(tree))
    coder = resolve_coder(conn, options.coder) if has_codes else None
    return _Context(project, conn, options, selection, universe, coder)


def _evaluate(ctx: _Context, node) -> dict[Unit, list[tuple[int, int]]]:
    if isinstance(node, Code):
        return _code_units(ctx, node.code)
    if isinstance(node, Text):
        return _text_units(ctx, node)
    if isinstance(node, Where):
        return _where_units(ctx, node)
    if isinstance(node, Not):
        held = _evaluate(ctx, node.operand)
        return {u: [span] for u, span in ctx.universe.items() if u not in held}
    left, right = _evaluate(ctx, node.left), _evaluate(ctx, node.right)
    if node.op == "AND":
        return {u: left[u] + right[u] for u in left if u in right}
    if node.op == "OR":
        return {u: left.get(u, []) + right.get(u, []) for u in left.keys() | right.keys()}
    return _near(ctx, left, right, node.distance)


def _code_units(ctx: _Context, code: str):
    from qualcode.store.search import coded_spans

    assert ctx.coder is not None, "resolved when the query names a code"
    by_segment: dict[int, list[tuple[str, int, int]]] = {}
    found: dict[Unit, list[tuple[int, int]]] = {}
    for transcript_id, segment_id, _code, start, end in coded_spans(ctx.conn, ctx.coder, code_ids(ctx.project, [code])):
        if transcript_id in ctx.selection.ids:
            by_segment.setdefault(segment_id, []).append((transcript_id, start, end))
    ordinals = _ordinals(ctx.conn, by_segment)
    for segment_id, spans in by_segment.items():
        for transcript_id, start, end in spans:
            unit = (transcript_id, ordinals[segment_id])
            if unit in ctx.universe:
                found.setdefault(unit, []).append((start, end))
    return found


def _ordinals(conn, by_segment) -> dict[int, int]:
    from qualcode.store.search import segment_rows

    ids = sorted({t for spans in by_segment.values() for t, *_ in spans})
    return {r.id: r.ordinal for r in segment_rows(conn, ids)} if ids else {}


def _text_units(ctx: _Context, node: Text):
    from dataclasses import replace

    options = replace(ctx.options, mode=node.mode, in_code=(), not_in_code=(), limit=None, count=False)
    found = find(ctx.project, node.pattern, options)
    units: dict[Unit, list[tuple[int, int]]] = {}
    for transcript_id, items in found.by_transcript.items():
        for o in items:
            if (transcript_id, o.ordinal) in ctx.universe:
                units.setdefault((transcript_id, o.ordinal), []).append((o.start, o.end))
    return units


def _where_units(ctx: _Context, node: Where):
    name = node.name.casefold()
    if name == "role":
        wanted = ctx.project.codebook.resolve_role(node.value)
    else:
        wanted = node.value
    if name not in ("role", "site") and not any(node.name in i.attributes for i in ctx.selection.info.values()):
        raise QueryError(f"No selected transcript has an attribute '{node.name}' (in {node.name}={node.value})")

    def value(info) -> str:
        if name in ("role", "site"):
            return getattr(info, name)
        return str(info.attributes.get(node.name, ""))

    return {u: [span] for u, span in ctx.universe.items() if value(ctx.selection.info[u[0]]) == wanted}


def _near(ctx: _Context, left, right, distance: int):
    found = {}
    for unit in left.keys() & right.keys():
        sentences = _sentences(ctx, unit)
        pairs = [(a, b) for a in left[unit] for b in right[unit] if _apart(sentences, a, b) <= distance]
        if pairs:
            found[unit] = [span for pair in pairs for span in pair]
    return found


def _sentences(ctx: _Context, unit: Unit) -> list[tuple[int, int]]:
    if unit not in ctx.sentences:
        text = _text(ctx, unit[0])
        start, end = ctx.universe[unit]
        ctx.sentences[unit] = split_sentences(text[start:end], start) or [(start, end)]
    return ctx.sentences[unit]


def _text(ctx: _Context, transcript_id: str) -> str:
    from qualcode.store.search import transcript_texts

    cache = ctx.texts
    if transcript_id not in cache:
        cache.clear()  # one transcript's text at a time: units arrive mostly in order
        cache[transcript_id] = transcript_texts(ctx.conn, [transcript_id])[transcript_id]
    return cache[transcript_id]


def _apart(sentences, a: tuple[int, int], b: tuple[int, int]) -> int:
    """Sentences between two spans' sentences (0: they share a sentence)."""
    def reach(span):
        touched = [i for i, (s, e) in enumerate(sentences) if s < span[1] and span[0] < e]
        return (touched[0], touched[-1]) if touched else (0, len(sentences) - 1)

    (a_lo, a_hi), (b_lo, b_hi) = reach(a), reach(b)
    return max(0, b_lo - a_hi, a_lo - b_hi)


def _passages(ctx: _Context, units, evidence) -> list[Passage]:
    out = []
    for transcript_id, ordinal in units:
        start, end = ctx.universe[(transcript_id, ordinal)]
        info = ctx.selection.info[transcript_id]
        spans = tuple(sorted(set(evidence[(transcript_id, ordinal)])))
        out.append(Passage(transcript_id, ordinal, start, end, _text(ctx, transcript_id)[start:end],
                           info.role, info.site, spans))
    return out


def _counts(selection: Selection, units) -> tuple[tuple[CountRow, ...], tuple[CountRow, ...]]:
    """Passages (turns) and transcripts by role and site; hits = passages here."""
    rows = {}
    for dimension in ("role", "site"):
        groups = sorted({getattr(i, dimension) for i in selection.info.values()})
        tallies: dict[str, list[Any]] = {g: [0, set()] for g in groups}
        for transcript_id, _ordinal in units:
            tally = tallies[getattr(selection.info[transcript_id], dimension)]
            tally[0] += 1
            tally[1].add(transcript_id)
        rows[dimension] = tuple(CountRow(g, n, n, len(ts)) for g, (n, ts) in tallies.items())
    return rows["role"], rows["site"]
