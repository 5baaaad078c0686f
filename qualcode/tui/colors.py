"""Code colours: the codebook's ``color`` when set, else a stable palette colour.

A code without its own colour takes its nearest ancestor's, so a family of codes
reads as one colour; codes with no coloured ancestor get a palette colour chosen by
a checksum of the id (stable across runs, unlike ``hash()``).
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.codebook import Codebook

# Readable on dark and light backgrounds (Tableau 10 and a few more).
PALETTE = (
    "#4E79A7", "#F28E2B", "#E15759", "#76B7B2", "#59A14F", "#EDC948",
    "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC", "#17BECF", "#BCBD22",
)


def palette_color(code_id: str) -> str:
    """The palette colour for a code id; the same id always gets the same colour."""
    return PALETTE[zlib.crc32(code_id.encode("utf-8")) % len(PALETTE)]


def code_color(codebook: Codebook, code_id: str) -> str:
    """``#RRGGBB`` for a code: its own colour, an ancestor's, or the palette's.

    Codes no longer in the codebook (codings made under an older version) still get
    a palette colour rather than an error.
    """
    code = codebook.codes.get(code_id)
    while code is not None:
        if code.color:
            return code.color
        code = codebook.codes.get(code.parent) if code.parent else None
    return palette_color(code_id)
