"""Where rule terms occur in a batch of tokenized units, found with numpy over the whole batch.

The matcher's per-token work: every word's match key (:mod:`.lemmas`) and every place
where a term's keys stand at consecutive word positions. Done per batch of units (256
by default), end to end as flat arrays, so Python runs once per distinct word form of
the batch and once per occurrence found, never once per token:

1. each doc's ``LOWER``, ``IDX`` and ``LENGTH`` come out of spaCy as one array
   (``Doc.to_array``);
2. each distinct lowercase form of the batch is looked up once (:class:`FormTable`, a
   cache kept across batches): whether it is a word (punctuation and whitespace are
   not), the id of its match key if some term uses that key (else 0), and its scores
   against the one-word fuzzy terms;
3. one-word terms are a lookup by key id; a term of ``n`` words is looked for only where
   its anchor word stands (see :mod:`.engine`): there a rolling hash of ``n`` consecutive
   key ids is compared with the terms' own (``searchsorted``), checked exactly against
   their keys and kept only when all ``n`` words are in one unit. Key ids and windows
   become (word, term) pairs with numpy (terms sharing a key or a window included), with
   no Python loop per occurrence.

Occurrences come back per unit in the order the earlier token-by-token matcher found
them (by the position of the term's anchor word, then the anchor's term order), since
hits that tie on score and start keep that order as evidence.

numpy and spaCy are imported when a batch is scanned, never at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from spacy.tokens import Doc

WINDOW_PRIME = 1_000_003  # window hash: key ids as digits in this base, modulo 2**64
MASK = (1 << 64) - 1


@dataclass
class TermTables:
    """The terms' keys as ids, grouped for the scan (built once per matcher)."""

    key_ids: dict[str, int]  # match key -> id (1..), for keys some term uses
    single: dict[int, list[int]]  # key id -> one-word terms with that key, in term order
    windows: dict[int, dict[tuple[int, ...], list[int]]]  # length -> key ids -> terms
    hashes: dict[int, Any]  # length -> sorted numpy array of the window hashes of its terms
    single_flag: Any  # numpy bools by key id: whether a one-word term has that key
    lengths: list[int]  # words in each term
    anchor_offset: list[int]  # each term's anchor word, from its first word
    rank: list[int]  # each term's place among the terms sharing its anchor key
    # the same as numpy arrays, for the scan: one-word terms by key id; per length, each
    # window of key ids in hash order (as ``hashes``) and its terms
    single_terms: Any = None
    window_ids: dict[int, Any] = field(default_factory=dict)
    window_terms: dict[int, Any] = field(default_factory=dict)
    # where windows can start: per length, (anchor offset, numpy bools by key id) for each
    # offset a term of that length has its anchor at; and whether any multi-word term is
    # anchored on a key id
    window_anchors: dict[int, list[tuple[int, Any]]] = field(default_factory=dict)
    anchor_flag: Any = None

    @classmethod
    def build(cls, terms: Sequence[tuple[str, ...]], anchors: dict[str, list[int]]) -> TermTables:
        """From each term's keys and, per anchor key, its terms in the order they are tried."""
        import numpy as np

        key_ids: dict[str, int] = {}
        for keys in terms:
            for key in keys:
                key_ids.setdefault(key, len(key_ids) + 1)
        flag = np.zeros(len(key_ids) + 1, dtype=bool)
        tables = cls(
            key_ids, {}, {}, {}, flag, [len(k) for k in terms], [0] * len(terms), [0] * len(terms)
        )
        for anchor, term_ids in anchors.items():
            for rank, term_id in enumerate(term_ids):
                tables.rank[term_id] = rank
                tables.anchor_offset[term_id] = terms[term_id].index(anchor)
        for term_id, keys in enumerate(terms):
            ids = tuple(key_ids[k] for k in keys)
            if len(ids) == 1:
                tables.single.setdefault(ids[0], []).append(term_id)
                flag[ids[0]] = True
            else:
                tables.windows.setdefault(len(ids), {}).setdefault(ids, []).append(term_id)
        for length, by_ids in tables.windows.items():
            tables.hashes[length] = np.array(
                sorted({window_hash(ids) for ids in by_ids}), dtype=np.uint64
            )
        tables.anchor_flag = np.zeros(len(key_ids) + 1, dtype=bool)
        shapes: dict[tuple[int, int], Any] = {}
        for term_id, keys in enumerate(terms):
            if len(keys) > 1:
                offset = tables.anchor_offset[term_id]
                flag = shapes.setdefault((len(keys), offset), np.zeros(len(key_ids) + 1, dtype=bool))
                flag[key_ids[keys[offset]]] = tables.anchor_flag[key_ids[keys[offset]]] = True
        for (length, offset), flag in sorted(shapes.items()):
            tables.window_anchors.setdefault(length, []).append((offset, flag))
        tables.single_terms = _Expansion.of(
            [tables.single.get(key_id, []) for key_id in range(len(key_ids) + 1)]
        )
        for length, by_ids in tables.windows.items():
            ordered = sorted(by_ids, key=window_hash)
            if len(ordered) == len(tables.hashes[length]):  # no two terms' windows share a hash
                tables.window_ids[length] = np.array(ordered, dtype=np.uint64)
                tables.window_terms[length] = _Expansion.of([by_ids[ids] for ids in ordered])
        return tables


