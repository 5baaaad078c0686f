"""The ``<CodeBook>`` inside a .qdpx, through the codebook package's REFI .qdc code.

Export reuses :func:`qualcode.codebook.refi.codebook_to_qdc` (codes, descriptions
carrying definition/include/exclude/examples/roles/id, colours, one ``<Set>`` per
role) and moves its elements into the project namespace: ``<Codes>`` goes into the
project's ``<CodeBook>``, the role sets into the project's ``<Sets>`` (``MemberCode/@guid``
becoming ``@targetGUID``).

Import hands the file's ``<CodeBook>`` (with the project's ``<Sets>``, so qualcode's
role sets come back as roles) to :func:`qualcode.codebook.refi.read_refi_codebook`,
after repairing colours that tool writes in other notations (``rgb(r, g, b)``,
``#AARRGGBB``, hex without ``#``). The code GUIDs of the file are then matched to the
code ids of the resulting codebook, in document order.
"""

from __future__ import annotations

import copy
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from qualcode.errors import InteropError, QualcodeError
from qualcode.interop.xmlread import (
    Element,
    attr,
    child,
    children,
    guid_key,
    local,
    text_of,
)

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
RGB = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)$", re.IGNORECASE)
HEX = re.compile(r"^#?([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})$")
ARGB = re.compile(r"^#([0-9A-Fa-f]{2})([0-9A-Fa-f]{6})$")
SAFE_CODEBOOK_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$")


def ptag(name: str) -> str:
    return f"{{{PROJECT_NS}}}{name}"


# -- export --------------------------------------------------------------------------


def codebook_parts(codebook) -> tuple[Element, list[Element]]:
    """The project-namespace ``<CodeBook>`` and the role ``<Set>`` elements of ``codebook``."""
    from qualcode.codebook.refi import codebook_to_qdc

    qdc = ElementTree.fromstring(codebook_to_qdc(codebook))  # our own bytes: nothing to defuse
    for element in qdc.iter():
        element.tag = ptag(element.tag.rsplit("}", 1)[-1])
        if local(element.tag) == "membercode":  # .qdc says guid=, .qde says targetGUID=
            element.set("targetGUID", element.attrib.pop("guid"))
    book = ElementTree.Element(ptag("CodeBook"))
    codes = child(qdc, "Codes")
    assert codes is not None, "our own .qdc has its <Codes>"
    book.append(codes)
    return book, children(child(qdc, "Sets"), "Set")


# -- import --------------------------------------------------------------------------


@dataclass
class ImportedCodebook:
    """The codebook a REFI file carries, and its code GUIDs -> code ids."""

    codebook: Codebook | None
    ids: dict[str, str] = field(default_factory=dict)
    source: str = "none"  # "qualcode sidecar", "REFI-QDA <CodeBook>", "none"
    notes: list[str] = field(default_factory=list)


def read_codebook(root: Element, *, label: str, output: str, sidecar: str | None = None) -> ImportedCodebook:
    """The codebook of a ``<Project>`` root (or a bare ``<CodeBook>``).

    ``sidecar`` is the exact YAML of a qualcode export; it is used when the file's
    codes are still exactly what qualcode wrote (no other tool edited them), so
    rules and comments survive a round trip.
    """
    book = root if local(root.tag) == "codebook" else child(root, "CodeBook")
    codes = child(book, "Codes")
    elements = _code_elements(codes)
    if not elements:
        return ImportedCodebook(None, notes=["the file has no codes"])
    assert book is not None, "its codes were found in it"
    if sidecar is not None:
        imported = _from_sidecar(sidecar, elements, output)
        if imported is not None:
            return imported
    origin = attr(book, "origin") or attr(root, "origin") or "REFI-QDA"
    codebook = _read_with_refi(book, child(root, "Sets"), label, output, origin)
    ordered = list(codebook.codes.values())
    names = [" ".join(attr(e, "name").split()) or "Unnamed code" for e in elements]
    if len(ordered) != len(elements) or [c.name for c in ordered] != names:
        raise InteropError(f"{label}: the codebook's codes could not be matched to their GUIDs", file=label)
    ids = {guid_key(attr(e, "guid")): code.id for e, code in zip(elements, ordered, strict=True)}
    result = ImportedCodebook(codebook, ids, "REFI-QDA <CodeBook>")
    if sidecar is not None:
        result.notes.append("the codes were edited outside qualcode: read from <CodeBook>, rules not restored")
    return result


def _code_elements(codes: Element | None) -> list[Element]:
    """Every ``<Code>`` under ``<Codes>``, depth first in document order."""
    found: list[Element] = []

    def walk(parent: Element) -> None:
        for element in children(parent, "Code"):
            found.append(element)
            walk(element)

    if codes is not None:
        walk(codes)
    return found


