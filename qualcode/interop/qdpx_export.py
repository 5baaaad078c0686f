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
- ``<Sets>``: one per role, listing the codes that apply to it and its transcripts.

Positions are code points into the exported text (the standard), or UTF-16 code
units with ``offsets="utf16"`` for tools that count like NVivo. Besides, the archive
carries ``qualcode/project.json`` — what REFI-QDA cannot say (codebook YAML with its
rules, segments, coding origin and confidence) — which qualcode reads back for an
exact round trip and other tools ignore (``sidecar=False`` leaves it out).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from qualcode.errors import ExportError
from qualcode.interop.codebook_io import PROJECT_NS, codebook_parts, ptag
from qualcode.interop.ids import coding_key, project_namespace, stable_guid
from qualcode.interop.offsets import PositionIndex

if TYPE_CHECKING:
    from qualcode.project import Project

SIDECAR = "qualcode/project.json"
SIDECAR_FORMAT = 1
EXPORT_OFFSETS = ("codepoints", "utf16")
NAME_CHARS = 60


@dataclass
class ExportSummary:
    path: Path
    transcripts: int = 0
    codings: int = 0
    coders: list[str] = field(default_factory=list)
    codes: int = 0
    memos: int = 0
    skipped: list[str] = field(default_factory=list)
    offsets: str = "codepoints"


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

    ``progress(done, total)`` is called at each of its four stages: read, build, check, write.
    """
    step = progress or (lambda done, total: None)
    if offsets not in EXPORT_OFFSETS:
        raise ExportError(f"--offsets must be one of {', '.join(EXPORT_OFFSETS)}, got '{offsets}'")
    step(0, 4)
    data = _collect(project, coders, transcripts)
    summary = ExportSummary(Path(output), offsets=offsets, skipped=data.skipped)
    step(1, 4)
    builder = _ProjectBuilder(project, data, offsets)
    root = builder.build()
    step(2, 4)
    problems = check_project_xml(root)
    if problems:  # our own output must be sound; never hand a user a broken file
        raise ExportError(f"internal error: the export is not valid REFI-QDA ({problems[0]})")
    ElementTree.indent(root)
    ElementTree.register_namespace("", PROJECT_NS)  # xmlns="..." on the root, no ns0: prefixes
    xml = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    step(3, 4)
    _write_archive(Path(output), xml, builder.texts, builder.sidecar() if sidecar else None)
    step(4, 4)
    summary.transcripts = len(data.transcripts)
    summary.codings = len(data.codings)
    summary.coders = data.coders
    summary.codes = len(project.codebook.codes)
    summary.memos = builder.memo_count
    return summary


@dataclass
class _Data:
    transcripts: list
    codings: list[dict]
    coders: list[str]
    skipped: list[str]


def _collect(project: Project, coders: list[str] | None, wanted: list[str] | None) -> _Data:
    from qualcode.errors import NotFoundError
    from qualcode.store import codings as coding_store
    from qualcode.store.transcripts import load_transcript, transcript_ids

    codebook = project.codebook
    with project.read() as conn:
        known_ids = transcript_ids(conn)
        known_coders = coding_store.coder_names(conn)
        for coder in coders or []:
            if coder not in known_coders:
                raise NotFoundError(f"No coder '{coder}'; coders: {', '.join(known_coders) or 'none yet'}")
        chosen = wanted or known_ids
        transcripts = [load_transcript(conn, tid) for tid in chosen]
        rows = coding_store.coding_listing(conn, include_orphans=True)
    chosen_set, coder_set = set(chosen), set(coders or known_coders)
    codings, skipped = [], []
    for row in rows:
        if row.transcript_id not in chosen_set or row.coder not in coder_set:
            continue
        if row.orphaned:
            skipped.append(f"coding {row.id} ({row.coder}, {row.code_id}) is orphaned: its text vanished")
        elif row.code_id not in codebook.codes:
            skipped.append(f"coding {row.id} uses code '{row.code_id}', no longer in the codebook")
        else:
            codings.append(row._asdict())
    return _Data(transcripts, codings, sorted(coder_set), skipped)


def _stamp(value) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text if ("+" in text[10:] or text.endswith("Z")) else text + "Z"


class _ProjectBuilder:
    """Builds the ``<Project>`` tree, the source texts and the sidecar."""

    def __init__(self, project: Project, data: _Data, offsets: str) -> None:
        self.project, self.data, self.offsets = project, data, offsets
        self.ns = project_namespace(project.name)
        self.texts: dict[str, str] = {}
        self.notes: list[ElementTree.Element] = []
        self.memo_count = 0
        self.coding_extras: dict[str, dict] = {}

    def guid(self, kind: str, *parts: object) -> str:
        return stable_guid(self.ns, kind, *parts)

    def build(self) -> ElementTree.Element:
        from qualcode import __version__

        origin = f"qualcode {__version__}" + ("" if self.offsets == "codepoints" else f" (positions: {self.offsets})")
        root = ElementTree.Element(ptag("Project"), name=self.project.name, origin=origin)
        users = ElementTree.SubElement(root, ptag("Users"))
        for coder in self.data.coders:
            ElementTree.SubElement(users, ptag("User"), guid=self.guid("user", coder), name=coder)
        if not self.data.coders:
            root.remove(users)
        book, role_sets = codebook_parts(self.project.codebook)
        root.append(book)
        variable_names = self._variables(root)
        self._cases(root, variable_names)
        sources = ElementTree.SubElement(root, ptag("Sources"))
        for transcript in self.data.transcripts:
            self._source(sources, transcript, variable_names)
        if not len(sources):
            root.remove(sources)
        if self.notes:
            ElementTree.SubElement(root, ptag("Notes")).extend(self.notes)
        self._sets(root, role_sets)
        return root

    def _variables(self, root: ElementTree.Element) -> list[str]:
        names = ["role", "site"]
        for transcript in self.data.transcripts:
            names.extend(k for k in transcript.attributes if k not in names)
        if self.data.transcripts:
            variables = ElementTree.SubElement(root, ptag("Variables"))
            for name in names:
                ElementTree.SubElement(
                    variables, ptag("Variable"), guid=self.guid("variable", name), name=name, typeOfVariable="Text"
                )
        return names

    def _values(self, parent: ElementTree.Element, transcript, names: list[str]) -> None:
        values = {"role": transcript.role, "site": transcript.site, **transcript.attributes}
        for name in names:
            if name in values:
                value = ElementTree.SubElement(parent, ptag("VariableValue"))
                ElementTree.SubElement(value, ptag("VariableRef"), targetGUID=self.guid("variable", name))
                ElementTree.SubElement(value, ptag("TextValue")).text = str(values[name])

    def _cases(self, root: ElementTree.Element, names: list[str]) -> None:
        if not self.data.transcripts:
            return
        cases = ElementTree.SubElement(root, ptag("Cases"))
        for transcript in self.data.transcripts:
            case = ElementTree.SubElement(cases, ptag("Case"), guid=self.guid("case", transcript.id), name=transcript.id)
            ElementTree.SubElement(case, ptag("Description")).text = f"Interviewee of {transcript.id}"
            self._values(case, transcript, names)
            ElementTree.SubElement(case, ptag("SourceRef"), targetGUID=self.guid("source", transcript.id))

    def _source(self, parent: ElementTree.Element, transcript, names: list[str]) -> None:
        guid = self.guid("source", transcript.id)
        self.texts[guid] = transcript.text
        source = ElementTree.SubElement(
            parent, ptag("TextSource"), guid=guid, name=transcript.id, plainTextPath=f"internal://{guid}.txt"
        )
        ElementTree.SubElement(source, ptag("Description")).text = transcript.title
        index = PositionIndex(transcript.text, self.offsets)
        mine = [c for c in self.data.codings if c["transcript_id"] == transcript.id]
        for coding in mine:
            self._selection(source, transcript, coding, index)
        self._values(source, transcript, names)

    def _selection(self, parent, transcript, coding: dict, index: PositionIndex) -> None:
        from qualcode.codebook.refi import code_guid

        key = coding_key(coding["coder"], transcript.id, coding["code_id"], coding["start_offset"], coding["end_offset"])
        covered = " ".join(transcript.text[coding["start_offset"] : coding["end_offset"]].split())
        name = covered if len(covered) <= NAME_CHARS else covered[: NAME_CHARS - 1] + "…"
        user = self.guid("user", coding["coder"])
        stamp = _stamp(coding["created_at"])
        selection = ElementTree.SubElement(
            parent, ptag("PlainTextSelection"), guid=self.guid("selection", key), name=name,
            startPosition=str(index.from_raw(coding["start_offset"])),
            endPosition=str(index.from_raw(coding["end_offset"])), creatingUser=user,
        )
        coding_guid = self.guid("coding", key)
        element = ElementTree.SubElement(selection, ptag("Coding"), guid=coding_guid, creatingUser=user)
        if stamp:
            selection.set("creationDateTime", stamp)
            element.set("creationDateTime", stamp)
        ElementTree.SubElement(element, ptag("CodeRef"), targetGUID=code_guid(coding["code_id"]))
        if coding["memo"]:
            note_guid = self.guid("memo", key)
            ElementTree.SubElement(element, ptag("NoteRef"), targetGUID=note_guid)
            note = ElementTree.Element(
                ptag("Note"), guid=note_guid, name=f"Memo: {coding['code_id']} in {transcript.id}", creatingUser=user
            )
            ElementTree.SubElement(note, ptag("PlainTextContent")).text = coding["memo"]
            self.notes.append(note)
            self.memo_count += 1
        self.coding_extras[coding_guid] = {
            "origin": coding["origin"], "confidence": coding["confidence"],
            "created_at": _stamp(coding["created_at"]), "updated_at": _stamp(coding["updated_at"]),
        }

    def _sets(self, root: ElementTree.Element, role_sets: list[ElementTree.Element]) -> None:
        by_role: dict[str, list[str]] = {}
        for transcript in self.data.transcripts:
            by_role.setdefault(transcript.role, []).append(self.guid("source", transcript.id))
        from qualcode.codebook.refi import role_guid

        guids = {role_guid(key): key for key in self.project.codebook.roles}
        for element in role_sets:
            for source_guid in by_role.get(guids.get(element.get("guid"), ""), []):
                ElementTree.SubElement(element, ptag("MemberSource"), targetGUID=source_guid)
        if role_sets:
            ElementTree.SubElement(root, ptag("Sets")).extend(role_sets)

    def sidecar(self) -> bytes:
        codebook = self.project.codebook
        transcripts = {}
        for transcript in self.data.transcripts:
            transcripts[self.guid("source", transcript.id)] = {
                "id": transcript.id, "title": transcript.title, "role": transcript.role, "site": transcript.site,
                "attributes": transcript.attributes, "format": transcript.format,
                "source_path": transcript.source_path, "sha256": transcript.sha256,
                "text_sha256": text_sha256(transcript.text),
                "segments": [
                    [s.ordinal, s.speaker, s.is_interviewer, s.start, s.end, s.start_time, s.end_time]
                    for s in transcript.segments
                ],
            }
        document = {
            "format": SIDECAR_FORMAT, "project": self.project.name, "offsets": self.offsets,
            "codebook": {"file": Path(codebook.path or "codebook.yaml").name, "text": codebook.text},
            "transcripts": transcripts, "codings": self.coding_extras,
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_archive(output: Path, xml: bytes, texts: dict[str, str], sidecar: bytes | None) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = output.with_name(f".{output.name}.tmp")
    try:
        from qualcode.privacy import private_file

        private_file(temp)
        with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for guid, text in texts.items():
                archive.writestr(f"sources/{guid}.txt", text.encode("utf-8"))
            if sidecar is not None:
                archive.writestr(SIDECAR, sidecar)
        temp.replace(output)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {output}: {exc.strerror or exc}", file=str(output)) from None


def check_project_xml(root: ElementTree.Element) -> list[str]:
    """Schema-level checks of a ``<Project>`` without the XSD: GUID syntax, references, positions."""
    import re

    guid_re = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
    problems: list[str] = []
    declared: dict[str, set[str]] = {"code": set(), "note": set(), "textsource": set(), "variable": set()}
    if root.tag != ptag("Project") or not root.get("name"):
        problems.append("the root must be <Project name=...> in the project namespace")
    for element in root.iter():
        kind = element.tag.rsplit("}", 1)[-1].lower()
        for key in ("guid", "targetGUID", "creatingUser", "modifyingUser"):
            value = element.get(key)
            if value is not None and not guid_re.match(value):
                problems.append(f"<{kind}> {key}='{value}' is not a GUID")
        if kind in declared and element.get("guid"):
            declared[kind].add(element.get("guid"))
        if kind == "plaintextselection":
            start, end = int(element.get("startPosition", -1)), int(element.get("endPosition", -1))
            if not 0 <= start <= end:
                problems.append(f"selection {element.get('guid')} has positions {start}..{end}")
    refs = {"coderef": "code", "noteref": "note", "sourceref": "textsource", "variableref": "variable"}
    for element in root.iter():
        kind = element.tag.rsplit("}", 1)[-1].lower()
        target = refs.get(kind) or ("code" if kind == "membercode" else "textsource" if kind == "membersource" else None)
        if target and element.get("targetGUID") not in declared[target]:
            problems.append(f"<{kind}> points at {element.get('targetGUID')}, which is not a {target}")
    return problems
