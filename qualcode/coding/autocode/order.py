"""The order in which every match of a regex holds its required strings.

A pattern that is a sequence (``need ... housing``) holds the literal strings of its parts
one after another, without overlap: a unit holding ``housing`` only before ``need`` cannot
match, and the matcher spares the regex there (91 % of the regex calls the substring test
lets through found nothing, most of them on such units). Read from the same parse as
:func:`.literals.required_literals`; a pattern it cannot read keeps today's test only.
"""

from __future__ import annotations

from qualcode.coding.autocode.literals import needed_groups, shortest_group

Ordered = tuple[tuple[str, ...], ...]


def ordered_literals(pattern: str) -> Ordered | None:
    """Groups of lowercase strings every match of ``pattern`` holds one of each, in this order
    and without overlap; ``None`` when fewer than two groups are known (no order to test)."""
    groups = needed_groups(pattern)
    if groups is None:  # an unusual construct: keep the substring test only
        return None
    # a group's strings that hold another of its strings end no earlier: dropping them keeps
    # the test necessary; so does dropping a short group (its neighbours keep their order)
    kept = [tuple(sorted(shortest_group(frozenset(g)))) for g in groups if min(map(len, g)) >= 2]
    return tuple(kept) if len(kept) >= 2 else None


def in_order(lowered: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether ``lowered`` holds one string of each group, each starting where the last ended.

    Greedy: the string ending first at each step leaves the most room for the next ones.
    """
    at = 0
    for group in groups:
        end = -1
        for string in group:
            start = lowered.find(string, at)
            if start != -1 and (end == -1 or start + len(string) < end):
                end = start + len(string)
        if end == -1:
            return False
        at = end
    return True