def _from_sidecar(text: str, elements: list[Element], output: str) -> ImportedCodebook | None:
    from qualcode.codebook import parse_codebook

    try:
        codebook = parse_codebook(text, file=output)
    except QualcodeError:
        return None
    book, _ = codebook_parts(codebook)
    if [_signature(e) for e in _code_elements(child(book, "Codes"))] != [_signature(e) for e in elements]:
        return None
    ids = {guid_key(attr(e, "guid")): code.id for e, code in zip(elements, codebook.codes.values(), strict=True)}
    return ImportedCodebook(codebook, ids, "qualcode sidecar (exact YAML)")


def _signature(element: Element) -> tuple:
    return (
        guid_key(attr(element, "guid")), " ".join(attr(element, "name").split()),
        attr(element, "isCodable").strip().lower(), normalise_color(attr(element, "color")),
        text_of(child(element, "Description")).strip(),
    )


def _read_with_refi(book: Element, sets: Element | None, label: str, output: str, origin: str):
    from qualcode.codebook.refi import read_refi_codebook

    wrapper = ElementTree.Element(f"{{{CODEBOOK_NS}}}CodeBook", origin=origin)
    found = child(book, "Codes")
    assert found is not None, "read only when it has codes"
    codes = copy.deepcopy(found)
    for element in codes.iter():
        if local(element.tag) == "code":
            _repair_color(element)
    wrapper.append(codes)
    if sets is not None:
        wrapper.append(copy.deepcopy(sets))
    # Named after the original file: the reader quotes the name in the YAML's header comment.
    with tempfile.TemporaryDirectory(prefix="qualcode-") as folder:
        temp = Path(folder) / (Path(label).name or "codebook.qdc")
        temp.write_bytes(ElementTree.tostring(wrapper, encoding="utf-8", xml_declaration=True))
        return read_refi_codebook(temp, output=output)


def _repair_color(element: Element) -> None:
    for key in list(element.attrib):
        if local(key) == "color":
            fixed = normalise_color(element.attrib[key])
            if fixed:
                element.attrib[key] = fixed
            else:
                del element.attrib[key]


def normalise_color(value: str | None) -> str | None:
    """``#RRGGBB`` for the colour notations tools write, None for anything else.

    >>> [normalise_color(v) for v in ("rgb(255, 0, 16)", "#abc", "00ff00", "#80FF0000", "red")]
    ['#FF0010', '#AABBCC', '#00FF00', '#FF0000', None]
    """
    value = (value or "").strip()
    rgb = RGB.match(value)
    if rgb:
        parts = [int(p) for p in rgb.groups()]
        return "#" + "".join(f"{min(p, 255):02X}" for p in parts) if all(p <= 255 for p in parts) else None
    argb = ARGB.match(value)
    if argb:
        return "#" + argb.group(2).upper()
    plain = HEX.match(value)
    if plain:
        digits = plain.group(1)
        digits = "".join(d * 2 for d in digits) if len(digits) == 3 else digits
        return "#" + digits.upper()
    return None


# -- the project's codebook file ----------------------------------------------------------


def free_codebook_path(folder: Path, preferred: str, text: str) -> Path:
    """``folder/preferred``, or ``stem-2.yaml``...; an existing file with the same text is reused."""
    stem = Path(preferred).stem or "imported"
    candidate, number = folder / f"{stem}.yaml", 2
    while candidate.exists() and candidate.read_text(encoding="utf-8") != text:
        candidate, number = folder / f"{stem}-{number}.yaml", number + 1
    return candidate


def set_project_codebook(config_path: Path, relative: str) -> str:
    """Point ``[project] codebook`` in qualcode.toml at ``relative``; returns the old file text.

    ``relative`` must be a plain file name inside ``codebooks/``; the file is written
    through a TOML library, never by pasting text into it.
    """
    from qualcode.project import update_config

    folder, _, name = relative.partition("/")
    if folder != "codebooks" or not SAFE_CODEBOOK_FILE.match(name):
        raise InteropError(f"refused codebook path {relative[:80]!r}: it must be codebooks/<plain file name>.yaml")
    return update_config(config_path, {"project": {"codebook": relative}})


def check_codebook_file_name(value: object, *, label: str) -> str:
    """A codebook file name taken from a file: a plain ``name.yaml``, nothing else."""
    if not isinstance(value, str) or not SAFE_CODEBOOK_FILE.match(value):
        shown = repr(value)[:80] if isinstance(value, str) else type(value).__name__
        raise InteropError(
            f"{label}: qualcode/project.json codebook.file must be a plain file name like 'study.yaml' "
            f"(letters, digits, '.', '_', '-'), got {shown}; nothing was imported",
            file=label,
        )
    return value
