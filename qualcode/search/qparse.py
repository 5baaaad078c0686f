"""Parsing a coding query: a small recursive-descent parser with one-line errors.

Grammar (keywords in any case; ``code:ID`` for a code spelled like a keyword)::

    query := or
    or    := and ("OR" and)*
    and   := not ("AND" not)*
    not   := "NOT" not | near
    near  := atom ("NEAR/" N atom)*
    atom  := "(" query ")" | CODE | "code:" CODE | TEXT | NAME "=" VALUE
    TEXT  := '"words"' | MODE ':"words"'      (MODE: lemma, phrase, regex, fuzzy)

``NAME=VALUE`` selects turns by transcript: ``role=``, ``site=``, or any attribute.
Errors name the position (1-based character) and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from qualcode.search.index import SearchError

KEYWORDS = ("AND", "OR", "NOT")
TEXT_MODES = ("lemma", "phrase", "regex", "fuzzy")
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<paren>[()])
      | (?P<near>NEAR/(?P<n>\d+))(?![\w.])
      | (?:(?P<mode>[A-Za-z]+):)?"(?P<text>(?:[^"\\]|\\.)*)"
      | (?P<pair>[\w.:-]+)=(?P<value>"(?:[^"\\]|\\.)*"|[^\s()]*)
      | (?P<word>[\w.:-]+)
    )""",
    re.VERBOSE | re.IGNORECASE,
)


class QueryError(SearchError):
    """A coding query that cannot be parsed or run."""


@dataclass(frozen=True)
class Code:
    code: str


@dataclass(frozen=True)
class Text:
    pattern: str
    mode: str


@dataclass(frozen=True)
class Where:
    name: str
    value: str


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str  # AND, OR, NEAR
    left: object
    right: object
    distance: int = 0


@dataclass(frozen=True)
class _Token:
    kind: str
    value: object
    position: int
    spelling: str


def parse_query(text: str):
    """The query's syntax tree; QueryError naming the position on a mistake."""
    return _Parser(text).parse()


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            at = len(text[:position]) + len(text[position:]) - len(text[position:].lstrip()) + 1
            raise QueryError(f"query position {at}: unexpected '{text[at - 1]}'; expected a code, "
                             "\"text\", NAME=VALUE, AND, OR, NOT, NEAR/n or parentheses")
        start = match.start() + len(match.group()) - len(match.group().lstrip()) + 1
        tokens.append(_classify(match, start))
        position = match.end()
    return tokens


def _classify(match: re.Match, start: int) -> _Token:
    spelled = match.group().strip()
    if match.group("paren"):
        return _Token(match.group("paren"), None, start, spelled)
    if match.group("near"):
        return _Token("NEAR", int(match.group("n")), start, spelled)
    if match.group("text") is not None:
        mode = (match.group("mode") or "lemma").lower()
        if mode not in TEXT_MODES:
            raise QueryError(f"query position {start}: unknown text mode '{mode}'; modes: {', '.join(TEXT_MODES)}")
        return _Token("TEXT", Text(_unescape(match.group("text")), mode), start, spelled)
    if match.group("pair"):
        value = match.group("value")
        value = _unescape(value[1:-1]) if value.startswith('"') else value
        if not value:
            raise QueryError(f"query position {start}: expected a value after '{match.group('pair')}='")
        return _Token("WHERE", Where(match.group("pair"), value), start, spelled)
    word = match.group("word")
    if word.upper() in KEYWORDS:
        return _Token(word.upper(), None, start, spelled)
    code = word[5:] if word.lower().startswith("code:") else word
    return _Token("CODE", Code(code), start, spelled)


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class _Parser:
    def __init__(self, text: str) -> None:
        if not text.strip():
            raise QueryError("Empty query; write codes joined by AND, OR, NOT or NEAR/n")
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def parse(self):
        tree = self._or()
        if self.at < len(self.tokens):
            self._fail("AND, OR, NEAR/n or the end of the query")
        return tree

    def _peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self, kind: str) -> _Token | None:
        token = self._peek()
        if token is not None and token.kind == kind:
            self.at += 1
            return token
        return None

    def _fail(self, expected: str):
        token = self._peek()
        if token is None:
            raise QueryError(f"query position {len(self.text.rstrip()) + 1}: expected {expected}, but the query ended")
        raise QueryError(f"query position {token.position}: expected {expected}, found '{token.spelling}'")

    def _or(self):
        tree = self._and()
        while self._take("OR"):
            tree = Binary("OR", tree, self._and())
        return tree

    def _and(self):
        tree = self._not()
        while self._take("AND"):
            tree = Binary("AND", tree, self._not())
        return tree

    def _not(self):
        if self._take("NOT"):
            return Not(self._not())
        return self._near()

    def _near(self):
        tree = self._atom()
        while (token := self._take("NEAR")) is not None:
            tree = Binary("NEAR", tree, self._atom(), cast(int, token.value))  # NEAR/n tokens hold n
        return tree

    def _atom(self):
        if self._take("("):
            tree = self._or()
            if not self._take(")"):
                self._fail("')'")
            return tree
        for kind in ("CODE", "TEXT", "WHERE"):
            token = self._take(kind)
            if token is not None:
                return token.value
        self._fail("a code, \"text\", NAME=VALUE or '('")
