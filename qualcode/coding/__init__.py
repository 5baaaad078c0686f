"""Codings, the event log (undo/redo), re-anchoring, autocoding and suggestions.

The public API is named here (``__all__``) and loaded on first use: tallies, quotes
and reports import parts of this package (the coder rules) and must not pay for the
store's SQLAlchemy, so importing ``qualcode.coding`` itself loads nothing.

- actions: :class:`CodingSession` (tag, untag, memo, accept, reject, undo, redo) and
  the frozen :class:`ActionResult` each returns, with its typed rows
  (:class:`StoredCoding`, :class:`DecisionChange`, :class:`MarkChange`, :class:`MemoChange`);
- coders: :func:`add_coder`, :func:`list_coders`, :func:`resolve_coder`,
  :func:`require_coder`, :data:`CONSENSUS`, :data:`AUTOCODER`;
- readers: :func:`list_codings`, :func:`list_orphans`, :func:`progress`, :func:`event_log`;
- blind double coding: :class:`Viewer`, :func:`viewer_of`, :func:`guard`,
  :func:`close_sample`, :class:`BlindError`;
- which transcript to open: :func:`next_transcript`, :func:`transcript_choices`;
- suggestions: :class:`Suggestion`, :func:`load_suggesters`, :func:`register_suggester`,
  :func:`list_suggestions`; the learned model (:func:`train`, :func:`predict_and_store`);
  the autocoder is the subpackage :mod:`qualcode.coding.autocode`.
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {
    "ActionResult": "qualcode.coding.actions",
    "DecisionChange": "qualcode.coding.actions",
    "MarkChange": "qualcode.coding.actions",
    "MemoChange": "qualcode.coding.actions",
    "StoredCoding": "qualcode.coding.actions",
    "CodingSession": "qualcode.coding.session",
    "AUTOCODER": "qualcode.coding.coders",
    "CONSENSUS": "qualcode.coding.coders",
    "add_coder": "qualcode.coding.coders",
    "list_coders": "qualcode.coding.coders",
    "require_coder": "qualcode.coding.coders",
    "resolve_coder": "qualcode.coding.coders",
    "event_log": "qualcode.coding.listing",
    "list_codings": "qualcode.coding.listing",
    "list_orphans": "qualcode.coding.listing",
    "progress": "qualcode.coding.listing",
    "BlindError": "qualcode.coding.blind",
    "Viewer": "qualcode.coding.blind",
    "close_sample": "qualcode.coding.blind",
    "guard": "qualcode.coding.blind",
    "viewer_of": "qualcode.coding.blind",
    "next_transcript": "qualcode.coding.assignments",
    "transcript_choices": "qualcode.coding.assignments",
    "Suggestion": "qualcode.coding.suggestion",
    "load_suggesters": "qualcode.coding.suggesters",
    "register_suggester": "qualcode.coding.suggesters",
    "list_suggestions": "qualcode.coding.review_queue",
    "predict_and_store": "qualcode.coding.learn",
    "train": "qualcode.coding.learn",
}

__all__ = [
    "AUTOCODER",
    "CONSENSUS",
    "ActionResult",
    "BlindError",
    "CodingSession",
    "DecisionChange",
    "MarkChange",
    "MemoChange",
    "StoredCoding",
    "Suggestion",
    "Viewer",
    "add_coder",
    "close_sample",
    "event_log",
    "guard",
    "list_coders",
    "list_codings",
    "list_orphans",
    "list_suggestions",
    "load_suggesters",
    "next_transcript",
    "predict_and_store",
    "progress",
    "register_suggester",
    "require_coder",
    "resolve_coder",
    "train",
    "transcript_choices",
    "viewer_of",
]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'qualcode.coding' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
