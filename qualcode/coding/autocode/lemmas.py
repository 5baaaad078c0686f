"""Word match keys: spaCy's lookup lemma, then the lemma's derivational family.

The autocoder compares words by *match key*, never by surface form, so a rule term
written as a lemma ("referral") finds its inflections and close derivations:

1. the word is lowercased and its typographic apostrophe made straight (’s -> 's);
2. its lemma is looked up in spaCy's English lookup table (spacy-lookups-data, the
   table the ``lemmatizer`` component uses in ``lookup`` mode): referrals -> referral,
   referred -> refer, housing -> house; a word absent from the table is its own lemma;
3. a lemma of 7+ letters ending in ``-al`` whose base is itself a known lemma (a value
   of the lookup table) is reduced to that base: referral -> refer, arrival -> arrive,
   approval -> approve, dismissal -> dismiss. Bases that are not words are left alone
   (hospital, criminal, federal stay as they are), so "goal" never becomes "go".

A regular plural goes one step further, to where its singular goes: the table sends
trainings -> training but training -> train, agendas -> agenda but agenda -> agendum,
so without that step a term would miss its own plural. Other lemma chains in the table
are left alone (rose -> rise stays, since rose is not a plural of rise).

Step 3 is what makes "referral", "referrals", "referred" and "referring" one family:
the lookup table alone sends the nouns to ``referral`` and the verbs to ``refer``.
Rule terms and transcript words go through the same function.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import Lemmatizer

NOMINAL_SUFFIX = "al"
MIN_NOMINAL_LENGTH = 7
NO_UNDOUBLE = set("aeiouls")


def make_nlp() -> Language:
    """A blank English pipeline with the lookup lemmatizer (no model download)."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def make_matcher_nlp() -> Language:
    """spaCy's blank English tokenizer, whose new word forms get only the lexical attributes the matcher reads.

    spaCy computes some twenty attributes (shape, prefix, like_url, is_stop...) in Python
    for every word form it has not seen; the matcher reads a word's lowercase form and
    whether it is punctuation or whitespace. Tokens are the same: the tokenizer splits
    by its rules and special cases, never by these attributes. No lemmatizer: the
    matcher only tokenizes, and reads the lookup table itself (:meth:`LemmaIndex.english`),
    which spares building spaCy's copy of it (0.05-0.1 s a run).
    """
    import spacy
    from spacy.attrs import IS_PUNCT, IS_SPACE, LANG, LOWER

    nlp = spacy.blank("en")
    read = (LOWER, IS_PUNCT, IS_SPACE, LANG)  # LANG: spaCy reads the vocab's language from it
    vocab: Any = nlp.vocab  # lex_attr_getters: a plain attribute spaCy's stubs leave out
    vocab.lex_attr_getters = {k: v for k, v in vocab.lex_attr_getters.items() if k in read}
    return nlp


def english_lemma_table() -> dict[str, str]:
    """spaCy's English lookup table (spacy-lookups-data), read as a plain dict.

    The same file the ``lemmatizer`` component loads in ``lookup`` mode, without spaCy's
    ``Table`` around it (which hashes every key on the way in and on every lookup).
    """
    import gzip
    import json
    from importlib import resources

    data = resources.files("spacy_lookups_data") / "data" / "en_lemma_lookup.json.gz"
    return json.loads(gzip.decompress(data.read_bytes()))


class LemmaIndex:
    """Match keys of word forms, computed from the pipeline's lookup table and cached."""

    def __init__(self, nlp: Language) -> None:
        table = cast("Lemmatizer", nlp.get_pipe("lemmatizer")).lookups.get_table("lemma_lookup")
        self._setup(table)

    @classmethod
    def english(cls) -> LemmaIndex:
        """Over :func:`english_lemma_table`: the keys of :func:`make_nlp`'s lemmatizer, without a pipeline."""
        index = cls.__new__(cls)
        index._setup(english_lemma_table())
        return index

    def _setup(self, table: Mapping[str, str]) -> None:
        self._table = table
        self._known = frozenset(table.values())
        self.key = lru_cache(maxsize=None)(self._key)

    def lemma(self, form: str) -> str:
        """The lookup lemma of a lowercased, apostrophe-normalised form."""
        return self._table.get(form, form)

    def _key(self, form: str) -> str:
        form = normalise_form(form)
        lemma = self.lemma(form)
        if form in (lemma + "s", lemma + "es"):
            lemma = self.lemma(lemma)  # a plural goes where its singular goes: trainings -> train
        return family_key(lemma, self._known)


def normalise_form(text: str) -> str:
    """Lowercase with straight apostrophes: how every word is compared."""
    return text.lower().replace("\u2019", "'").replace("\u2018", "'")


def family_key(lemma: str, known: frozenset[str] | set[str]) -> str:
    """Reduce a ``-al`` nominalisation to its verb when that verb is a known lemma."""
    if len(lemma) < MIN_NOMINAL_LENGTH or not lemma.endswith(NOMINAL_SUFFIX):
        return lemma
    base = lemma[: -len(NOMINAL_SUFFIX)]
    candidates = [base, base + "e"]
    if base[-1] == base[-2] and base[-1] not in NO_UNDOUBLE:
        candidates.insert(0, base[:-1])  # referr-al -> refer
    for candidate in candidates:
        if candidate in known:
            return candidate
    return lemma
