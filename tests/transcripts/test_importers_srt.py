"""SubRip subtitles through the srt package."""

from __future__ import annotations

import codecs

import pytest

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.importers import parse_bytes, parse_file
from tests.helpers import DATA

FIXTURES = DATA / "transcripts"


def test_labels_tags_and_inheritance():
    parsed = parse_file(FIXTURES / "captions.srt")
    assert [(t.speaker, t.start_time, t.end_time, t.text) for t in parsed.turns] == [
        ("Interviewer", 1.0, 3.5, "How long have you worked in victim services?"),
        ("Respondent", 4.0, 9.25, "About nine years. Before that I was a nurse."),
        ("Interviewer", 10.0, 12.0, "Thank you."),
    ]
    assert parsed.format == "srt"


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: s.encode("utf-8"),
        lambda s: s.encode("utf-16"),
        lambda s: codecs.BOM_UTF8 + s.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf-8", "utf-16", "utf-8-sig-crlf"],
)
def test_encodings(encode):
    text = (FIXTURES / "captions.srt").read_text(encoding="utf-8")
    parsed = parse_bytes(encode(text), "captions.srt")
    assert [t.speaker for t in parsed.turns] == ["Interviewer", "Respondent", "Interviewer"]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"garbage first\n\n1\n00:00:01,000 --> 00:00:02,000\nhello\n", "is not valid SubRip"),
        (b"just some words\n", "has no '00:00:01,000 --> 00:00:04,000' timing lines"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\n", "subtitles are empty"),
    ],
    ids=["malformed", "no-timings", "empty-subtitles"],
)
def test_bad_srt(data, fragment):
    with pytest.raises(TranscriptImportError) as caught:
        parse_bytes(data, "bad.srt")
    assert fragment in caught.value.message
