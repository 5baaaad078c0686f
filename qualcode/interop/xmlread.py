"""Safe, namespace-blind XML reading for REFI-QDA files.

Parsing goes through defusedxml: entity declarations (billion laughs, XXE) and
external references are refused, nothing is fetched from the network, and a DTD
without entities is tolerated (some exporters write an empty ``<!DOCTYPE>``).
Elements are matched by local name, case-insensitively, because exporters disagree
on the namespace (``urn:QDA-XML:project:1.0``, ``...:1.5``, none at all).
"""

from __future__ import annotations

from xml.etree import ElementTree

from qualcode.errors import InteropError

Element = ElementTree.Element


def parse_xml(data: bytes, source: str) -> Element:
    """The root element of ``data``; unsafe or malformed XML raises InteropError.

    >>> parse_xml(b"<Project name='p'/>", "x.qde").get("name")
    'p'
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    from qualcode.codebook.refi import check_xml_depth

    try:
        return check_xml_depth(fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True), source)
    except ElementTree.ParseError as exc:
        line, column = exc.position
        raise InteropError(
            f"not well-formed XML ({exc.msg if hasattr(exc, 'msg') else exc})",
            file=source, line=line, column=column + 1,
        ) from None
    except DefusedXmlException as exc:
        raise InteropError(
            f"Refused unsafe XML: {type(exc).__name__} ({exc}); REFI-QDA files never need entity "
            "declarations or external references, so nothing was imported",
            file=source,
        ) from None


def local(tag: object) -> str:
    """``{urn:QDA-XML:project:1.0}Code`` -> ``code`` (comments and PIs give '')."""
    return tag.rsplit("}", 1)[-1].casefold() if isinstance(tag, str) else ""


def children(element: Element | None, name: str) -> list[Element]:
    """Direct children with local name ``name``."""
    if element is None:
        return []
    wanted = name.casefold()
    return [child for child in element if local(child.tag) == wanted]


def child(element: Element | None, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def descendants(element: Element, name: str) -> list[Element]:
    wanted = name.casefold()
    return [e for e in element.iter() if local(e.tag) == wanted]


def text_of(element: Element | None) -> str:
    """The element's text (empty for a missing or empty element)."""
    if element is None:
        return ""
    return "".join(element.itertext())


def attr(element: Element, name: str) -> str:
    """An attribute by local name, case-insensitively ('' when absent)."""
    wanted = name.casefold()
    for key, value in element.attrib.items():
        if local(key) == wanted:
            return value
    return ""


def guid_key(value: str) -> str:
    """Comparable form of an id: braces and case dropped (``{ABC-..}`` = ``abc-..``).

    >>> guid_key("{6F1D2A5E-2C55-4BD8-9A3C-7B7E0F2D9C41}")
    '6f1d2a5e-2c55-4bd8-9a3c-7b7e0f2d9c41'
    """
    return value.strip().strip("{}").casefold()
