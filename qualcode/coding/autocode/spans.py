"""Sentence bounds around a matched span (the evidence the autocoder shows and stores)."""

from __future__ import annotations

import re

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
