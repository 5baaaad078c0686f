"""A REFI-QDA ``project.qde`` read into plain data, leniently.

Real exports bend the schema: namespaces vary or are missing, optional elements are
written empty, ids are not always GUIDs (``{...}``, upper case, or free text),
positions are occasionally not integers. This module keeps whatever can be read and
leaves the judging (skip with a reason) to the importer. All references are compared
through :func:`~qualcode.interop.xmlread.guid_key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qualcode.errors import InteropError
from qualcode.interop.xmlread import (
    Element,
    attr,
    child,
    children,
    guid_key,
    local,
    text_of,
)

NON_TEXT_SOURCES = ("picturesource", "pdfsource", "audiosource", "videosource")
VALUE_ELEMENTS = ("textvalue", "booleanvalue", "integervalue", "floatvalue", "datevalue", "datetimevalue")


@dataclass
class RefiCoding:
    guid: str
    code: str  # guid key of the code
    user: str  # guid key of the creating user ('' when absent)
    created: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    guid: str
    name: str
    start: int | None
    end: int | None
    user: str
    codings: list[RefiCoding] = field(default_factory=list)
    description: str = ""
    notes: list[str] = field(default_factory=list)
    raw_positions: tuple[str, str] = ("", "")


@dataclass
class RefiSource:
    guid: str
    name: str
    kind: str  # local element name: textsource, pdfsource, ...
    description: str = ""
    plain_text_path: str = ""
    plain_text_content: str | None = None
    rich_text_path: str = ""
    user: str = ""
    selections: list[RefiSelection] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    whole_codings: list[RefiCoding] = field(default_factory=list)  # codings of the source as a whole


@dataclass
class RefiNote:
    guid: str
    name: str
    plain_text_path: str = ""
    content: str | None = None
    user: str = ""
    description: str = ""


@dataclass
class RefiCase:
    guid: str
    name: str
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiSet:
    guid: str
    name: str
    description: str = ""
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiProject:
    name: str
    origin: str
    creating_user: str
    users: dict[str, str]  # guid key -> display name
    codebook: Element | None
    sources: list[RefiSource]
    notes: dict[str, RefiNote]
    cases: list[RefiCase]
    sets: list[RefiSet]
    description: str = ""


def read_project(root: Element) -> RefiProject:
    """Read the ``<Project>`` root (or a bare ``<CodeBook>``) into a RefiProject."""
    variables = {
        guid_key(attr(v, "guid")): attr(v, "name").strip() or attr(v, "guid")
        for v in children(child(root, "Variables"), "Variable")
    }
    codebook = root if local(root.tag) == "codebook" else child(root, "CodeBook")
    listed = child(root, "Sources")
    sources = [
        _source(element, variables)
        for element in (list(listed) if listed is not None else [])
        if local(element.tag) in ("textsource", *NON_TEXT_SOURCES)
    ]
    return RefiProject(
        name=attr(root, "name").strip(),
        origin=attr(root, "origin").strip(),
        creating_user=guid_key(attr(root, "creatingUserGUID")),
        users=_users(root),
        codebook=codebook,
        sources=sources,
        notes={guid_key(n.guid): n for n in (_note(e) for e in children(child(root, "Notes"), "Note"))},
        cases=[_case(e, variables) for e in children(child(root, "Cases"), "Case")],
        sets=[_set(e) for e in children(child(root, "Sets"), "Set")],
        description=text_of(child(root, "Description")).strip(),
    )


def _users(root: Element) -> dict[str, str]:
    users: dict[str, str] = {}
    for element in children(child(root, "Users"), "User"):
        guid = attr(element, "guid")
        name = " ".join(attr(element, "name").split()) or attr(element, "id").strip() or guid[:8]
        key = guid_key(guid)
        if key in users:  # which name would get the codings? refuse rather than guess
            raise InteropError(
                f"the file lists user {guid[:40]!r} twice ({users[key][:40]!r} and {name[:40]!r}); "
                "each user id must be unique, so nothing was imported"
            )
        users[key] = name
    return users


def _source(element: Element, variables: dict[str, str]) -> RefiSource:
    content = child(element, "PlainTextContent")
    return RefiSource(
        guid=attr(element, "guid"),
        name=" ".join(attr(element, "name").split()),
        kind=local(element.tag),
        description=text_of(child(element, "Description")).strip(),
        plain_text_path=attr(element, "plainTextPath").strip(),
        plain_text_content=text_of(content) if content is not None else None,
        rich_text_path=attr(element, "richTextPath").strip(),
        user=guid_key(attr(element, "creatingUser")),
        selections=[_selection(e) for e in children(element, "PlainTextSelection")],
        variables=_values(element, variables),
        notes=_note_refs(element),
        whole_codings=[_coding(e) for e in children(element, "Coding")],
    )


def _selection(element: Element) -> RefiSelection:
    start, end = attr(element, "startPosition"), attr(element, "endPosition")
    return RefiSelection(
        guid=attr(element, "guid"),
        name=attr(element, "name"),
        start=_integer(start),
        end=_integer(end),
        user=guid_key(attr(element, "creatingUser")),
        codings=[_coding(e) for e in children(element, "Coding")],
        description=text_of(child(element, "Description")).strip(),
        notes=_note_refs(element),
        raw_positions=(start, end),
    )


def _coding(element: Element) -> RefiCoding:
    ref = child(element, "CodeRef")
    return RefiCoding(
        guid=attr(element, "guid"),
        code=guid_key(attr(ref, "targetGUID")) if ref is not None else "",
        user=guid_key(attr(element, "creatingUser")),
        created=attr(element, "creationDateTime"),
        notes=_note_refs(element),
    )


def _note(element: Element) -> RefiNote:
    content = child(element, "PlainTextContent")
    return RefiNote(
        guid=attr(element, "guid"),
        name=attr(element, "name").strip(),
        plain_text_path=attr(element, "plainTextPath").strip(),
        content=text_of(content) if content is not None else None,
        user=guid_key(attr(element, "creatingUser")),
        description=text_of(child(element, "Description")).strip(),
    )


def _case(element: Element, variables: dict[str, str]) -> RefiCase:
    return RefiCase(
        guid=attr(element, "guid"),
        name=" ".join(attr(element, "name").split()),
        description=text_of(child(element, "Description")).strip(),
        variables=_values(element, variables),
        sources=[guid_key(attr(e, "targetGUID")) for e in children(element, "SourceRef")],
    )


def _set(element: Element) -> RefiSet:
    return RefiSet(
        guid=attr(element, "guid"),
        name=" ".join(attr(element, "name").split()),
        description=text_of(child(element, "Description")).strip(),
        codes=[guid_key(attr(e, "targetGUID")) for e in children(element, "MemberCode")],
        sources=[guid_key(attr(e, "targetGUID")) for e in children(element, "MemberSource")],
    )


def _values(element: Element, variables: dict[str, str]) -> dict[str, str]:
    """``<VariableValue>`` children as name -> text (unknown variables keep their GUID as name)."""
    values = {}
    for value in children(element, "VariableValue"):
        ref = child(value, "VariableRef")
        target = attr(ref, "targetGUID") if ref is not None else ""
        name = variables.get(guid_key(target), target)
        data = next((e for e in value if local(e.tag) in VALUE_ELEMENTS), None)
        if name and data is not None:
            values[name] = text_of(data).strip()
    return values


def _note_refs(element: Element) -> list[str]:
    return [guid_key(attr(e, "targetGUID")) for e in children(element, "NoteRef")]


def _integer(text: str) -> int | None:
    try:
        return int(text.strip())
    except (ValueError, AttributeError):
        try:
            number = float(text)
        except (TypeError, ValueError):
            return None
        return int(number) if number.is_integer() else None
