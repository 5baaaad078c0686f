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

How words are found: units are matched in batches (:mod:`.scan`): numpy finds every
term occurrence in a batch's words at once, with Python running once per distinct word
form and once per occurrence; the hits, proximity, exclusions and regexes are then
worked out per unit. A regex runs only on units holding one string of each group its
pattern requires (substring searches over the whole batch), in the order a match holds them
(:mod:`.order`). The token-by-token matcher
this replaced is kept as the reference model of tests/coding/test_autocode_equivalence.py,
which checks that both give the same codes, spans and evidence.

spaCy and rapidfuzz are imported when a matcher is built, never at import time.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from qualcode.coding.autocode.collector import collector_paused
from qualcode.coding.autocode.hits import CodeMatch, Hit
from qualcode.coding.autocode.lemmas import LemmaIndex, make_matcher_nlp
from qualcode.coding.autocode.literals import UnitLiterals, required_literals
from qualcode.coding.autocode.order import in_order, ordered_literals
from qualcode.coding.autocode.scan import FormTable, Found, ScannedBatch, TermTables, scan
from qualcode.coding.autocode.spans import sentence_bounds

__all__ = ["CodeMatch", "Hit", "RuleMatcher", "required_literals", "sentence_bounds"]

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

    from qualcode.codebook.model import Code

KEPT_HITS = 5  # hits kept per matched code, as evidence
MAX_PLANS = 64  # sets of allowed codes whose restricted rule tables are kept
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

    def term_ids(self) -> list[int]:
        """One-word terms, then the longer ones shape by shape: the order hits of one place come in."""
        return self.single + [
            t for _, _, by_keys in self.shapes for ids in by_keys.values() for t in ids
        ]


