"""The rule matcher: a codebook's ``rules:`` blocks applied to one unit of text.

Semantics (docs/codebook.md, docs/autocoding.md):

- Words are the tokens spaCy's English tokenizer makes, punctuation and whitespace
  left out; word positions count those words from 0. Words compare by match key
  (:mod:`qualcode.coding.autocode.lemmas`): lemma plus derivational family.
- ``phrases``: the term's words at consecutive positions.
- ``regex``: Python ``re`` on the raw text, case-insensitive; its position is the
  first word starting at or after the match.
- ``fuzzy``: a window of as many words as the term has whose lowercased text scores
  at least ``min_score`` with the term (rapidfuzz ``fuzz.ratio``).
- ``near``: both terms occur with first words at most ``within`` positions apart;
  the hit's position is the earlier one.
- ``exclude``: a hit whose position is within ``exclude_within`` positions of an
  exclude term's first word is vetoed; with ``exclude_within: segment`` any exclude
  term in the unit vetoes the code. The code matches if any hit survives.

spaCy and rapidfuzz are imported when a matcher is built, never at import time.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from qualcode.coding.autocode.lemmas import LemmaIndex, make_nlp

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from qualcode.codebook.model import Code

SKIP = object()  # cache marker: punctuation or whitespace, not a word
MISS = object()


class Hit(NamedTuple):
    """One rule that fired: where (character offsets in the unit), how strongly, why."""

    code_id: str
    kind: str  # phrase | regex | fuzzy | near
    rule: str  # readable, e.g. "phrase 'referral'"
    start: int
    end: int
    position: int  # word position used for exclusion distances
    score: float

    def evidence(self, text: str) -> dict:
        return {"rule": self.rule, "matched": text[self.start : self.end], "score": round(self.score, 3)}


@dataclass(frozen=True)
class CodeMatch:
    """A code the rules assign to a unit, with its surviving hits (best first)."""

    code_id: str
    hits: tuple[Hit, ...]

    @property
    def score(self) -> float:
        return self.hits[0].score

    @property
    def best(self) -> Hit:
        return self.hits[0]


@dataclass
class _CompiledCode:
    code_id: str
    phrases: list[int] = field(default_factory=list)  # term ids
    regex: list[tuple[str, re.Pattern, frozenset[str] | None]] = field(default_factory=list)
    fuzzy: list[int] = field(default_factory=list)  # fuzzy spec ids
    near: list[tuple[int, int, int]] = field(default_factory=list)  # term a, term b, within
    exclude: list[int] = field(default_factory=list)
    exclude_within: int | None = 10


@dataclass(frozen=True)
class _FuzzySpec:
    term: str
    target: str  # lowercased
    size: int  # words
    min_score: int


@dataclass
class _Occurrences:
    """Where each term (and each fuzzy spec) occurs: (position, first token, last token[, score])."""

    terms: dict[int, list[tuple[int, int, int]]]
    fuzzy: dict[int, list[tuple[int, int, int, float]]]


class RuleMatcher:
    """Compiled rules of some codes; match units of text with :meth:`match_text` or :meth:`match_texts`."""

    def __init__(self, codes: Iterable[Code], nlp: Language | None = None) -> None:
        self.nlp = nlp or make_nlp()
        self.lemmas = LemmaIndex(self.nlp)
        self.terms: list[tuple[str, tuple[str, ...]]] = []
        self._term_ids: dict[str, int] = {}
        self._fuzzy: list[_FuzzySpec] = []
        self.codes: dict[str, _CompiledCode] = {}
        for code in codes:
            if not code.rules.is_empty:
                self.codes[code.id] = self._compile(code)
        self._index()
        self._cache: dict[int, object] = {}

    # -- compiling ---------------------------------------------------------------

    def _compile(self, code: Code) -> _CompiledCode:
        rules = code.rules
        compiled = _CompiledCode(code.id, exclude_within=rules.exclude_within)
        compiled.phrases = [t for t in map(self._term, rules.phrases) if t is not None]
        compiled.exclude = [t for t in map(self._term, rules.exclude) if t is not None]
        compiled.regex = [(p, re.compile(p, re.IGNORECASE), required_literals(p)) for p in rules.regex]
        for pair in rules.near:
            first, second = self._term(pair.terms[0]), self._term(pair.terms[1])
            if first is not None and second is not None:
                compiled.near.append((first, second, pair.within))
        for fuzzy in rules.fuzzy:
            size = len(self.word_texts(fuzzy.term)) or 1
            self._fuzzy.append(_FuzzySpec(fuzzy.term, fuzzy.term.lower(), size, fuzzy.min_score))
            compiled.fuzzy.append(len(self._fuzzy) - 1)
        return compiled

    def word_texts(self, text: str) -> list[str]:
        return [t.text for t in self.nlp.tokenizer(text) if not (t.is_punct or t.is_space)]

    def _term(self, text: str) -> int | None:
        if text in self._term_ids:
            return self._term_ids[text]
        keys = tuple(self.lemmas.key(word) for word in self.word_texts(text))
        if not keys:
            return None
        self.terms.append((text, keys))
        self._term_ids[text] = len(self.terms) - 1
        return self._term_ids[text]

    def _index(self) -> None:
        self._first: dict[str, list[tuple[int, tuple[str, ...]]]] = defaultdict(list)
        for term_id, (_, keys) in enumerate(self.terms):
            self._first[keys[0]].append((term_id, keys))
        self._vocabulary = {key for _, keys in self.terms for key in keys}
        self._single_fuzzy = [i for i, spec in enumerate(self._fuzzy) if spec.size == 1]
        self._multi_fuzzy = [i for i, spec in enumerate(self._fuzzy) if spec.size > 1]
        self._phrase_codes: dict[int, list[str]] = defaultdict(list)  # term -> codes using it as a phrase
        self._near_codes: dict[int, set[str]] = defaultdict(set)  # term -> codes with a near pair on it
        self._fuzzy_codes: dict[int, list[str]] = defaultdict(list)
        self._regex_codes: list[str] = []  # regexes are tried on every unit (after a substring test)
        for code in self.codes.values():
            for term_id in code.phrases:
                self._phrase_codes[term_id].append(code.code_id)
            for first, second, _ in code.near:
                self._near_codes[first].add(code.code_id)
                self._near_codes[second].add(code.code_id)
            for spec in code.fuzzy:
                self._fuzzy_codes[spec].append(code.code_id)
            if code.regex:
                self._regex_codes.append(code.code_id)

    # -- matching ----------------------------------------------------------------

    def match_text(self, text: str, allowed: frozenset[str] | set[str] | None = None) -> list[CodeMatch]:
        """The codes (restricted to ``allowed`` if given) whose rules match ``text``."""
        return self.match_doc(self.nlp.tokenizer(text), allowed, text)

    def match_texts(
        self, texts: Iterable[str], allowed: Iterable[frozenset[str] | None], batch_size: int = 256
    ) -> Iterator[list[CodeMatch]]:
        """:meth:`match_text` over many units, tokenized in batches (``nlp.tokenizer.pipe``)."""
        texts = list(texts)
        docs = self.nlp.tokenizer.pipe(texts, batch_size=batch_size)
        for doc, text, codes in zip(docs, texts, allowed, strict=True):
            yield self.match_doc(doc, codes, text)

    def match_doc(
        self, doc: Doc, allowed: frozenset[str] | set[str] | None = None, text: str | None = None
    ) -> list[CodeMatch]:
        """Match a tokenized unit; ``text`` is its source text (``doc.text`` if not given)."""
        unit = _Unit(doc, doc.text if text is None else text, self._cache)
        found = self._occurrences(unit, self._words(unit))
        hits: dict[str, list[Hit]] = defaultdict(list)
        self._phrase_hits(unit, found, hits)
        self._fuzzy_hits(unit, found, hits)
        near = {code for term_id in found.terms for code in self._near_codes.get(term_id, ())}
        for code_id in near:
            hits[code_id].extend(self._near_hits(self.codes[code_id], unit, found))
        for code_id in self._regex_codes:
            if allowed is None or code_id in allowed:
                hits[code_id].extend(self._regex_hits(self.codes[code_id], unit))
        matches = []
        for code_id in sorted(hits):
            if allowed is not None and code_id not in allowed:
                continue
            surviving = _surviving(hits[code_id], self.codes[code_id], found)
            if surviving:
                surviving.sort(key=lambda h: (-h.score, h.start))
                matches.append(CodeMatch(code_id, tuple(surviving)))
        return matches

    def _words(self, unit: _Unit) -> list[tuple[int, int, object]]:
        """(position, token index, cache entry) of the words that matter to some rule."""
        cache = self._cache
        doc = unit.doc
        words = []
        position = 0
        for index, lower in enumerate(unit.lowers):
            entry = cache.get(lower, MISS)
            if entry is MISS:
                entry = cache[lower] = self._entry(doc[index])
            if entry is None:
                position += 1
            elif entry is not SKIP:
                words.append((position, index, entry))
                position += 1
        return words

    def _entry(self, token) -> object:
        """What a word form means to the rules: SKIP, None (nothing) or (key, fuzzy scores)."""
        if token.is_punct or token.is_space:
            return SKIP
        key = self.lemmas.key(token.lower_)
        fuzzy = tuple(self._fuzzy_scores(token.lower_))
        if key not in self._vocabulary and not fuzzy:
            return None
        return (key if key in self._vocabulary else None, fuzzy)

    def _fuzzy_scores(self, text: str) -> Iterator[tuple[int, float]]:
        from rapidfuzz import fuzz

        for spec_id in self._single_fuzzy:
            spec = self._fuzzy[spec_id]
            score = fuzz.ratio(spec.target, text, score_cutoff=spec.min_score)
            if score:
                yield spec_id, score

    def _occurrences(self, unit: _Unit, words: list) -> _Occurrences:
        terms: dict[int, list] = defaultdict(list)
        fuzzy: dict[int, list] = defaultdict(list)
        first_index = self._first
        for j, (position, index, (key, scores)) in enumerate(words):
            for spec_id, score in scores:
                fuzzy[spec_id].append((position, index, index, score))
            if key is None:
                continue
            for term_id, keys in first_index.get(key, ()):
                last = index if len(keys) == 1 else _phrase_end(words, j, keys)
                if last is not None:
                    terms[term_id].append((position, index, last))
        if self._multi_fuzzy:
            self._window_fuzzy(unit, fuzzy)
        return _Occurrences(dict(terms), dict(fuzzy))

    def _window_fuzzy(self, unit: _Unit, fuzzy: dict[int, list]) -> None:
        from rapidfuzz import fuzz

        tokens = [unit.doc[i] for i in unit.word_tokens]
        for spec_id in self._multi_fuzzy:
            spec = self._fuzzy[spec_id]
            for start in range(len(tokens) - spec.size + 1):
                window = tokens[start : start + spec.size]
                text = " ".join(t.lower_ for t in window)
                score = fuzz.ratio(spec.target, text, score_cutoff=spec.min_score)
                if score:
                    fuzzy[spec_id].append((start, window[0].i, window[-1].i, score))

    def _phrase_hits(self, unit: _Unit, found: _Occurrences, hits: dict[str, list[Hit]]) -> None:
        for term_id, places in found.terms.items():
            codes = self._phrase_codes.get(term_id)
            if not codes:
                continue
            rule = f"phrase '{self.terms[term_id][0]}'"
            for position, first, last in places:
                start, end = unit.char_span(first, last)
                for code_id in codes:
                    hits[code_id].append(Hit(code_id, "phrase", rule, start, end, position, 1.0))

    def _fuzzy_hits(self, unit: _Unit, found: _Occurrences, hits: dict[str, list[Hit]]) -> None:
        for spec_id, places in found.fuzzy.items():
            spec = self._fuzzy[spec_id]
            rule = f"fuzzy '{spec.term}' (>= {spec.min_score})"
            for position, first, last, score in places:
                start, end = unit.char_span(first, last)
                for code_id in self._fuzzy_codes[spec_id]:
                    hits[code_id].append(Hit(code_id, "fuzzy", rule, start, end, position, score / 100))

    def _regex_hits(self, code: _CompiledCode, unit: _Unit) -> list[Hit]:
        hits = []
        for pattern, compiled, needed in code.regex:
            if needed is not None and not any(literal in unit.lowered for literal in needed):
                continue  # a cheap substring test spares most regex scans
            for match in compiled.finditer(unit.text):
                if match.end() == match.start():
                    continue
                starts = unit.word_starts
                position = min(bisect_left(starts, match.start()), max(len(starts) - 1, 0))
                rule = f"regex '{pattern}'"
                hits.append(Hit(code.code_id, "regex", rule, match.start(), match.end(), position, 1.0))
        return hits

    def _near_hits(self, code: _CompiledCode, unit: _Unit, found: _Occurrences) -> Iterator[Hit]:
        for first_term, second_term, within in code.near:
            for a in found.terms.get(first_term, ()):
                for b in found.terms.get(second_term, ()):
                    if abs(a[0] - b[0]) > within:
                        continue
                    start = unit.char_span(min(a[1], b[1]), min(a[1], b[1]))[0]
                    end = unit.char_span(max(a[2], b[2]), max(a[2], b[2]))[1]
                    names = f"'{self.terms[first_term][0]}' + '{self.terms[second_term][0]}'"
                    rule = f"near {names} within {within}"
                    yield Hit(code.code_id, "near", rule, start, end, min(a[0], b[0]), 1.0)


class _Unit:
    """One tokenized unit: its doc, source text and per-token word-form hashes."""

    def __init__(self, doc: Doc, text: str, cache: dict) -> None:
        from spacy.attrs import IDX, LENGTH, LOWER

        self.doc = doc
        self.text = text
        columns = doc.to_array([LOWER, IDX, LENGTH]).T.tolist() if len(doc) else [[], [], []]
        self.lowers, self.starts, self.lengths = columns
        self._cache = cache
        self._word_tokens: list[int] | None = None
        self._lowered: str | None = None

    @property
    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    @property
    def word_tokens(self) -> list[int]:
        """Token indices of the words (punctuation and whitespace left out)."""
        if self._word_tokens is None:
            self._word_tokens = [i for i, h in enumerate(self.lowers) if self._cache[h] is not SKIP]
        return self._word_tokens

    @property
    def word_starts(self) -> list[int]:
        return [self.starts[i] for i in self.word_tokens]

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        return self.starts[first], self.starts[last] + self.lengths[last]


def _phrase_end(words: Sequence, j: int, keys: tuple[str, ...]) -> int | None:
    """Token index of the phrase's last word if ``keys`` occur from ``words[j]`` on."""
    position = words[j][0]
    if j + len(keys) > len(words):
        return None
    for offset in range(1, len(keys)):
        other_position, _, (other_key, _) = words[j + offset]
        if other_position != position + offset or other_key != keys[offset]:
            return None
    return words[j + len(keys) - 1][1]


