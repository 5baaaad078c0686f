"""The ``rules:`` block of a code: schema and validation.

Matching itself belongs to the autocoder; this module only reads and checks the
rules so that a bad regex or a misspelt key is reported when the codebook loads.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from qualcode.codebook.model import FUZZY_SCORES, MAX_DISTANCE, FuzzyTerm, NearPair, Rules
from qualcode.codebook.nodes import NodeReader, is_null, kind_of

RULE_KEYS = ("phrases", "regex", "fuzzy", "near", "exclude", "exclude_within")
FUZZY_KEYS = ("term", "min_score")
NEAR_KEYS = ("terms", "within")
DEFAULT_MIN_SCORE = 85
DEFAULT_WITHIN = 10


def read_rules(reader: NodeReader, node: yaml.Node, code_id: str) -> Rules:
    """Parse a ``rules`` mapping; problems go to ``reader``."""
    where = f"rules of code '{code_id}'"
    items = reader.mapping(node, where, RULE_KEYS)
    if not items:
        return Rules()
    values: dict[str, Any] = {}
    for key in ("phrases", "exclude"):
        if key in items:
            values[key] = tuple(_phrases(reader, items[key][1], f"'{key}' in {where}"))
    if "regex" in items:
        values["regex"] = tuple(_regexes(reader, items["regex"][1], where))
    if "fuzzy" in items:
        values["fuzzy"] = tuple(_fuzzy_terms(reader, items["fuzzy"][1], where))
    if "near" in items:
        values["near"] = tuple(_near_pairs(reader, items["near"][1], where))
    if "exclude_within" in items:
        values["exclude_within"] = _exclude_within(reader, items["exclude_within"][1], where)
    return Rules(**values)


def _phrases(reader: NodeReader, node: yaml.Node, what: str) -> list[str]:
    phrases = []
    for text, item in reader.text_list(node, what):
        if text:
            phrases.append(" ".join(text.split()))
        else:
            reader.problem(item, f"empty phrase in {what}")
    return phrases


def _regexes(reader: NodeReader, node: yaml.Node, where: str) -> list[str]:
    patterns = []
    for pattern, item in reader.text_list(node, f"'regex' in {where}"):
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            reader.problem(
                item,
                f"Invalid regular expression '{pattern}' in {where}: {exc.msg} at position "
                f"{exc.pos}; patterns use Python 're' syntax",
            )
            continue
        patterns.append(pattern)
    return patterns


def _fuzzy_terms(reader: NodeReader, node: yaml.Node, where: str) -> list[FuzzyTerm]:
    what = f"'fuzzy' in {where}"
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    terms = []
    for item in items:
        if is_null(item):
            continue
        if isinstance(item, yaml.ScalarNode):
            terms.append(FuzzyTerm(str(item.value).strip()))
            continue
        fields = reader.mapping(item, f"an item of {what}", FUZZY_KEYS)
        if fields is None:
            continue
        if "term" not in fields:
            reader.problem(item, f"an item of {what} needs a 'term' (e.g. {{term: Polaris, min_score: 85}})")
            continue
        term = reader.text(fields["term"][1], f"'term' in {what}")
        score = DEFAULT_MIN_SCORE
        if "min_score" in fields:
            score = reader.integer(fields["min_score"][1], f"'min_score' in {what}", *FUZZY_SCORES, score)
        if term:
            terms.append(FuzzyTerm(term, score))
    return terms


def _near_pairs(reader: NodeReader, node: yaml.Node, where: str) -> list[NearPair]:
    what = f"'near' in {where}"
    if not isinstance(node, yaml.SequenceNode):
        reader.problem(node, f"{what} must be a list of {{terms: [a, b], within: N}}; got {kind_of(node)}")
        return []
    pairs = []
    for item in node.value:
        fields = reader.mapping(item, f"an item of {what}", NEAR_KEYS)
        if fields is None:
            continue
        if "terms" not in fields:
            reader.problem(item, f"an item of {what} needs 'terms' (two terms, e.g. [labor, trafficking])")
            continue
        terms = [t for t, _ in reader.text_list(fields["terms"][1], f"'terms' in {what}") if t]
        if len(terms) != 2:
            reader.problem(
                fields["terms"][1], f"'terms' in {what} must name exactly two terms; got {len(terms)}"
            )
            continue
        within = DEFAULT_WITHIN
        if "within" in fields:
            within = reader.integer(fields["within"][1], f"'within' in {what}", 1, MAX_DISTANCE, within)
        pairs.append(NearPair((terms[0], terms[1]), within))
    return pairs


def _exclude_within(reader: NodeReader, node: yaml.Node, where: str) -> int | None:
    if isinstance(node, yaml.ScalarNode) and node.value == "segment":
        return None
    what = f"'exclude_within' in {where} (a token distance, or 'segment')"
    return reader.integer(node, what, 0, MAX_DISTANCE, DEFAULT_WITHIN)
