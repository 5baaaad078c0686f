"""``qualcode import-project``: a REFI-QDA project (.qdpx/.qde) into a qualcode project.

Three steps. *Read* the file safely (:mod:`~qualcode.interop.qdpx_read`). *Plan*:
for every text source, decode and normalise its text, choose the position model
(:func:`~qualcode.interop.offsets.choose_model`: the origin's, confirmed against word
edges and selection names), carry each selection into the normalised text through
the index map, find segments, resolve coders, codes, role and site — recording a
reason for everything that cannot be imported. *Apply* the plan in one transaction
(or print it: ``dry_run``).

The codebook: codes the project's codebook lacks are not silently invented. If
codings need such codes, the import is refused unless ``codebook_from_file``, which
writes the file's codebook to ``codebooks/`` and makes it the project's codebook. If
only unused codes are missing, the file's codebook is written next to the project's
for reference and not activated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from qualcode.coding.coders import CONSENSUS
from qualcode.errors import InteropError, QualcodeError, shown
from qualcode.interop.codebook_io import (
    check_codebook_file_name,
    free_codebook_path,
    read_codebook,
)
from qualcode.interop.import_apply import apply_import, build_transcript
from qualcode.interop.import_report import ImportOptions, ImportReport, PlannedCoding, SourceOutcome
from qualcode.interop.offsets import normalise_with_map
from qualcode.interop.qdpx_notes import NoteReading, read_notes
from qualcode.interop.qdpx_read import RefiFile
from qualcode.interop.safezip import Limits
from qualcode.interop.travel import TravelResult
from qualcode.store.interop import coding_keys_by_transcript, transcript_text
from qualcode.transcripts.memory import return_large_blocks
from qualcode.transcripts.model import sha256_text

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook
    from qualcode.interop.qde import RefiSelection, RefiSource
    from qualcode.project import Project

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
DEFAULT_SITE = "unspecified"
ROLE_VARIABLES = ("role", "qualcode role", "stakeholder role")
SITE_VARIABLES = ("site",)
_Frozen = TypeVar("_Frozen")


# The planner fills these in as it reads the file, then freezes them (``_frozen``) into
# the report's types (import_report.py), which have the same fields.


@dataclass
class _SourceDraft:
    guid: str
    name: str
    transcript_id: str = ""
    status: str = "new"
    reason: str = ""
    model: str = ""
    model_reason: str = ""
    segmentation: str = ""
    segments: int = 0
    selections: int = 0
    codings: list[PlannedCoding] = field(default_factory=list)
    already_present: int = 0
    skipped: list[str] = field(default_factory=list)
    transcript: object | None = field(default=None, repr=False)


@dataclass
class _ReportDraft:
    path: str
    origin: str
    dry_run: bool
    sources: list[SourceOutcome] = field(default_factory=list)
    codebook_source: str = "none"
    codebook_action: str = ""
    codebook_file: str | None = None
    coders: list[str] = field(default_factory=list)
    coders_created: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    travel: TravelResult | None = None  # set after storing (import_project)


def _frozen(kind: type[_Frozen], draft: object) -> _Frozen:
    """``kind`` with the draft's values (lists copied); a field the draft lacks fails here."""
    values: dict[str, Any] = {f.name: getattr(draft, f.name) for f in fields(kind)}  # type: ignore[arg-type]
    return kind(**{k: list(v) if isinstance(v, list) else v for k, v in values.items()})


def import_project(project: Project, path: Path, options: ImportOptions | None = None) -> ImportReport:
    """Import a .qdpx/.qde into ``project`` as one transaction (nothing on a dry run)."""
    options = options or ImportOptions()
    path = Path(path)
    return_large_blocks()
    with RefiFile(path, limits_of(project)) as refi:
        planner = _Planner(project, refi, options)
        report = planner.plan()
        if not options.dry_run:  # inside: each new transcript is rebuilt from the archive when stored
            created, travel = apply_import(project, report, planner.codebook_to_activate, planner.codebook_to_write,
                                           rebuild=planner.rebuild, travellers=planner.travellers)
            report = replace(report, coders_created=created, travel=travel)
    return report


