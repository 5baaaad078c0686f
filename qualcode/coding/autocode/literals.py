"""Which literal strings every match of a regex must contain.

The matcher runs a rule's regex only on units that hold one string of each group
(:func:`required_literals`), read from the stdlib's own pattern parser; which units of a
batch hold them is :class:`UnitLiterals`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import lru_cache, partial


def required_literals(pattern: str) -> tuple[frozenset[str], ...] | None:
    """Groups of lowercase strings: every match of ``pattern`` contains one of each group.

    Read from the parsed pattern: runs of literal characters outside any optional
    part, and groups whose every alternative has one. ``None`` when nothing is
    required (the regex then runs on every unit).
    """
    groups = needed_groups(pattern)
    if groups is None:
        return None
    useful = sorted((frozenset(g) for g in groups if min(map(len, g)) >= 2), key=lambda g: -min(map(len, g)))
    return tuple(useful) or None


def needed_groups(pattern: str) -> list[set[str]] | None:
    """Every required group of ``pattern``, in the order a match holds them (one string of
    each, without overlap); None when the pattern cannot be read (an unusual construct:
    the callers skip their optimisation then, never the rule)."""
    try:
        # the stdlib's own pattern parser; typeshed stubs only its deprecated alias sre_parse
        from re import _parser as parser  # type: ignore[attr-defined]

        return _needed(parser.parse(pattern, re.IGNORECASE).data, parser)
    except Exception:
        return None


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


class UnitLiterals:
    """Which units of a batch hold the strings a regex requires (substrings of the lowercased text).

    The units' lowercased texts are searched as one string, NUL between units, so a rare
    string costs one ``str.find`` per unit holding it, not one test per unit.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = texts
        self._lowered: list[str] = []
        self._joined = ""
        self._bounds: list[int] = []  # where each unit starts in the joined text, and the end
        self._with: dict[frozenset[str], set[int]] = {}
        self._units: dict[tuple[frozenset[str], ...], set[int]] = {}

    def candidates(
        self, codes: Sequence[tuple[str, tuple[tuple[frozenset[str], ...] | None, ...]]]
    ) -> dict[int, list[tuple[str, list[int]]]]:
        """Per unit, the codes (in the order given, each with the strings each of its patterns
        requires) one of whose patterns may match there, with those patterns' indices."""
        todo: dict[int, list[tuple[str, list[int]]]] = {}
        every = range(len(self.texts))
        for code_id, needs in codes:
            per_unit: dict[int, list[int]] = {}
            for index, needed in enumerate(needs):
                for unit in every if needed is None else self.units(needed):
                    per_unit.setdefault(unit, []).append(index)
            for unit, patterns in per_unit.items():
                todo.setdefault(unit, []).append((code_id, patterns))
        return todo

    def lowered(self, unit: int) -> str:
        """The lowercased text of ``unit`` (once some unit was searched for a string)."""
        return self._lowered[unit]

    def units(self, needed: tuple[frozenset[str], ...]) -> set[int]:
        """The units holding one string of each group of ``needed`` (worked out once per batch)."""
        found = self._units.get(needed)
        if found is None:
            groups = [shortest_group(group) for group in needed]
            found = self._units_with(groups[0])
            lowered = self._lowered
            for group in groups[1:]:  # most selective group first: later groups test fewer units
                if len(group) == 1:  # the usual case: one test per unit, no generator
                    (string,) = group
                    found = {unit for unit in found if string in lowered[unit]}
                else:
                    found = {unit for unit in found if any(s in lowered[unit] for s in group)}
            self._units[needed] = found
        return found

    def _units_with(self, group: frozenset[str]) -> set[int]:
        """The units holding one string of ``group``."""
        found = self._with.get(group)
        if found is None:
            if not self._bounds:
                self._lowered = [text.lower() for text in self.texts]
                self._joined = "\0".join(self._lowered)
                self._bounds = [0]
                for text in self._lowered:
                    self._bounds.append(self._bounds[-1] + len(text) + 1)
            found = self._with[group] = self._search(group)
        return found

    def _search(self, group: frozenset[str]) -> set[int]:
        if any("\0" in s or not s for s in group):  # could span two units: test each on its own
            return {unit for unit, text in enumerate(self._lowered) if any(s in text for s in group)}
        if len({s[0] for s in group}) > 1:  # re would stop at every place one first letter stands
            return set().union(*(self._units_with(frozenset((s,))) for s in group))
        if len(group) == 1:
            (string,) = group
            return self._scan(partial(self._joined.find, string))
        # strings of one first letter (h-2a, h2a, h-2b...): one scan for them all, not one per string
        search, joined = alternatives(group).search, self._joined
        return self._scan(lambda at: -1 if (hit := search(joined, at)) is None else hit.start())

    def _scan(self, next_at: Callable[[int], int]) -> set[int]:
        """The units where ``next_at(from)`` (the next place of a string, or -1) finds one."""
        found, bounds, at = set(), self._bounds, next_at(0)
        while at != -1:
            unit = bisect_right(bounds, at) - 1
            found.add(unit)
            at = next_at(bounds[unit + 1])
        return found


@lru_cache(maxsize=1024)
def alternatives(group: frozenset[str]) -> re.Pattern:
    """A pattern matching any string of ``group``, literally."""
    return re.compile("|".join(re.escape(s) for s in sorted(group)))


@lru_cache(maxsize=1024)
def shortest_group(group: frozenset[str]) -> frozenset[str]:
    """The group without strings that hold another of its strings: a text holding "h2as" holds "h2a"."""
    return frozenset(s for s in group if not any(t != s and t in s for t in group))
