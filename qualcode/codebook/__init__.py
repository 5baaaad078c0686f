"""Codebooks: role-keyed code trees in YAML, validated on load, versioned in the store.

Public API::

    from qualcode.codebook import load_codebook, parse_codebook, default_codebook_text
    codebook = load_codebook("codebooks/ecm.yaml")
    codebook.codes_for("prosecutor")
"""

from qualcode.codebook.defaults import DEFAULT_ROLES, default_codebook_text
from qualcode.codebook.loader import load_codebook, parse_codebook
from qualcode.codebook.model import (
    Code,
    Codebook,
    FuzzyTerm,
    NearPair,
    Role,
    Rules,
    text_hash,
)

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