def limits_of(project: Project) -> Limits:
    """The archive caps, overridable in qualcode.toml ``[interop]`` (and ``[import] max_source_mb``)."""
    defaults = Limits()
    return Limits(
        max_entries=int(project.setting("interop", "max_entries", defaults.max_entries)),
        max_inflated_bytes=_megabytes(project, "max_inflated_mb", defaults.max_inflated_bytes),
        max_source_bytes=project.max_source_bytes,
        max_bundle_bytes=_megabytes(project, "max_bundle_mb", defaults.max_bundle_bytes),
    )


def _megabytes(project: Project, key: str, default: int) -> int:
    value = project.setting("interop", key, default // 2**20)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 64 * 1024:
        raise InteropError(f"[interop] {key} in qualcode.toml must be a number of megabytes in (0, 65536], got {value!r:.40}")
    return int(value * 2**20)


class _Planner:
    def __init__(self, project: Project, refi: RefiFile, options: ImportOptions) -> None:
        self.project, self.refi, self.options = project, refi, options
        self.codebook_to_activate: Codebook | None = None  # the file's codebook, to become the project's
        self.codebook_to_write: Codebook | None = None  # the file's codebook, written for reference only
        self.report = _ReportDraft(str(refi.path), refi.project.origin or "unknown", options.dry_run)
        self._used_notes: set[str] = set()
        self.travellers = NoteReading()  # memos on sources and codes, finish marks (qdpx_notes)
        self._sources: dict[str, RefiSource] = {}  # transcript id -> its source, to rebuild it

    def plan(self) -> ImportReport:
        self._existing = self._existing_state()
        codebook, ids = self._codebook()
        self.codebook, self.ids = codebook, ids
        taken: set[str] = set()
        for source in self.refi.project.sources:
            self.report.sources.append(self._source(source, taken))
        self._memos_and_marks()
        coders = {c.coder for s in self.report.sources for c in s.codings}
        coders |= {m.coder for m in self.travellers.memos} | {m.coder for m in self.travellers.marks}
        if not self.options.as_coder:  # every user of the file is a coder, even one who coded nothing here
            coders |= {name.strip() for name in self.refi.project.users.values() if name.strip()}
        self.report.coders = sorted(coders)
        if not self.options.allow_consensus and self.options.as_coder != CONSENSUS:
            refuse_consensus(coders, str(self.refi.path))
        unused = set(self.refi.project.notes) - self._used_notes
        if unused:
            self.report.notes.append(
                f"{len(unused)} note(s) not attached to an imported coding, source or code are not imported "
                "(qualcode keeps memos on codings, transcripts and codes)"
            )
        return _frozen(ImportReport, self.report)

    def _memos_and_marks(self) -> None:
        """Notes on imported sources and on codes: memos on transcripts and codes, and finish marks."""
        placed = [(source, outcome.transcript_id) for source, outcome in zip(self.refi.project.sources,
                                                                             self.report.sources, strict=True)
                  if outcome.status != "skipped"]
        self.travellers = read_notes(self.refi, placed, self.ids, self._coder_of)
        self._used_notes |= self.travellers.used
        self.report.notes.extend(self.travellers.skipped)
        found = (len(self.travellers.memos), len(self.travellers.marks))
        if any(found) and self.options.dry_run:
            self.report.notes.append(f"{found[0]} memo(s) on transcripts/codes and {found[1]} finish mark(s) "
                                     "would be carried (each checked when stored)")

    def _coder_of(self, user: str) -> str:
        """The coder a user GUID key stands for, as for codings."""
        users = self.refi.project.users
        coder = self.options.as_coder or users.get(user) or (f"user-{user[:8]}" if user else "imported")
        return coder.strip()

    # -- the codebook ---------------------------------------------------------------

    def _codebook(self):
        sidecar = (self.refi.sidecar or {}).get("codebook") or {}
        folder = self.project.root / "codebooks"
        preferred = _slug(self.refi.path.stem) + ".yaml"
        if sidecar.get("file") is not None:
            preferred = check_codebook_file_name(sidecar["file"], label=self.refi.path.name)
        imported = read_codebook(
            self.refi.root, label=self.refi.path.name, output=str(folder / preferred), sidecar=sidecar.get("text")
        )
        self.report.codebook_source = imported.source
        self.report.notes.extend(imported.notes)
        project_book = self.project.codebook
        if imported.codebook is None:
            self.report.codebook_action = "the file has no codebook; the project's is kept"
            return project_book, {}
        used = {code for s in self.refi.project.sources for sel in s.selections for c in sel.codings
                if (code := imported.ids.get(c.code)) is not None}
        missing_used = sorted(used - set(project_book.codes))
        missing_all = [c for c in imported.codebook.codes if c not in project_book.codes]
        target = free_codebook_path(folder, preferred, imported.codebook.text)
        imported.codebook.path = str(target)
        relative = target.relative_to(self.project.root).as_posix()
        if self.options.codebook_from_file:
            self.codebook_to_activate = imported.codebook
            self.report.codebook_file = relative
            self.report.codebook_action = (
                f"the file's codebook ({len(imported.codebook.codes)} codes) is written to {relative} "
                "and becomes the project's codebook"
            )
            return imported.codebook, imported.ids
        if missing_used:
            raise self._missing_codes_error(missing_used, project_book, relative)
        if missing_all:
            self.report.codebook_file = relative
            self.report.codebook_action = (
                f"the project's codebook has every code used; the file's {len(missing_all)} other code(s) are "
                f"written to {relative} for reference (not activated)"
            )
            self.codebook_to_write = imported.codebook
        else:
            self.report.codebook_action = "the project's codebook has every code of the file"
        return project_book, imported.ids

    def _missing_codes_error(self, missing: list[str], project_book, relative: str) -> InteropError:
        listed = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        return InteropError(
            f"{len(missing)} code(s) used by codings in {self.refi.path.name} are not in the project's "
            f"codebook ({project_book.path}): {listed}. Rerun with --codebook-from-file to write the file's "
            f"codebook to {relative} and make it the project's codebook; nothing was imported",
            file=str(self.refi.path),
        )

    # -- existing transcripts and codings -------------------------------------------

    def _existing_state(self) -> dict[str, set]:
        """Each stored transcript's coding keys; texts are read one at a time (``_stored_text``),
        so memory follows the largest transcript, not the whole project."""
        with self.project.read() as conn:
            return coding_keys_by_transcript(conn)

    def _stored_text(self, transcript_id: str) -> str | None:
        if transcript_id not in self._existing:
            return None
        with self.project.read() as conn:
            return transcript_text(conn, transcript_id)

    # -- one source -----------------------------------------------------------------

    def _source(self, source: RefiSource, taken: set[str]) -> SourceOutcome:
        label = source.name or _path_stem(source.plain_text_path, source.guid) or source.guid
        outcome = _SourceDraft(source.guid, label, selections=len(source.selections))
        if source.kind != "textsource":
            return self._skip(outcome, source, f"{source.kind[:-6].upper()} sources are not imported (qualcode codes text)")
        text_result = self.refi.source_text(source)
        if text_result.raw is None:
            return self._skip(outcome, source, text_result.reason)
        raw = text_result.raw
        text, index_map = normalise_with_map(raw)
        if not text:
            size = len(raw.encode("utf-8"))
            return self._skip(outcome, source, f"its text is empty ({size}-byte placeholder; rich text is not read)")
        meta = self._sidecar_meta(source, text)
        outcome.transcript_id = self._transcript_id(source, meta, taken)
        stored = self._stored_text(outcome.transcript_id)
        if stored is not None and stored != text:
            raise InteropError(
                f"transcript '{outcome.transcript_id}' already exists in the project with different text; "
                "import into a fresh project, or remove or rename the existing transcript; nothing was imported",
                file=str(self.refi.path),
            )
        del stored  # only the comparison needed it: keep one transcript in memory at a time
        existing = self._existing.get(outcome.transcript_id)
        outcome.status = "existing" if existing is not None else "new"
        values = self._values(source, outcome.transcript_id, raw, meta)
        self._codings(outcome, source, raw, index_map, self.codebook.resolve_role(values["role"]), existing or set())
        # Memory: the raw text and its map are let go before the segments are found, and the
        # plan keeps no text; each transcript is rebuilt, one at a time, when stored, so an
        # import needs a small multiple of its largest transcript, not of all of them.
        del raw, index_map, text_result
        transcript, outcome.segmentation = build_transcript(outcome.transcript_id, text, values, self.codebook)
        outcome.segments = len(transcript.segments)
        self._sources[outcome.transcript_id] = source
        return _frozen(SourceOutcome, outcome)

    def rebuild(self, outcome: SourceOutcome):
        """The Transcript the plan made for ``outcome``, built again from the archive."""
        source = self._sources[outcome.transcript_id]
        raw = self.refi.source_text(source).raw
        if raw is None:  # the plan read it: the archive changed under the import
            raise InteropError(f"source '{shown(outcome.name)}' can no longer be read; nothing was imported",
                               file=str(self.refi.path))
        text, _ = normalise_with_map(raw)
        values = self._values(source, outcome.transcript_id, raw, self._sidecar_meta(source, text))
        del raw
        return build_transcript(outcome.transcript_id, text, values, self.codebook)[0]

    def _skip(self, outcome: _SourceDraft, source: RefiSource, reason: str) -> SourceOutcome:
        outcome.status, outcome.reason = "skipped", reason
        for selection in source.selections:
            for _ in range(max(len(selection.codings), 1)):  # a selection without codings is one line too
                outcome.skipped.append(f"selection {selection.guid}: not imported, the source is skipped ({reason})")
        return _frozen(SourceOutcome, outcome)

    def _sidecar_meta(self, source: RefiSource, text: str) -> dict | None:
        entry = ((self.refi.sidecar or {}).get("transcripts") or {}).get(source.guid.upper())
        if not entry or entry.get("text_sha256") != sha256_text(text):
            return None
        return entry

    def _transcript_id(self, source: RefiSource, meta: dict | None, taken: set[str]) -> str:
        from qualcode.transcripts.importing import slugify

        name = (meta or {}).get("id") or source.name or _path_stem(source.plain_text_path, source.guid) or source.guid
        base = name if SAFE_ID.match(name) else slugify(name)
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        taken.add(candidate)
        return candidate

    def _values(self, source: RefiSource, transcript_id: str, raw: str, meta: dict | None) -> dict:
        """The transcript's fields from the sidecar, else from the file's variables and the options."""
        if meta:
            return meta
        values = self._variables(source)
        role_text = _pick(values, ROLE_VARIABLES) or self._role_from_sets(source) or self.options.role
        if not role_text:
            raise InteropError(
                f"source '{shown(source.name)}' has no role (no 'role' variable or case); pass --role ROLE for sources "
                f"without one (roles: {', '.join(self.codebook.roles)}); nothing was imported",
                file=str(self.refi.path),
            )
        try:
            role = self.codebook.resolve_role(role_text)
        except QualcodeError as error:
            raise InteropError(f"source '{shown(source.name)}': {error.message}; nothing was imported", file=str(self.refi.path)) from None
        site = _pick(values, SITE_VARIABLES) or self.options.site or DEFAULT_SITE
        attributes = {k: v for k, v in values.items() if k.casefold() not in (*ROLE_VARIABLES, *SITE_VARIABLES)}
        return {
            "id": transcript_id, "title": source.description.splitlines()[0] if source.description else source.name or transcript_id,
            "role": role, "site": site, "attributes": attributes, "format": "refi-qda",
            "source_path": f"{self.refi.path.name}#{source.guid}", "sha256": sha256_text(raw),
        }

    def _variables(self, source: RefiSource) -> dict[str, str]:
        from qualcode.interop.xmlread import guid_key

        values: dict[str, str] = {}
        for case in self.refi.project.cases:
            if guid_key(source.guid) in case.sources:
                values.update({k: v for k, v in case.variables.items() if v})
        values.update({k: v for k, v in source.variables.items() if v})
        return values

    def _role_from_sets(self, source: RefiSource) -> str | None:
        from qualcode.codebook.refi import ROLE_SET_PREFIX
        from qualcode.interop.xmlread import guid_key

        for refi_set in self.refi.project.sets:
            if refi_set.description.startswith(ROLE_SET_PREFIX) and guid_key(source.guid) in refi_set.sources:
                return refi_set.description[len(ROLE_SET_PREFIX):].split(";")[0].strip()
        return None

    # -- selections -> codings ------------------------------------------------------

    def _codings(self, outcome, source, raw, index_map, role: str, existing_keys) -> None:
        from qualcode.interop.offsets import PositionIndex, choose_model

        spans = [(s.start, s.end, s.name) for s in source.selections if s.start is not None and s.end is not None]
        choice = choose_model(raw, spans, self.refi.project.origin, self.options.offsets)
        outcome.model, outcome.model_reason = choice.model, choice.reason
        positions = PositionIndex(raw, choice.model)
        seen: set[tuple] = set()
        for selection in source.selections:
            span, why = _place(selection, positions, index_map)
            for coding in selection.codings or []:
                if span is None:
                    outcome.skipped.append(f"selection {selection.guid}: {why}")
                    continue
                planned, problem = self._coding(selection, coding, span, role)
                if planned is None:
                    outcome.skipped.append(f"selection {selection.guid}: {problem}")
                    continue
                key = (planned.coder, planned.code_id, planned.start, planned.end)
                if key in existing_keys:
                    outcome.already_present += 1
                elif key in seen:
                    outcome.skipped.append(f"selection {selection.guid}: duplicates another coding in the file")
                else:
                    seen.add(key)
                    outcome.codings.append(planned)
            if not selection.codings:
                outcome.skipped.append(f"selection {selection.guid}: has no coding (a memo on uncoded text)")
        for coding in source.whole_codings:
            outcome.skipped.append(f"coding {coding.guid}: codes the whole source; qualcode codes spans of text")

    def _coding(self, selection: RefiSelection, coding, span: tuple[int, int], role: str):
        code_id = self.ids.get(coding.code)
        if code_id is None:
            return None, f"its code {coding.code or '(none)'} is not in the file's codebook"
        code = self.codebook.codes.get(code_id)
        if code is None:
            return None, f"code '{code_id}' is not in the codebook"
        if role not in code.roles:
            return None, f"code '{code_id}' does not apply to {role} transcripts"
        users = self.refi.project.users
        user = coding.user or selection.user or self.refi.project.creating_user
        coder = self.options.as_coder or users.get(user) or (f"user-{user[:8]}" if user else "imported")
        extras = ((self.refi.sidecar or {}).get("codings") or {}).get(coding.guid.upper(), {})
        memo = self._memo(selection, coding)
        return PlannedCoding(
            coder=coder.strip(), code_id=code_id, start=span[0], end=span[1], memo=memo,
            origin=extras.get("origin", "import"), confidence=extras.get("confidence"),
            created_at=extras.get("created_at") or coding.created or None, updated_at=extras.get("updated_at"),
        ), ""

    def _memo(self, selection: RefiSelection, coding) -> str | None:
        notes = self.refi.project.notes
        used = [g for g in coding.notes if g in notes] or [g for g in selection.notes if g in notes]
        self._used_notes.update(used)
        texts = [self.refi.note_text(notes[g]) for g in used]
        if not coding.notes and selection.description:
            texts.append(selection.description)
        memo = "\n\n".join(t.strip() for t in texts if t and t.strip())
        return memo or None


def _place(selection: RefiSelection, positions, index_map) -> tuple[tuple[int, int] | None, str]:
    """The selection's span in the normalised text, or why it has none."""
    if selection.start is None or selection.end is None:
        return None, f"positions '{selection.raw_positions[0]}'..'{selection.raw_positions[1]}' are not integers"
    start, end = positions.to_raw(selection.start), positions.to_raw(selection.end)
    if start is None or end is None:
        return None, (
            f"positions {selection.start}..{selection.end} fall outside the text "
            f"({positions.length} {positions.model} units) or inside a character"
        )
    if start >= end:
        return None, f"positions {selection.start}..{selection.end} select nothing"
    span = (int(index_map[start]), int(index_map[end]))
    if span[0] >= span[1]:
        return None, f"positions {selection.start}..{selection.end} cover only white space"
    return span, ""


def _path_stem(path: str, guid: str) -> str:
    """A source's file name as its name (QualCoder leaves ``name`` out), unless it is the GUID."""
    stem = Path(path.partition("://")[2] or path).stem if path else ""
    return "" if stem.strip("{}").casefold() == guid.strip("{}").casefold() else stem


def _pick(values: dict[str, str], names: tuple[str, ...]) -> str | None:
    for key, value in values.items():
        if key.casefold() in names and value.strip():
            return value.strip()
    return None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "imported"


def refuse_consensus(coders, label: str) -> None:
    """A file may not write into the coder that tallies read by default, unless the lead asks."""
    hits = sorted(c for c in coders if c.strip().casefold() == CONSENSUS)
    if hits:
        raise InteropError(
            f"{Path(label).name} credits work to the coder '{hits[0]}', which tallies and quote sets read by "
            f"default; pass --allow-consensus if you (the lead) mean to bring in reconciled codings; "
            "nothing was imported",
            file=label,
        )
