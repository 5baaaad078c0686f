"""What a tally counts: whose codings, which transcripts, grouped how.

A tally always counts ONE coder's codings (``resolve_coder``), over the transcripts
selected by role and site (``select_transcripts``), split into groups by a
:class:`Dimension`: the transcript's role, its site, one of its attributes, or
nothing (one group, "All").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.coding.coders import resolve_coder  # noqa: F401 (tally.selection.resolve_coder)
from qualcode.errors import NotFoundError, QualcodeError

if TYPE_CHECKING:
    from qualcode.codebook import Codebook
    from qualcode.store.handles import Connection
    from qualcode.store.tally import TranscriptInfo

COUNT_TYPES = ("references", "transcripts", "sites")
ALL_GROUP = "All"
MISSING_VALUE = "(none)"


class TallyError(QualcodeError):
    """A tally or crosstab that cannot be computed as asked (bad option, no coder)."""


@dataclass(frozen=True)
class Dimension:
    """How transcripts are grouped: ``all``, ``role``, ``site`` or ``attr`` (with ``name``)."""

    kind: str
    name: str | None = None

    @property
    def spec(self) -> str:
        """The spelling a user types for this dimension (``role``, ``attr:region``)."""
        return f"attr:{self.name}" if self.kind == "attr" else self.kind

    def value(self, transcript: TranscriptInfo) -> str:
        if self.kind == "role":
            return transcript.role
        if self.kind == "site":
            return transcript.site
        if self.kind == "attr":
            found = transcript.attributes.get(self.name or "")  # an attr dimension is named
            return MISSING_VALUE if found in (None, "") else str(found)
        return ALL_GROUP


NO_GROUPS = Dimension("all")


def parse_dimension(text: str | None) -> Dimension:
    """``None``/``all`` -> one group; ``role``; ``site``; ``attr:NAME`` or a bare ``NAME``."""
    if text is None or text.strip().casefold() in ("", "all", "none"):
        return NO_GROUPS
    spec = text.strip()
    if spec.casefold() in ("role", "site"):
        return Dimension(spec.casefold())
    name = spec[5:] if spec.casefold().startswith("attr:") else spec
    if not name:
        raise TallyError(f"'{text}' names no attribute; write attr:NAME (e.g. attr:region)")
    return Dimension("attr", name)


def check_count_type(count: str) -> str:
    if count not in COUNT_TYPES:
        raise TallyError(f"Unknown count '{count}'; counts: {', '.join(COUNT_TYPES)}")
    return count


# -- transcripts ----------------------------------------------------------------


def load_transcripts(conn: Connection, *, attributes: bool = True) -> list[TranscriptInfo]:
    """Every transcript's id, role, site and attributes (empty when ``attributes`` is
    False: only grouping by an attribute reads them), sorted by id."""
    # The store loads SQLAlchemy: imported here so that importing qualcode.tally does not.
    from qualcode.store.tally import transcript_infos

    return transcript_infos(conn, attributes=attributes)


def select_transcripts(
    codebook: Codebook,
    infos: list[TranscriptInfo],
    roles: list[str] | None = None,
    sites: list[str] | None = None,
) -> list[TranscriptInfo]:
    """Transcripts of the given roles (keys, labels or aliases) and sites; all when empty."""
    role_keys = {codebook.resolve_role(r) for r in roles or []}
    wanted_sites = {s.strip() for s in sites or []}
    known_sites = {t.site for t in infos}
    unknown = sorted(wanted_sites - known_sites)
    if unknown:
        raise NotFoundError(
            f"Unknown site {', '.join(repr(s) for s in unknown)}; sites: {', '.join(sorted(known_sites))}"
        )
    return [
        t for t in infos
        if (not role_keys or t.role in role_keys) and (not wanted_sites or t.site in wanted_sites)
    ]


def check_dimension(dimension: Dimension, infos: list[TranscriptInfo]) -> None:
    """Refuse an attribute that no transcript has, listing the attributes there are."""
    if dimension.kind != "attr":
        return
    names = sorted({key for t in infos for key in t.attributes})
    if dimension.name not in names:
        listed = ", ".join(names) if names else "none"
        raise TallyError(
            f"No transcript has an attribute '{dimension.name}'; group by role, site or one of: {listed}"
        )


def ordered_groups(dimension: Dimension, infos: list[TranscriptInfo], codebook: Codebook) -> list[str]:
    """The groups present, in a stable order: roles as the codebook declares them, else sorted."""
    present = {dimension.value(t) for t in infos}
    if dimension.kind == "role":
        declared = [key for key in codebook.roles if key in present]
        return declared + sorted(present - set(declared))
    return sorted(present, key=natural_key)


def group_label(dimension: Dimension, value: str, codebook: Codebook) -> str:
    """Role groups print the codebook's role label ("Service provider"); others their value."""
    if dimension.kind == "role" and value in codebook.roles:
        return codebook.roles[value].label
    return value


def natural_key(text: str) -> tuple:
    """Sort "site 2" before "site 10"."""
    return tuple(int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text))
