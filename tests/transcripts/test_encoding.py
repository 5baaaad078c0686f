"""Decoding plain-text transcripts: BOMs, UTF-8, UTF-16, cp1252 fallback, binary refusal."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.encoding import (
    BOMS,
    CONTROL_TABLE,
    OLE2_MAGIC,
    ZIP_MAGIC,
    count_controls,
    decode_clean_text,
    decode_text,
    decode_text_with_encoding,
    guess_utf16_without_bom,
    head_as_utf8,
    is_latin_script,
    looks_like_text,
    strip_controls,
)
from qualcode.transcripts.importers import parse_bytes

SAMPLE = "Interviewer: What’s the café’s role – “really”?\nRespondent: Señora García paid €500… naïvely.\n"


@pytest.mark.parametrize(
    ("encode", "expected_encoding"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: codecs.BOM_UTF8 + s.encode("utf-8"), "utf-8-sig"),
        (lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"), "utf-16-le"),
        (lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"), "utf-16-be"),
        (lambda s: s.encode("utf-16"), "utf-16-le"),  # Python writes a BOM, little-endian here
        (lambda s: codecs.BOM_UTF32_LE + s.encode("utf-32-le"), "utf-32-le"),
        (lambda s: s.encode("utf-16-le"), "utf-16-le"),  # no BOM: found from the NUL pattern
        (lambda s: s.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "utf-16", "utf-32-le", "utf-16-le-no-bom", "cp1252"],
)
def test_decodes_every_supported_encoding(encode, expected_encoding):
    text, encoding = decode_text_with_encoding(encode(SAMPLE), "t.txt")
    assert text == SAMPLE
    assert encoding == expected_encoding


@pytest.mark.parametrize(
    "sample",
    [
        "I: Naïve question — résumé?\n",
        "Det. Ramos: Señor García said ½ the cases… €500\n",
        "Interviewer: So tell me.\nRespondent: It was “good”.\n" * 5,
    ],
)
def test_short_windows_1252_text_is_not_misread_as_another_code_page(sample):
    assert decode_text(sample.encode("cp1252")) == sample


def test_a_non_latin_single_byte_code_page_is_left_to_the_detector():
    sample = "Интервьюер: Расскажите, пожалуйста, о вашей работе в этой организации.\n" * 3
    assert decode_text(sample.encode("cp1251")) == sample


@pytest.mark.parametrize(
    "data",
    [
        b"Interviewer: Hi\r\nRespondent: Hello\r\n",
        codecs.BOM_UTF16_LE + "Interviewer: Hi\r\nRespondent: Hello\r\n".encode("utf-16-le"),
        "Interviewer: Hi\r\nRespondent: Hello\r\n".encode("cp1252"),
    ],
    ids=["utf-8", "utf-16", "cp1252"],
)
def test_crlf_line_ends_are_parsed_like_lf(data):
    parsed = parse_bytes(data, "crlf.txt")
    assert [(turn.speaker, turn.text) for turn in parsed.turns] == [("Interviewer", "Hi"), ("Respondent", "Hello")]
    assert all("\r" not in turn.text for turn in parsed.turns)


def test_every_encoding_gives_the_same_turns_through_the_importer():
    results = {
        name: [(t.speaker, t.text) for t in parse_bytes(data, "x.txt").turns]
        for name, data in [
            ("utf-8", SAMPLE.encode()),
            ("utf-8-sig", codecs.BOM_UTF8 + SAMPLE.encode()),
            ("utf-16", SAMPLE.encode("utf-16")),
            ("cp1252", SAMPLE.encode("cp1252")),
        ]
    }
    assert len({tuple(turns) for turns in results.values()}) == 1
    assert results["utf-8"][0] == ("Interviewer", "What’s the café’s role – “really”?")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (bytes(range(256)) * 8, "binary data"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "binary data"),
        (b"PK\x03\x04" + bytes(100), "rename it to .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "legacy Microsoft Office file"),
    ],
    ids=["random", "png", "zip", "ole2"],
)
def test_binary_data_is_refused_with_a_reason(data, fragment):
    with pytest.raises(TranscriptImportError) as caught:
        decode_text(data, "junk.txt")
    assert fragment in caught.value.message
    assert caught.value.file == "junk.txt"


def test_a_bom_that_lies_is_reported():
    with pytest.raises(TranscriptImportError, match="UTF-8 text"):
        decode_text(codecs.BOM_UTF16_LE + b"abc", "odd.txt")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("ab".encode("utf-16-le"), "utf-16-le"),
        ("ab".encode("utf-16-be"), "utf-16-be"),
        (b"abcd", None),
        (b"a\x00b", None),
    ],
)
def test_guess_utf16_without_bom(data, expected):
    assert guess_utf16_without_bom(data) == expected


def test_head_as_utf8_drops_boms_and_transcodes():
    assert head_as_utf8(codecs.BOM_UTF16_LE + "WEBVTT\n".encode("utf-16-le")) == b"WEBVTT\n"
    assert head_as_utf8(codecs.BOM_UTF8 + b"WEBVTT") == b"WEBVTT"


@pytest.mark.parametrize(
    ("data", "expected"), [(b"plain text\n", True), (bytes(100), False), (b"", False), ("x".encode("utf-16"), True)]
)
def test_looks_like_text(data, expected):
    assert looks_like_text(data) is expected


@pytest.mark.parametrize(
    ("text", "expected"), [("café naïve", True), ("Привет", False), ("plain", True), ("Ωμέγα", False)]
)
def test_is_latin_script(text, expected):
    assert is_latin_script(text) is expected


def test_short_windows_1252_text_with_few_accents_is_not_read_as_big5():
    sample = "Aaa Aaa: we\n\nAaa Áaa: we\n\nAaa Aaa: we\n\nAaa Áaa: we\n"
    assert decode_text(sample.encode("cp1252")) == sample


CLEAN = ("Interviewer: How did it start?\nRespondent: With a tip from a nurse.\n" * 1200).encode("utf-8")


def test_binary_data_after_the_first_64_kb_is_refused():
    assert len(CLEAN) > 64 * 1024
    with pytest.raises(TranscriptImportError, match=r"control characters in characters \d+-\d+"):
        parse_bytes(CLEAN + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 200, "late-binary.txt")


@pytest.mark.parametrize("where", ["start", "after-64-kb"])
def test_stray_control_characters_are_removed_and_reported(where):
    stray = b"Respondent: a bell\x07 and an escape\x1b here.\n"
    data = stray + CLEAN if where == "start" else CLEAN + stray
    parsed = parse_bytes(data, "stray.txt")
    assert not any(char in turn.text for turn in parsed.turns for char in "\x07\x1b")
    assert any("a bell and an escape here." in turn.text for turn in parsed.turns)
    assert parsed.notes == ["removed 2 control characters"]


@pytest.mark.parametrize(("name", "data"), [
    ("stray.srt", b"1\n00:00:01,000 --> 00:00:02,000\nAnn: a bell\x07 here\n\n2\n00:00:03,000 --> 00:00:04,000\nBo: hi\n"),
    ("stray.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAnn: a bell\x07 here\n\n00:00:03.000 --> 00:00:04.000\nBo: hi\n"),
])
def test_subtitles_say_their_cues_and_the_control_characters_removed(name, data):
    parsed = parse_bytes(data, name)
    assert [(t.speaker, t.text) for t in parsed.turns] == [("Ann", "a bell here"), ("Bo", "hi")]
    assert (parsed.title, parsed.metadata, parsed.notes) == ("stray", {"cues": "2"}, ["removed 1 control character"])


@given(st.text(alphabet=st.characters(max_codepoint=0x7F) | st.sampled_from("\x00\x1b\x07\u00e9\u2028"), max_size=200))
def test_count_controls_counts_what_strip_would_remove(text):
    """The regex count equals the translate-table definition it replaced."""
    assert count_controls(text) == len(text) - len(text.translate(CONTROL_TABLE))


def decoded_then_stripped(data: bytes) -> tuple[str, str, int] | str:
    """The two steps decode_clean_text stands for, or the one-line error they end in."""
    try:
        text, encoding = decode_text_with_encoding(data, "t.txt")
    except TranscriptImportError as error:
        return str(error)
    stripped, removed = strip_controls(text)
    return stripped, encoding, removed


def decoded_clean(data: bytes) -> tuple[str, str, int] | str:
    try:
        return decode_clean_text(data, "t.txt")
    except TranscriptImportError as error:
        return str(error)


TEXTS = st.text(alphabet=st.characters(max_codepoint=0x7F) | st.sampled_from("\x00\x1b\x07\x1a\u00e9\u2028\ufeff€"),
                max_size=300)
ENCODINGS = st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "cp1252", "latin-1"])
STARTS = st.sampled_from([b"", *(bom for bom, _ in BOMS), OLE2_MAGIC, ZIP_MAGIC])


@given(STARTS, TEXTS, ENCODINGS)
def test_decode_clean_text_is_decoding_then_stripping(start, text, encoding):
    """The quick path (UTF-8 without a control byte) and every other give what the two
    steps give: the same text, encoding and count, or the same refusal."""
    data = start + text.encode(encoding, errors="replace")
    assert decoded_clean(data) == decoded_then_stripped(data)


@given(st.binary(max_size=300))
def test_decode_clean_text_is_decoding_then_stripping_on_any_bytes(data):
    assert decoded_clean(data) == decoded_then_stripped(data)
