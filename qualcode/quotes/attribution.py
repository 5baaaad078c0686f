"""Attribution lines: "—Prosecutor", "—Service provider, site C", "—Prosecutor, R07".

The role label comes from the codebook (``roles: {prosecutor: {label: Prosecutor}}``).
A respondent id is a pseudonym: never a name and never the speaker label. It is the
transcript's rank in a fixed pseudo-random order of the project's transcript ids
(sha256 of the optional ``[quotes] pseudonym_salt`` and the id), so it is stable while
the set of transcripts is unchanged, reveals nothing of the id (which may name the
site or role), and has as many digits as the project needs (at least two).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

DASH = "\u2014"


@dataclass(frozen=True)
class AttributionOptions:
    """What follows the role label."""

    site: bool = False
    respondent: bool = False


def respondent_ids(transcript_ids: Iterable[str], salt: str = "") -> dict[str, str]:
    """``{transcript_id: "R07"}`` for every transcript of the project.

    >>> respondent_ids(["le-a-01", "pros-b-02", "vsp-c-01"])
    {'le-a-01': 'R02', 'pros-b-02': 'R03', 'vsp-c-01': 'R01'}
    """
    ids = sorted(set(transcript_ids))
    shuffled = sorted(ids, key=lambda t: (hashlib.sha256(f"{salt}\x00{t}".encode()).hexdigest(), t))
    width = max(2, len(str(len(ids))))
    ranks = {tid: f"R{rank:0{width}d}" for rank, tid in enumerate(shuffled, start=1)}
    return {tid: ranks[tid] for tid in ids}


def attribution_line(role_label: str, *, site: str | None = None, respondent: str | None = None) -> str:
    """The line printed under a quote.

    >>> attribution_line("Prosecutor", site="C")
    '—Prosecutor, site C'
    >>> attribution_line("Law enforcement official", respondent="R07")
    '—Law enforcement official, R07'
    """
    parts = [role_label]
    if site:
        parts.append(f"site {site}")
    if respondent:
        parts.append(respondent)
    return DASH + ", ".join(parts)
