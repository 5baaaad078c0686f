"""The importer registry and parse_file: choosing by suffix, sniffing, and every bad input."""

from __future__ import annotations

import codecs

import pytest

from qualcode.errors import QualcodeError, TranscriptImportError
from qualcode.transcripts.importers import (
    IMPORTERS,
    allowed_suffixes,
    detect_format,
    importer_for,
    parse_bytes,
    parse_file,
)
from qualcode.transcripts.model import ParsedTranscript
from tests.helpers import DATA

FIXTURES = DATA / "transcripts"


def test_registry_names_and_suffixes():
    assert sorted(IMPORTERS) == ["docx", "srt", "text", "vtt"]
    assert allowed_suffixes() == [".docx", ".md", ".srt", ".txt", ".vtt"]
    for name, importer in IMPORTERS.items():
        assert importer.name == name
        assert all(suffix.startswith(".") for suffix in importer.suffixes)


@pytest.mark.parametrize(
    ("file_name", "format_name"),
    [
        ("a.docx", "docx"),
        ("A.DOCX", "docx"),
        ("a.txt", "text"),
        ("notes.md", "text"),
        ("a.vtt", "vtt"),
        ("a.srt", "srt"),
    ],
)
def test_importer_for_suffix(file_name, format_name):
    assert importer_for(file_name).name == format_name


@pytest.mark.parametrize(
    "name",
    [
        "bold_labels.docx",
        "rev_table.docx",
        "nvivo_headings.docx",
        "teams.docx",
        "plain_labels.docx",
        "plain_labels.txt",
        "otter.txt",
        "rev.txt",
        "markdown.md",
        "timestamped.txt",
        "i_r.txt",
        "q_a.txt",
        "wrapped.txt",
        "zoom.vtt",
        "teams_voice.vtt",
        "captions.srt",
    ],
)
def test_every_fixture_parses_into_merged_normalised_turns(name):
    parsed = parse_file(FIXTURES / name)
    assert isinstance(parsed, ParsedTranscript)
    assert parsed.format == importer_for(name).name
    assert parsed.turns
    assert all(a.speaker != b.speaker for a, b in zip(parsed.turns, parsed.turns[1:], strict=False))
    for turn in parsed.turns:
        assert turn.text and turn.text == turn.text.strip()
        assert "\r" not in turn.text and "\n\n" not in turn.text
        assert not turn.text.startswith(f"{turn.speaker}:")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("bold_labels.docx", "docx"),
        ("zoom.vtt", "vtt"),
        ("captions.srt", "srt"),
        ("otter.txt", "text"),
        ("legacy_doc.docx", None),
    ],
)
def test_detect_format(name, fmt):
    assert detect_format((FIXTURES / name).read_bytes()) == fmt


def test_parse_bytes_equals_parse_file():
    path = FIXTURES / "rev.txt"
    assert parse_bytes(path.read_bytes(), str(path)) == parse_file(path)


def _write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


BAD_INPUTS = [
    ("empty.txt", b"", "is empty (0 bytes)"),
    ("empty.docx", b"", "is empty (0 bytes)"),
    ("blank.vtt", b"  \r\n\r\n", "contains only whitespace"),
    ("bom-only.txt", codecs.BOM_UTF8 + b"\n", "contains only whitespace"),
    ("old.docx", (FIXTURES / "legacy_doc.docx").read_bytes(), "legacy Word 97-2003 .doc file renamed .docx"),
    ("cut.docx", (FIXTURES / "truncated.docx").read_bytes(), "truncated or corrupt"),
    ("bomb.docx", (FIXTURES / "zip_bomb.docx").read_bytes(), "would inflate 1028 times"),
    ("junk.txt", bytes(range(256)) * 4, "contains binary data"),
    ("junk.docx", bytes(range(256)) * 4, "does not start with the ZIP signature"),
    ("text.docx", b"Interviewer: hi\n", "is named .docx but contains plain text; rename it to .txt"),
    (
        "word.txt",
        (FIXTURES / "teams.docx").read_bytes(),
        "is named .txt but contains a Word document; rename it to .docx",
    ),
    ("old.txt", (FIXTURES / "legacy_doc.docx").read_bytes(), "legacy Microsoft Office file"),
    ("captions.txt", (FIXTURES / "zoom.vtt").read_bytes(), "contains WebVTT captions; rename it to .vtt"),
    ("subs.vtt", (FIXTURES / "captions.srt").read_bytes(), "contains SubRip subtitles; rename it to .srt"),
    ("nocues.vtt", (FIXTURES / "no_cues.vtt").read_bytes(), "contains no cues"),
    ("plain.srt", b"Interviewer: hi\n", "it has no '00:00:01,000 --> 00:00:04,000' timing lines"),
    ("nolabels.txt", (FIXTURES / "no_labels.txt").read_bytes(), "no speaker labels found"),
    ("notes.pdf", b"%PDF-1.4", "allowed suffixes: .docx, .md, .srt, .txt, .vtt"),
    ("README", b"Interviewer: hi", "has no suffix, not a transcript format"),
]


@pytest.mark.parametrize(("name", "data", "fragment"), BAD_INPUTS, ids=[case[0] for case in BAD_INPUTS])
def test_bad_inputs_give_one_clear_line(tmp_path, name, data, fragment):
    path = _write(tmp_path, name, data)
    with pytest.raises(TranscriptImportError) as caught:
        parse_file(path)
    error = caught.value
    assert fragment in error.message
    assert error.file == str(path)
    assert isinstance(error, QualcodeError)
    assert "\n" not in str(error) and str(error).startswith(str(path))


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda tmp: tmp / "missing.txt", "does not exist"),
        (lambda tmp: (tmp / "folder.txt").mkdir() or tmp / "folder.txt", "is a directory"),
    ],
    ids=["missing", "directory"],
)
def test_unreadable_paths(tmp_path, make, fragment):
    with pytest.raises(TranscriptImportError, match=fragment):
        parse_file(make(tmp_path))