@dataclass
class _Expansion:
    """Lists of term ids by row (a key id, a window), flat: row ``r`` is ``terms[first[r]:first[r + 1]]``."""

    first: Any  # numpy int64, one more than the rows
    terms: Any  # numpy int64

    @classmethod
    def of(cls, rows: Sequence[Sequence[int]]) -> _Expansion:
        import numpy as np

        sizes = np.array([len(row) for row in rows], dtype=np.int64)
        first = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        return cls(first, np.array([t for row in rows for t in row], dtype=np.int64))

    def expand(self, words, rows):
        """(word, term) for each word and each term of its row, word by word in row order."""
        import numpy as np

        counts = self.first[rows + 1] - self.first[rows]
        ends = np.cumsum(counts)
        within = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - counts, counts)
        return np.repeat(words, counts), self.terms[np.repeat(self.first[rows], counts) + within]


def window_hash(ids: Sequence[int]) -> int:
    """The hash :func:`_windows` computes with numpy, in plain integers."""
    value = 0
    for key_id in ids:
        value = (value * WINDOW_PRIME + key_id) & MASK
    return value


@dataclass
class FormTable:
    """Per lowercase form (spaCy's hash of it): its key id (-1: not a word) and its one-word
    fuzzy scores.

    A token is a word unless it is punctuation or whitespace, which spaCy decides from the
    form itself (its lexeme flags), and so for the lowercase form as for the token: no
    character of either kind changes with case. Key ids are kept as plain ints, scores only
    for the forms that have some: the cycle collector does not track a dict of ints, but
    would walk a tuple per form (100,000s).
    """

    key_id: Callable[[str], int]  # lowercase word -> key id (0: no term uses its key)
    # lowercase words -> each one's (spec, score)s, in one call per batch
    fuzzy: Callable[[list[str]], list[tuple[tuple[int, float], ...]]]
    is_word: Callable[[str], bool]  # lowercase form -> whether it is a word
    key_ids: dict[int, int] = field(default_factory=dict)
    scores: dict[int, tuple[tuple[int, float], ...]] = field(default_factory=dict)

    def lookup(self, hashes: list[int], strings) -> tuple[list[int], dict[int, tuple[tuple[int, float], ...]]]:
        """The key id of each form (-1 if not a word), and the fuzzy scores of those that have some."""
        key_ids = self.key_ids
        found = list(map(key_ids.get, hashes))  # C-level: Python runs only for forms never seen
        unseen, at = [], -1
        try:
            while True:
                at = found.index(None, at + 1)
                unseen.append(at)
        except ValueError:  # no form left unseen
            pass
        if unseen:
            self._first_sight([hashes[at] for at in unseen], strings)
            for at in unseen:
                found[at] = key_ids[hashes[at]]
        scores = self.scores
        return cast("list[int]", found), {value: scores[value] for value in scores.keys() & hashes}

    def _first_sight(self, values: list[int], strings) -> None:
        texts = [strings[value] for value in values]
        words = [(value, text) for value, text in zip(values, texts, strict=True) if self.is_word(text)]
        for value in values:
            self.key_ids[value] = -1
        for (value, text), scores in zip(words, self.fuzzy([text for _, text in words]), strict=True):
            self.key_ids[value] = self.key_id(text)
            if scores:
                self.scores[value] = scores


