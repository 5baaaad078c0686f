"""Load and validate a YAML codebook, reporting every problem in one pass.

The YAML is composed (not constructed) so each node keeps its ``start_mark``; every
problem carries file, 1-based line and column, what was found and what is allowed.
"""

from __future__ import annotations

import difflib
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from qualcode.codebook.defaults import DEFAULT_ROLES
from qualcode.codebook.model import (
    CODE_ID_PATTERN,
    COLOR_PATTERN,
    MAX_CODE_DEPTH,
    ROLE_KEY_PATTERN,
    Code,
    Codebook,
    Role,
    Rules,
    read_codebook_text,
)
from qualcode.codebook.nodes import NodeReader, is_null, kind_of
from qualcode.codebook.rules import read_rules
from qualcode.errors import ValidationFailed

TOP_KEYS = ("format", "title", "description", "roles", "codes")
ROLE_KEYS = ("label", "aliases")
CODE_KEYS = (
    "id", "name", "definition", "include", "exclude", "examples", "roles",
    "color", "exclusive", "codable", "rules", "children",
)  # fmt: skip
TEXT_KEYS = ("definition", "include", "exclude")
FORMAT_VERSION = 1
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster
_RESOLVED_CACHE_LIMIT = 50_000


class SafeLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader whose implicit tag resolution is memoised.

    Resolving a plain scalar's tag runs a handful of regexes in Python; codebooks
    repeat the same keys and words thousands of times, so caching by value cuts a
    large 500-code codebook's compose time by about a third.
    """

    _resolved: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}

    def descend_resolver(self, current_node, current_index):  # no path resolvers are registered
        return None

    def ascend_resolver(self):
        return None

    def resolve(self, kind, value, implicit):
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            if len(self._resolved) > _RESOLVED_CACHE_LIMIT:
                self._resolved.clear()
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag


@dataclass
class _RawCode:
    """A code as written, before roles are resolved."""

    id: str
    node: yaml.Node
    id_node: yaml.Node
    parent: str | None
    fields: dict[str, Any] = field(default_factory=dict)
    role_nodes: list[tuple[str, yaml.Node]] | None = None


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file.

    Raises
    ------
    CodebookError
        The file cannot be read.
    ValidationFailed
        With every problem found (``problems``), each located by file:line:column.
    """
    path = Path(path)
    text = read_codebook_text(path)
    return parse_codebook(text, file=str(path))


def parse_codebook(text: str, file: str | None = None) -> Codebook:
    """Validate codebook YAML ``text`` and return the :class:`Codebook`.

    ``file`` is used in problem locations and stored as ``Codebook.path``.
    """
    reader = NodeReader(file)
    # The node tree is tens of thousands of short-lived objects: pausing the cyclic
    # GC while it exists halves the load time of a large codebook.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        root = _compose(text, reader)
        codebook = _CodebookBuilder(reader, text, file).build(root) if root is not None else None
    finally:
        if gc_was_enabled:
            gc.enable()
    if reader.problems or codebook is None:
        reader.problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise ValidationFailed(problems=reader.problems, file_name=file)
    return codebook


def _compose(text: str, reader: NodeReader) -> yaml.Node | None:
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        detail = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
            where = f"line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
            detail += f" ({exc.context} started at {where})"
        reader.problem(mark, f"YAML syntax error: {detail}")
        return None
    except yaml.YAMLError as exc:
        reader.problem(None, f"YAML syntax error: {exc}")
        return None
    except RecursionError:
        reader.problem(None, "the YAML is nested too deeply to read (codes within codes?)")
        return None
    if root is None or is_null(root):
        reader.problem(None, "The codebook is empty; it needs at least a 'codes' list")
        return None
    return root


