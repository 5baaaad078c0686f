"""``qualcode export qdpx``: the project as a REFI-QDA project archive (.qdpx).

The archive holds ``project.qde`` at its root and ``sources/<GUID>.txt`` (the
normalised transcript text, UTF-8 without BOM, LF line ends). ``project.qde`` has

- ``<Users>``: one per coder;
- ``<CodeBook>``: the codebook, via the codebook package's .qdc writer;
- ``<Variables>``/``<Cases>``: role, site and every attribute, one case per transcript
  (the values are also on each ``<TextSource>`` for tools that read them there);
- ``<Sources>``: one ``<TextSource>`` per transcript (name = transcript id,
  description = title) with one ``<PlainTextSelection>`` per coding, its ``<Coding>``
  carrying ``creatingUser`` = the coder, and its memo as a ``<Note>``;
- ``<Notes>``: memos on codings, on transcripts and on codes, and each coder's finish
  marks on a transcript (:mod:`~qualcode.interop.qdpx_notes`: a ``<NoteRef>`` from the
  ``<TextSource>`` or ``<Code>`` they are about);
- ``<Sets>``: one per role, listing the codes that apply to it and its transcripts.

Positions are code points into the exported text (the standard), or UTF-16 code
units with ``offsets="utf16"`` for tools that count like NVivo. Besides, the archive
carries ``qualcode/project.json`` — what REFI-QDA cannot say (codebook YAML with its
rules, segments, coding origin and confidence) — which qualcode reads back for an
exact round trip and other tools ignore (``sidecar=False`` leaves it out).

The export streams by transcript: one transcript's text and codings are read, written
out and dropped before the next (``sources/*.txt`` straight into the archive; the
``<TextSource>`` elements, notes and sidecar entries into temporary files that are
copied in at the end), so memory is bounded by the largest transcript, not the corpus,
and each coding row is read once. The ``<TextSource>`` elements and the sidecar entries
are written as text (:mod:`~qualcode.interop.qdpx_text`).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from qualcode.codebook.refi import code_guid
from qualcode.errors import ExportError
from qualcode.interop.codebook_io import codebook_parts, ptag
from qualcode.interop.ids import Guids, coding_key, project_namespace
from qualcode.interop.offsets import PositionIndex
from qualcode.interop.qdpx_archive import Archive
from qualcode.interop.qdpx_check import ProjectChecker, check_project_xml
from qualcode.interop.qdpx_notes import add_code_refs, plan_notes
from qualcode.interop.qdpx_text import (
    XMLNS,
    iso_stamp,
    json_member,
    json_value,
    quote_attr,
    selection_name,
    xml_attr,
    xml_piece,
    xml_text,
)
from qualcode.interop.travel import Gathered, gather

if TYPE_CHECKING:
    from qualcode.project import Project

__all__ = ["EXPORT_OFFSETS", "SIDECAR", "ExportSummary", "check_project_xml", "export_qdpx"]

SIDECAR = "qualcode/project.json"
SIDECAR_FORMAT = 1
EXPORT_OFFSETS = ("codepoints", "utf16")


@dataclass(frozen=True)
class ExportSummary:
    """What ``export qdpx`` wrote."""

    path: Path
    transcripts: int = 0
    codings: int = 0
    coders: list[str] = field(default_factory=list)
    codes: int = 0
    memos: int = 0
    skipped: list[str] = field(default_factory=list)  # why each left-out item was left out
    offsets: str = "codepoints"
    target_memos: int = 0  # memos on transcripts and codes
    marks: int = 0  # counted finish marks
    stale_marks: int = 0  # marks on content a transcript no longer has: left out (and said in skipped)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "transcripts": self.transcripts, "codings": self.codings,
                "coders": list(self.coders), "codes": self.codes, "memos": self.memos,
                "skipped": list(self.skipped), "offsets": self.offsets, "target_memos": self.target_memos,
                "marks": self.marks, "stale_marks": self.stale_marks}


def export_qdpx(
    project: Project,
    output: Path,
    *,
    coders: list[str] | None = None,
    transcripts: list[str] | None = None,
    offsets: str = "codepoints",
    sidecar: bool = True,
    progress=None,
) -> ExportSummary:
    """Write the project (optionally only some coders/transcripts) as a .qdpx archive.

    ``progress(done, total)`` is called after each transcript is written.
    """
    from qualcode.store.codings import export_codings
    from qualcode.store.transcripts import load_transcript

    if offsets not in EXPORT_OFFSETS:
        raise ExportError(f"--offsets must be one of {', '.join(EXPORT_OFFSETS)}, got '{offsets}'")
    from qualcode.coding.blind import guard

    guard(project, coders=coders, transcripts=transcripts, what="this export")
    output = Path(output)
    with project.read() as conn:  # one snapshot for the whole export
        plan = _plan(conn, coders, transcripts)
        carried = gather(conn, plan.coder_filter, {h["id"] for h in plan.headers})
        with Archive(output) as archive:
            writer = _ProjectWriter(project, plan, offsets, archive, sidecar, carried)
            step = progress or (lambda done, total: None)
            step(0, len(plan.headers))
            for done, header in enumerate(plan.headers, 1):
                rows = export_codings(conn, header["id"], plan.coder_filter)
                writer.source(load_transcript(conn, header["id"]), rows)
                step(done, len(plan.headers))
            writer.finish()
    return ExportSummary(
        output, transcripts=len(plan.headers), codings=writer.coding_count, coders=plan.coders,
        codes=len(project.codebook.codes), memos=writer.memo_count, skipped=writer.skipped, offsets=offsets,
        target_memos=writer.notes.memos, marks=writer.notes.marks, stale_marks=carried.stale_marks,
    )


@dataclass
class _Plan:
    headers: list[dict]  # id, title, role, site, attributes of each exported transcript
    coders: list[str]
    coder_filter: list[str] | None  # None: every coder


def _plan(conn, coders: list[str] | None, wanted: list[str] | None) -> _Plan:
    from qualcode.errors import NotFoundError
    from qualcode.store import codings as coding_store
    from qualcode.store.transcripts import load_transcript, transcript_headers

    known_coders = coding_store.coder_names(conn)
    for coder in coders or []:
        if coder not in known_coders:
            raise NotFoundError(f"No coder '{coder}'; coders: {', '.join(known_coders) or 'none yet'}")
    headers = transcript_headers(conn, wanted)
    if wanted:
        found = {h["id"] for h in headers}
        for tid in wanted:
            if tid not in found:
                load_transcript(conn, tid)  # raises NotFoundError with the known ids
    chosen = sorted(set(coders)) if coders else None
    return _Plan(headers, sorted(set(coders or known_coders)), chosen)


class _ProjectWriter:
    """Writes ``project.qde``, the source texts and the sidecar, one transcript at a time."""

    def __init__(self, project: Project, plan: _Plan, offsets: str, archive: Archive, sidecar: bool,
                 carried: Gathered | None = None) -> None:
        self.project, self.plan, self.offsets, self.archive = project, plan, offsets, archive
        self.guids = Guids(project_namespace(project.name))
        self.check = ProjectChecker()
        self.spool = {name: tempfile.TemporaryFile() for name in ("sources", "notes", "texts", "codings")}
        self.with_sidecar = sidecar
        self.coding_count = self.memo_count = 0
        self.skipped: list[str] = []
        self.users: dict[str, str] = {}  # coder -> GUID
        self.codes: dict[str, str] = {}  # code id -> GUID
        self.stamps: dict[tuple, str | None] = {}  # (timestamp, its tzinfo) -> text, for one transcript
        self.codebook = project.codebook
        self.names = self._variable_names()
        self.notes = plan_notes(self._exportable_notes(carried or Gathered((), (), 0)), self.guid, self._user)
        self.head = self._head()
        for note in self.notes.notes:
            self._emit("notes", note, 2)

    def _exportable_notes(self, carried: Gathered) -> Gathered:
        """Memos on codes the codebook no longer has cannot hang on a ``<Code>``: left out, and said."""
        gone = [m for m in carried.memos if m.code_id is not None and m.code_id not in self.codebook.codes]
        self.skipped.extend(f"{m.coder}'s memo on code '{m.code_id}': the code is no longer in the codebook"
                            for m in gone)
        if carried.stale_marks:
            self.skipped.append(f"{carried.stale_marks} finish mark(s) made on content a transcript no longer has "
                                "(stale, not counted)")
        return Gathered(tuple(m for m in carried.memos if m not in gone), carried.marks, carried.stale_marks)

    def guid(self, kind: str, *parts: object) -> str:
        return self.guids(kind, *parts)

    def _emit(self, spool: str, element: ElementTree.Element, level: int) -> None:
        self.check.feed(element)
        self.spool[spool].write(xml_piece(element, level))

    def _head(self) -> bytes:
        """Everything before ``<Sources>``: users, codebook, variables and cases."""
        from qualcode import __version__

        origin = f"qualcode {__version__}" + ("" if self.offsets == "codepoints" else f" (positions: {self.offsets})")
        self.check.root(ptag("Project"), self.project.name)
        start = f"<?xml version='1.0' encoding='utf-8'?>\n<Project{XMLNS.decode()} name={quote_attr(self.project.name)}"
        parts = [f"{start} origin={quote_attr(origin)}>".encode()]
        pieces = []
        if self.plan.coders:
            users = ElementTree.Element(ptag("Users"))
            for coder in self.plan.coders:
                ElementTree.SubElement(users, ptag("User"), guid=self.guid("user", coder), name=coder)
            pieces.append(users)
        book, self.role_sets = codebook_parts(self.codebook)
        add_code_refs(book, self.notes.on_code, code_guid)
        pieces.append(book)
        if self.plan.headers:
            pieces.extend([self._variables(), self._cases()])
        for element in pieces:
            self.check.feed(element)
            parts.append(xml_piece(element, 1))
        return b"".join(parts)

    def _variable_names(self) -> list[str]:
        names = ["role", "site"]
        for header in self.plan.headers:
            names.extend(k for k in header["attributes"] if k not in names)
        return names

    def _variables(self) -> ElementTree.Element:
        variables = ElementTree.Element(ptag("Variables"))
        for name in self.names:
            ElementTree.SubElement(
                variables, ptag("Variable"), guid=self.guid("variable", name), name=name, typeOfVariable="Text"
            )
        return variables

    def _values(self, parent: ElementTree.Element, header: dict) -> None:
        values = {"role": header["role"], "site": header["site"], **header["attributes"]}
        for name in self.names:
            if name in values:
                value = ElementTree.SubElement(parent, ptag("VariableValue"))
                ElementTree.SubElement(value, ptag("VariableRef"), targetGUID=self.guid("variable", name))
                ElementTree.SubElement(value, ptag("TextValue")).text = str(values[name])

    def _cases(self) -> ElementTree.Element:
        cases = ElementTree.Element(ptag("Cases"))
        for header in self.plan.headers:
            tid = header["id"]
            case = ElementTree.SubElement(cases, ptag("Case"), guid=self.guid("case", tid), name=tid)
            ElementTree.SubElement(case, ptag("Description")).text = f"Interviewee of {tid}"
            self._values(case, header)
            ElementTree.SubElement(case, ptag("SourceRef"), targetGUID=self.guid("source", tid))
        return cases

    def source(self, transcript, rows: list[dict]) -> None:
        """Write one transcript: its text, its ``<TextSource>`` and its sidecar entries.

        The ``<TextSource>`` is written as text (ElementTree's building and serialising
        were most of an export's time); the checker is told what it declares and
        references instead of walking a tree.
        """
        guid = self.guid("source", transcript.id)
        text = transcript.text.encode("utf-8")
        self.archive.write_bytes(f"sources/{guid}.txt", text)
        self.check.declare("textsource", guid)
        out = [
            f"\n    <TextSource guid={xml_attr(guid)} name={xml_attr(transcript.id)} plainTextPath={xml_attr(f'internal://{guid}.txt')}>",
            f"\n      <Description>{xml_text(transcript.title)}</Description>" if transcript.title else "\n      <Description />",
        ]
        index = PositionIndex(transcript.text, self.offsets)
        extras: dict[str, str] = {}  # coding GUID -> its sidecar entry (JSON)
        self.stamps.clear()
        for coding in rows:
            if self._exportable(coding):
                out.append(self._selection(transcript, coding, index, extras))
        for note_guid in self.notes.on_source.get(transcript.id, []):  # memos and finish marks on the transcript
            self.check.reference("noteref", note_guid, "note")
            out.append(f'\n      <NoteRef targetGUID="{note_guid}" />')
        for name, value in self._value_pairs({"role": transcript.role, "site": transcript.site, **transcript.attributes}):
            variable = self.guid("variable", name)
            self.check.reference("variableref", variable, "variable")
            out.append(
                f"\n      <VariableValue>\n        <VariableRef targetGUID={xml_attr(variable)} />"
                f"\n        <TextValue>{xml_text(value)}</TextValue>\n      </VariableValue>"
            )
        out.append("\n    </TextSource>")
        self.spool["sources"].write("".join(out).encode("utf-8"))
        if self.with_sidecar:
            self._sidecar_entries(guid, transcript, hashlib.sha256(text).hexdigest(), extras)

    def _value_pairs(self, values: dict) -> list[tuple[str, str]]:
        return [(name, str(values[name])) for name in self.names if name in values]

    def _exportable(self, coding: dict) -> bool:
        if coding["orphaned"]:
            self.skipped.append(
                f"coding {coding['id']} ({coding['coder']}, {coding['code_id']}) is orphaned: its text vanished"
            )
            return False
        if coding["code_id"] not in self.codebook.codes:
            self.skipped.append(f"coding {coding['id']} uses code '{coding['code_id']}', no longer in the codebook")
            return False
        return True

    def _user(self, coder: str) -> str:
        if coder not in self.users:
            self.users[coder] = self.guid("user", coder)
        return self.users[coder]

    def _code(self, code_id: str) -> str:
        from qualcode.codebook.refi import code_guid

        if code_id not in self.codes:
            self.codes[code_id] = code_guid(code_id)
            self.check.reference("coderef", self.codes[code_id], "code")
        return self.codes[code_id]

    def _selection(self, transcript, coding: dict, index: PositionIndex, extras: dict[str, str]) -> str:
        """One coding's ``<PlainTextSelection>``; its sidecar entry goes into ``extras``."""
        begin, end, code_id = coding["start_offset"], coding["end_offset"], coding["code_id"]
        key = coding_key(coding["coder"], transcript.id, code_id, begin, end)
        guid, coding_guid = self.guids.of("selection", key), self.guids.of("coding", key)
        start, stop = index.from_raw(begin), index.from_raw(end)
        self.check.positions(guid, start, stop)
        user = self.users.get(coding["coder"]) or self._user(coding["coder"])
        stamp, updated = self._stamp(coding["created_at"]), self._stamp(coding["updated_at"])
        when = f" creationDateTime={xml_attr(stamp)}" if stamp else ""
        note = ""
        if coding["memo"]:  # GUIDs below are hex and dashes: nothing to escape
            note = f'\n          <NoteRef targetGUID="{self._note(key, coding, transcript.id, user)}" />'
        self.coding_count += 1
        # As json.dumps(..., ensure_ascii=False) writes the dict, a value at a time.
        extras[coding_guid] = (
            f'{{"origin": {json_value(coding["origin"])}, "confidence": {json_value(coding["confidence"])}, '
            f'"created_at": {json_value(stamp)}, "updated_at": {json_value(updated)}}}'
        )
        return (
            f'\n      <PlainTextSelection guid="{guid}" name={xml_attr(selection_name(transcript.text, begin, end))} '
            f'startPosition="{start}" endPosition="{stop}" creatingUser="{user}"{when}>'
            f'\n        <Coding guid="{coding_guid}" creatingUser="{user}"{when}>'
            f'\n          <CodeRef targetGUID="{self.codes.get(code_id) or self._code(code_id)}" />{note}'
            "\n        </Coding>\n      </PlainTextSelection>"
        )

    def _stamp(self, value) -> str | None:
        """``iso_stamp(value)``, kept for the transcript: codings made together share their stamps.
        Keyed with the tzinfo too: equal instants in other zones are written differently."""
        key = (value, getattr(value, "tzinfo", None))
        if key not in self.stamps:
            self.stamps[key] = iso_stamp(value)
        return self.stamps[key]

    def _note(self, key: str, coding: dict, transcript_id: str, user: str) -> str:
        note_guid = self.guid("memo", key)
        self.check.reference("noteref", note_guid, "note")
        note = ElementTree.Element(
            ptag("Note"), guid=note_guid, name=f"Memo: {coding['code_id']} in {transcript_id}", creatingUser=user
        )
        ElementTree.SubElement(note, ptag("PlainTextContent")).text = coding["memo"]
        self._emit("notes", note, 2)
        self.memo_count += 1
        return note_guid

    def _sidecar_entries(self, guid: str, transcript, digest: str, extras: dict[str, str]) -> None:
        entry = {
            "id": transcript.id, "title": transcript.title, "role": transcript.role, "site": transcript.site,
            "attributes": transcript.attributes, "format": transcript.format,
            "source_path": transcript.source_path, "sha256": transcript.sha256, "text_sha256": digest,
            "segments": [
                [s.ordinal, s.speaker, s.is_interviewer, s.start, s.end, s.start_time, s.end_time]
                for s in transcript.segments
            ],
        }
        json_member(self.spool["texts"], guid, entry)
        if extras:  # one "GUID": {...} line a coding, comma-separated, as json_member writes them
            spool = self.spool["codings"]
            members = ",".join(f'"{coding_guid}": {extra}\n' for coding_guid, extra in extras.items())
            spool.write((b"," if spool.tell() else b"") + members.encode("utf-8"))

    def _sets(self) -> bytes:
        from qualcode.codebook.refi import role_guid

        if not self.role_sets:
            return b""
        by_role: dict[str, list[str]] = {}
        for header in self.plan.headers:
            by_role.setdefault(header["role"], []).append(self.guid("source", header["id"]))
        guids = {role_guid(key): key for key in self.codebook.roles}
        sets = ElementTree.Element(ptag("Sets"))
        for element in self.role_sets:
            for source_guid in by_role.get(guids.get(element.get("guid") or "", ""), []):
                ElementTree.SubElement(element, ptag("MemberSource"), targetGUID=source_guid)
            sets.append(element)
        self.check.feed(sets)
        return xml_piece(sets, 1)

    def finish(self) -> None:
        """Check what was written, then add ``project.qde`` and the sidecar to the archive."""
        tail = self._sets() + b"\n</Project>"
        problems = self.check.finish()
        if problems:  # our own output must be sound; never hand a user a broken file
            raise ExportError(f"internal error: the export is not valid REFI-QDA ({problems[0]})")
        parts: list = [self.head]
        if self.plan.headers:
            parts += [b"\n  <Sources>", self.spool["sources"], b"\n  </Sources>"]
        if self.memo_count or self.notes.notes:
            parts += [b"\n  <Notes>", self.spool["notes"], b"\n  </Notes>"]
        self.archive.write_parts("project.qde", [*parts, tail])
        if self.with_sidecar:
            self.archive.write_parts(SIDECAR, self._sidecar_parts())
        for spool in self.spool.values():
            spool.close()

    def _sidecar_parts(self) -> list:
        codebook = self.codebook
        head = {
            "format": SIDECAR_FORMAT, "project": self.project.name, "offsets": self.offsets,
            "codebook": {"file": Path(codebook.path or "codebook.yaml").name, "text": codebook.text},
        }
        start = json.dumps(head, ensure_ascii=False)[:-1].encode("utf-8")
        texts, codings = self.spool["texts"], self.spool["codings"]
        return [start, b', "transcripts": {', texts, b'}, "codings": {', codings, b"}}"]
