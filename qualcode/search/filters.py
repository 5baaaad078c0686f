"""Which transcripts and passages a search or query reads: role, site, attribute,
transcript ids, and inside / outside a code (by the analysis coder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.coding.coders import resolve_coder
from qualcode.errors import NotFoundError
from qualcode.search.index import SearchError
from qualcode.tally.selection import load_transcripts, select_transcripts

if TYPE_CHECKING:
    from qualcode.project import Project
    from qualcode.store.tally import TranscriptInfo


@dataclass
class Selection:
    """The selected transcripts (``ids``) with their metadata, and notes to print."""

    info: dict[str, TranscriptInfo]
    notes: list[str] = field(default_factory=list)
    _turns: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)

    @property
    def ids(self) -> dict[str, TranscriptInfo]:
        return self.info

    def turn_spans(self, conn, transcript_id: str) -> dict[int, tuple[int, int]]:
        """ordinal -> (start, end) of the transcript's turns (read once)."""
        if transcript_id not in self._turns:
            from qualcode.store.search import segment_rows

            self._turns[transcript_id] = {r.ordinal: (r.start_offset, r.end_offset)
                                          for r in segment_rows(conn, [transcript_id])}
        return self._turns[transcript_id]


def parse_attrs(attrs) -> dict[str, set[str]]:
    """``k=v`` pairs; several values of one key are alternatives."""
    wanted: dict[str, set[str]] = {}
    for item in attrs or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SearchError(f"--attr '{item}' is not NAME=VALUE (e.g. --attr region=south)")
        wanted.setdefault(name.strip(), set()).add(value.strip())
    return wanted


def select(project: Project, conn, options, *, attributes: bool = True) -> Selection:
    """The transcripts matching every filter; unknown roles, sites, ids or attributes refused.

    ``attributes=False`` leaves the transcripts' attributes unread unless ``--attr``
    asks for them (a search shows none). The codebook (a YAML parse) is read only to
    resolve ``--role`` names: a plain search starts faster without it.
    """
    infos = load_transcripts(conn, attributes=attributes or bool(options.attrs))
    roles, sites = list(options.roles) or None, list(options.sites) or None
    chosen = select_transcripts(project.codebook, infos, roles, sites) if roles or sites else infos
    wanted_ids = set(options.transcripts)
    unknown = sorted(wanted_ids - {t.id for t in infos})
    if unknown:
        raise NotFoundError(f"No transcript {', '.join(repr(u) for u in unknown)}; see 'qualcode transcripts list'")
    if wanted_ids:
        chosen = [t for t in chosen if t.id in wanted_ids]
    attrs = parse_attrs(options.attrs)
    names = {k for t in infos for k in t.attributes}
    missing = sorted(set(attrs) - names)
    if missing:
        raise SearchError(f"No transcript has an attribute {', '.join(missing)}; attributes: {', '.join(sorted(names)) or 'none'}")
    chosen = [t for t in chosen if all(str(t.attributes.get(k, "")) in v for k, v in attrs.items())]
    return Selection({t.id: t for t in chosen})


def code_ids(project: Project, codes) -> list[str]:
    """The codes with all their descendants (a code's children count as inside it)."""
    codebook = project.codebook
    found = []
    for code in codes:
        codebook.get(code)  # unknown code: NotFoundError naming the close ones
        found += [code, *(c.id for c in codebook.descendants(code))]
    return sorted(set(found))


def code_filter(conn, project: Project, selection: Selection, options, by_transcript):
    """Keep occurrences overlapping a coding of ``in_code`` and none of ``not_in_code``."""
    if not options.in_code and not options.not_in_code:
        return by_transcript
    from qualcode.store.search import coded_spans

    inside_ids, outside_ids = code_ids(project, options.in_code), code_ids(project, options.not_in_code)
    coder = resolve_coder(conn, options.coder)
    selection.notes.append(f"inside/outside codes as coded by {coder}")
    inside = _spans(coded_spans(conn, coder, inside_ids)) if options.in_code else None
    outside = _spans(coded_spans(conn, coder, outside_ids))
    kept = {}
    for transcript_id, items in by_transcript.items():
        kept[transcript_id] = [
            o for o in items
            if (inside is None or _overlaps(inside.get(transcript_id, ()), o))
            and not _overlaps(outside.get(transcript_id, ()), o)
        ]
    return kept


def _spans(rows) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for transcript_id, _segment, _code, start, end in rows:
        out.setdefault(transcript_id, []).append((start, end))
    return out


def _overlaps(spans, occurrence) -> bool:
    return any(start < occurrence.end and occurrence.start < end for start, end in spans)
