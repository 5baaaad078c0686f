"""Coders: who may act (created deliberately, names validated) and whose codings a
tally, quote set or report reads when no coder is named.

Reading rule: one rule for every reader: the named coder (who must have codings); else
``consensus`` when it has codings; else the only coder with codings; else an error
listing the coders, because silently picking one would make the numbers ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import CodingError, NotFoundError

# The store is imported inside the functions that read it: this module's names and
# rules are imported by tallies, quotes and reports, which must load without
# SQLAlchemy (tests/tally/test_charts.py checks it).

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from qualcode.project import Project

CONSENSUS = "consensus"


def coders_with_codings(conn: Connection) -> list[str]:
    """Coders with at least one coding (one indexed EXISTS per coder), sorted."""
    from qualcode.store.codings import coders_with_codings as with_codings

    return with_codings(conn)


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


# -- who may act: coders are created deliberately, never by a typo ---------------

NAME_RULE = r"[A-Za-z][A-Za-z0-9_.-]{0,39}"
NAME_RULE_TEXT = (
    "1 to 40 characters: a letter first, then letters, digits, '_', '-' or '.' (no spaces)"
)
AUTOCODER = "autocoder"
"""The built-in coder ``autocode --as`` creates on first use (any other name must exist)."""


@dataclass(frozen=True)
class CoderAdded:
    """What ``qualcode coders add`` did."""

    name: str
    created: bool

    def to_dict(self) -> dict:
        return {"name": self.name, "created": self.created}


@dataclass(frozen=True)
class CoderInfo:
    """One row of ``qualcode coders list``."""

    name: str
    created_at: str
    codings: int

    def to_dict(self) -> dict:
        return {"name": self.name, "created_at": self.created_at, "codings": self.codings}


def check_coder_name(name: str) -> str:
    """The name, stripped, if it is a valid new coder name; else a CodingError saying what is allowed."""
    import re

    cleaned = (name or "").strip()
    if not re.fullmatch(NAME_RULE, cleaned):
        raise CodingError(f"Invalid coder name {cleaned[:60]!r}: a coder name is {NAME_RULE_TEXT}")  # repr: one line
    return cleaned


def require_coder(conn: Connection, name: str) -> None:
    """Lock a known coder for this transaction, or refuse an unknown one with the closest names.

    Every action of a coder (tag, untag, memo, accept, reject, undo, redo, codings
    import, ``autocode --as``) goes through here, so a typo never starts a new coder.
    """
    from qualcode.store.access import lock_coder
    from qualcode.store.codings import coder_names

    if lock_coder(conn, name):
        return
    known = coder_names(conn)
    if name in known:
        # Team mode: the coder exists but this login may not lock (or write) its row;
        # the database's row-level security refuses the write itself, with its reason.
        return
    raise CodingError(unknown_coder_message(name, known))


def check_known_coder(conn: Connection, name: str) -> None:
    """Refuse an unknown coder without locking (for readers such as the coding screen's start)."""
    from qualcode.store.codings import coder_names

    known = coder_names(conn)
    if name not in known:
        raise CodingError(unknown_coder_message(name, known))


def unknown_coder_message(name: str, known: list[str]) -> str:
    """``Unknown coder 'alcie'; did you mean 'alice'?; known coders: ... (how to add one)``."""
    return f"Unknown coder {name[:60]!r}{_closest(name, known)}; {_how_to_add(known)}"


def add_coder(project: Project, name: str) -> CoderAdded:
    """Create a coder (``qualcode coders add``); adding an existing one changes nothing."""
    from qualcode.store.codings import ensure_coder

    cleaned = check_coder_name(name)
    with project.write() as conn:
        created = ensure_coder(conn, cleaned)
    return CoderAdded(cleaned, created)


def list_coders(project: Project) -> list[CoderInfo]:
    from qualcode.store.codings import coder_rows

    with project.read() as conn:
        rows = coder_rows(conn)
    return [CoderInfo(r["name"], r["created_at"].isoformat()[:19], r["codings"]) for r in rows]


def _closest(name: str, known: list[str]) -> str:
    if not known:
        return ""
    from rapidfuzz import fuzz, process

    close = [c for c, score, _ in process.extract(name, known, scorer=fuzz.ratio, limit=3) if score >= 60]
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def _how_to_add(known: list[str]) -> str:
    listed = ", ".join(known[:20]) + (" ..." if len(known) > 20 else "") if known else "none yet"
    return f"known coders: {listed}. A new coder is added with 'qualcode coders add NAME'"
