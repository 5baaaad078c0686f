"""The coder a quote set is asked for, checked by the shared rule of :mod:`qualcode.coding.coders`.

A quote set reads the analysis set unless ``--coder`` names one coder (``quoteset._whose``);
:func:`check_coder` refuses a named coder with no codings. :func:`default_coder` applies
the rule ``query`` and ``matrix`` default to (consensus, else the only coder), for callers of
the package API; the quote set itself does not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.coding.coders import CONSENSUS, resolve_coder

if TYPE_CHECKING:
    from qualcode.project import Project

__all__ = ["CONSENSUS", "check_coder", "default_coder"]


def default_coder(project: Project) -> str:
    """``consensus`` if it has codings, else the only coder, else an error listing coders."""
    with project.read() as conn:
        return resolve_coder(conn)


def check_coder(project: Project, coder: str) -> str:
    """``coder`` if it has codings; NotFoundError listing the coders that do."""
    with project.read() as conn:
        return resolve_coder(conn, coder)