class RuleMatcher:
    """Compiled rules of some codes; match units of text with :meth:`match_text` or :meth:`match_texts`."""

    def __init__(self, codes: Iterable[Code], nlp: Language | None = None) -> None:
        self.nlp = nlp or make_matcher_nlp()  # the tokenizer; keys come from the lookup table
        self.lemmas = LemmaIndex.english()
        self.terms: list[tuple[str, tuple[str, ...]]] = []
        self._term_ids: dict[str, int] = {}
        self._fuzzy: list[_FuzzySpec] = []
        self.codes: dict[str, _CompiledCode] = {}
        for code in codes:
            if not code.rules.is_empty:
                self.codes[code.id] = self._compile(code)
        self._index()
        from spacy.attrs import IS_PUNCT, IS_SPACE

        vocab: Any = self.nlp.vocab  # lex_attr_getters: spaCy's own tests of a form, unstubbed
        is_punct, is_space = vocab.lex_attr_getters[IS_PUNCT], vocab.lex_attr_getters[IS_SPACE]
        self._forms = FormTable(  # per word form, across batches
            self._key_id, self._fuzzy_scores, lambda form: not (is_punct(form) or is_space(form))
        )

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
        # the order the terms of one anchor were tried in by the token-by-token matcher
        tried = {key: anchored.term_ids() for key, anchored in self._anchors.items()}
        self._tables = TermTables.build([keys for _, keys in self.terms], tried)
        self._phrase_rules = [f"phrase '{text}'" for text, _ in self.terms]
        self._all_codes = frozenset(self.codes)
        self._excluding = frozenset(c.code_id for c in self.codes.values() if c.exclude)
        self._single_fuzzy = [i for i, spec in enumerate(self._fuzzy) if spec.size == 1]
        self._multi_fuzzy = [i for i, spec in enumerate(self._fuzzy) if spec.size > 1]
        self._phrase_codes: dict[int, list[str]] = defaultdict(list)  # term -> codes using it as a phrase
        self._near_codes = frozenset(c.code_id for c in self.codes.values() if c.near)
        self._fuzzy_codes: dict[int, list[str]] = defaultdict(list)
        self._regex_codes: list[str] = []  # regexes are tried on every unit (after a substring test)
        for code in self.codes.values():
            for term_id in code.phrases:
                self._phrase_codes[term_id].append(code.code_id)
            for spec in code.fuzzy:
                self._fuzzy_codes[spec].append(code.code_id)
            if code.regex:
                self._regex_codes.append(code.code_id)
        # per regex code, the strings each of its patterns requires (None: nothing required)
        self._regex_needs = [
            (c, tuple(needed for _, _, needed, _ in self.codes[c].regex)) for c in self._regex_codes
        ]
        self._regex_orders = {c: tuple(ordered_literals(p) for p, *_ in self.codes[c].regex) for c in self.codes}
        self._plans: dict[frozenset[str], _Plan] = {}  # per set of allowed codes

    # -- matching ----------------------------------------------------------------

    def match_text(
        self, text: str, allowed: frozenset[str] | set[str] | None = None
    ) -> list[CodeMatch]:
        """The codes (restricted to ``allowed`` if given) whose rules match ``text``."""
        return self.match_docs([self.nlp.tokenizer(text)], [text], [allowed])[0]

    def match_texts(
        self, texts: Iterable[str], allowed: Iterable[frozenset[str] | None], batch_size: int = 256
    ) -> Iterator[list[CodeMatch]]:
        """:meth:`match_text` over many units, tokenized and scanned in batches (``nlp.tokenizer.pipe``)."""
        texts, allowed = list(texts), list(allowed)
        if len(texts) != len(allowed):
            raise ValueError(
                f"{len(texts)} texts but {len(allowed)} sets of allowed codes; one per text is needed"
            )
        docs = cast("Tokenizer", self.nlp.tokenizer).pipe(texts, batch_size=batch_size)
        for begin in range(0, len(texts), batch_size):
            end = begin + batch_size
            with collector_paused():  # the tokenizer runs inside too: islice pulls the docs
                matched = self.match_docs(
                    list(islice(docs, batch_size)), texts[begin:end], allowed[begin:end]
                )
            yield from matched

    def match_doc(
        self, doc: Doc, allowed: frozenset[str] | set[str] | None = None, text: str | None = None
    ) -> list[CodeMatch]:
        """Match a tokenized unit; ``text`` is its source text (``doc.text`` if not given)."""
        return self.match_docs([doc], [doc.text if text is None else text], [allowed])[0]

    def match_docs(
        self,
        docs: Sequence[Doc],
        texts: Sequence[str],
        allowed: Sequence[frozenset[str] | set[str] | None],
    ) -> list[list[CodeMatch]]:
        """Match tokenized units together: their words are scanned as one batch (:mod:`.scan`)."""
        batch = ScannedBatch(docs, self._forms, self.nlp.vocab.strings)
        found = scan(batch, self._tables)
        plans = [self._plan(codes) for codes in allowed]
        literals = UnitLiterals(texts)
        # per unit, the regex codes (and their patterns) whose required strings it holds,
        # worked out once per batch for the codes some unit of the batch allows
        regex_wanted = frozenset().union(*{id(p): p.regex for p in plans}.values())
        todo = literals.candidates([(c, n) for c, n in self._regex_needs if c in regex_wanted])
        return [
            self._match_unit(_Unit(batch, index, text, literals), occurrences, plan, todo.get(index, ()))
            for index, (text, occurrences, plan) in enumerate(
                zip(texts, found, plans, strict=True)
            )
        ]

    def _match_unit(
        self, unit: _Unit, found: Found, plan: _Plan, regex_todo: Sequence[tuple[str, list[int]]]
    ) -> list[CodeMatch]:
        if self._multi_fuzzy:
            self._window_fuzzy(unit, found.fuzzy)
        hits: dict[str, list[Hit]] = {}
        terms = found.terms
        self._phrase_hits(found, hits, plan.phrases)
        if found.fuzzy:
            self._fuzzy_hits(unit, found, hits, plan.fuzzy)
        if plan.near:
            # only codes with a pair whose two terms are both in the unit can have near hits
            near = {
                code
                for term_id in terms.keys() & plan.near.keys()
                for second, code in plan.near[term_id]
                if second in terms
            }
            for code_id in sorted(near):
                code_hits = self._near_hits(self.codes[code_id], found)
                if code_hits:
                    hits.setdefault(code_id, []).extend(code_hits)
        for code_id, patterns in regex_todo:
            if code_id in plan.regex:
                code_hits = self._regex_hits(self.codes[code_id], unit, patterns)
                if code_hits:
                    hits.setdefault(code_id, []).extend(code_hits)
        matches = []
        for code_id in sorted(hits):
            surviving = hits[code_id]  # never empty
            if code_id in self._excluding:
                surviving = _surviving(surviving, self.codes[code_id], found)
                if not surviving:
                    continue
            if len(surviving) > 1:  # best first: highest score, then earliest (ties keep their order)
                surviving.sort(key=_START)
                surviving.sort(key=_SCORE, reverse=True)
            matches.append(_new_match((code_id, tuple(surviving[:KEPT_HITS]), len(surviving))))
        return matches

    def _plan(self, allowed: frozenset[str] | set[str] | None) -> _Plan:
        """The rule tables restricted to the codes a unit allows, made once per distinct set
        (units usually share a few sets: one per transcript role)."""
        wanted = self._all_codes if allowed is None else frozenset(allowed)
        plan = self._plans.get(wanted)
        if plan is None:
            if len(self._plans) >= MAX_PLANS:  # callers passing ever new sets: memory stays bounded
                self._plans.clear()
            plan = self._plans[wanted] = _Plan.restrict(self, wanted)
        return plan

    def _key_id(self, form: str) -> int:
        """The id of a lowercase form's match key if some term uses that key, else 0."""
        return self._tables.key_ids.get(self.lemmas.key(form), 0)

    def _fuzzy_scores(self, texts: list[str]) -> list[tuple[tuple[int, float], ...]]:
        """Each word's scores against the one-word fuzzy terms (those at least their ``min_score``).

        One ``cdist`` per term over the batch's new words picks the few worth scoring (with a
        cutoff one point lower, so none is missed); ``fuzz.ratio`` then gives the score itself.
        """
        from rapidfuzz import fuzz, process

        scores: list[list[tuple[int, float]]] = [[] for _ in texts]
        for spec_id in self._single_fuzzy if texts else ():
            spec = self._fuzzy[spec_id]
            near = process.cdist(
                [spec.target], texts, scorer=fuzz.ratio, score_cutoff=max(0, spec.min_score - 1)
            )[0]
            for at in near.nonzero()[0].tolist():
                score = fuzz.ratio(spec.target, texts[at], score_cutoff=spec.min_score)
                if score:
                    scores[at].append((spec_id, score))
        return list(map(tuple, scores))

    def _window_fuzzy(self, unit: _Unit, fuzzy: dict[int, list]) -> None:
        from rapidfuzz import fuzz

        indices = unit.word_tokens
        doc = unit.batch.docs[unit.index]
        texts = [doc[i].lower_ for i in indices]
        for spec_id in self._multi_fuzzy:
            spec = self._fuzzy[spec_id]
            for start in range(len(indices) - spec.size + 1):
                text = " ".join(texts[start : start + spec.size])
                score = fuzz.ratio(spec.target, text, score_cutoff=spec.min_score)
                if score:
                    place = (start, indices[start], indices[start + spec.size - 1], score)
                    fuzzy.setdefault(spec_id, []).append(place)

    def _phrase_hits(
        self, found: Found, hits: dict[str, list[Hit]], phrases: dict[int, tuple[tuple[str, ...], str]]
    ) -> None:
        # Per code, hits come term by term, place by place: the order ties keep as evidence.
        for term_id, places in found.terms.items():
            entry = phrases.get(term_id)
            if entry is None:
                continue
            codes, rule = entry
            for code_id in codes:
                code_hits = hits.get(code_id)
                if code_hits is None:
                    code_hits = hits[code_id] = []
                code_hits.extend(
                    [_new_hit((code_id, "phrase", rule, p[3], p[4], p[0], 1.0)) for p in places]
                )

    def _fuzzy_hits(
        self, unit: _Unit, found: Found, hits: dict[str, list[Hit]], fuzzy: dict[int, tuple[str, ...]]
    ) -> None:
        for spec_id, places in found.fuzzy.items():
            codes = fuzzy.get(spec_id)
            if not codes:
                continue
            rule = self._fuzzy[spec_id].rule
            for position, first, last, score in places:
                start, end = unit.char_span(first, last)
                for code_id in codes:
                    hits.setdefault(code_id, []).append(
                        Hit(code_id, "fuzzy", rule, start, end, position, score / 100)
                    )

    def _regex_hits(self, code: _CompiledCode, unit: _Unit, patterns: list[int]) -> list[Hit]:
        """Regex hits of the code's ``patterns`` (those the unit holds one string of each
        required group of: substring tests over the whole batch spare most regex scans)."""
        hits, orders = [], self._regex_orders[code.code_id]
        for index in patterns:
            _, compiled, _, rule = code.regex[index]
            order = orders[index]
            if order is not None and not in_order(unit.literals.lowered(unit.index), order):
                continue  # the unit holds the strings, but never in the order a match has them
            for match in compiled.finditer(unit.text):
                if match.end() == match.start():
                    continue
                starts = unit.word_starts
                position = min(bisect_left(starts, match.start()), max(len(starts) - 1, 0))
                hits.append(
                    Hit(code.code_id, "regex", rule, match.start(), match.end(), position, 1.0)
                )
        return hits

    def _near_hits(self, code: _CompiledCode, found: Found) -> list[Hit]:
        hits = []
        for first_term, second_term, within, rule in code.near:
            firsts, seconds = found.terms.get(first_term), found.terms.get(second_term)
            if not firsts or not seconds:
                continue
            positions = [b[0] for b in seconds]  # ascending: a term's places come in word order
            for a in firsts:
                # the places of the second term within ``within`` words, in their order
                low = bisect_left(positions, a[0] - within)
                for b in seconds[low : bisect_right(positions, a[0] + within)]:
                    start = a[3] if a[1] <= b[1] else b[3]  # the earlier first token's start
                    end = a[4] if a[2] >= b[2] else b[4]  # the later last token's end
                    hits.append(_new_hit((code.code_id, "near", rule, start, end, min(a[0], b[0]), 1.0)))
        return hits


