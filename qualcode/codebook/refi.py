"""REFI-QDA codebooks (.qdc) out and in.

Export writes a ``<CodeBook>`` that validates against the REFI-QDA Codebook.xsd:
codes nested as in the tree, GUIDs derived from the code id (uuid5, so re-exports
keep them), colours as #RRGGBB, and a ``<Description>`` carrying the definition,
include/exclude guidance, examples, declared roles and the qualcode id. Roles are
exported as ``<Sets>`` (one per role, members = codes that apply to it).

Import reads the ``<CodeBook>`` of a .qdc, .qde or .qdpx (a zip holding
project.qde) from NVivo, ATLAS.ti, MAXQDA, Taguette, QualCoder and others. Real
exports bend the schema, so the reader ignores namespaces, skips empty elements and
never resolves entities or fetches anything (defusedxml).
"""

from __future__ import annotations

import re
import uuid
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from qualcode.codebook.defaults import DEFAULT_ROLES
from qualcode.codebook.model import Code, Codebook, Role
from qualcode.codebook.writer import CodeDraft, build_codebook
from qualcode.errors import InteropError

NAMESPACE = "urn:QDA-XML:codebook:1.0"
GUID_NAMESPACE = uuid.UUID("6f1d2a5e-2c55-4bd8-9a3c-7b7e0f2d9c41")  # fixed: GUIDs stay stable
ROLE_SET_PREFIX = "qualcode role:"
ID_LABEL = "Code id"
LABELS = {"Definition": "definition", "Include": "include", "Exclude": "exclude"}
SHORT_COLOR = re.compile(r"^#([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")
FULL_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def code_guid(code_id: str) -> str:
    """Stable GUID for a code id (uuid5), upper-case as NVivo and MAXQDA write them."""
    return str(uuid.uuid5(GUID_NAMESPACE, code_id)).upper()


def role_guid(role_key: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "role:" + role_key)).upper()


# -- export ---------------------------------------------------------------------------


def codebook_to_qdc(codebook: Codebook) -> bytes:
    """The codebook as REFI-QDA Codebook XML (UTF-8 bytes)."""
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(_tag("CodeBook"), origin="qualcode")
    codes = ElementTree.SubElement(root, _tag("Codes"))
    for code in codebook.top_level():
        _code_element(codes, codebook, code)
    sets = ElementTree.SubElement(root, _tag("Sets"))
    for role in codebook.roles.values():
        _role_set(sets, codebook, role)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _code_element(parent: ElementTree.Element, codebook: Codebook, code: Code) -> None:
    attributes = {"guid": code_guid(code.id), "name": code.name, "isCodable": str(code.codable).lower()}
    if code.color:
        attributes["color"] = code.color
    element = ElementTree.SubElement(parent, _tag("Code"), attributes)
    ElementTree.SubElement(element, _tag("Description")).text = describe(codebook, code)
    for child in codebook.children(code.id):
        _code_element(element, codebook, child)


def describe(codebook: Codebook, code: Code) -> str:
    """The Description text: labelled sections a human (and our importer) can read."""
    lines = [f"{label}: {getattr(code, field)}" for label, field in LABELS.items() if getattr(code, field)]
    if code.examples:
        lines.append("Examples:")
        lines.extend(f"- {example}" for example in code.examples)
    if code.declared_roles:
        lines.append("Roles: " + ", ".join(r for r in codebook.roles if r in code.declared_roles))
    if code.exclusive:
        lines.append("Exclusive: yes (children are mutually exclusive)")
    lines.append(f"{ID_LABEL}: {code.id}")
    return "\n".join(lines)


def _role_set(parent: ElementTree.Element, codebook: Codebook, role: Role) -> None:
    element = ElementTree.SubElement(parent, _tag("Set"), guid=role_guid(role.key), name=role.label)
    aliases = f"; aliases: {', '.join(role.aliases)}" if role.aliases else ""
    ElementTree.SubElement(element, _tag("Description")).text = f"{ROLE_SET_PREFIX} {role.key}{aliases}"
    for code in codebook.codes_for(role.key):
        ElementTree.SubElement(element, _tag("MemberCode"), guid=code_guid(code.id))


# -- import ---------------------------------------------------------------------------


def read_refi_codebook(path: str | Path, *, output: str | None = None) -> Codebook:
    """Read the codebook of a .qdc, .qde or .qdpx file into a validated Codebook.

    ``output`` is the path the YAML will be written to (used in problem locations).
    Rules cannot be expressed in REFI-QDA and are not imported.
    """
    path = Path(path)
    root = _parse_xml(_xml_bytes(path), path)
    book = (
        root
        if _local(root.tag) == "CodeBook"
        else next((e for e in root.iter() if _local(e.tag) == "CodeBook"), None)
    )
    if book is None:
        raise InteropError(
            f"{path.name} has no <CodeBook> element; expected a REFI-QDA .qdc, .qde or .qdpx", file=str(path)
        )
    codes_element = _child(book, "Codes")
    drafts = [_draft(e) for e in _children(codes_element, "Code")] if codes_element is not None else []
    if not drafts:
        raise InteropError(f"{path.name} contains no codes (<Codes> is empty or missing)", file=str(path))
    roles = _roles_from_sets(_child(book, "Sets")) or dict(DEFAULT_ROLES)
    _drop_unknown_roles(drafts, roles)
    origin = root.get("origin") or book.get("origin") or "a REFI-QDA file"
    header = f"# Imported from {path.name} ({origin}) by qualcode. Rules are not part of REFI-QDA.\n"
    return build_codebook(drafts, roles, file=output, title=root.get("name") or None, header=header)