def _surviving(hits: list[Hit], code: _CompiledCode, found: _Occurrences) -> list[Hit]:
    if not hits or not code.exclude:
        return hits
    vetoes = [o[0] for term_id in code.exclude for o in found.terms.get(term_id, ())]
    if not vetoes:
        return hits
    if code.exclude_within is None:
        return []
    return [h for h in hits if all(abs(h.position - v) > code.exclude_within for v in vetoes)]


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lowercase strings one of which every match of ``pattern`` contains, if found.

    Read from the parsed pattern: a run of literal characters outside any optional
    part, or a group whose every alternative has one. ``None`` when nothing is
    required (the regex then runs on every unit).
    """
    try:
        from re import _parser as parser  # the stdlib's own pattern parser
        found = _needed(parser.parse(pattern, re.IGNORECASE).data, parser)
    except Exception:  # an unusual construct: skip the optimisation, never the rule
        return None
    return frozenset(found) if found and min(map(len, found)) >= 2 else None


def _needed(items, parser) -> set[str] | None:
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, arg in items:
        if op is parser.LITERAL:
            run.append(chr(arg).lower())
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        inner = None
        if op is parser.SUBPATTERN:
            inner = _needed(arg[-1], parser)
        elif op is parser.BRANCH:
            alternatives = [_needed(branch, parser) for branch in arg[1]]
            inner = set().union(*alternatives) if all(alternatives) else None
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT) and arg[0] >= 1:
            inner = _needed(arg[2], parser)
        if inner:
            candidates.append(inner)
    if run:
        candidates.append({"".join(run)})
    return max(candidates, key=lambda s: min(map(len, s)), default=None)


SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n")
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "det", "sgt", "lt", "st", "vs", "u.s", "e.g", "i.e", "no", "jr", "sr"}


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) of ``text`` around ``[start, end)``, trimmed of whitespace.

    A sentence ends at . ! ? or … followed by whitespace and a capital or digit, or at
    a line break; common abbreviations (Mr., Det., U.S.) do not end one.
    """
    left, right = 0, len(text)
    for match in SENTENCE_END.finditer(text):
        if _is_abbreviation(text, match.start()):
            continue
        if match.end() <= start:
            left = match.end()
        elif match.start() >= end:
            right = match.end() if text[match.start()] != "\n" else match.start()
            break
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    return word in ABBREVIATIONS or len(word) == 1
