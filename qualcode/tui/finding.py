"""Finding text inside the open transcript (the coding screen's ``f``).

Case-insensitive and literal; a space in the query matches any run of whitespace (plain
transcripts are hard-wrapped). Only speech is searched — never speaker labels or the
preamble — so every match lies inside one turn and can be selected and coded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.transcripts.model import Segment


def find_matches(text: str, segments: Sequence[Segment], query: str) -> list[tuple[int, int, int]]:
    """``(ordinal, start, end)`` of every match of ``query``, in transcript order.

    >>> from qualcode.transcripts.model import Turn, render
    >>> text, segs = render([Turn("I", "Any housing?"), Turn("R", "Housing is\\nhard. HOUSING.")], {"I"})
    >>> [(o, text[s:e]) for o, s, e in find_matches(text, segs, "housing is hard")]
    [(2, 'Housing is\\nhard')]
    """
    words = query.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    return [
        (segment.ordinal, m.start(), m.end())
        for segment in segments
        for m in pattern.finditer(text, segment.start, segment.end)
    ]
