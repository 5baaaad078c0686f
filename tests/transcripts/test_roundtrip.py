"""Round trip: generated interviews rendered to every supported shape import unchanged.

Each shape below is one of the import shapes the README's "Importing" paragraph lists
(that list is exactly this one). For every shape, Hypothesis generates interviews —
2-4 speakers whose names may hold commas, periods, parentheses, apostrophes, digits and
non-ASCII letters; turns of one to several paragraphs with tags such as
``[inaudible 00:04:12]`` — renders them to a file, imports the file, and checks the
same speakers, the same turn boundaries, every word of every turn in order (exactly),
paragraph breaks where the shape carries them, no label or timestamp in any turn, and
any text before the first label kept as the (uncoded) preamble.
"""

from __future__ import annotations

import codecs
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.transcripts.importers.labels import NEVER_IN_NAME, NOT_A_NAME, name_key
from qualcode.transcripts.importing import ImportRequest, build_transcript

UPPER = "ABDEGHJKLMNPRSTVWZÁÉÖØÅŁŚŽÇ"
LOWER = "abdeghiklmnoprstuvwyzáéíñöøłśüç"
TITLES = ("Det.", "Dr.", "Sgt.", "Lt.", "Ms.", "Prof.")
SUFFIXES = ("", "", "", " Jr.", " 2", " 3rd", " (Interviewer)", " (Respondent)", " (VSP)", " (Det. 4)")
WORDS = (
    "we the task force started in 2012 with two detectives mostly patrol referrals came from hotline and "
    "police café naïve über señora Zürich Harbor City okay yes well, so. really? honestly, it's what's "
    "don't Q&A 24/7 e-mail Łódź œuvre ‘quoted’ — 50% $300"
).split()
TAGS = ("[inaudible 00:04:12]", "[crosstalk]", "[place]", "[laughs]", "[inaudible]")
CP1252 = "cp1252"


@dataclass(frozen=True)
class Interview:
    speakers: tuple[str, ...]
    turns: tuple[tuple[int, tuple[str, ...]], ...]  # (speaker index, paragraphs)
    preamble: tuple[str, ...] = ()  # paragraphs before the first label: kept, in no turn

    def expected(self, labels: tuple[str, ...] | None = None) -> list[tuple[str, list[str]]]:
        names = labels or self.speakers
        return [(names[who], paragraphs) for who, paragraphs in self.turns]


def _encodable(text: str, encoding: str | None) -> bool:
    if encoding is None:
        return True
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _ordinary(name: str) -> bool:
    # The importer refuses, by design, names opening with a word that opens prose or a
    # header field ("Note:", "So:", "Date:"), or holding a header word anywhere: such a
    # line is not a speaker label. Random letters can spell those words; skip them.
    bare = [word.strip(".,()'’-").casefold() for word in name.split()]
    return bare[0] not in NOT_A_NAME and not any(word in NEVER_IN_NAME for word in bare)


@st.composite
def names(draw, encoding: str | None = None) -> str:
    upper = "".join(c for c in UPPER if _encodable(c, encoding))
    lower = "".join(c for c in LOWER if _encodable(c, encoding))
    word = st.builds(
        lambda prefix, head, tail: prefix + head + tail,
        st.sampled_from(("", "", "O'", "D'", "Mc")),
        st.sampled_from(upper),
        st.text(lower, min_size=2, max_size=8),
    )
    given_name, surname = draw(word), draw(word)
    form = draw(st.sampled_from(("given surname", "surname, given", "title surname", "speaker n")))
    if form == "given surname":
        name = f"{given_name} {surname}"
    elif form == "surname, given":
        name = f"{surname}, {given_name}"
    elif form == "title surname":
        name = f"{draw(st.sampled_from(TITLES))} {surname}"
    else:
        name = f"Speaker {draw(st.integers(1, 99))}"
    name += draw(st.sampled_from(SUFFIXES))
    # A label is at most 40 characters (labels.MAX_NAME_CHARS): longer "labels" are prose.
    return name if len(name) <= 40 and _ordinary(name) else draw(st.nothing())


@st.composite
def paragraphs(draw, encoding: str | None = None) -> tuple[str, ...]:
    words = [w for w in WORDS if _encodable(w, encoding)]
    token = st.one_of(st.sampled_from(words), st.sampled_from(words), st.sampled_from(TAGS))
    drawn = draw(st.lists(st.lists(token, min_size=1, max_size=12), min_size=1, max_size=3))
    return tuple(" ".join(tokens) for tokens in drawn)


