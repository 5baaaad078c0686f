"""Sentence spans inside a turn: the coding screen's sub-span selection and the
``sentence`` unit of agreement use this one definition, so they always agree.

A simple regular expression is enough here: a sentence ends at ``.``, ``!``, ``?``
or ``…`` (with any closing quotes or brackets) followed by whitespace, or at a blank
line. A single line break does not end one: plain-text transcripts are often
hard-wrapped mid-sentence. Common abbreviations ("Mr.", "e.g.") and single-letter
initials do not end a sentence. Spans are transcript offsets, half-open, trimmed of
surrounding whitespace.
"""

from __future__ import annotations

import re

_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)|\n[ \t]*\n")
_LAST_WORD = re.compile(r"(\S+)$")
ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "jr", "sr", "no", "u.s", "approx", "lt", "sgt",
     "det", "sen", "rep", "gov", "prof", "inc", "co", "dept"}
)


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` spans shifted by ``offset``.

    >>> text = "Mostly the hotline. Police, e.g. Det. Ruiz, call us! Why?"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['Mostly the hotline.', 'Police, e.g. Det. Ruiz, call us!', 'Why?']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        blank_line = match.group().startswith("\n")
        if not blank_line and _is_abbreviation(text[start : match.start()]):
            continue
        end = match.start() if blank_line else match.end()
        _add_trimmed(spans, text, start, end)
        start = match.end()
    _add_trimmed(spans, text, start, len(text))
    return [(offset + s, offset + e) for s, e in spans]


def _is_abbreviation(before: str) -> bool:
    found = _LAST_WORD.search(before)
    if found is None:
        return False
    word = found.group(1).lower().lstrip("(\"'“‘")
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _add_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))
