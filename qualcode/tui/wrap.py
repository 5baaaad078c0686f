"""Word wrapping of turn text into line spans, shared by layout and painting.

The transcript pane needs every turn's height to lay out a 20,000-word transcript but
paints only the turns on screen; computing heights with this plain-Python wrapper
(instead of rendering each turn) keeps opening and re-laying out cheap, and painting
uses the very same spans, so heights and painted lines always agree.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\S+")


def cells(text: str) -> int:
    """Terminal cells a string takes (wide characters count 2)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap: ``(start, end)`` offsets of each line of ``text`` at ``width`` cells.

    Line breaks in the text are kept; spaces where a line breaks are dropped; words
    longer than a line are cut.

    >>> text = "Mostly the hotline.\\nPolice bring clients."
    >>> [text[s:e] for s, e in wrap_spans(text, 12)]
    ['Mostly the', 'hotline.', 'Police bring', 'clients.']
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    start = 0
    for paragraph in text.split("\n"):
        _wrap_paragraph(paragraph, start, width, lines)
        start += len(paragraph) + 1
    return lines


def _wrap_paragraph(text: str, offset: int, width: int, lines: list[tuple[int, int]]) -> None:
    line_start: int | None = None
    line_end = 0  # read only once a line has started
    used = 0
    for match in _WORD.finditer(text):
        word_start, word_end = match.span()
        size = cells(match.group())
        if line_start is not None and used + cells(text[line_end:word_start]) + size <= width:
            used += cells(text[line_end:word_start]) + size
            line_end = word_end
            continue
        if line_start is not None:
            lines.append((offset + line_start, offset + line_end))
        while size > width:  # a word longer than the line: cut it
            cut = _cut(text, word_start, width)
            lines.append((offset + word_start, offset + cut))
            word_start = cut
            size = cells(text[word_start:word_end])
        line_start, line_end, used = word_start, word_end, size
    lines.append((offset + (line_start or 0), offset + (line_end or 0)))


def _cut(text: str, start: int, width: int) -> int:
    """The offset after as many characters from ``start`` as fit in ``width`` cells."""
    end, used = start, 0
    while end < len(text) and used + cells(text[end]) <= width:
        used += cells(text[end])
        end += 1
    return max(end, start + 1)


def offset_at_column(text: str, start: int, end: int, column: int) -> int:
    """The offset in ``text[start:end]`` (one wrapped line) drawn at ``column`` cells in.

    Past the end of the line gives ``end``; wide characters take two cells.

    >>> offset_at_column("Mostly the hotline.", 0, 19, 7)
    7
    >>> offset_at_column("Mostly the hotline.", 0, 19, 99)
    19
    """
    used = 0
    for index in range(start, end):
        used += cells(text[index])
        if used > column:
            return index
    return end
