"""Importing transcript files into a project: parse, label, store — all or nothing.

``import_transcripts`` is the plain-Python twin of ``qualcode import``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import QualcodeError, TranscriptImportError
from qualcode.store.rows import text_digest
from qualcode.transcripts.manifest import (  # noqa: F401  (the import API, re-exported)
    REQUIRED_MANIFEST_COLUMNS,
    ImportRequest,
    parse_attributes,
    read_manifest,
    slugify,
)
from qualcode.transcripts.memory import return_large_blocks
from qualcode.transcripts.model import Transcript, render
from qualcode.transcripts.reanchor import reanchor_codings

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook
    from qualcode.project import Project

# Parsed text a batch holds before it starts storing (within its one transaction): small
# batches parse everything first and hold the store's write lock only to store; a larger
# one stores as it goes, so memory follows this budget (or twice [import] max_source_mb,
# whichever is larger) and the largest transcript, never the batch's total.
BATCH_TEXT_BUDGET = 64 * 2**20


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one file: imported, unchanged, replaced, or failed (with why)."""

    path: Path
    transcript_id: str
    status: str
    message: str = ""
    turns: int = 0
    words: int = 0
    reanchor: object | None = None
    notes: list[str] = field(default_factory=list)  # what the import set aside (preamble, control characters)


@dataclass
class _Prepared:
    request: ImportRequest
    transcript: Transcript | None = None
    error: QualcodeError | None = None
    notes: list[str] = field(default_factory=list)