class _CodebookBuilder:
    """One validation pass over a composed codebook document."""

    def __init__(self, reader: NodeReader, text: str, file: str | None) -> None:
        self.reader = reader
        self.text = text
        self.file = file
        self.raw: list[_RawCode] = []
        self.first_seen: dict[str, _RawCode] = {}
        self.duplicates: list[_RawCode] = []

    def build(self, root: yaml.Node) -> Codebook | None:
        top = self.reader.mapping(root, "the codebook (top level)", TOP_KEYS)
        if top is None:
            return None
        if "format" in top:
            self.reader.integer(top["format"][1], "'format'", FORMAT_VERSION, FORMAT_VERSION, 1)
        roles = self._roles(top["roles"][1]) if "roles" in top else dict(DEFAULT_ROLES)
        if "codes" not in top:
            self.reader.problem(root, "The codebook has no 'codes' list; add 'codes:' with at least one code")
        else:
            self._code_list(top["codes"][1], parent=None, what="'codes'")
        codes = self._resolve(roles)
        return Codebook(
            roles=roles,
            codes=codes,
            path=self.file,
            text=self.text,
            title=self.reader.text(top["title"][1], "'title'") if "title" in top else None,
            description=(
                self.reader.text(top["description"][1], "'description'") if "description" in top else None
            ),
        )

    # -- roles -----------------------------------------------------------------------

    def _roles(self, node: yaml.Node) -> dict[str, Role]:
        roles: dict[str, Role] = {}
        if not isinstance(node, yaml.MappingNode):
            self.reader.problem(
                node,
                f"'roles' must be a mapping of role key -> label or {{label, aliases}}; got {kind_of(node)}",
            )
            return dict(DEFAULT_ROLES)
        seen_names: dict[str, str] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if not ROLE_KEY_PATTERN.match(key):
                self.reader.problem(
                    key_node,
                    f"Invalid role key '{key}': use lowercase letters, digits and '_', "
                    "starting with a letter (e.g. service_provider)",
                )
            if key in roles:
                self.reader.problem(key_node, f"Duplicate role '{key}'")
                continue
            roles[key] = self._role(key, value_node)
            for name in (key, roles[key].label, *roles[key].aliases):
                owner = seen_names.setdefault(name.casefold(), key)
                if owner != key:
                    self.reader.problem(
                        value_node, f"Role '{key}' uses the name '{name}', which already names role '{owner}'"
                    )
        if not roles:
            self.reader.problem(node, "'roles' is empty; declare at least one role")
            return dict(DEFAULT_ROLES)
        return roles

    def _role(self, key: str, node: yaml.Node) -> Role:
        default_label = key.replace("_", " ").capitalize()
        if is_null(node):
            return Role(key, default_label)
        if isinstance(node, yaml.ScalarNode):
            return Role(key, self.reader.text(node, f"the label of role '{key}'") or default_label)
        items = self.reader.mapping(node, f"role '{key}'", ROLE_KEYS)
        if items is None:
            return Role(key, default_label)
        label = self.reader.text(items["label"][1], f"the label of role '{key}'") if "label" in items else ""
        aliases: tuple[str, ...] = ()
        if "aliases" in items:
            found = self.reader.text_list(items["aliases"][1], f"the aliases of role '{key}'")
            aliases = tuple(alias for alias, _ in found if alias)
        return Role(key, label or default_label, aliases)

    # -- codes -----------------------------------------------------------------------

    def _code_list(self, node: yaml.Node, parent: str | None, what: str, depth: int = 1) -> None:
        if is_null(node):
            return
        if not isinstance(node, yaml.SequenceNode):
            self.reader.problem(
                node, f"{what} must be a list of codes (items starting with '- id:'); got {kind_of(node)}"
            )
            return
        if depth > MAX_CODE_DEPTH:
            self.reader.problem(node, f"codes are nested more than {MAX_CODE_DEPTH} levels deep; at most {MAX_CODE_DEPTH}")
            return
        for item in node.value:
            self._code(item, parent, depth)

    def _code(self, node: yaml.Node, parent: str | None, depth: int = 1) -> None:
        label = f"a code under '{parent}'" if parent else "a top-level code"
        if not isinstance(node, yaml.MappingNode):
            self.reader.problem(
                node, f"{label} must be a mapping with keys {', '.join(CODE_KEYS)}; got {kind_of(node)}"
            )
            return
        id_node = next((v for k, v in node.value if getattr(k, "value", None) == "id"), None)
        code_id = self._code_id(node, id_node, label)
        items = self.reader.mapping(node, f"code '{code_id}'" if code_id else label, CODE_KEYS)
        if items is None:
            return
        raw = _RawCode(code_id or f"<line {node.start_mark.line + 1}>", node, id_node or node, parent)
        self._code_fields(raw, items)
        if code_id:
            self._register(raw)
        if "children" in items:
            self._code_list(items["children"][1], parent=raw.id, what=f"'children' of code '{raw.id}'", depth=depth + 1)

    def _code_id(self, node: yaml.Node, id_node: yaml.Node | None, label: str) -> str | None:
        if id_node is None:
            self.reader.problem(
                node,
                f"{label[0].upper()}{label[1:]} has no 'id'; "
                "every code needs a stable id such as 'referral.hotline'",
            )
            return None
        code_id = self.reader.text(id_node, "a code 'id'")
        if not CODE_ID_PATTERN.match(code_id):
            self.reader.problem(
                id_node,
                f"Invalid code id '{code_id}': ids are lowercase letters, digits, '_' and '-', "
                "in parts joined by dots (e.g. 'referral.hotline')",
            )
            return None
        return code_id

    def _register(self, raw: _RawCode) -> None:
        first = self.first_seen.get(raw.id)
        if first is not None:
            self.reader.problem(
                raw.id_node,
                f"Duplicate code id '{raw.id}' (first defined at line "
                f"{first.id_node.start_mark.line + 1}); ids must be unique",
            )
            self.duplicates.append(raw)
            return
        self.first_seen[raw.id] = raw
        self.raw.append(raw)

    def _code_fields(self, raw: _RawCode, items: dict[str, tuple[yaml.Node, yaml.Node]]) -> None:
        what = f"code '{raw.id}'"
        name = self.reader.text(items["name"][1], f"'name' of {what}") if "name" in items else ""
        if not name:
            at = items["name"][1] if "name" in items else raw.node
            self.reader.problem(at, f"Code '{raw.id}' has an empty name; every code needs a non-empty 'name'")
        raw.fields["name"] = name
        for key in TEXT_KEYS:
            if key in items:
                raw.fields[key] = self.reader.text(items[key][1], f"'{key}' of {what}")
        if "examples" in items:
            found = self.reader.text_list(items["examples"][1], f"'examples' of {what}")
            raw.fields["examples"] = tuple(text for text, _ in found if text)
        if "roles" in items:
            raw.role_nodes = self.reader.text_list(items["roles"][1], f"'roles' of {what}")
            if not raw.role_nodes:
                self.reader.problem(
                    items["roles"][1], f"'roles' of {what} is empty; omit it to inherit the parent's roles"
                )
                raw.role_nodes = None
        if "color" in items:
            raw.fields["color"] = self._color(items["color"][1], what)
        for key, default in (("exclusive", False), ("codable", True)):
            if key in items:
                raw.fields[key] = self.reader.boolean(items[key][1], f"'{key}' of {what}", default)
        if "rules" in items:
            raw.fields["rules"] = read_rules(self.reader, items["rules"][1], raw.id)

    def _color(self, node: yaml.Node, what: str) -> str | None:
        value = self.reader.text(node, f"'color' of {what}")
        if COLOR_PATTERN.match(value):
            return value.upper()
        self.reader.problem(node, f"Invalid color '{value}' for {what}: use #RRGGBB, e.g. '#1F77B4' (quoted)")
        return None

    # -- second pass: role inheritance and tree checks --------------------------------

    def _resolve(self, roles: dict[str, Role]) -> dict[str, Code]:
        codes: dict[str, Code] = {}
        has_children = {raw.parent for raw in self.raw}
        for raw in self.raw:  # parents precede children in file order
            parent_roles = codes[raw.parent].roles if raw.parent in codes else frozenset(roles)
            declared = self._declared_roles(raw, roles, parent_roles)
            if raw.fields.get("exclusive") and raw.id not in has_children:
                self.reader.problem(
                    raw.node, f"Code '{raw.id}' is 'exclusive: true' but has no children to make exclusive"
                )
            codes[raw.id] = Code(
                id=raw.id,
                parent=raw.parent,
                roles=declared if declared is not None else parent_roles,
                declared_roles=declared,
                line=raw.node.start_mark.line + 1,
                rules=raw.fields.pop("rules", Rules()),
                **raw.fields,
            )
        for raw in self.duplicates:  # not kept, but their roles still get checked
            parent_roles = codes[raw.parent].roles if raw.parent in codes else frozenset(roles)
            self._declared_roles(raw, roles, parent_roles)
        return codes

    def _declared_roles(
        self, raw: _RawCode, roles: dict[str, Role], parent_roles: frozenset[str]
    ) -> frozenset[str] | None:
        if raw.role_nodes is None:
            return None
        declared = set()
        for key, node in raw.role_nodes:
            if key not in roles:
                close = difflib.get_close_matches(key, list(roles), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.reader.problem(
                    node,
                    f"Code '{raw.id}' names role '{key}', which is not declared{hint}. "
                    f"Roles: {', '.join(roles)}",
                )
            elif key not in parent_roles:
                self.reader.problem(
                    node,
                    f"Code '{raw.id}' applies to role '{key}' but its parent '{raw.parent}' applies only to: "
                    f"{', '.join(r for r in roles if r in parent_roles)}; "
                    "a child's roles must be a subset of its parent's",
                )
            else:
                declared.add(key)
        return frozenset(declared) or parent_roles
