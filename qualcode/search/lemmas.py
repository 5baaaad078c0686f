"""The autocoder's match keys (qualcode/coding/autocode/lemmas.py), loaded fast.

Search keys words exactly as the autocoder does: the same :class:`LemmaIndex` over
spaCy's English lookup table, read straight from spacy-lookups-data
(:meth:`LemmaIndex.english`), as the autocoder reads it, with no spaCy pipeline:
importing spaCy costs about a second, which alone would break the one-second first page.
tests/search/test_index.py (test_keys_are_the_autocoders) checks them against spaCy's lemmatizer.
"""

from __future__ import annotations

import re
from functools import cache

from qualcode.coding.autocode.lemmas import LemmaIndex

# A word: letters/digits; apostrophes and hyphens split words ("there's" -> there, s),
# so "survivor's" is found by "survivor".
WORD = re.compile(r"[^\W_]+")
MAX_KEY = 200  # the index's key column; a longer "word" (a run of digits, a URL) is cut


@cache
def lemmas() -> LemmaIndex:
    """The shared key function (loaded once per process, ~0.1 s)."""
    return LemmaIndex.english()


def key(word: str) -> str:
    """The match key of one word (lowercased, lemma, derivational family)."""
    return lemmas().key(word)[:MAX_KEY]


def words(text: str) -> list[str]:
    return WORD.findall(text)