@dataclass
class Found:
    """One unit's occurrences, in the order they were found: term -> [(word position, first
    token, last token, first character, end character)], fuzzy spec -> [(word position,
    first token, last token, score)]."""

    terms: dict[int, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)
    fuzzy: dict[int, list[tuple[int, int, int, float]]] = field(default_factory=dict)


class ScannedBatch:
    """A batch of units as flat arrays; per unit: its tokens' character offsets and its words,
    and per word its key id (:class:`FormTable`)."""

    def __init__(self, docs: Sequence[Doc], forms: FormTable, strings) -> None:
        import numpy as np
        from spacy.attrs import IDX, LENGTH, LOWER

        self.docs = docs
        sizes = [len(doc) for doc in docs]
        arrays = [doc.to_array([LOWER, IDX, LENGTH]) for doc in docs if len(doc)]
        flat = np.concatenate(arrays) if arrays else np.zeros((0, 3), dtype=np.uint64)
        self.token0 = np.concatenate(([0], np.cumsum(sizes)))  # first token of each unit
        # each distinct lowercase form looked up once: whether it is a word, its key id
        distinct, inverse = np.unique(flat[:, 0], return_inverse=True)
        ids, self.fuzzy = forms.lookup(distinct.tolist(), strings)  # fuzzy: form -> scores
        # the forms with fuzzy scores, by their place in ``distinct`` (sorted by np.unique)
        self.fuzzy_forms = np.searchsorted(distinct, np.array(list(self.fuzzy), dtype=np.uint64))
        self.distinct = distinct
        ids_array = np.array(ids, dtype=np.int64)
        self.word_tokens = np.flatnonzero(ids_array[inverse] >= 0)  # flat token index of each word
        self.word_forms = inverse[self.word_tokens]  # each word's place in ``distinct``
        self.key_ids = ids_array[self.word_forms].astype(np.uint64)
        self.word_unit = np.repeat(np.arange(len(docs)), sizes)[self.word_tokens]
        self.word0 = np.concatenate(
            ([0], np.cumsum(np.bincount(self.word_unit, minlength=len(docs))))
        )
        self.starts = flat[:, 1].astype(np.int64)
        self.ends = self.starts + flat[:, 2].astype(np.int64)

    def char_span(self, unit: int, first: int, last: int) -> tuple[int, int]:
        """Character offsets of tokens ``first``..``last`` of ``unit``."""
        base = int(self.token0[unit])
        return int(self.starts[base + first]), int(self.ends[base + last])

    def word_count(self, unit: int) -> int:
        return int(self.word0[unit + 1] - self.word0[unit])

    def unit_word_tokens(self, unit: int) -> list[int]:
        """The token index (within the unit) of each of its words."""
        words = self.word_tokens[self.word0[unit] : self.word0[unit + 1]]
        return (words - self.token0[unit]).tolist()

    def word_starts(self, unit: int) -> list[int]:
        """The character offset of each word of ``unit``."""
        return self.starts[self.word_tokens[self.word0[unit] : self.word0[unit + 1]]].tolist()


def scan(batch: ScannedBatch, tables: TermTables) -> list[Found]:
    """Every occurrence of every term and one-word fuzzy spec in each unit of ``batch``."""
    import numpy as np

    found = [Found() for _ in batch.docs]
    if not len(batch.key_ids):
        return found
    starts, terms = _occurrences(batch.key_ids, batch.word_unit, tables)
    _add_terms(batch, tables, found, starts, terms)
    if batch.fuzzy:
        scored = np.zeros(len(batch.distinct), dtype=bool)
        scored[batch.fuzzy_forms] = True
        flagged = np.flatnonzero(scored[batch.word_forms])
        forms = batch.distinct[batch.word_forms[flagged]].tolist()
        _add_fuzzy(batch, found, flagged, [batch.fuzzy[form] for form in forms])
    return found