@dataclass(frozen=True)
class _Plan:
    """A matcher's rule tables restricted to one set of allowed codes."""

    phrases: dict[int, tuple[tuple[str, ...], str]]  # term -> (codes using it as a phrase, rule)
    fuzzy: dict[int, tuple[str, ...]]  # fuzzy spec -> codes
    near: dict[int, tuple[tuple[int, str], ...]]  # first term -> (second term, code) of near pairs
    regex: frozenset[str]  # codes with regexes

    @classmethod
    def restrict(cls, matcher: RuleMatcher, wanted: frozenset[str]) -> _Plan:
        def kept(by_key: dict) -> dict:
            restricted = {k: tuple(c for c in codes if c in wanted) for k, codes in by_key.items()}
            return {k: codes for k, codes in restricted.items() if codes}

        phrases = {
            t: (codes, matcher._phrase_rules[t]) for t, codes in kept(matcher._phrase_codes).items()
        }
        near: dict[int, list[tuple[int, str]]] = {}
        for code_id in sorted(wanted & matcher._near_codes):
            for first, second, *_ in matcher.codes[code_id].near:
                near.setdefault(first, []).append((second, code_id))
        regex = frozenset(c for c in matcher._regex_codes if c in wanted)
        return cls(phrases, kept(matcher._fuzzy_codes), {t: tuple(p) for t, p in near.items()}, regex)


