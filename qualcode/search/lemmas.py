"""The autocoder's match keys (qualcode/coding/autocode/lemmas.py), loaded fast.

Search keys words exactly as the autocoder does (same lookup table, same plural and
``-al`` family steps: ``LemmaIndex._key``), but reads spaCy's English lookup table
straight from spacy-lookups-data instead of building a spaCy pipeline: importing
spaCy costs about a second, which alone would break the one-second first page.
tests/search/test_lemmas.py checks that both give the same keys.
"""

from __future__ import annotations

import re
from functools import cache

from qualcode.coding.autocode.lemmas import LemmaIndex

# A word: letters/digits; apostrophes and hyphens split words ("there's" -> there, s),
# so "survivor's" is found by "survivor".
WORD = re.compile(r"[^\W_]+")
MAX_KEY = 200  # the index's key column; a longer "word" (a run of digits, a URL) is cut


class TableLemmas(LemmaIndex):
    """A :class:`LemmaIndex` over a plain lookup dict (no spaCy pipeline)."""

    def __init__(self, table: dict[str, str]) -> None:
        from functools import lru_cache

        self._table = table
        self._known = frozenset(table.values())
        self.key = lru_cache(maxsize=None)(self._key)


@cache
def lemmas() -> TableLemmas:
    """The shared key function (loaded once per process, ~0.1 s)."""
    import gzip
    import json
    from importlib import resources

    data = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    return TableLemmas(json.loads(gzip.decompress(data.read_bytes())))


def key(word: str) -> str:
    """The match key of one word (lowercased, lemma, derivational family)."""
    return lemmas().key(word)[:MAX_KEY]


def words(text: str) -> list[str]:
    return WORD.findall(text)
