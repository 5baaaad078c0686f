"""Autocoding: the codebook's rules applied with spaCy, and stored suggestions.

Importing this package is cheap (no spaCy, no scikit-learn). Its
:class:`StoredSuggester` serves the stored rule and model suggestions to the coding
screen (a built-in of :mod:`qualcode.coding.suggesters`). The work is in

- :mod:`.lemmas` and :mod:`.engine`: match keys and the rule matcher;
- :mod:`.parallel`: chunked matching on one or two processes;
- :mod:`.runner`: :func:`autocode`, the twin of ``qualcode autocode``;
- :mod:`.stored`: the suggestions table and :class:`StoredSuggester`.

The evaluation of rules, model and both is :mod:`qualcode.coding.evaluate`, above this
package and :mod:`qualcode.coding.learn` (which builds on :mod:`.runner`).

The names below load on first use (as in :mod:`qualcode.coding`): search keys words
with :mod:`.lemmas` and must not pay for the runner's store and blind-coding imports.
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {
    "AutocodeResult": "qualcode.coding.autocode.runner",
    "Proposal": "qualcode.coding.autocode.runner",
    "autocode": "qualcode.coding.autocode.runner",
    "StoredSuggester": "qualcode.coding.autocode.stored",
}

__all__ = ["AutocodeResult", "Proposal", "StoredSuggester", "autocode"]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'qualcode.coding.autocode' has no attribute {name!r}")
    return getattr(importlib.import_module(_API[name]), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