@st.composite
def interviews(
    draw, *, speakers=(2, 4), min_turns_each: int = 1, encoding: str | None = None, preamble: bool = True
) -> Interview:
    people = draw(st.lists(names(encoding), min_size=speakers[0], max_size=speakers[1], unique_by=name_key))
    order = list(range(len(people))) * min_turns_each
    order += draw(st.lists(st.integers(0, len(people) - 1), max_size=4))
    order = draw(st.permutations(order))
    # A turn is a change of speaker: consecutive blocks by one speaker are one turn.
    turns_order = [who for index, who in enumerate(order) if index == 0 or order[index - 1] != who]
    counts = {who: turns_order.count(who) for who in range(len(people))}
    if min(counts.values()) < min_turns_each:
        draw(st.nothing())
    turns = tuple((who, draw(paragraphs(encoding))) for who in turns_order)
    before = draw(st.one_of(st.just(()), paragraphs(encoding))) if preamble else ()
    return Interview(tuple(people), turns, before)


def stamp(index: int, style: str) -> str:
    seconds = 5 + 37 * index
    h, m, s = seconds // 3600, seconds // 60 % 60, seconds % 60
    if style == "otter":
        return f"{m}:{s:02d}" if not h else f"{h}:{m:02d}:{s:02d}"
    if style == "vtt":
        return f"{h:02d}:{m:02d}:{s:02d}.000"
    if style == "srt":
        return f"{h:02d}:{m:02d}:{s:02d},000"
    return f"{h:02d}:{m:02d}:{s:02d}"


# --- Word -------------------------------------------------------------------------


def _docx(build: Callable, interview: Interview, path: Path, labels) -> Path:
    import docx

    document = docx.Document()
    for text in interview.preamble:
        document.add_paragraph(text)
    for index, (speaker, paras) in enumerate(interview.expected(labels)):
        build(document, index, speaker, paras)
    document.save(path)
    return path


def docx_bold(document, index, speaker, paras):
    first = document.add_paragraph()
    first.add_run(f"{speaker}:").bold = True
    first.add_run(f" {paras[0]}")
    for text in paras[1:]:
        document.add_paragraph(text)


def docx_plain(document, index, speaker, paras):
    document.add_paragraph(f"{speaker}: {paras[0]}")
    for text in paras[1:]:
        document.add_paragraph(text)


def docx_heading(document, index, speaker, paras):
    document.add_heading(speaker, level=2)
    for text in paras:
        document.add_paragraph(text)


def docx_teams(document, index, speaker, paras):
    document.add_paragraph(f"{speaker}   {stamp(index, 'otter')}")
    for text in paras:
        document.add_paragraph(text)


def docx_teams_breaks(document, index, speaker, paras):
    header = document.add_paragraph()
    header.add_run(f"{speaker}   {stamp(index, 'otter')}").add_break()
    header.add_run(paras[0])
    for text in paras[1:]:
        document.add_paragraph(text)