def import_transcripts(
    project: Project,
    requests: list[ImportRequest],
    *,
    replace: bool = False,
    skip_bad: bool = False,
    interviewer: str | None = None,
    allow_duplicate: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[ImportOutcome]:
    """Import files as one transaction.

    If any file fails, nothing is imported and a :class:`BatchImportError` naming every
    bad file is raised — unless ``skip_bad``, which imports the good files and returns
    the bad ones as ``failed``.
    Re-importing an unchanged file is a no-op; a changed file under an existing id
    is refused unless ``replace``, and so is a different role, site or attribute for
    it (``replace`` applies them). Content already imported under another id (same
    file bytes or same normalised text) is refused unless ``allow_duplicate``.
    """
    return_large_blocks()
    policy = _Policy(replace, allow_duplicate, project.codebook)
    budget = max(BATCH_TEXT_BUDGET, 2 * project.max_source_bytes)
    prepared: list[_Prepared] = []
    outcomes: list[ImportOutcome] = []
    seen: dict[str, Path] = {}
    conn = None
    with contextlib.ExitStack() as stack:
        waiting: list[_Prepared] = []
        held = 0  # text size of the waiting files, kept as they come (not summed again a file)
        for done, request in enumerate(requests):  # reading and parsing is the long part
            if progress is not None:
                progress(done, len(requests))
            item = _prepare(project, request, interviewer)
            _flag_duplicate_id(item, seen)
            prepared.append(item)
            waiting.append(item)
            held += _text_size(item)
            if held > budget:
                # A large batch is stored as it goes (one transaction all the same), so memory
                # follows the budget and the largest transcript, not the batch's total.
                conn = conn or stack.enter_context(project.write())
                outcomes += _store_all(conn, waiting, policy)
                waiting, held = [], 0
        if progress is not None:
            progress(len(requests), len(requests))
        conn = conn or stack.enter_context(project.write())
        outcomes += _store_all(conn, waiting, policy)
        failures = [o for o in outcomes if o.status == "failed"]
        if failures and not skip_bad:
            conn.rollback()
            errors = [p.error for p in prepared if p.error is not None]
            raise errors[0] if len(errors) == 1 else BatchImportError(errors, len(prepared))
    return outcomes


def _text_size(item: _Prepared) -> int:
    return len(item.transcript.text) if item.transcript is not None else 0


def _store_all(conn, items: list[_Prepared], policy: _Policy) -> list[ImportOutcome]:
    """Store prepared files in order. Files under new ids are checked and inserted together
    (a few statements for the lot, not four a file); a file whose id is stored already
    (unchanged, corrected or --replace) goes one at a time, after all before it is written."""
    from qualcode.store import transcripts as queries

    stored = queries.stored_file_digests(conn, [i.request.id for i in items if i.error is None])
    outcomes: list[ImportOutcome] = []
    new: list[_Prepared] = []
    for item in items:
        if item.error is None and item.request.id in stored:
            outcomes += _store_new(conn, new, policy)
            new = []
            outcomes.append(_store_and_release(conn, item, policy))
        else:
            new.append(item)
    return outcomes + _store_new(conn, new, policy)


def _store_new(conn, items: list[_Prepared], policy: _Policy) -> list[ImportOutcome]:
    """Files under ids not stored yet: each checked as :func:`_store_one` would (storable,
    not the content of a stored transcript or of an earlier file of the batch), the good
    ones inserted at once."""
    from qualcode.store import transcripts as queries

    digests = {id(i): text_digest(i.transcript.text) for i in items if i.transcript is not None}
    known = _KnownContent(queries.content_matches(
        conn, sorted({i.transcript.sha256 for i in items if i.transcript is not None}), sorted(set(digests.values()))))
    outcomes, accepted = [], []
    for item in items:
        transcript = item.transcript
        if transcript is not None and item.error is None:
            try:
                message = _duplicate_message(known.same_content(transcript, digests[id(item)]), transcript, policy)
                queries.check_storable(transcript)  # after, as insert_transcript checks it
            except QualcodeError as error:
                error.file = error.file or str(item.request.path)
                item.error = error
            else:
                known.add(transcript.id, transcript.sha256, digests[id(item)])
                accepted.append((transcript, digests[id(item)]))
                outcomes.append(ImportOutcome(
                    item.request.path, transcript.id, "imported", message, turns=len(transcript.segments),
                    words=transcript.word_count, notes=list(item.notes)))
                continue
        outcomes.append(ImportOutcome(item.request.path, item.request.id, "failed", str(item.error)))
    queries.insert_transcripts(conn, accepted)
    for item in items:
        item.transcript = None  # stored (or failed): its text and segments can go
    return outcomes


class _KnownContent:
    """File and text digests of the stored transcripts a batch may repeat, and of the
    batch's files accepted so far: :func:`same_content`'s answer without a query a file."""

    def __init__(self, rows: list[tuple[str, str, str | None]]) -> None:
        self.by_file: dict[str, list[str]] = {}
        self.by_text: dict[str, list[str]] = {}
        for tid, sha256, digest in rows:
            self.add(tid, sha256, digest)

    def add(self, tid: str, sha256: str, digest: str | None) -> None:
        self.by_file.setdefault(sha256, []).append(tid)
        if digest is not None:
            self.by_text.setdefault(digest, []).append(tid)

    def same_content(self, transcript: Transcript, digest: str) -> list[tuple[str, str]]:
        """``[(id, "file"|"text")]`` by id, as :func:`qualcode.store.transcripts.same_content`."""
        same_file = set(self.by_file.get(transcript.sha256, ()))
        found = (same_file | set(self.by_text.get(digest, ()))) - {transcript.id}
        return [(tid, "file" if tid in same_file else "text") for tid in sorted(found)]


def _store_and_release(conn, item: _Prepared, policy: _Policy) -> ImportOutcome:
    outcome = _store(conn, item, policy)
    item.transcript = None  # stored (or failed): its text and segments can go
    return outcome


class BatchImportError(TranscriptImportError):
    """Several files of a batch are bad; ``errors`` holds each one's one-line error."""

    def __init__(self, errors: list[QualcodeError], total: int) -> None:
        good = total - len(errors)
        super().__init__(
            f"nothing imported: {len(errors)} of {total} files are bad ({errors[0]}, ...); fix them, "
            f"or pass --skip-bad to import the {good} good one{'s' if good != 1 else ''}"
        )
        self.errors = errors
        self.total = total


def expand_paths(paths: list[Path], pattern: str | None = None) -> list[Path]:
    """Files as given, and each folder replaced by the files under it (recursively), sorted.

    A folder yields the files matching ``pattern`` (a glob such as ``*.docx`` or
    ``2024/**/*.txt``), by default those with a suffix some importer reads. Hidden
    files and Word's ``~$`` lock files are passed over: they are never transcripts.
    """
    from qualcode.transcripts.importers import allowed_suffixes

    suffixes = set(allowed_suffixes())
    files: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = path.rglob(pattern) if pattern else (p for p in path.rglob("*") if p.suffix.lower() in suffixes)
        chosen = sorted(p for p in found if p.is_file() and not _hidden(p.relative_to(path)))
        if not chosen:
            wanted = f"matching '{pattern}'" if pattern else f"with a transcript suffix ({', '.join(sorted(suffixes))})"
            raise TranscriptImportError(f"folder holds no files {wanted}", file=str(path))
        files.extend(chosen)
    return files


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _prepare(project: Project, request: ImportRequest, interviewer: str | None) -> _Prepared:
    try:
        _check_size(request.path, project.max_source_bytes)
        role = project.codebook.resolve_role(request.role)
        transcript, notes = prepare_transcript(request, role, interviewer)
    except QualcodeError as error:
        if not error.file:
            error.file = str(request.path)
        if request.row is not None and error.row is None:
            error.row = request.row
        return _Prepared(request, error=error)
    return _Prepared(request, transcript, notes=notes)


def build_transcript(request: ImportRequest, role: str, interviewer: str | None = None) -> Transcript:
    """Parse one file into a Transcript (not yet stored)."""
    return prepare_transcript(request, role, interviewer)[0]


def prepare_transcript(
    request: ImportRequest, role: str, interviewer: str | None = None
) -> tuple[Transcript, list[str]]:
    """Parse one file into a Transcript (not yet stored), with notes on what was set aside."""
    from qualcode.transcripts.importers import parse_bytes
    from qualcode.transcripts.speakers import detect_interviewers

    data = _read_bytes(request.path)
    parsed = parse_bytes(data, str(request.path), request.speaker)
    digest = hashlib.sha256(data).hexdigest()
    del data  # memory: the file's bytes are not needed once parsed
    if not parsed.turns:
        raise TranscriptImportError("no speech found; is this an interview transcript?")
    interviewers = detect_interviewers(parsed.turns, interviewer)
    title, file_format, notes = parsed.title, parsed.format, list(parsed.notes)
    turns, preamble = parsed.turns, parsed.preamble
    del parsed
    text, segments = render(turns, interviewers, preamble, consume=True)  # memory: the turns go once joined
    transcript = Transcript(
        id=request.id,
        title=title or request.path.stem,
        role=role,
        site=request.site.strip(),
        text=text,
        segments=segments,
        attributes=dict(request.attributes),
        format=file_format,
        source_path=str(request.path),
        sha256=digest,
    )
    return transcript, notes


def _check_size(path: Path, cap: int) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # reading it reports the problem
    if size > cap:
        raise TranscriptImportError(
            f"is {size:,} bytes; at most {cap:,} bytes are imported "
            "(raise [import] max_source_mb in qualcode.toml if it is a real transcript)"
        )


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise TranscriptImportError("file not found; check the path") from None
    except IsADirectoryError:
        raise TranscriptImportError("is a folder, not a transcript file") from None
    except PermissionError:
        raise TranscriptImportError("permission denied; check the file's permissions") from None


def _flag_duplicate_id(item: _Prepared, seen: dict[str, Path]) -> None:
    """Refuse a second file of the batch under an id an earlier file of it has."""
    if item.error is not None:
        return
    tid = item.request.id
    if tid in seen:
        item.error = TranscriptImportError(
            f"transcript id '{tid}' is also used by {seen[tid]} in this batch; "
            "rename one file or give ids in the manifest",
            file=str(item.request.path),
        )
    else:
        seen[tid] = item.request.path


@dataclass(frozen=True)
class _Policy:
    replace: bool
    allow_duplicate: bool
    codebook: Codebook


def _store(conn, item: _Prepared, policy: _Policy) -> ImportOutcome:
    request = item.request
    if item.error is None:
        assert item.transcript is not None, "prepared without an error means parsed"
        try:
            outcome = _store_one(conn, item.transcript, request, policy)
            return dataclasses.replace(outcome, notes=list(item.notes))  # what was set aside (preamble, control characters)
        except QualcodeError as error:
            error.file = error.file or str(request.path)
            item.error = error
    return ImportOutcome(request.path, request.id, "failed", str(item.error))


def _store_one(conn, transcript: Transcript, request: ImportRequest, policy: _Policy) -> ImportOutcome:
    from qualcode.store import transcripts as queries

    outcome = ImportOutcome(
        request.path, transcript.id, "imported", turns=len(transcript.segments),
        words=transcript.word_count,
    )
    existing = queries.transcript_row(conn, transcript.id)
    if existing is not None and existing.sha256 == transcript.sha256:
        return _same_file(conn, transcript, request, existing, policy, outcome)
    outcome = dataclasses.replace(outcome, message=_check_duplicate(conn, transcript, policy))
    if existing is None:
        queries.insert_transcript(conn, transcript)
        return outcome
    if not policy.replace:
        raise TranscriptImportError(
            f"transcript '{transcript.id}' was imported from a different version of this file; "
            "pass --replace to replace it (codings are re-anchored)"
        )
    corrected = _correct(conn, transcript, request, policy)
    transcript.attributes = corrected.attributes
    moved = _replace(conn, existing.text, transcript)
    message = "; ".join(m for m in (outcome.message, corrected.message, moved.summary()) if m)
    return dataclasses.replace(outcome, status="replaced", reanchor=moved, message=message)


@dataclass(frozen=True)
class _Corrected:
    attributes: dict
    message: str


def _same_file(conn, transcript, request, existing, policy: _Policy, outcome: ImportOutcome) -> ImportOutcome:
    """The file is already imported: nothing to do, unless its role/site/attributes differ."""
    changed = _metadata_differences(existing, transcript, request)
    if not changed:
        return dataclasses.replace(outcome, status="unchanged", message="already imported (same content); nothing to do")
    if not policy.replace:
        wanted = " ".join(_set_option(name, transcript, request) for name in changed)
        raise TranscriptImportError(
            f"transcript '{transcript.id}' is already imported (same content) with a different "
            f"{' and '.join(changed)} (stored: {', '.join(f'{n} {_stored(existing, n)}' for n in changed)}); "
            f"nothing changed; to correct it run 'qualcode transcripts set {transcript.id} {wanted}' "
            "or re-import with --replace"
        )
    return dataclasses.replace(outcome, status="updated",
                               message=_correct(conn, transcript, request, policy).message + " (text unchanged)")


def _correct(conn, transcript: Transcript, request: ImportRequest, policy: _Policy) -> _Corrected:
    """Apply the import's role, site and attributes to the stored transcript (logged)."""
    from qualcode.store.transcripts import transcript_row
    from qualcode.transcripts.corrections import actor, correct_in

    result = correct_in(
        conn, policy.codebook, transcript.id, role=transcript.role, site=transcript.site,
        attributes=request.attributes, by=actor(None),
    )
    message = f"corrected {result.summary().partition(': ')[2]}" if result.changes else ""
    stored = transcript_row(conn, transcript.id)
    assert stored is not None, "corrected in this transaction"
    return _Corrected(dict(stored.attributes or {}), message)


def _metadata_differences(existing, transcript: Transcript, request: ImportRequest) -> list[str]:
    # Attributes count only when the import gives some: re-importing without --attr
    # keeps the stored ones.
    stored = dict(existing.attributes or {})
    changed = [name for name in ("role", "site") if getattr(existing, name) != getattr(transcript, name)]
    if any(stored.get(k) != v for k, v in request.attributes.items()):
        changed.append("attributes")
    return changed


def _stored(existing, name: str) -> str:
    value = getattr(existing, name)
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in sorted(value.items())) or "none"
    return value


