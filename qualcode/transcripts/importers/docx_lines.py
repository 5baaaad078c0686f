"""Turn a Word body's paragraphs and tables into labelled :class:`Line` objects.

Labels from structure: a bold ``Name:`` run opening a paragraph, a Heading-style
paragraph holding only a name (NVivo's convention; the following paragraphs are the
speech), and transcript tables (Rev's ``Speaker | Time | Text``), whose columns are
found from a header row or, failing that, from what the cells look like.
Any other table is read cell by cell as ordinary paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest

from qualcode.transcripts.importers.docx_body import BodyReader, Paragraph, Table
from qualcode.transcripts.importers.labels import (
    STRONG,
    TIME_ONLY_RE,
    TRUSTED,
    Candidate,
    Line,
    is_name_shaped,
    parse_time,
)

HEADER_WORDS = {
    "speaker": {"speaker", "speaker name", "name", "who", "person", "participant"},
    "time": {"time", "timestamp", "time stamp", "timecode", "time code", "start", "start time", "tc"},
    "text": {"text", "transcript", "transcription", "speech", "dialogue", "utterance", "content", "words"},
}
MIN_SHARE = 0.8  # share of a column's non-empty cells that must look like names / times


@dataclass
class Layout:
    """Which column holds what in a transcript table."""

    speaker: int
    text: int
    time: int | None
    has_header: bool


def document_lines(document, styles: dict[str, str]) -> list[Line]:
    """The document's paragraphs and tables as lines, with labels its structure gives."""
    lines: list[Line] = []
    for block in BodyReader(styles).blocks(document):
        if isinstance(block, Table):
            lines.extend(table_lines(block))
        else:
            lines.extend(paragraph_lines(block))
    return lines


def document_paragraphs(document, styles: dict[str, str]) -> list[str]:
    """Every paragraph's text in order, tables cell by cell (for documents without labels)."""
    texts: list[str] = []
    for block in BodyReader(styles).blocks(document):
        paragraphs = [p for row in block.rows for cell in row for p in cell] if isinstance(block, Table) else [block]
        texts.extend(p.text for p in paragraphs if p.text.strip())
    return texts


def paragraph_lines(paragraph: Paragraph) -> list[Line]:
    """One line per soft line break; the first may carry a bold-run or heading label."""
    text = paragraph.text
    if not text.strip():
        return []
    if paragraph.style and "\n" not in text.strip():
        name = text.strip().rstrip(":").strip()
        heading = Candidate(name, "", heading=True) if is_name_shaped(name) else None
        return [Line(text, heading, find_label=heading is None, style=paragraph.style)]
    first_line, *more = text.split("\n")
    label = _bold_label(paragraph.bold_prefix, first_line)
    if label is not None:
        lines = [Line(first_line, Candidate(label[0], label[1], strength=STRONG))]
    else:
        lines = [Line(first_line)] if first_line.strip() else []
    if more:
        lines.extend(Line(part) for part in more if part.strip())
    return lines


def _bold_label(bold: str, first_line: str) -> tuple[str, str] | None:
    """``(name, speech)`` if the line opens with a bold ``Name:`` (colon bold or not)."""
    if not bold or not first_line.startswith(bold) or not bold.strip():
        return None
    after = first_line[len(bold) :]
    if bold.rstrip().endswith(":"):
        return bold.strip()[:-1].strip(), after
    if after.lstrip().startswith(":"):
        return bold.strip(), after.lstrip()[1:]
    name, colon, speech = first_line.partition(":")
    if colon and len(name) < len(bold) and speech[:1].isspace():  # the bold runs on past the label
        return name.strip(), speech
    return None


def table_lines(table: Table) -> list[Line]:
    """A transcript table row by row, or any other table cell by cell."""
    texts = [[_cell_text(cell) for cell in row] for row in table.rows]
    layout = table_layout(texts)
    if layout is None:
        return [line for row in table.rows for cell in row for p in cell for line in paragraph_lines(p)]
    lines: list[Line] = []
    for cells in texts[1:] if layout.has_header else texts:
        lines.extend(_row_lines(cells, layout))
    return lines


def _row_lines(cells: list[str], layout: Layout) -> list[Line]:
    def cell(index: int | None) -> str:
        return cells[index].strip() if index is not None and index < len(cells) else ""

    speaker = " ".join(cell(layout.speaker).split())
    time_text = cell(layout.time)
    time = parse_time(time_text) if TIME_ONLY_RE.match(time_text) else None
    speech = [part for part in cell(layout.text).split("\n") if part.strip()]
    lines = [Line(part, find_label=False) for part in speech]
    if speaker:
        strength = TRUSTED if layout.has_header else STRONG
        first = speech[0] if speech else ""
        candidate = Candidate(speaker, first, time, strength)
        head = Line(first, candidate, find_label=False, start_time=time)
        lines = [head] + lines[1:]
    return lines


def _cell_text(cell: list[Paragraph]) -> str:
    return "\n".join(paragraph.text for paragraph in cell if paragraph.text.strip())


def table_layout(rows: list[list[str]]) -> Layout | None:
    """Find the speaker, time and text columns of a transcript table, if it is one."""
    if not rows or max(len(row) for row in rows) < 2:
        return None
    from_header = _header_layout(rows[0])
    if from_header is not None:
        return from_header
    columns = [list(column) for column in zip_longest(*rows, fillvalue="")]
    time = _first_column(columns, _looks_like_time, exclude=())
    speaker = _first_column(columns, _looks_like_name, exclude=(time,))
    if speaker is None:
        return None
    others = [i for i in range(len(columns)) if i not in (speaker, time)]
    if not others:
        return None
    text = max(others, key=lambda i: _mean_length(columns[i]))
    if _mean_length(columns[text]) <= _mean_length(columns[speaker]):
        return None
    return Layout(speaker, text, time, has_header=False)


def _header_layout(header: list[str]) -> Layout | None:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        word = " ".join(cell.strip().rstrip(":").split()).casefold()
        for role, words in HEADER_WORDS.items():
            if word in words and role not in found:
                found[role] = index
    if "speaker" in found and "text" in found:
        return Layout(found["speaker"], found["text"], found.get("time"), has_header=True)
    return None


def _first_column(columns: list[list[str]], looks_right, exclude: tuple) -> int | None:
    for index, column in enumerate(columns):
        if index in exclude:
            continue
        filled = [cell.strip() for cell in column if cell.strip()]
        if filled and sum(1 for cell in filled if looks_right(cell)) >= MIN_SHARE * len(filled):
            return index
    return None


def _looks_like_time(cell: str) -> bool:
    return bool(TIME_ONLY_RE.match(cell))


def _looks_like_name(cell: str) -> bool:
    return "\n" not in cell and is_name_shaped(cell.rstrip(":"))


def _mean_length(column: list[str]) -> float:
    filled = [cell for cell in column if cell.strip()]
    return sum(len(cell) for cell in filled) / len(filled) if filled else 0.0
