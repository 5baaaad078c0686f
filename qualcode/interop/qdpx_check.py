"""Schema-level checks of a REFI-QDA ``<Project>`` without the XSD.

The checker can be fed the project in pieces (the streaming export hands it each
``<TextSource>`` as it is written), so checking never needs the whole tree in memory;
references to elements not declared yet are kept (as GUIDs) until ``finish``.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from qualcode.interop.codebook_io import ptag

GUID_RE = re.compile(r"^\{?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}?$")
DECLARED = ("code", "note", "textsource", "variable")
REFS = {
    "coderef": "code", "noteref": "note", "sourceref": "textsource", "variableref": "variable",
    "membercode": "code", "membersource": "textsource",
}


class ProjectChecker:
    """GUID syntax, selection positions and references, over one or many pieces."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.declared: dict[str, set[str]] = {kind: set() for kind in DECLARED}
        self.pending: list[tuple[str, str | None, str]] = []  # (element kind, target GUID, target kind)

    def root(self, tag: str, name: str | None) -> None:
        if tag != ptag("Project") or not name:
            self.problems.append("the root must be <Project name=...> in the project namespace")

    def feed(self, piece: ElementTree.Element) -> None:
        for element in piece.iter():
            kind = element.tag.rsplit("}", 1)[-1].lower()
            for key in ("guid", "targetGUID", "creatingUser", "modifyingUser"):
                value = element.get(key)
                if value is not None and not GUID_RE.match(value):
                    self.problems.append(f"<{kind}> {key}='{value}' is not a GUID")
            if kind in self.declared and (guid := element.get("guid")):
                self.declared[kind].add(guid)
            if kind == "plaintextselection":
                start, end = int(element.get("startPosition", -1)), int(element.get("endPosition", -1))
                if not 0 <= start <= end:
                    self.problems.append(f"selection {element.get('guid')} has positions {start}..{end}")
            target = REFS.get(kind)
            if target and element.get("targetGUID") not in self.declared[target]:
                self.pending.append((kind, element.get("targetGUID"), target))

    def declare(self, kind: str, guid: str) -> None:
        """An element written as text rather than fed: its GUID is declared."""
        if not GUID_RE.match(guid):
            self.problems.append(f"<{kind}> guid='{guid}' is not a GUID")
        self.declared[kind].add(guid)

    def reference(self, kind: str, guid: str, target: str) -> None:
        """A reference written as text (``kind`` as in REFS): checked now or at the end."""
        if guid not in self.declared[target]:
            self.pending.append((kind, guid, target))

    def positions(self, guid: str, start: int, end: int) -> None:
        if not 0 <= start <= end:
            self.problems.append(f"selection {guid} has positions {start}..{end}")

    def finish(self) -> list[str]:
        for kind, guid, target in self.pending:
            if guid not in self.declared[target]:
                self.problems.append(f"<{kind}> points at {guid}, which is not a {target}")
        self.pending = []
        return self.problems


def check_project_xml(root: ElementTree.Element) -> list[str]:
    """Every problem of a whole ``<Project>`` tree (empty if it is sound)."""
    checker = ProjectChecker()
    checker.root(root.tag, root.get("name"))
    checker.feed(root)
    return checker.finish()
