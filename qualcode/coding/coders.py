"""Whose codings a tally, quote set or report reads when no coder is named.

One rule for every reader: the named coder (who must have codings); else
``consensus`` when it has codings; else the only coder with codings; else an error
listing the coders, because silently picking one would make the numbers ambiguous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError

if TYPE_CHECKING:
    from sqlalchemy import Connection

CONSENSUS = "consensus"


def coders_with_codings(conn: Connection) -> list[str]:
    """Coders with at least one coding (one indexed EXISTS per coder), sorted."""
    from sqlalchemy import exists, select

    from qualcode.store.schema import coders, codings

    has_codings = exists().where(codings.c.coder == coders.c.name, codings.c.orphaned.is_(False))
    query = select(coders.c.name).where(has_codings).order_by(coders.c.name)
    return list(conn.execute(query).scalars())


def resolve_coder(conn: Connection, requested: str | None = None) -> str:
    """The coder whose codings are read (see the module's rule)."""
    known = coders_with_codings(conn)
    if requested:
        if requested not in known:
            listed = ", ".join(known) if known else "none yet"
            raise NotFoundError(f"No codings by coder '{requested}'. Coders with codings: {listed}")
        return requested
    if CONSENSUS in known:
        return CONSENSUS
    if len(known) == 1:
        return known[0]
    if not known:
        raise NotFoundError("The project has no codings yet; code transcripts first (qualcode tag/autocode)")
    raise NotFoundError(
        f"Codings by several coders ({', '.join(known)}) and none named '{CONSENSUS}'; "
        "choose whose codings to use with --coder NAME"
    )
