"""Differences between two codebooks (pure: no store, no files).

Codes are matched by id, so a rename of an *id* shows as one removal plus one
addition (use ``qualcode codebook rename`` to migrate codings instead); a change
of *name* under the same id is a rename, a change of parent is a move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualcode.codebook.model import Code, Codebook

# Reported name -> Code attribute. Roles compare as declared, so removing a role from
# the codebook is one "- role" line, not a change on every code that inherits it.
COMPARED_FIELDS = {
    "definition": "definition", "include": "include", "exclude": "exclude", "examples": "examples",
    "roles": "declared_roles", "color": "color", "exclusive": "exclusive", "codable": "codable",
    "rules": "rules",
}  # fmt: skip


@dataclass(frozen=True)
class CodeRename:
    id: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class CodeMove:
    id: str
    old_parent: str | None
    new_parent: str | None


@dataclass(frozen=True)
class CodeChange:
    """Other fields that changed (definition, roles, rules, ...), by name."""

    id: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CodebookDiff:
    """What changed from ``old`` to ``new``; lists are in file order."""

    added: list[Code] = field(default_factory=list)
    removed: list[Code] = field(default_factory=list)
    renamed: list[CodeRename] = field(default_factory=list)
    moved: list[CodeMove] = field(default_factory=list)
    changed: list[CodeChange] = field(default_factory=list)
    roles_added: list[str] = field(default_factory=list)
    roles_removed: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (self.added, self.removed, self.renamed, self.moved, self.changed,
             self.roles_added, self.roles_removed)
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ids and names only)."""
        return {
            "added": [{"id": c.id, "name": c.name, "parent": c.parent} for c in self.added],
            "removed": [{"id": c.id, "name": c.name, "parent": c.parent} for c in self.removed],
            "renamed": [vars(r) for r in self.renamed],
            "moved": [vars(m) for m in self.moved],
            "changed": [{"id": c.id, "fields": list(c.fields)} for c in self.changed],
            "roles_added": list(self.roles_added),
            "roles_removed": list(self.roles_removed),
        }


def diff_codebooks(old: Codebook, new: Codebook) -> CodebookDiff:
    """Compare two codebooks code by code (matched on id).

    Examples
    --------
    >>> from qualcode.codebook import parse_codebook
    >>> a = parse_codebook("codes: [{id: x, name: X}, {id: y, name: Y}]")
    >>> b = parse_codebook("codes: [{id: x, name: Ex, children: [{id: z, name: Z}]}]")
    >>> d = diff_codebooks(a, b)
    >>> [c.id for c in d.added], [c.id for c in d.removed], d.renamed[0].new_name
    (['z'], ['y'], 'Ex')
    """
    renamed: list[CodeRename] = []
    moved: list[CodeMove] = []
    changed: list[CodeChange] = []
    for code_id, code in new.codes.items():
        before = old.codes.get(code_id)
        if before is None:
            continue
        if before.name != code.name:
            renamed.append(CodeRename(code_id, before.name, code.name))
        if before.parent != code.parent:
            moved.append(CodeMove(code_id, before.parent, code.parent))
        fields = tuple(n for n, a in COMPARED_FIELDS.items() if getattr(before, a) != getattr(code, a))
        if fields:
            changed.append(CodeChange(code_id, fields))
    return CodebookDiff(
        added=[c for i, c in new.codes.items() if i not in old.codes],
        removed=[c for i, c in old.codes.items() if i not in new.codes],
        renamed=renamed, moved=moved, changed=changed,
        roles_added=[r for r in new.roles if r not in old.roles],
        roles_removed=[r for r in old.roles if r not in new.roles],
    )
