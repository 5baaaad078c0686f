"""Which literal strings every match of a regex must contain.

The matcher runs a rule's regex only on units that hold one string of each group
(:func:`required_literals`), read from the stdlib's own pattern parser.
"""

from __future__ import annotations

import re


def required_literals(pattern: str) -> tuple[frozenset[str], ...] | None:
    """Groups of lowercase strings: every match of ``pattern`` contains one of each group.

    Read from the parsed pattern: runs of literal characters outside any optional
    part, and groups whose every alternative has one. ``None`` when nothing is
    required (the regex then runs on every unit).
    """
    try:
        # the stdlib's own pattern parser; typeshed stubs only its deprecated alias sre_parse
        from re import _parser as parser  # type: ignore[attr-defined]

        groups = _needed(parser.parse(pattern, re.IGNORECASE).data, parser)
    except Exception:  # an unusual construct: skip the optimisation, never the rule
        return None
    useful = sorted((frozenset(g) for g in groups if min(map(len, g)) >= 2), key=lambda g: -min(map(len, g)))
    return tuple(useful) or None


def _needed(items, parser) -> list[set[str]]:
    """Every required group of the sequence ``items`` (see :func:`required_literals`).

    A run of literals is a set of variants, so an optional character or a small
    character class keeps the run going: ``H-?2[AB]`` needs one of h-2a, h-2b, h2a, h2b.
    """
    groups: list[set[str]] = []
    run: set[str] = {""}
    for op, arg in items:
        extended = _extend(run, op, arg, parser)
        if extended is not None:
            run = extended
            continue
        if run != {""}:
            groups.append(run)
            run = {""}
        if op is parser.SUBPATTERN:
            groups += _needed(arg[-1], parser)
        elif op is parser.BRANCH:
            alternatives = [_best(_needed(branch, parser)) for branch in arg[1]]
            required = [group for group in alternatives if group]
            if len(required) == len(alternatives):  # every alternative needs a literal
                groups.append(set().union(*required))
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT) and arg[0] >= 1:
            groups += _needed(arg[2], parser)
    if run != {""}:
        groups.append(run)
    return groups


MAX_VARIANTS = 8


def _extend(run: set[str], op, arg, parser) -> set[str] | None:
    """The run's variants continued by one item, or None when the item ends the run."""
    if op is parser.LITERAL:
        return {r + chr(arg).lower() for r in run}
    if op is parser.IN and all(kind is parser.LITERAL for kind, _ in arg):
        chars = {chr(code).lower() for _, code in arg}
    elif op is parser.MAX_REPEAT and arg[:2] == (0, 1) and [k for k, _ in arg[2]] == [parser.LITERAL]:
        chars = {"", chr(arg[2][0][1]).lower()}
    else:
        return None
    variants = {r + c for r in run for c in chars}
    return variants if len(variants) <= MAX_VARIANTS else None


def _best(groups: list[set[str]]) -> set[str] | None:
    """The group whose shortest string is longest (the most selective one)."""
    return max(groups, key=lambda g: min(map(len, g)), default=None)
