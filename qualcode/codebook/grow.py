"""Growing a codebook while coding: a new code under another, or a code's texts edited.

The YAML file is edited as text, like :mod:`qualcode.codebook.edit`: the composed
nodes' marks say where each code, key and value sits, and only those spans change
(a value replaced, a key line or a code block inserted), so every comment, blank
line, key order and quoting style elsewhere stays as the user wrote it. PyYAML has no
round-trip mode and ruamel.yaml is not a dependency; splicing at the marks is all
these edits need.

The edited text is then validated exactly as ``qualcode codebook validate`` does
(:func:`~qualcode.codebook.loader.parse_codebook`), and read back to check the code
now holds what was asked; anything else is refused and nothing is written.
:func:`save_codebook_text` stores the new codebook version and replaces the file
(:mod:`qualcode.codebook.versions`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from qualcode.codebook.loader import CODE_ID_PATTERN, SafeLoader, parse_codebook
from qualcode.codebook.versions import ensure_snapshot, write_text_atomically
from qualcode.errors import CodebookError

if TYPE_CHECKING:
    from qualcode.codebook.model import Codebook
    from qualcode.project import Project

EDITABLE = ("name", "definition", "include", "exclude", "examples")
ORDER = ("id", "name", "definition", "include", "exclude", "examples")  # where a missing key goes


@dataclass(frozen=True)
class CodeTexts:
    """What a coder writes about a code: its name, definition, include, exclude, examples."""

    name: str
    definition: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = field(default_factory=tuple)

    def values(self) -> dict[str, str | list[str]]:
        return {"name": self.name, "definition": self.definition, "include": self.include,
                "exclude": self.exclude, "examples": list(self.examples)}


@dataclass(frozen=True)
class GrowResult:
    """What a codebook edit did: the code, the new version's snapshot id, the file written."""

    code_id: str
    action: str  # "added" | "edited"
    snapshot_id: int
    path: str

    def to_dict(self) -> dict:
        return {"code": self.code_id, "action": self.action, "codebook_version": self.snapshot_id, "path": self.path}


# -- text edits -------------------------------------------------------------------------


def add_code_text(codebook: Codebook, parent_id: str | None, part: str, texts: CodeTexts) -> tuple[str, str]:
    """(new code id, new YAML text) with a code ``parent_id.part`` (or top-level ``part``) added last."""
    code_id = f"{parent_id}.{part}" if parent_id else part
    if not part or "." in part or not CODE_ID_PATTERN.match(code_id):
        raise CodebookError(f"Invalid code id part '{part[:60]}': use lowercase letters, digits, '_' and '-' "
                            "(the parent's id and a dot are added)")
    if code_id in codebook.codes:
        raise CodebookError(f"Code '{code_id}' already exists")
    _check_texts(texts)
    text = codebook.text
    root = yaml.compose(text, Loader=SafeLoader)
    if parent_id is None:
        items = _value(root, "codes")
        return code_id, _append_item(text, items, code_id, texts, None)
    parent = _code_node(root, parent_id)
    children = _value(parent, "children")
    if children is not None:
        return code_id, _append_item(text, children, code_id, texts, parent_id)
    column = parent.value[0][0].start_mark.column
    at = _line_after(text, _content_end(parent))
    block = " " * column + "children:\n" + _item_lines(column + 2, code_id, texts)
    return code_id, text[:at] + block + text[at:]


def edit_code_text(codebook: Codebook, code_id: str, texts: CodeTexts) -> str:
    """The YAML text with the code's name, definition, include, exclude and examples set to ``texts``."""
    codebook.get(code_id)  # NotFoundError naming close ids
    _check_texts(texts)
    text = codebook.text
    node = _code_node(yaml.compose(text, Loader=SafeLoader), code_id)
    column = node.value[0][0].start_mark.column
    edits: list[tuple[int, int, int, str]] = []  # start, end, order, replacement
    present = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
    for key, value in texts.values().items():
        if key in present:
            start, end, replacement = _replace_value(text, *present[key], value, column)
            edits.append((start, end, len(edits), replacement))
        elif value:
            before = [present[k][1] for k in ORDER[: ORDER.index(key)] if k in present]
            at = _line_after(text, _content_end(before[-1])) if before else _line_start(text, node.start_mark.index)
            edits.append((at, at, len(edits), " " * column + f"{key}: {_render(value, column, block=True)}\n"))
    # Back to front keeps offsets valid; keys inserted at one place keep their order.
    for start, end, _order, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _check_texts(texts: CodeTexts) -> None:
    if not texts.name.strip():
        raise CodebookError("A code needs a name")
    for value in (texts.name, texts.definition, texts.include, texts.exclude, *texts.examples):
        if any((ord(c) < 32 and c not in "\n\t") or ord(c) == 127 for c in value):
            raise CodebookError("A code's texts cannot hold control characters other than line breaks and tabs")
    if "\n" in texts.name:
        raise CodebookError("A code's name is one line")


# -- nodes and positions -------------------------------------------------------------


