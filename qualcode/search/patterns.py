"""Reading a search PATTERN: terms joined by ``NEAR/n``, each matched by mode.

Modes (``qualcode search --phrase/--regex/--fuzzy``; lemma by default):

- ``lemma``: every word by its match key, so "housing" finds house, houses, housed;
  several words are a phrase of keys ("t visa" finds "T visas");
- ``phrase``: the exact words (case-insensitive), in order, separated only by spaces;
- ``fuzzy``: each word matches indexed words within a rapidfuzz ratio (misspelled
  names: "Rodriguez" finds "Rodrigues"); several words are a phrase;
- ``regex``: a Python regular expression over the text of each turn (not indexed:
  it reads every selected turn).

``A NEAR/n B`` (lemma, phrase, fuzzy): A and B in the same turn with at most n words
between them, in either order; chains (``A NEAR/3 B NEAR/5 C``) apply left to right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.search.index import SearchError
from qualcode.search.lemmas import key, words

MODES = ("lemma", "phrase", "regex", "fuzzy")
NEAR = re.compile(r"\s+NEAR/(\d+)\s+")
FUZZY_DEFAULT = 85


@dataclass(frozen=True)
class Term:
    """A run of words matched in order; ``words`` as typed, ``keys`` as matched."""

    words: tuple[str, ...]
    keys: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Pattern:
    text: str
    mode: str
    terms: tuple[Term, ...] = ()
    distances: tuple[int, ...] = ()  # distances[i] joins terms[i] and terms[i + 1]
    regex: re.Pattern | None = None


def parse_pattern(text: str, mode: str = "lemma", *, vocabulary=None, threshold: int = FUZZY_DEFAULT) -> Pattern:
    """Parse PATTERN; ``vocabulary`` (the indexed keys) is needed for fuzzy matching."""
    if mode not in MODES:
        raise SearchError(f"Unknown match mode '{mode}'; modes: {', '.join(MODES)}")
    if not text.strip():
        raise SearchError("Empty search pattern; give a word, a phrase or a regular expression")
    if mode == "regex":
        return Pattern(text, mode, regex=_compile(text))
    pieces = NEAR.split(f" {text.strip()} ")
    term_texts, distances = pieces[0::2], tuple(int(d) for d in pieces[1::2])
    terms = tuple(_term(t, mode, vocabulary, threshold, text) for t in term_texts)
    return Pattern(text, mode, terms, distances)


def _term(text: str, mode: str, vocabulary, threshold: int, whole: str) -> Term:
    found = words(text)
    if not found:
        where = whole.find(text.strip()) if text.strip() else 0
        raise SearchError(f"pattern position {max(where, 0) + 1}: expected a word (before or after NEAR/n)")
    if mode == "fuzzy":
        keys = tuple(_fuzzy_keys(w, vocabulary or [], threshold) for w in found)
    else:
        keys = tuple(frozenset({key(w)}) for w in found)
    return Term(tuple(found), keys)


def _fuzzy_keys(word: str, vocabulary, threshold: int) -> frozenset[str]:
    """Indexed keys within ``threshold`` (0-100, rapidfuzz ratio) of the word or its key."""
    from rapidfuzz import fuzz, process

    if not 0 < threshold <= 100:
        raise SearchError(f"--threshold {threshold} is not a similarity in 1..100")
    wanted = {word.lower(), key(word)}
    found = {key(word)}
    for target in wanted:
        for match, _score, _ in process.extract(target, vocabulary, scorer=fuzz.ratio,
                                                score_cutoff=threshold, limit=None):
            found.add(match)
    return frozenset(found)


def _compile(text: str) -> re.Pattern:
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as error:
        position = f"position {error.pos + 1}: " if error.pos is not None else ""
        raise SearchError(f"bad regular expression: {position}{error.msg}") from None
