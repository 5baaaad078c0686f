"""docs/codebook.md stays true: its example is the ECM codebook, and it covers every command."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from qualcode.codebook import load_codebook, parse_codebook

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "codebook.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ecm():
    return load_codebook(REPO / "codebooks" / "ecm.yaml")


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC, flags=re.DOTALL)


def test_the_example_is_a_valid_excerpt_of_the_ecm_codebook(ecm):
    example = parse_codebook(yaml_blocks()[0], file="docs/codebook.md")
    assert len(example.codes) >= 10
    assert example.roles == ecm.roles
    for code in example.codes.values():
        assert dataclasses.replace(code, line=0) == dataclasses.replace(ecm.get(code.id), line=0)


def test_the_example_shows_roles_inheritance_grouping_and_every_rule_kind():
    example = parse_codebook(yaml_blocks()[0])
    codes = list(example.codes.values())
    assert any(c.declared_roles for c in codes) and any(c.declared_roles is None for c in codes)
    assert any(not c.codable for c in codes)
    rules = [c.rules for c in codes]
    for kind in ("phrases", "regex", "fuzzy", "near", "exclude"):
        assert any(getattr(r, kind) for r in rules), kind


def test_the_rules_snippet_is_valid():
    snippet = next(block for block in yaml_blocks() if block.startswith("rules:"))
    indented = "\n".join("    " + line for line in snippet.splitlines())
    parse_codebook(f"codes:\n  - id: a\n    name: A\n{indented}\n")


def test_the_tree_lists_every_ecm_code(ecm):
    listed = re.findall(r"^\s*- `([a-z0-9_.-]+)` ", DOC, flags=re.MULTILINE)
    assert listed == list(ecm.codes)


def test_every_codebook_command_is_documented():
    from qualcode.cli.codebook import app

    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        assert f"qualcode codebook {name}" in DOC, name
