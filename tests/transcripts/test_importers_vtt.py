"""WebVTT captions: Zoom prefixes, Teams voice tags, entities, inheritance, bad files."""

from __future__ import annotations

import pytest

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.importers import parse_bytes, parse_file
from tests.helpers import DATA, SHARED

FIXTURES = DATA / "transcripts"
SPECIMENS = SHARED / "refdata" / "transcripts"


def test_zoom_prefixes_and_a_cue_without_speaker_inherits_the_previous_one():
    parsed = parse_file(FIXTURES / "zoom.vtt")
    assert [(t.speaker, t.start_time, t.end_time, t.text) for t in parsed.turns] == [
        ("Lena Park", 1.0, 6.0, "Okay, we are recording. Can you hear me all right?"),
        ("Tomas Reyes", 7.25, 12.0, "Yes, loud and clear. Should I start with my role?"),
        ("Lena Park", 12.5, 15.0, "Please do."),
    ]
    assert parsed.format == "vtt" and parsed.title == "zoom"


def test_teams_voice_tags_entities_crlf_and_several_voices_in_one_cue():
    parsed = parse_file(FIXTURES / "teams_voice.vtt")
    assert [(t.speaker, t.text) for t in parsed.turns] == [
        ("Ana Silva", "Welcome & thanks for coming."),
        ("Ben Cole", "I'm glad to <finally> talk."),
        ("Ana Silva", "What's your role?"),
        ("Ben Cole", "I run intake. Intake is everything."),
    ]
    assert parsed.turns[-1].end_time == 10.0


def test_speech_before_any_speaker_goes_to_an_unknown_speaker():
    data = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n\n00:00:02.000 --> 00:00:03.000\nAnn Lee: hi\n"
    parsed = parse_bytes(data, "plain.vtt")
    assert [(t.speaker, t.text) for t in parsed.turns] == [("Unknown speaker", "hello"), ("Ann Lee", "hi")]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"WEBVTT\n\nNOTE nothing said\n", "contains no cues"),
        (b"Interviewer: hello\n", "it does not start with a 'WEBVTT' line"),
        (b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n\n\n00:00:03.000 --> 00:00:04.000\n<v Ann></v>\n", "empty"),
    ],
    ids=["no-cues", "no-header", "empty-cues"],
)
def test_bad_vtt(data, fragment):
    with pytest.raises(TranscriptImportError) as caught:
        parse_bytes(data, "bad.vtt")
    assert fragment in caught.value.message
    assert caught.value.file == "bad.vtt"


def test_no_cues_fixture():
    with pytest.raises(TranscriptImportError, match="contains no cues"):
        parse_file(FIXTURES / "no_cues.vtt")


def _specimen(name):
    path = SPECIMENS / name
    if not path.exists():
        pytest.skip(f"specimen {path} not available")
    return path


def test_real_zoom_export():
    parsed = parse_file(_specimen("zoom-cloud_zoomGroupStats_meeting003_transcript.vtt"))
    speakers = {turn.speaker for turn in parsed.turns}
    assert speakers == {"Andrew Knight", "Paul McCartney", "George Harrison", "Ringo Starr", "John Lennon"}
    assert all(not turn.text.startswith(tuple(f"{s}:" for s in speakers)) for turn in parsed.turns)
    assert all(a.speaker != b.speaker for a, b in zip(parsed.turns, parsed.turns[1:], strict=False))
    # speakerless cues ("And that", "Yes. Okay.") are kept, inside someone's turn
    text = " ".join(turn.text for turn in parsed.turns)
    assert "And that" in text and "Yes. Okay." in text
    assert all("\r" not in turn.text for turn in parsed.turns)


def test_real_voice_tag_export():
    parsed = parse_file(_specimen("synthetic-voice-tag-interview_bristlenose_S1.vtt"))
    assert [turn.speaker for turn in parsed.turns[:4]] == ["Sarah Chen", "Tom Baker", "Sarah Chen", "Tom Baker"]
    assert parsed.turns[0].start_time == 2.4 and parsed.turns[0].end_time == 8.1
    assert not any("<v" in turn.text or "</v>" in turn.text for turn in parsed.turns)


VTT_HEAD = "WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nInterviewer: Hi\n"


@pytest.mark.parametrize(
    ("tail", "fragment"),
    [
        ("\n00:00:04.99999999999999999999 --> 00:00:07.000\nRespondent: Hello\n", "line 6 is not a valid WebVTT"),
        ("\n00:00:04.000 -> 00:00:07.000\nRespondent: Hello\n", "the block at line 6 has no timing line"),
    ],
    ids=["millisecond-digits", "bad-arrow"],
)
def test_a_cue_webvtt_would_skip_is_refused_not_lost(tail, fragment):
    with pytest.raises(TranscriptImportError) as caught:
        parse_bytes((VTT_HEAD + tail).encode("utf-8"), "bad.vtt")
    assert fragment in str(caught.value)
    assert "Hello" not in str(caught.value)


def test_note_blocks_and_cue_settings_are_fine():
    data = VTT_HEAD + "\nNOTE a note\nover two lines\n\n00:00:04.000 --> 00:00:07.000 align:start\nRespondent: Hello\n"
    parsed = parse_bytes(data.encode("utf-8"), "ok.vtt")
    assert [(t.speaker, t.text) for t in parsed.turns] == [("Interviewer", "Hi"), ("Respondent", "Hello")]
