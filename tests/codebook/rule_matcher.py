"""A small reference implementation of the documented ``rules`` semantics (docs/codebook.md).

Used only by the tests to check that the ECM codebook's rules find the seed report's
quotes; the real autocoder lives in qualcode.coding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str  # lowercased surface form
    lemma: str  # lowercased lemma
    start: int  # character offset


def make_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def words_of(nlp, text: str) -> list[Word]:
    return [Word(t.lower_, t.lemma_.lower(), t.idx) for t in nlp(text) if not (t.is_punct or t.is_space)]


def phrase_positions(nlp, words: list[Word], phrase: str) -> list[int]:
    wanted = [w.text for w in words_of(nlp, phrase)]
    hits = []
    for i in range(len(words) - len(wanted) + 1):
        window = words[i : i + len(wanted)]
        if all(w in (tok.text, tok.lemma) for w, tok in zip(wanted, window, strict=True)):
            hits.append(i)
    return hits


def fuzzy_positions(nlp, words: list[Word], term: str, min_score: int) -> list[int]:
    from rapidfuzz import fuzz

    size = len(words_of(nlp, term))
    target = term.lower()
    return [
        i
        for i in range(len(words) - size + 1)
        if fuzz.ratio(target, " ".join(w.text for w in words[i : i + size])) >= min_score
    ]


def regex_positions(words: list[Word], text: str, pattern: str) -> list[int]:
    hits = []
    for match in re.finditer(pattern, text, re.IGNORECASE):
        index = next((i for i, w in enumerate(words) if w.start >= match.start()), len(words) - 1)
        hits.append(index)
    return hits


def code_matches(nlp, rules, text: str) -> bool:
    words = words_of(nlp, text)
    hits: list[int] = []
    for phrase in rules.phrases:
        hits += phrase_positions(nlp, words, phrase)
    for pattern in rules.regex:
        hits += regex_positions(words, text, pattern)
    for fuzzy in rules.fuzzy:
        hits += fuzzy_positions(nlp, words, fuzzy.term, fuzzy.min_score)
    for pair in rules.near:
        first = phrase_positions(nlp, words, pair.terms[0])
        second = phrase_positions(nlp, words, pair.terms[1])
        hits += [min(a, b) for a in first for b in second if abs(a - b) <= pair.within]
    vetoes = [p for phrase in rules.exclude for p in phrase_positions(nlp, words, phrase)]
    if rules.exclude_within is None and vetoes:
        return False
    return any(all(abs(hit - veto) > rules.exclude_within for veto in vetoes) for hit in hits)


def matching_codes(nlp, codebook, text: str, role: str) -> list[str]:
    return [c.id for c in codebook.codes_for(role) if code_matches(nlp, c.rules, text)]
