"""Transcripts: the model, importers (one module per format), and the import pipeline.

The public API is what the commands use, named in ``__all__``; each name is imported
from its module on first use (PEP 562), so importing this package loads nothing heavy.
"""

from __future__ import annotations

from importlib import import_module

_HOMES = {
    "BatchImportError": "importing", "ImportRequest": "importing", "expand_paths": "importing",
    "import_transcripts": "importing", "parse_attributes": "importing", "read_manifest": "importing",
    "corpus_summary": "reading", "list_transcripts": "reading", "show_transcript": "reading",
    "describe_removal": "corrections", "remove_transcript": "corrections", "restore_transcript": "corrections",
    "set_transcript": "corrections",
    "Segment": "model", "Transcript": "model", "Turn": "model",
    "split_sentences": "sentences",
}
__all__ = [
    "BatchImportError",
    "ImportRequest",
    "Segment",
    "Transcript",
    "Turn",
    "corpus_summary",
    "describe_removal",
    "expand_paths",
    "import_transcripts",
    "list_transcripts",
    "parse_attributes",
    "read_manifest",
    "remove_transcript",
    "restore_transcript",
    "set_transcript",
    "show_transcript",
    "split_sentences",
]


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