def _occurrences(key_ids, word_unit, tables: TermTables):
    """(first word, term) of every occurrence in the batch, as two flat arrays (in no set order)."""
    import numpy as np

    flagged = np.flatnonzero(tables.single_flag[key_ids])
    starts, terms = tables.single_terms.expand(flagged, key_ids[flagged].astype(np.int64))
    found_starts, found_terms = [starts], [terms]
    anchors = np.flatnonzero(tables.anchor_flag[key_ids])  # words a multi-word term may be anchored on
    for length, by_ids in tables.windows.items():
        candidates, rows = _windows(key_ids, word_unit, length, anchors, tables)
        windows = key_ids[candidates[:, None] + np.arange(length)]  # checked exactly: hashes collide
        if length in tables.window_ids:
            exact = (windows == tables.window_ids[length][rows]).all(axis=1)
            starts, terms = tables.window_terms[length].expand(candidates[exact], rows[exact])
        else:  # two terms' windows share a hash: look each window up
            pairs = [
                (word, term_id)
                for word, ids in zip(candidates.tolist(), windows.tolist(), strict=True)
                for term_id in by_ids.get(tuple(ids), ())
            ]
            starts = np.array([w for w, _ in pairs], dtype=np.int64)
            terms = np.array([t for _, t in pairs], dtype=np.int64)
        found_starts.append(starts)
        found_terms.append(terms)
    return np.concatenate(found_starts), np.concatenate(found_terms)


def _windows(key_ids, word_unit, length: int, anchors, tables: TermTables):
    """First words of the windows of ``length`` words, within one unit, whose hash is a term's;
    and the place of that hash in the length's sorted hashes. Only windows holding a term's
    anchor word where that term has it are hashed."""
    import numpy as np

    count = len(key_ids) - length + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    marked = np.zeros(len(key_ids) + length, dtype=bool)  # a window may hold anchors of two shapes
    for offset, flag in tables.window_anchors[length]:
        marked[anchors[flag[key_ids[anchors]]] + (length - offset)] = True  # shifted: never negative
    starts = np.flatnonzero(marked[length : length + count])
    value = key_ids[starts]
    for offset in range(1, length):
        value = value * np.uint64(WINDOW_PRIME) + key_ids[starts + offset]
    hashes = tables.hashes[length]
    rows = np.minimum(np.searchsorted(hashes, value), len(hashes) - 1)
    candidates = starts[hashes[rows] == value]
    rows = rows[hashes[rows] == value]
    within = word_unit[candidates] == word_unit[candidates + length - 1]
    return candidates[within], rows[within]


def _add_terms(batch: ScannedBatch, tables: TermTables, found: list[Found], starts, terms) -> None:
    """File each occurrence under its unit, ordered by anchor position, then by the anchor's term order."""
    import numpy as np

    if not len(starts):
        return
    lengths, offsets, ranks = (
        np.array(v, dtype=np.int64) for v in (tables.lengths, tables.anchor_offset, tables.rank)
    )
    order = np.lexsort((ranks[terms], starts + offsets[terms]))
    starts, terms = starts[order], terms[order]
    units = batch.word_unit[starts]
    token0 = batch.token0[units]
    positions = starts - batch.word0[units]
    firsts = batch.word_tokens[starts]
    lasts = batch.word_tokens[starts + lengths[terms] - 1]
    columns = (positions, firsts - token0, lasts - token0, batch.starts[firsts], batch.ends[lasts])
    places = zip(*(column.tolist() for column in columns), strict=True)
    for unit, term_id, place in zip(units.tolist(), terms.tolist(), places, strict=True):
        unit_terms = found[unit].terms
        if term_id in unit_terms:
            unit_terms[term_id].append(place)
        else:
            unit_terms[term_id] = [place]


def _add_fuzzy(batch: ScannedBatch, found: list[Found], words, scores: list) -> None:
    units = batch.word_unit[words]
    positions = (words - batch.word0[units]).tolist()
    tokens = (batch.word_tokens[words] - batch.token0[units]).tolist()
    for unit, position, token, unit_scores in zip(
        units.tolist(), positions, tokens, scores, strict=True
    ):
        for spec_id, score in unit_scores:
            found[unit].fuzzy.setdefault(spec_id, []).append((position, token, token, score))
