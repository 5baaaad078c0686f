"""Reading values out of PyYAML composed nodes while collecting problems.

The loader works on composed nodes (not constructed Python objects) so that every
problem can point at the line and column where it was written. Values are read
with these helpers, which record a :class:`~qualcode.errors.Problem` and return a
fallback instead of raising, so one pass reports everything.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import yaml

from qualcode.errors import Problem

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"
TRUE_WORDS = {"true", "yes", "on"}


def kind_of(node: yaml.Node) -> str:
    """A user-facing name for what a node holds ("a list", "a mapping", "text")."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    return f"'{node.value}'"


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


@dataclass
class NodeReader:
    """Collects problems for one file while reading its nodes."""

    file: str | None
    problems: list[Problem] = field(default_factory=list)

    def problem(self, node: yaml.Node | yaml.Mark | None, message: str) -> None:
        """Record a problem at ``node`` (1-based line and column)."""
        mark = node.start_mark if isinstance(node, yaml.Node) else node
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        self.problems.append(Problem(message, file=self.file, line=line, column=column))

    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Keys of a mapping node -> (key node, value node); flags unknown/duplicate keys."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                node, f"{what} must be a mapping with keys {', '.join(allowed)}; got {kind_of(node)}"
            )
            return None
        items: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key not in allowed:
                self.problem(key_node, unknown_key_message(key, what, allowed))
            elif key in items:
                first = items[key][0].start_mark.line + 1
                self.problem(key_node, f"Duplicate key '{key}' in {what} (first given at line {first})")
            else:
                items[key] = (key_node, value_node)
        return items

    def text(self, node: yaml.Node, what: str) -> str:
        """A scalar as the text the user wrote; null becomes ""."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be text; got {kind_of(node)}")
            return ""
        return "" if node.tag == NULL_TAG else str(node.value).strip()

    def text_list(self, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
        """A list of scalars (a single scalar counts as a one-item list)."""
        if is_null(node):
            return []
        if isinstance(node, yaml.ScalarNode):
            return [(str(node.value).strip(), node)]
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list of text items; got {kind_of(node)}")
            return []
        values = []
        for item in node.value:
            if isinstance(item, yaml.ScalarNode) and not is_null(item):
                values.append((str(item.value).strip(), item))
            else:
                self.problem(item, f"each item of {what} must be text; got {kind_of(item)}")
        return values

    def boolean(self, node: yaml.Node, what: str, default: bool) -> bool:
        """true/false (YAML 1.1 yes/no/on/off accepted)."""
        if isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG:
            return node.value.lower() in TRUE_WORDS
        self.problem(node, f"{what} must be true or false; got {kind_of(node)}")
        return default

    def integer(self, node: yaml.Node, what: str, low: int, high: int, default: int) -> int:
        """An integer in [low, high]."""
        if isinstance(node, yaml.ScalarNode) and node.tag == INT_TAG:
            try:
                value = int(node.value.replace("_", ""), 0)
            except ValueError:
                value = None
            if value is not None and low <= value <= high:
                return value
        self.problem(node, f"{what} must be a whole number from {low} to {high}; got {kind_of(node)}")
        return default


def unknown_key_message(key: str, what: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"Unknown key '{key}' in {what}{hint}. Allowed keys: {', '.join(allowed)}"
