"""Writing a codebook back to YAML (used by the importers).

The output is validated by parsing it again, so an importer can never hand the user
a codebook file that ``qualcode codebook validate`` would reject.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from qualcode.codebook.loader import parse_codebook
from qualcode.codebook.model import Codebook, Role, Rules


@dataclass
class CodeDraft:
    """A code being assembled by an importer (ids may still be missing)."""

    name: str
    id: str | None = None
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: list[str] = field(default_factory=list)
    roles: list[str] | None = None
    color: str | None = None
    codable: bool = True
    exclusive: bool = False
    rules: dict | None = None
    children: list[CodeDraft] = field(default_factory=list)


def slugify(text: str) -> str:
    """A code-id part from a display name: ASCII, lowercase, '_' between words.

    >>> slugify("1. Oltás típusa")
    '1_oltas_tipusa'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")
    return slug or "code"


def assign_ids(drafts: list[CodeDraft], parent_id: str | None = None, taken: set[str] | None = None) -> None:
    """Give every draft without an id a dotted id from its names; keep ids unique."""
    taken = set() if taken is None else taken
    if parent_id is None:
        taken.update(_given_ids(drafts))
    for draft in drafts:
        if not draft.id:
            base = f"{parent_id}.{slugify(draft.name)}" if parent_id else slugify(draft.name)
            candidate, number = base, 2
            while candidate in taken:
                candidate, number = f"{base}_{number}", number + 1
            draft.id = candidate
            taken.add(candidate)
        assign_ids(draft.children, draft.id, taken)


def _given_ids(drafts: list[CodeDraft]) -> set[str]:
    found = set()
    for draft in drafts:
        if draft.id:
            found.add(draft.id)
        found |= _given_ids(draft.children)
    return found


def drafts_to_yaml(
    drafts: list[CodeDraft], roles: dict[str, Role], *, title: str | None = None, header: str = ""
) -> str:
    """YAML text for a codebook made of ``drafts`` (ids must be assigned)."""
    document: dict = {"format": 1}
    if title:
        document["title"] = title
    document["roles"] = {
        r.key: {"label": r.label, "aliases": list(r.aliases)} if r.aliases else {"label": r.label}
        for r in roles.values()
    }
    document["codes"] = [_draft_mapping(d) for d in drafts]
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return header + body


def _draft_mapping(draft: CodeDraft) -> dict:
    mapping: dict = {"id": draft.id, "name": draft.name}
    for key in ("definition", "include", "exclude"):
        if getattr(draft, key):
            mapping[key] = getattr(draft, key)
    if draft.examples:
        mapping["examples"] = list(draft.examples)
    if draft.roles:
        mapping["roles"] = list(draft.roles)
    if draft.color:
        mapping["color"] = draft.color
    if draft.exclusive:
        mapping["exclusive"] = True
    if not draft.codable:
        mapping["codable"] = False
    if draft.rules:
        mapping["rules"] = draft.rules
    if draft.children:
        mapping["children"] = [_draft_mapping(c) for c in draft.children]
    return mapping


def rules_to_dict(rules: Rules) -> dict:
    """The YAML form of a Rules object (empty parts left out)."""
    data: dict = {}
    for key in ("phrases", "regex", "exclude"):
        if getattr(rules, key):
            data[key] = list(getattr(rules, key))
    if rules.fuzzy:
        data["fuzzy"] = [{"term": f.term, "min_score": f.min_score} for f in rules.fuzzy]
    if rules.near:
        data["near"] = [{"terms": list(n.terms), "within": n.within} for n in rules.near]
    if rules.exclude and rules.exclude_within != 10:
        data["exclude_within"] = "segment" if rules.exclude_within is None else rules.exclude_within
    return data


def codebook_to_drafts(codebook: Codebook, parent: str | None = None) -> list[CodeDraft]:
    """The code tree of a loaded codebook as drafts (declared roles, not resolved)."""
    codes = codebook.top_level() if parent is None else codebook.children(parent)
    return [
        CodeDraft(
            name=c.name,
            id=c.id,
            definition=c.definition,
            include=c.include,
            exclude=c.exclude,
            examples=list(c.examples),
            roles=[r for r in codebook.roles if r in c.declared_roles] if c.declared_roles else None,
            color=c.color,
            codable=c.codable,
            exclusive=c.exclusive,
            rules=rules_to_dict(c.rules) or None,
            children=codebook_to_drafts(codebook, c.id),
        )
        for c in codes
    ]


def build_codebook(
    drafts: list[CodeDraft], roles: dict[str, Role], *, file: str | None, title: str | None, header: str
) -> Codebook:
    """Assign ids, render YAML and validate it; returns the parsed Codebook."""
    assign_ids(drafts)
    text = drafts_to_yaml(drafts, roles, title=title, header=header)
    return parse_codebook(text, file=file)
