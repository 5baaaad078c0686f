"""Allocating a sample's places across strata (pure: no store, no project).

A sample is ``ceil(fraction * N)`` transcripts, allocated across strata (role, site or
any transcript attribute) in proportion to their size by the largest-remainder method
(Hamilton's method): each stratum gets the integer part of its quota, and the places
left over go to the largest fractional parts (ties: the larger stratum, then the
stratum name). By default that is all, so the sample has exactly the target size and
small strata may get no transcript (the sample's notes name them).

With ``min_per_stratum=1`` (``sample create --min-per-stratum 1``) every stratum that
has transcripts gets **at least one**:

1. strata whose proportional quota is below one get exactly one transcript and leave
   the pool; the quotas of the others are recomputed over the remaining places (repeat
   until every quota is at least one);
2. the rest get the integer part of their quota, and the places left over go to the
   largest fractional parts (ties: the larger stratum, then the stratum name).

The total is therefore exactly ``ceil(fraction * N)``, except when there are more
non-empty strata than that: then every stratum gets one and the total grows to the
number of strata (reported as ``grown_by``). Quotas are exact fractions, so ties are
real ties, not rounding noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from qualcode.errors import AgreementError, StoreError


@dataclass(frozen=True)
class StratumAllocation:
    """How many transcripts one stratum has and how many it gives to the sample."""

    stratum: str
    population: int
    quota: Fraction
    drawn: int
    raised_to_minimum: bool = False

    def row(self) -> AllocationRow:
        """As a sample records it (the quota rounded to four places)."""
        return AllocationRow(self.stratum, self.population, round(float(self.quota), 4), self.drawn,
                             self.raised_to_minimum)

    def to_dict(self) -> dict[str, Any]:
        return self.row().to_dict()


@dataclass(frozen=True)
class AllocationRow:
    """One stratum of a stored sample's allocation: its transcripts, quota and draw."""

    stratum: str
    population: int
    quota: float
    drawn: int
    raised_to_minimum: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"stratum": self.stratum, "population": self.population, "quota": self.quota,
                "drawn": self.drawn, "raised_to_minimum": self.raised_to_minimum}

    @classmethod
    def from_dict(cls, row: Any, sample: str) -> AllocationRow:
        """A row as stored (the sample's strata JSON); StoreError naming the sample when it is malformed."""
        try:
            return cls(str(row["stratum"]), int(row["population"]), float(row["quota"]), int(row["drawn"]),
                       bool(row.get("raised_to_minimum", False)))
        except (TypeError, KeyError, ValueError, AttributeError):
            raise StoreError(f"sample '{sample}': a stored allocation row is malformed; expected stratum, "
                             f"population, quota and drawn, got {sorted(row) if isinstance(row, dict) else type(row).__name__}") from None


@dataclass(frozen=True)
class Allocation:
    """The places of a sample per stratum (see the module docstring for the rule)."""

    target: int
    strata: tuple[StratumAllocation, ...]

    @property
    def total(self) -> int:
        return sum(s.drawn for s in self.strata)

    @property
    def grown_by(self) -> int:
        """Transcripts beyond the target that the one-per-stratum minimum added."""
        return max(0, self.total - self.target)

    def drawn(self, stratum: str) -> int:
        return next(s.drawn for s in self.strata if s.stratum == stratum)


def allocate(sizes: dict[str, int], total: int, minimum: int = 1) -> Allocation:
    """Allocate ``total`` places across strata: largest remainder, at least ``minimum`` (0 or 1) each.

    Parameters
    ----------
    sizes : dict of str to int
        Transcripts per stratum; strata of size 0 get nothing.
    total : int
        Places to allocate (``ceil(fraction * N)``).

    Examples
    --------
    The example study: 34 transcripts in four roles, 10% -> 4 places; the two small
    roles are raised to one and the two large ones share the other two:

    >>> a = allocate({"law_enforcement": 12, "other": 2, "prosecutor": 8, "service_provider": 12}, 4)
    >>> [(s.stratum, s.drawn) for s in a.strata], a.total
    ([('law_enforcement', 1), ('other', 1), ('prosecutor', 1), ('service_provider', 1)], 4)

    Plain largest remainder (quotas 3.5, 2.1, 1.4 for 7 places -> 3, 2, 1, then the
    largest fraction, 0.5, takes the last place):

    >>> [s.drawn for s in allocate({"a": 50, "b": 30, "c": 20}, 7).strata]
    [4, 2, 1]

    Without the minimum the total is the target; a small stratum may get nothing (quotas
    1.41, 0.24, 0.94, 1.41: floors 1, 0, 0, 1; the two places left go to 0.94 and to the
    tie at 0.41, broken by size, then name):

    >>> a = allocate({"law_enforcement": 12, "other": 2, "prosecutor": 8, "service_provider": 12}, 4, minimum=0)
    >>> [(s.stratum, s.drawn) for s in a.strata], a.total
    ([('law_enforcement', 2), ('other', 0), ('prosecutor', 1), ('service_provider', 1)], 4)
    """
    if total < 0:
        raise AgreementError(f"a sample needs a non-negative number of places; received {total}")
    present = {name: size for name, size in sizes.items() if size > 0}
    if total > sum(present.values()):
        raise AgreementError(f"cannot draw {total} transcripts from {sum(present.values())}")
    if minimum not in (0, 1):
        raise AgreementError(f"the per-stratum minimum is 0 or 1; received {minimum}")
    places = max(total, len(present)) if minimum else total
    raised, pool = _raise_small_strata(present, places) if minimum else (set(), present)
    drawn = _largest_remainder(pool, places - len(raised))
    quotas = _quotas(present, total)
    strata = tuple(
        StratumAllocation(name, sizes[name], quotas.get(name, Fraction(0)),
                          1 if name in raised else drawn.get(name, 0), raised_to_minimum=name in raised)
        for name in sorted(sizes)
    )
    return Allocation(total, strata)


def _quotas(sizes: dict[str, int], places: int) -> dict[str, Fraction]:
    population = sum(sizes.values())
    return {name: Fraction(places * size, population) for name, size in sizes.items()} if population else {}


def _raise_small_strata(sizes: dict[str, int], places: int) -> tuple[set[str], dict[str, int]]:
    """Strata whose quota is below one get one place; repeat on the rest until none is."""
    raised: set[str] = set()
    pool = dict(sizes)
    while pool:
        quotas = _quotas(pool, places - len(raised))
        small = {name for name, quota in quotas.items() if quota < 1}
        if not small:
            break
        raised |= small
        pool = {name: size for name, size in pool.items() if name not in small}
    return raised, pool


def _largest_remainder(sizes: dict[str, int], places: int) -> dict[str, int]:
    quotas = _quotas(sizes, places)
    drawn = {name: math.floor(quota) for name, quota in quotas.items()}
    left = places - sum(drawn.values())
    by_remainder = sorted(quotas, key=lambda name: (-(quotas[name] - drawn[name]), -sizes[name], name))
    for name in by_remainder[:left]:
        drawn[name] += 1
    return drawn