def _value(mapping: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    return next((v for k, v in mapping.value if getattr(k, "value", None) == key), None)


def _code_node(root: yaml.Node, code_id: str) -> yaml.MappingNode:
    """The block mapping of one code (refused when written in flow style: ``{id: ..}``)."""
    from qualcode.codebook.edit import _code_nodes

    for node in _code_nodes(root):
        found = _value(node, "id")
        if isinstance(found, yaml.ScalarNode) and found.value == code_id:
            if node.flow_style:
                raise CodebookError(f"Code '{code_id}' is written in flow style ({{...}}) at line "
                                    f"{node.start_mark.line + 1}; edit it in the file itself")
            return node
    raise CodebookError(f"Code '{code_id}' is not in the codebook file")


def _content_end(node: yaml.Node) -> int:
    """Where a node's own text ends: its last scalar's end, not the comments and blank lines after it."""
    if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
        return _content_end(node.value[-1])
    return node.end_mark.index


def _line_after(text: str, index: int) -> int:
    """The start of the line after the one ``index`` is on (a block scalar ends at a line start already)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _append_item(text: str, items: yaml.Node | None, code_id: str, texts: CodeTexts, parent: str | None) -> str:
    if not isinstance(items, yaml.SequenceNode) or items.flow_style or not items.value:
        where = f"'{parent}'s children" if parent else "'codes'"
        raise CodebookError(f"{where} is not a block list ('- id: ...' lines) in the file; edit it there")
    first = items.value[0]
    dash = text.rfind("-", _line_start(text, first.start_mark.index), first.start_mark.index)
    column = dash - _line_start(text, first.start_mark.index) if dash >= 0 else items.start_mark.column
    at = _line_after(text, _content_end(items))
    if at == len(text) and not text.endswith("\n"):
        text += "\n"
        at += 1
    return text[:at] + _item_lines(column, code_id, texts) + text[at:]


def _item_lines(dash_column: int, code_id: str, texts: CodeTexts) -> str:
    pad = " " * (dash_column + 2)
    lines = [" " * dash_column + f"- id: {code_id}"]
    lines += [f"{pad}{key}: {_render(value, dash_column + 2, block=True)}"
              for key, value in texts.values().items() if value]
    return "\n".join(lines) + "\n"


def _replace_value(text: str, key: yaml.Node, node: yaml.Node, value, column: int) -> tuple[int, int, str]:
    """Replace a value in place; a block scalar's trailing blank lines stay; a block list
    (``- item`` lines) becomes a flow list on the key's line."""
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return start, start + len(text[start:end].rstrip()), _render(value, column, block=True)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        colon = text.find(":", key.end_mark.index)
        return colon + 1, _content_end(node), " " + _render(value, column)
    return start, end, _render(value, column)


def _render(value, column: int, *, block: bool = False) -> str:
    """A YAML scalar or flow list on the key's line; a literal block where a block scalar was."""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)  # a JSON list is a YAML flow sequence
    if block and value and "\n" in value and not value[0].isspace():
        pad = " " * (column + 2)
        return "|-\n" + "\n".join(pad + line if line else "" for line in value.split("\n"))
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


# -- checking and saving -----------------------------------------------------------------


def checked(codebook: Codebook, new_text: str, code_id: str, texts: CodeTexts) -> Codebook:
    """Validate the new text as 'codebook validate' does; check the code holds ``texts`` and
    every other code is as it was (same place, roles and texts)."""
    parsed = parse_codebook(new_text, file=codebook.path)
    code = parsed.get(code_id)
    others_same = set(parsed.codes) - {code_id} == set(codebook.codes) - {code_id} and all(
        _shape(parsed.codes[c]) == _shape(codebook.codes[c]) for c in codebook.codes if c != code_id)
    if _texts(code) != texts or not others_same:
        raise CodebookError(f"editing '{code_id}' in the file did not give the expected codebook; "
                            "nothing was written (edit the file by hand)")
    return parsed


def _texts(code) -> CodeTexts:
    return CodeTexts(code.name, code.definition, code.include, code.exclude, tuple(code.examples))


def _shape(code) -> tuple:
    return _texts(code), code.parent, code.roles, code.codable, code.rules


def save_codebook_text(project: Project, codebook: Codebook, parsed: Codebook, code_id: str, action: str) -> GrowResult:
    """Store the new codebook version, then replace the file (one transaction; the file last)."""
    if not codebook.path:
        raise CodebookError("the codebook has no file to write to")
    with project.write() as conn:
        ensure_snapshot(conn, codebook)  # codings made so far keep pointing at the version they used
        snapshot = ensure_snapshot(conn, parsed)
        write_text_atomically(Path(codebook.path), parsed.text)
    project.reload_codebook()
    return GrowResult(code_id, action, snapshot, str(codebook.path))


def add_code(project: Project, parent_id: str | None, part: str, texts: CodeTexts) -> GrowResult:
    """Add a code under ``parent_id`` to the project's codebook file (validated, a new version stored)."""
    codebook = project.codebook
    code_id, text = add_code_text(codebook, parent_id, part, texts)
    return save_codebook_text(project, codebook, checked(codebook, text, code_id, texts), code_id, "added")


def edit_code(project: Project, code_id: str, texts: CodeTexts) -> GrowResult:
    """Set a code's name, definition, include, exclude and examples in the project's codebook file."""
    codebook = project.codebook
    text = edit_code_text(codebook, code_id, texts)
    return save_codebook_text(project, codebook, checked(codebook, text, code_id, texts), code_id, "edited")
