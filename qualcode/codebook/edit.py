"""Edits to codebook YAML text that keep the user's layout and comments.

Only the ``id:`` scalars are rewritten, in place, using the composed nodes' marks,
so everything else in the file stays byte for byte as the user wrote it.
"""

from __future__ import annotations

import yaml

from qualcode.codebook.loader import CODE_ID_PATTERN, SafeLoader
from qualcode.errors import CodebookError


def rename_ids_in_text(text: str, mapping: dict[str, str]) -> str:
    """Return ``text`` with every code ``id:`` in ``mapping`` replaced by its new id.

    Examples
    --------
    >>> print(rename_ids_in_text("codes:\\n  - id: a  # keep\\n    name: A\\n", {"a": "b"}), end="")
    codes:
      - id: b  # keep
        name: A
    """
    for new_id in mapping.values():
        if not CODE_ID_PATTERN.match(new_id):
            raise CodebookError(
                f"Invalid code id '{new_id}': ids are lowercase letters, digits, '_' and '-', "
                "in parts joined by dots (e.g. 'referral.hotline')"
            )
    root = yaml.compose(text, Loader=SafeLoader)
    spans = sorted(_id_spans(root, mapping), reverse=True)
    for start, end, replacement in spans:  # back to front keeps earlier offsets valid
        text = text[:start] + replacement + text[end:]
    return text


def _id_spans(root: yaml.Node, mapping: dict[str, str]) -> list[tuple[int, int, str]]:
    spans = []
    for node in _code_nodes(root):
        for key, value in node.value:
            is_id = getattr(key, "value", None) == "id" and isinstance(value, yaml.ScalarNode)
            if is_id and value.value in mapping:
                spans.append(_replacement(value, mapping[value.value]))
    return spans


def _replacement(node: yaml.ScalarNode, new_id: str) -> tuple[int, int, str]:
    start, end = node.start_mark.index, node.end_mark.index
    quote = {"'": "'", '"': '"'}.get(node.style or "", "")
    return start, end, f"{quote}{new_id}{quote}"


def _code_nodes(root: yaml.Node):
    """Every code mapping under ``codes`` (recursively through ``children``)."""
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if getattr(key, "value", None) == "codes":
            yield from _walk_codes(value)


def _walk_codes(node: yaml.Node):
    if not isinstance(node, yaml.SequenceNode):
        return
    for item in node.value:
        if isinstance(item, yaml.MappingNode):
            yield item
            for key, value in item.value:
                if getattr(key, "value", None) == "children":
                    yield from _walk_codes(value)
