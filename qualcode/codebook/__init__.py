"""Codebooks: role-keyed code trees in YAML, validated on load, versioned in the store.

Public API::

    from qualcode.codebook import load_codebook, parse_codebook, default_codebook_text
    codebook = load_codebook("codebooks/ecm.yaml")
    codebook.codes_for("prosecutor")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.codebook.defaults import DEFAULT_ROLES, default_codebook_text
from qualcode.codebook.model import (
    Code,
    Codebook,
    FuzzyTerm,
    NearPair,
    Role,
    Rules,
    text_hash,
)

if TYPE_CHECKING:
    from qualcode.codebook.loader import load_codebook, parse_codebook

__all__ = [
    "DEFAULT_ROLES",
    "Code",
    "Codebook",
    "FuzzyTerm",
    "NearPair",
    "Role",
    "Rules",
    "default_codebook_text",
    "load_codebook",
    "parse_codebook",
    "text_hash",
]


def __getattr__(name: str) -> Any:
    # The loader imports PyYAML; commands that find the codebook in its cache
    # (qualcode.codebook.cache) never need it, so it is imported on first use.
    if name in ("load_codebook", "parse_codebook"):
        from qualcode.codebook import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'qualcode.codebook' has no attribute {name!r}")
