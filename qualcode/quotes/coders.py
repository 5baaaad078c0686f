"""Whose codings a quote set (or a tally) reads when no coder is named.

``default_coder`` is shared policy (tallies use the same rule); it lives here until
the lead moves it to a shared module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from qualcode.project import Project

CONSENSUS = "consensus"


def coders_with_codings(project: Project) -> list[str]:
    """Coders that have at least one (non-orphaned) coding, sorted."""
    from sqlalchemy import select

    from qualcode.store.schema import codings

    with project.read() as conn:
        query = select(codings.c.coder).where(codings.c.orphaned.is_(False)).distinct()
        return sorted(conn.execute(query).scalars())


def default_coder(project: Project) -> str:
    """``consensus`` if it has codings, else the only coder, else an error listing coders.

    Raises
    ------
    NotFoundError
        No codings at all, or several coders and none of them ``consensus``.
    """
    coders = coders_with_codings(project)
    if CONSENSUS in coders:
        return CONSENSUS
    if len(coders) == 1:
        return coders[0]
    if not coders:
        raise NotFoundError("The project has no codings yet; code transcripts first (qualcode tag/autocode)")
    raise NotFoundError(
        f"Several coders and no '{CONSENSUS}' codings; choose one with --coder: {', '.join(coders)}"
    )


def check_coder(project: Project, coder: str) -> str:
    """``coder`` if it has codings; NotFoundError listing the coders that do."""
    coders = coders_with_codings(project)
    if coder not in coders:
        known = ", ".join(coders) if coders else "none yet"
        raise NotFoundError(f"Coder '{coder}' has no codings; coders with codings: {known}")
    return coder
