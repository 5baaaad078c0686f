"""Small REFI-QDA files built in tests: honest, quirky and malicious."""

from __future__ import annotations

import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

PROJECT_NS = "urn:QDA-XML:project:1.0"
SEED = uuid.UUID("12345678-1234-5678-1234-567812345678")


def gid(name: str, upper: bool = False) -> str:
    """A deterministic GUID for a test object."""
    value = str(uuid.uuid5(SEED, name))
    return value.upper() if upper else value


@dataclass
class Sel:
    start: int
    end: int
    code: str  # code name; resolved to its GUID
    user: str = "ann"
    name: str | None = None
    memo: str | None = None


@dataclass
class Src:
    name: str
    text: str | None  # None: no text file in the archive
    selections: list[Sel] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # plainTextPath; default internal://<guid>.txt
    encoding: str = "utf-8"
    bom: bool = False


def project_xml(
    sources: list[Src],
    *,
    codes: tuple[str, ...] = ("Hotline", "Housing"),
    users: tuple[str, ...] = ("ann", "ben"),
    origin: str = "TestTool 1.0",
    namespace: str | None = PROJECT_NS,
    color: str = "#FF0000",
    prolog: str = "",
) -> str:
    """A project.qde for ``sources``, with every variable declared."""
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    out = [f'<?xml version="1.0" encoding="utf-8"?>{prolog}<Project name="test"{xmlns} origin={quoteattr(origin)}>']
    out.append("<Users>" + "".join(f'<User guid="{gid("u:" + u)}" name="{u}"/>' for u in users) + "</Users>")
    out.append("<CodeBook><Codes>")
    out += [f'<Code guid="{gid("c:" + c)}" name={quoteattr(c)} isCodable="true" color="{color}"/>' for c in codes]
    out.append("</Codes></CodeBook>")
    names = sorted({k for s in sources for k in s.variables})
    if names:
        out.append("<Variables>" + "".join(
            f'<Variable guid="{gid("v:" + n)}" name="{n}" typeOfVariable="Text"/>' for n in names) + "</Variables>")
    out.append("<Sources>")
    notes = []
    for source in sources:
        guid = gid("s:" + source.name)
        path = source.path if source.path is not None else f"internal://{guid}.txt"
        out.append(f'<TextSource guid="{guid}" name={quoteattr(source.name)} plainTextPath="{path}">')
        for number, sel in enumerate(source.selections):
            name_attr = f" name={quoteattr(sel.name)}" if sel.name is not None else ""
            key = f"{source.name}:{number}"
            out.append(
                f'<PlainTextSelection guid="{gid("sel:" + key)}"{name_attr} startPosition="{sel.start}" '
                f'endPosition="{sel.end}" creatingUser="{gid("u:" + sel.user)}">'
                f'<Coding guid="{gid("cod:" + key)}" creatingUser="{gid("u:" + sel.user)}">'
                f'<CodeRef targetGUID="{gid("c:" + sel.code)}"/>'
            )
            if sel.memo:
                out.append(f'<NoteRef targetGUID="{gid("n:" + key)}"/>')
                notes.append(f'<Note guid="{gid("n:" + key)}" name="memo"><PlainTextContent>{sel.memo}</PlainTextContent></Note>')
            out.append("</Coding></PlainTextSelection>")
        for name, value in source.variables.items():
            out.append(f'<VariableValue><VariableRef targetGUID="{gid("v:" + name)}"/><TextValue>{value}</TextValue></VariableValue>')
        out.append("</TextSource>")
    out.append("</Sources>")
    if notes:
        out.append("<Notes>" + "".join(notes) + "</Notes>")
    out.append("</Project>")
    return "".join(out)


def write_qdpx(
    path: Path,
    sources: list[Src],
    *,
    qde_name: str = "project.qde",
    folder: str = "sources",
    extra: dict[str, bytes] | None = None,
    **xml_options,
) -> Path:
    """A .qdpx holding ``project_xml(sources)`` and each source's text file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, project_xml(sources, **xml_options))
        for source in sources:
            if source.text is None:
                continue
            name = (source.path or "").partition("://")[2] or source.path or f"{gid('s:' + source.name)}.txt"
            data = source.text.encode(source.encoding)
            archive.writestr(f"{folder}/{name}", (b"\xef\xbb\xbf" if source.bom else b"") + data)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def utf16_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Code point offsets -> UTF-16 code units (NVivo's positions)."""
    return len(text[:start].encode("utf-16-le")) // 2, len(text[:end].encode("utf-16-le")) // 2