class _Unit:
    """One unit of a scanned batch: its text, and its token offsets and words when a hit needs them."""

    __slots__ = ("_word_starts", "_word_tokens", "batch", "index", "literals", "text")

    def __init__(self, batch: ScannedBatch, index: int, text: str, literals: UnitLiterals) -> None:
        self.batch, self.index, self.text, self.literals = batch, index, text, literals
        self._word_starts: list[int] | None = None
        self._word_tokens: list[int] | None = None

    def char_span(self, first: int, last: int) -> tuple[int, int]:
        return self.batch.char_span(self.index, first, last)

    @property
    def word_starts(self) -> list[int]:
        if self._word_starts is None:
            self._word_starts = self.batch.word_starts(self.index)
        return self._word_starts

    @property
    def word_tokens(self) -> list[int]:
        if self._word_tokens is None:
            self._word_tokens = self.batch.unit_word_tokens(self.index)
        return self._word_tokens


# Hit and CodeMatch from one tuple, without the Python-level __new__ of a NamedTuple
_new_hit, _new_match = partial(tuple.__new__, Hit), partial(tuple.__new__, CodeMatch)


_START, _SCORE = itemgetter(Hit._fields.index("start")), itemgetter(Hit._fields.index("score"))


def _surviving(hits: list[Hit], code: _CompiledCode, found: Found) -> list[Hit]:
    if not hits or not code.exclude:
        return hits
    vetoes = [o[0] for term_id in code.exclude for o in found.terms.get(term_id, ())]
    if not vetoes:
        return hits
    if code.exclude_within is None:
        return []
    return [h for h in hits if all(abs(h.position - v) > code.exclude_within for v in vetoes)]
