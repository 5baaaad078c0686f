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


HEAD = "1\n00:00:01,000 --> 00:00:03,500\nInterviewer: Hi\n"


@pytest.mark.parametrize(
    ("tail", "fragment"),
    [
        ("\n2\n00:00:04,99999999999999999999 --> 00:00:07,000\nRespondent: Hello\n", "line 6 is not a valid SubRip"),
        ("\n2\n99999999999999999999:00:04,000 --> 00:00:07,000\nRespondent: Hello\n", "line 6 is not a valid SubRip"),
        ("\n2\n00:00:04,1234 --> 00:00:07,000\nRespondent: Hello\n", "at most 3 digits of milliseconds"),
        (
            "\n2\n00:00:04,000 --> 00:00:07,000\nRespondent: Hello\n3\n00:00:08,000 --> 00:00:0x,000\nInterviewer: Bye\n",
            "line 9 is not a valid SubRip timing line",
        ),
        ("2\n00:00:04,000 -> 00:00:07,000\nRespondent: Hello\n", "the block at line 4 is not"),
    ],
    ids=["millisecond-digits", "hour-digits", "four-millisecond-digits", "malformed-block-in-text", "bad-arrow"],
)
def test_malformed_timings_are_refused_in_one_line_without_echoing_text(tail, fragment):
    with pytest.raises(TranscriptImportError) as caught:
        parse_bytes((HEAD + tail).encode("utf-8"), "bad.srt")
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message and "Hello" not in message


def test_speaker_names_unlabelled_subtitles():
    data = b"1\n00:00:01,000 --> 00:00:02,000\nI arrived.\n\n2\n00:00:03,000 --> 00:00:04,000\nIt was late.\n"
    with pytest.raises(TranscriptImportError, match="has speaker labels"):
        parse_bytes(HEAD.encode("utf-8"), "labelled.srt", speaker="Ana")
    parsed = parse_bytes(data, "statement.srt", speaker="Ana")
    assert [(t.speaker, t.text) for t in parsed.turns] == [("Ana", "I arrived. It was late.")]
