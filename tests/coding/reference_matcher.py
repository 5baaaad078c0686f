"""The rule matcher as it was before the batch scan (qualcode 2026-12-05, engine.py at ab7a9b0).

Kept only as the reference model of tests/coding/test_autocode_equivalence.py: the
package's matcher must give exactly the codings, spans and evidence this one gives.
It walks each unit's tokens in Python with a per-form cache; not used by the package.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from qualcode.coding.autocode.hits import CodeMatch, Hit
from qualcode.coding.autocode.lemmas import LemmaIndex, make_nlp
from qualcode.coding.autocode.literals import required_literals

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

    from qualcode.codebook.model import Code

SKIP = object()  # word-form cache marker: punctuation or whitespace, not a word
MISS = object()
KEPT_HITS = 5  # hits kept per matched code, as evidence
# Frequent words (as match keys) never chosen as a multi-word term's anchor when it has another word.
COMMON_WORDS = frozenset(
    "a about after all an and as at be because but by can come could do for from get go have he her him his "
    "how i if in it just know like lot make more much my no not of on one or our out really say see she so "
    "some take than that the their them then there they think this to up us very want way we what when "
    "which who will with would you".split()
)


@dataclass
class _CompiledCode:
    code_id: str
    phrases: list[int] = field(default_factory=list)  # term ids
    # pattern, compiled, required strings, rule name (names are made once: evidence
    # shares them, and a chunk of results pickles each name once)
    regex: list[tuple[str, re.Pattern, tuple[frozenset[str], ...] | None, str]] = field(
        default_factory=list
    )
    fuzzy: list[int] = field(default_factory=list)  # fuzzy spec ids
    near: list[tuple[int, int, int, str]] = field(
        default_factory=list
    )  # term a, term b, within, rule name
    exclude: list[int] = field(default_factory=list)
    exclude_within: int | None = 10


@dataclass(frozen=True)
class _FuzzySpec:
    term: str
    target: str  # lowercased
    size: int  # words
    min_score: int
    rule: str  # readable name, in evidence


@dataclass
class _Occurrences:
    """Where each term (and each fuzzy spec) occurs: (position, first token, last token[, score])."""

    terms: dict[int, list[tuple[int, int, int]]]
    fuzzy: dict[int, list[tuple[int, int, int, float]]]


@dataclass
class _AnchorTerms:
    """The terms anchored on one match key: one-word terms, and longer ones by shape."""

    single: list[int] = field(default_factory=list)
    shapes: list[tuple[int, int, dict[tuple[str, ...], list[int]]]] = field(default_factory=list)

    def add(self, term_id: int, keys: tuple[str, ...], offset: int) -> None:
        if len(keys) == 1:
            self.single.append(term_id)
            return
        for shape_offset, length, by_keys in self.shapes:
            if (shape_offset, length) == (offset, len(keys)):
                by_keys.setdefault(keys, []).append(term_id)
                return
        self.shapes.append((offset, len(keys), {keys: [term_id]}))


class ReferenceMatcher:
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
        # lowercase-form hash -> SKIP (not a word), None (no rule cares) or (anchored terms or None, fuzzy scores)
        self._entries: dict[int, object] = {}
        self._keys: dict[int, str] = {}  # lowercase-form hash -> match key, for every word seen

    # -- compiling ---------------------------------------------------------------

    def _compile(self, code: Code) -> _CompiledCode:
        rules = code.rules
        compiled = _CompiledCode(code.id, exclude_within=rules.exclude_within)
        compiled.phrases = [t for t in map(self._term, rules.phrases) if t is not None]
        compiled.exclude = [t for t in map(self._term, rules.exclude) if t is not None]
        compiled.regex = [
            (p, re.compile(p, re.IGNORECASE), required_literals(p), f"regex '{p}'")
            for p in rules.regex
        ]
        for pair in rules.near:
            first, second = self._term(pair.terms[0]), self._term(pair.terms[1])
            if first is not None and second is not None:
                rule = f"near '{pair.terms[0]}' + '{pair.terms[1]}' within {pair.within}"
                compiled.near.append((first, second, pair.within, rule))
        for fuzzy in rules.fuzzy:
            size = len(self.word_texts(fuzzy.term)) or 1
            rule = f"fuzzy '{fuzzy.term}' (>= {fuzzy.min_score})"
            self._fuzzy.append(
                _FuzzySpec(fuzzy.term, fuzzy.term.lower(), size, fuzzy.min_score, rule)
            )
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
        # Each term is looked for from its longest word (its anchor), never from a short
        # function word: only anchor words make a word interesting, which keeps "the",
        # "a", "to" (58% of the words in the example study) out of the inner loop.
        # Multi-word terms sharing an anchor are grouped by shape (anchor offset, length):
        # one window of keys per shape is looked up, whatever the number of terms.
        self._anchors: dict[str, _AnchorTerms] = defaultdict(_AnchorTerms)
        for term_id, (_, keys) in enumerate(self.terms):
            offset = max(
                range(len(keys)), key=lambda i: (keys[i] not in COMMON_WORDS, len(keys[i]), -i)
            )
            self._anchors[keys[offset]].add(term_id, keys, offset)
        self._vocabulary = set(self._anchors)
        self._phrase_rules = [f"phrase '{text}'" for text, _ in self.terms]
        self._all_codes = frozenset(self.codes)
        self._single_fuzzy = [i for i, spec in enumerate(self._fuzzy) if spec.size == 1]
        self._multi_fuzzy = [i for i, spec in enumerate(self._fuzzy) if spec.size > 1]
        self._phrase_codes: dict[int, list[str]] = defaultdict(
            list
        )  # term -> codes using it as a phrase
        self._near_codes: dict[int, set[str]] = defaultdict(
            set
        )  # term -> codes with a near pair on it
        self._fuzzy_codes: dict[int, list[str]] = defaultdict(list)
        self._regex_codes: list[
            str
        ] = []  # regexes are tried on every unit (after a substring test)
        for code in self.codes.values():
            for term_id in code.phrases:
                self._phrase_codes[term_id].append(code.code_id)
            for first, second, *_ in code.near:
                self._near_codes[first].add(code.code_id)
                self._near_codes[second].add(code.code_id)
            for spec in code.fuzzy:
                self._fuzzy_codes[spec].append(code.code_id)
            if code.regex:
                self._regex_codes.append(code.code_id)

    # -- matching ----------------------------------------------------------------

    def match_text(
        self, text: str, allowed: frozenset[str] | set[str] | None = None
    ) -> list[CodeMatch]:
        """The codes (restricted to ``allowed`` if given) whose rules match ``text``."""
        return self.match_doc(self.nlp.tokenizer(text), allowed, text)

    def match_texts(
        self, texts: Iterable[str], allowed: Iterable[frozenset[str] | None], batch_size: int = 256
    ) -> Iterator[list[CodeMatch]]:
        """:meth:`match_text` over many units, tokenized in batches (``nlp.tokenizer.pipe``)."""
        texts = list(texts)
        docs = cast("Tokenizer", self.nlp.tokenizer).pipe(texts, batch_size=batch_size)
        for doc, text, codes in zip(docs, texts, allowed, strict=True):
            yield self.match_doc(doc, codes, text)

    def match_doc(
        self, doc: Doc, allowed: frozenset[str] | set[str] | None = None, text: str | None = None
    ) -> list[CodeMatch]:
        """Match a tokenized unit; ``text`` is its source text (``doc.text`` if not given)."""
        unit = TokenUnit(doc, doc.text if text is None else text)
        found = self._occurrences(unit)
        wanted = self._all_codes if allowed is None else allowed
        hits: dict[str, list[Hit]] = defaultdict(list)
        self._phrase_hits(unit, found, hits, wanted)
        self._fuzzy_hits(unit, found, hits, wanted)
        near = {
            code
            for term_id in found.terms
            for code in self._near_codes.get(term_id, ())
            if code in wanted
        }
        for code_id in sorted(near):
            hits[code_id].extend(self._near_hits(self.codes[code_id], unit, found))
        for code_id in self._regex_codes:
            if code_id in wanted:
                hits[code_id].extend(self._regex_hits(self.codes[code_id], unit))
        matches = []
        for code_id in sorted(hits):
            surviving = _surviving(hits[code_id], self.codes[code_id], found)
            if surviving:
                surviving.sort(key=_hit_order)
                matches.append(CodeMatch(code_id, tuple(surviving[:KEPT_HITS]), len(surviving)))
        return matches

    def _entry(self, token) -> object:
        """What a word form means to the rules: SKIP, None (nothing) or (anchored terms or None, fuzzy scores)."""
        if token.is_punct or token.is_space:
            return SKIP
        key = self._keys[token.lower] = self.lemmas.key(token.lower_)
        anchored, fuzzy = self._anchors.get(key), tuple(self._fuzzy_scores(token.lower_))
        return (anchored, fuzzy) if anchored is not None or fuzzy else None

    def _fuzzy_scores(self, text: str) -> Iterator[tuple[int, float]]:
        from rapidfuzz import fuzz

        for spec_id in self._single_fuzzy:
            spec = self._fuzzy[spec_id]
            score = fuzz.ratio(spec.target, text, score_cutoff=spec.min_score)
            if score:
                yield spec_id, score

    def _occurrences(self, unit: TokenUnit) -> _Occurrences:
        """Where each term and fuzzy spec occurs; sets the unit's word tokens on the way."""
        terms: dict[int, list] = defaultdict(list)
        fuzzy: dict[int, list] = defaultdict(list)
        word_keys: list[str] | None = None
        words = self._words(unit)
        word_tokens = unit.word_tokens
        for position, index, (anchored, scores) in words:
            if scores:
                for spec_id, score in scores:
                    fuzzy[spec_id].append((position, index, index, score))
            if anchored is None:
                continue
            for term_id in anchored.single:
                terms[term_id].append((position, index, index))
            for offset, length, by_keys in anchored.shapes:
                start = position - offset
                if start < 0 or start + length > len(word_tokens):
                    continue
                if word_keys is None:
                    word_keys = self._word_keys(unit)
                for term_id in by_keys.get(tuple(word_keys[start : start + length]), ()):
                    terms[term_id].append(
                        (start, word_tokens[start], word_tokens[start + length - 1])
                    )
        if self._multi_fuzzy:
            self._window_fuzzy(unit, fuzzy)
        return _Occurrences(dict(terms), dict(fuzzy))

    def _words(self, unit: TokenUnit) -> list[tuple[int, int, tuple]]:
        """(word position, token index, entry) of the words some rule cares about."""
        entries, doc = self._entries, unit.doc
        words: list[tuple[int, int, tuple]] = []
        word_tokens: list[int] = []
        for index, lower in enumerate(unit.lowers):
            entry = entries.get(lower, MISS)
            if entry is MISS:
                entry = entries[lower] = self._entry(doc[index])
            if entry is SKIP:
                continue
            if entry is not None:
                words.append((len(word_tokens), index, entry))  # type: ignore[arg-type]  # past MISS, SKIP and None: an entry
            word_tokens.append(index)
        unit.word_tokens = word_tokens
        return words

    def _word_keys(self, unit: TokenUnit) -> list[str]:
        """The match key of every word of the unit (each word form's key was kept by :meth:`_entry`)."""
        keys, lowers = self._keys, unit.lowers
        return [keys[lowers[index]] for index in unit.word_tokens]

    def _window_fuzzy(self, unit: TokenUnit, fuzzy: dict[int, list]) -> None:
        from rapidfuzz import fuzz

        indices = unit.word_tokens
        texts = [unit.doc[i].lower_ for i in indices]
        for spec_id in self._multi_fuzzy:
            spec = self._fuzzy[spec_id]
            for start in range(len(indices) - spec.size + 1):
                text = " ".join(texts[start : start + spec.size])
                score = fuzz.ratio(spec.target, text, score_cutoff=spec.min_score)
                if score:
                    fuzzy[spec_id].append(
                        (start, indices[start], indices[start + spec.size - 1], score)
                    )

    def _phrase_hits(
        self, unit: TokenUnit, found: _Occurrences, hits: dict[str, list[Hit]], wanted
    ) -> None:
        for term_id, places in found.terms.items():
            codes = [c for c in self._phrase_codes.get(term_id, ()) if c in wanted]
            if not codes:
                continue
            rule = self._phrase_rules[term_id]
            for position, first, last in places:
                start, end = unit.char_span(first, last)
                for code_id in codes:
                    hits[code_id].append(Hit(code_id, "phrase", rule, start, end, position, 1.0))

    def _fuzzy_hits(
        self, unit: TokenUnit, found: _Occurrences, hits: dict[str, list[Hit]], wanted
    ) -> None:
        for spec_id, places in found.fuzzy.items():
            spec = self._fuzzy[spec_id]
            codes = [c for c in self._fuzzy_codes[spec_id] if c in wanted]
            rule = spec.rule
            for position, first, last, score in places if codes else ():
                start, end = unit.char_span(first, last)
                for code_id in codes:
                    hits[code_id].append(
                        Hit(code_id, "fuzzy", rule, start, end, position, score / 100)
                    )

    def _regex_hits(self, code: _CompiledCode, unit: TokenUnit) -> list[Hit]:
        """Regex hits; a pattern runs only if the unit has one string of each of its required groups."""
        hits = []
        for _, compiled, needed, rule in code.regex:
            if needed is not None and not all(any(map(unit.contains, group)) for group in needed):
                continue  # substring tests, most selective group first, spare most regex scans
            for match in compiled.finditer(unit.text):
                if match.end() == match.start():
                    continue
                starts = unit.word_starts
                position = min(bisect_left(starts, match.start()), max(len(starts) - 1, 0))
                hits.append(
                    Hit(code.code_id, "regex", rule, match.start(), match.end(), position, 1.0)
                )
        return hits

    def _near_hits(
        self, code: _CompiledCode, unit: TokenUnit, found: _Occurrences
    ) -> Iterator[Hit]:
        for first_term, second_term, within, rule in code.near:
            for a in found.terms.get(first_term, ()):
                for b in found.terms.get(second_term, ()):
                    if abs(a[0] - b[0]) > within:
                        continue
                    start = unit.char_span(min(a[1], b[1]), min(a[1], b[1]))[0]
                    end = unit.char_span(max(a[2], b[2]), max(a[2], b[2]))[1]
                    yield Hit(code.code_id, "near", rule, start, end, min(a[0], b[0]), 1.0)