def _set_option(name: str, transcript: Transcript, request: ImportRequest) -> str:
    if name == "attributes":
        return " ".join(f"--attr {k}={v}" for k, v in request.attributes.items())
    return f"--{name} {getattr(transcript, name)}"


def _check_duplicate(conn, transcript: Transcript, policy: _Policy) -> str:
    """Refuse content already imported under another id, or (allowed) warn about it."""
    from qualcode.store.transcripts import same_content

    return _duplicate_message(same_content(conn, transcript.sha256, transcript.text, transcript.id), transcript, policy)


def _duplicate_message(found: list[tuple[str, str]], transcript: Transcript, policy: _Policy) -> str:
    if not found:
        return ""
    others = ", ".join(f"'{tid}' (same {how})" for tid, how in found)
    if not policy.allow_duplicate:
        raise TranscriptImportError(
            f"same content as transcript {others}, already imported; pass --allow-duplicate to "
            f"import it again as '{transcript.id}' (it would be counted twice)"
        )
    return f"warning: same content as {others}; imported again (--allow-duplicate)"


def _replace(conn, old_text: str, transcript: Transcript):
    """Swap in the new text and move codings onto the same words (`reanchor.py`)."""
    from qualcode.store import transcripts as queries

    queries.replace_transcript(conn, transcript)
    return reanchor_codings(conn, transcript.id, old_text, transcript)