def _xml_bytes(path: Path) -> bytes:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".qde")]
                if not names:
                    raise InteropError(f"{path.name} is a zip without a project.qde", file=str(path))
                return archive.read(names[0])
        return path.read_bytes()
    except FileNotFoundError:
        raise InteropError(f"File not found: {path}", file=str(path)) from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise InteropError(f"Cannot read {path}: {exc}", file=str(path)) from None


MAX_XML_DEPTH = 64  # codes nested ~60 deep; real codebooks stay under 10


def check_xml_depth(root: ElementTree.Element, source: str) -> ElementTree.Element:
    """``root`` if no element is nested deeper than MAX_XML_DEPTH (checked without recursion).

    Every later step walks codes recursively; a limit here turns a hostile nesting
    into one clear error instead of a RecursionError.
    """
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            raise InteropError(
                f"elements are nested more than {MAX_XML_DEPTH} levels deep (codes within codes?); "
                f"qualcode reads at most {MAX_XML_DEPTH} levels, so nothing was imported",
                file=source,
            )
        stack.extend((child, depth + 1) for child in element)
    return root


def _parse_xml(data: bytes, path: Path) -> ElementTree.Element:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return check_xml_depth(
            fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True), str(path)
        )
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise InteropError(
            f"Not well-formed XML: {exc}", file=str(path), line=line, column=column + 1
        ) from None
    except DefusedXmlException as exc:
        raise InteropError(
            f"Refused unsafe XML ({exc}); entities and external references are not allowed", file=str(path)
        ) from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [e for e in element if _local(e.tag) == name]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _draft(element: ElementTree.Element) -> CodeDraft:
    name = " ".join((element.get("name") or "").split()) or "Unnamed code"
    draft = CodeDraft(name=name, codable=(element.get("isCodable") or "true").strip().lower() != "false")
    draft.color = _color(element.get("color"))
    description = _child(element, "Description")
    if description is not None and (description.text or "").strip():
        _read_description(draft, (description.text or "").strip())
    draft.children = [_draft(c) for c in _children(element, "Code")]
    if not draft.children:
        draft.exclusive = False
    return draft


def _color(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    short = SHORT_COLOR.match(value)
    if short:
        value = "#" + "".join(part * 2 for part in short.groups())
    return value.upper() if FULL_COLOR.match(value) else None


def _read_description(draft: CodeDraft, text: str) -> None:
    """Labelled sections (as we export them) when present; else all of it is the definition."""
    sections = _labelled_sections(text)
    if sections is None:
        draft.definition = text
        return
    for label, field in LABELS.items():
        setattr(draft, field, sections.get(label, ""))
    draft.examples = [
        line[2:].strip() for line in sections.get("Examples", "").splitlines() if line.startswith("- ")
    ]
    roles = sections.get("Roles", "")
    draft.roles = [r.strip() for r in roles.split(",") if r.strip()] or None
    draft.exclusive = sections.get("Exclusive", "").lower().startswith("yes")
    code_id = sections.get(ID_LABEL, "").strip()
    draft.id = code_id or None


def _labelled_sections(text: str) -> dict[str, str] | None:
    known = (*LABELS, "Examples", "Roles", "Exclusive", ID_LABEL)
    pattern = re.compile(rf"^({'|'.join(re.escape(k) for k in known)}):\s?(.*)$")
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            current = match.group(1)
            sections[current] = [match.group(2)] if match.group(2) else []
        elif current is None:
            return None  # free text before any label: not our layout
        else:
            sections[current].append(line)
    if ID_LABEL not in sections and "Definition" not in sections:
        return None
    return {label: "\n".join(lines).strip() for label, lines in sections.items()}


def _roles_from_sets(sets: ElementTree.Element | None) -> dict[str, Role]:
    """Role declarations from sets we exported (other tools' sets are not roles)."""
    roles: dict[str, Role] = {}
    if sets is None:
        return roles
    for element in _children(sets, "Set"):
        description = _child(element, "Description")
        text = (description.text or "").strip() if description is not None else ""
        if not text.startswith(ROLE_SET_PREFIX):
            continue
        key, _, aliases = text[len(ROLE_SET_PREFIX) :].strip().partition("; aliases:")
        alias_list = tuple(a.strip() for a in aliases.split(",") if a.strip())
        roles[key.strip()] = Role(key.strip(), element.get("name") or key.strip(), alias_list)
    return roles


def _drop_unknown_roles(drafts: list[CodeDraft], roles: dict[str, Role]) -> None:
    for draft in drafts:
        if draft.roles:
            draft.roles = [r for r in draft.roles if r in roles] or None
        _drop_unknown_roles(draft.children, roles)