class TokenUnit:
    """One tokenized unit: its doc, source text and per-token word-form hashes."""

    def __init__(self, doc: Doc, text: str) -> None:
        from spacy.attrs import LOWER

        self.doc = doc
        self.text = text
        self.lowers = doc.to_array(LOWER).tolist() if len(doc) else []
        self.word_tokens: list[int] = []  # token index of each word position (set by the matcher)
        self._lowered: str | None = None
        self._contains: dict[str, bool] = {}

    def contains(self, string: str) -> bool:
        """Whether the lowercased text contains ``string`` (remembered: patterns share strings)."""
        found = self._contains.get(string)
        if found is None:
            if self._lowered is None:
                self._lowered = self.text.lower()
            found = self._contains[string] = string in self._lowered
        return found

    @property
    def word_starts(self) -> list[int]:
        return [self.doc[i].idx for i in self.word_tokens]

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        """Character offsets of tokens ``first``..``last`` (looked up only for hits)."""
        token = self.doc[last]
        return self.doc[first].idx, token.idx + len(token)


def _hit_order(hit: Hit) -> tuple[float, int]:
    """Best first: highest score, then earliest."""
    return -hit.score, hit.start


def _surviving(hits: list[Hit], code: _CompiledCode, found: _Occurrences) -> list[Hit]:
    if not hits or not code.exclude:
        return hits
    vetoes = [o[0] for term_id in code.exclude for o in found.terms.get(term_id, ())]
    if not vetoes:
        return hits
    if code.exclude_within is None:
        return []
    return [h for h in hits if all(abs(h.position - v) > code.exclude_within for v in vetoes)]
