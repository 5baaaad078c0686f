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
"""

from qualcode.coding.autocode.runner import AutocodeResult, Proposal, autocode
from qualcode.coding.autocode.stored import StoredSuggester

__all__ = ["AutocodeResult", "Proposal", "StoredSuggester", "autocode"]
