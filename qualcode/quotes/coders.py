"""Whose codings a quote set reads: the shared rule of :mod:`qualcode.coding.coders`."""

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
