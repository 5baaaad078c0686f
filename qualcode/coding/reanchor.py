"""Re-anchoring now lives in :mod:`qualcode.transcripts.reanchor`.

It keeps codings on the same words when a transcript's text is replaced, and the
transcript import (which sits below coding) runs it, so it moved down beside the
transcript model. This module re-exports it for existing callers.
"""

from __future__ import annotations

from qualcode.transcripts.reanchor import (
    MIN_COVERAGE,
    MIN_SIMILARITY,
    Anchoring,
    ReanchorReport,
    SpanMapper,
    align_words,
    reanchor_codings,
    word_key,
)

_word_key = word_key  # the old private name

__all__ = [
    "MIN_COVERAGE",
    "MIN_SIMILARITY",
    "Anchoring",
    "ReanchorReport",
    "SpanMapper",
    "align_words",
    "reanchor_codings",
    "word_key",
]