def docx_table(interview: Interview, path: Path, labels) -> Path:
    import docx

    document = docx.Document()
    for text in interview.preamble:
        document.add_paragraph(text)
    table = document.add_table(rows=1, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Speaker", "Time", "Text"), strict=True):
        cell.text = text
    for index, (speaker, paras) in enumerate(interview.expected(labels)):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = speaker, stamp(index, "rev"), paras[0]
        for text in paras[1:]:
            cells[2].add_paragraph(text)
    document.save(path)
    return path


# --- Plain text and Markdown ------------------------------------------------------


def text_blocks(label: Callable[[int, str], str], *, label_line: bool = False):
    """A renderer: each turn opens with ``label`` (on its own line if ``label_line``);
    paragraphs are separated by blank lines, as are turns."""

    def render(interview: Interview, labels) -> str:
        blocks = list(interview.preamble)
        for index, (speaker, paras) in enumerate(interview.expected(labels)):
            head = label(index, speaker)
            first = f"{head}\n{paras[0]}" if label_line else f"{head} {paras[0]}"
            blocks.append("\n\n".join([first, *paras[1:]]))
        return "\n\n".join(blocks) + "\n"

    return render


plain = text_blocks(lambda i, s: f"{s}:")


def _text_file(render, encoding: str = "utf-8", newline: str = "\n"):
    def write(interview: Interview, path: Path, labels) -> Path:
        text = render(interview, labels).replace("\n", newline)
        data = text.encode(encoding) if encoding != "utf-16" else codecs.BOM_UTF16_LE + text.encode("utf-16-le")
        path.write_bytes(data)
        return path

    return write


# --- Captions ---------------------------------------------------------------------


def captions(interview: Interview, labels, style: str, voice: bool) -> str:
    cues = []
    number = 0
    for index, (speaker, paras) in enumerate(interview.expected(labels)):
        for text in paras:  # one cue per paragraph, each labelled (as Zoom and Teams do)
            number += 1
            start, end = stamp(index, style), stamp(index + 1, style)
            if style == "srt":
                cues.append(f"{number}\n{start} --> {end}\n{speaker}: {text}")
            elif voice:
                cues.append(f"{start} --> {end}\n<v {html.escape(speaker)}>{html.escape(text)}</v>")
            else:
                cues.append(f"{number}\n{start} --> {end}\n{html.escape(speaker)}: {html.escape(text)}")
    head = "WEBVTT\n\n" if style == "vtt" else ""
    return head + "\n\n".join(cues) + "\n"


def _captions_file(style: str, voice: bool = False):
    def write(interview: Interview, path: Path, labels) -> Path:
        path.write_text(captions(interview, labels, style, voice), encoding="utf-8")
        return path

    return write


@dataclass(frozen=True)
class Shape:
    suffix: str
    write: Callable[[Interview, Path, tuple[str, ...] | None], Path]
    strategy: st.SearchStrategy
    paragraphs: bool = True  # the shape keeps a turn's paragraph breaks
    labels: tuple[str, ...] | None = None  # fixed labels replacing the names (I/R, Q/A)


def _docx_shape(build) -> Callable:
    return lambda interview, path, labels: _docx(build, interview, path, labels)


# A plain "Name:" line or a heading holding a name is taken as a speaker label only
# when the label recurs (a lone "Note: ..." is prose): in those shapes every speaker
# speaks at least twice. I/R and Q/A carry no names, only two roles: two speakers.
# Subtitle cues wrap lines for display only, so captions carry no paragraph breaks, and
# a cue before any label is speech by an unknown speaker, not a preamble.
ANY = interviews()
CUES = interviews(preamble=False)
RECURRING = interviews(min_turns_each=2)
TWO = interviews(speakers=(2, 2))
SHAPES = {
    "docx-bold-labels": Shape(".docx", _docx_shape(docx_bold), ANY),
    "docx-plain-labels": Shape(".docx", _docx_shape(docx_plain), RECURRING),
    "docx-nvivo-headings": Shape(".docx", _docx_shape(docx_heading), RECURRING),
    "docx-teams-header-paragraphs": Shape(".docx", _docx_shape(docx_teams), ANY),
    "docx-teams-header-breaks": Shape(".docx", _docx_shape(docx_teams_breaks), ANY),
    "docx-rev-table": Shape(".docx", docx_table, ANY),
    "txt-name-colon": Shape(".txt", _text_file(plain), RECURRING),
    "txt-name-colon-utf8-bom-crlf": Shape(".txt", _text_file(plain, "utf-8-sig", "\r\n"), RECURRING),
    "txt-name-colon-utf16": Shape(".txt", _text_file(plain, "utf-16"), RECURRING),
    "txt-name-colon-cp1252": Shape(".txt", _text_file(plain, CP1252), interviews(min_turns_each=2, encoding=CP1252)),
    "md-bold-labels": Shape(".md", _text_file(text_blocks(lambda i, s: f"**{s}:**")), ANY),
    "txt-i-r": Shape(".txt", _text_file(plain), TWO, labels=("I", "R")),
    "txt-q-a": Shape(".txt", _text_file(plain), TWO, labels=("Q", "A")),
    "txt-timestamped": Shape(".txt", _text_file(text_blocks(lambda i, s: f"[{stamp(i, 'rev')}] {s}:")), ANY),
    "txt-otter": Shape(".txt", _text_file(text_blocks(lambda i, s: f"{s}  {stamp(i, 'otter')}", label_line=True)), ANY),
    "txt-rev": Shape(".txt", _text_file(text_blocks(lambda i, s: f"{s} ({stamp(i, 'rev')}):", label_line=True)), ANY),
    "vtt-zoom": Shape(".vtt", _captions_file("vtt"), CUES, paragraphs=False),
    "vtt-teams-voice": Shape(".vtt", _captions_file("vtt", voice=True), CUES, paragraphs=False),
    "srt": Shape(".srt", _captions_file("srt"), CUES, paragraphs=False),
}
TIMESTAMP_RE = re.compile(r"\d{1,2}:\d{2}")


@pytest.mark.parametrize("shape_name", sorted(SHAPES))
def test_round_trip(tmp_path, shape_name):
    shape = SHAPES[shape_name]

    @given(interview=shape.strategy)
    def check(interview: Interview) -> None:
        path = shape.write(interview, tmp_path / f"interview{shape.suffix}", shape.labels)
        transcript = build_transcript(ImportRequest(path, "service_provider", "A"), "service_provider")
        expected = interview.expected(shape.labels)
        assert transcript.preamble == "\n".join(interview.preamble)
        got = [(s.speaker, transcript.segment_text(s)) for s in transcript.segments]
        assert [speaker for speaker, _ in got] == [speaker for speaker, _ in expected]
        for (_, text), (_, paras) in zip(got, expected, strict=True):
            assert text.split() == " ".join(paras).split()
            if shape.paragraphs:
                assert text.split("\n") == list(paras)
            untagged = text
            for tag in TAGS:
                untagged = untagged.replace(tag, "")
            assert not TIMESTAMP_RE.search(untagged)

    check()
