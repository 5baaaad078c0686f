"""Label finding: which line openings are speaker labels, and which are prose."""

from __future__ import annotations

import pytest

from qualcode.transcripts.importers.labels import (
    STRONG,
    WEAK,
    Line,
    accepted_speakers,
    assemble_turns,
    find_candidate,
    is_known_label,
    is_name_shaped,
    parse_time,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0:34", 34.0),
        ("00:20:12", 1212.0),
        ("1:02:03", 3723.0),
        ("00:00:11.5", 11.5),
        ("0:04,250", 4.25),
        ("[00:01:02]", 62.0),
    ],
)
def test_parse_time(text, seconds):
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("line", "name", "rest", "time", "strength"),
    [
        ("Interviewer: How are you?", "Interviewer", "How are you?", None, WEAK),
        ("DET. RAMOS: Well.", "DET. RAMOS", "Well.", None, WEAK),
        ("**Interviewer:** Hello", "Interviewer", "Hello", None, STRONG),
        ("**Director**: Hello", "Director", "Hello", None, STRONG),
        ("[00:01:02] NAME: text", "NAME", "text", 62.0, STRONG),
        ("(00:01:02) Jane Doe: text", "Jane Doe", "text", 62.0, STRONG),
        ("00:01:02 Jane Doe: text", "Jane Doe", "text", 62.0, STRONG),
        ("Jane Smith (00:20:12):", "Jane Smith", "", 1212.0, STRONG),
        ("Jane Smith (00:20:12): So.", "Jane Smith", "So.", 1212.0, STRONG),
        ("Speaker 2  0:34", "Speaker 2", "", 34.0, STRONG),
        ("Jordan Lee   0:04", "Jordan Lee", "", 4.0, STRONG),
        ("Jordan Lee\t0:04", "Jordan Lee", "", 4.0, STRONG),
        ("Jordan Lee 0:04", "Jordan Lee", "", 4.0, WEAK),
        ("Interviewer:", "Interviewer", "", None, WEAK),
    ],
)
def test_find_candidate(line, name, rest, time, strength):
    candidate = find_candidate(line)
    assert (candidate.name, candidate.rest, candidate.time, candidate.strength) == (name, rest, time, strength)


@pytest.mark.parametrize(
    "line",
    [
        "See https://example.org for details",
        "We met at 10:30 and left at 11:15",
        "[00:01:02] and then we left",
        "[crosstalk]",
        "[inaudible 00:04:12] so anyway",
        "Ratio 3:1 in favour",
        "",
    ],
)
def test_lines_without_a_label(line):
    candidate = find_candidate(line)
    assert candidate is None or not is_name_shaped(candidate.name)


@pytest.mark.parametrize("line", ["00:00:11", "[00:04:12]", "(1:02:03)"])
def test_a_bare_timestamp_line_is_a_time_marker(line):
    candidate = find_candidate(line)
    assert candidate.name == "" and candidate.time is not None


@pytest.mark.parametrize(
    "name",
    [
        "Interviewer",
        "I",
        "R",
        "Q",
        "A",
        "Speaker 2",
        "Det. Ramos",
        "DET. RAMOS",
        "Maria de la Cruz",
        "Jane Smith (Interviewer)",
        "P01",
        "O'Brien",
        "Jean-Luc",
        "Sgt. Chen",
    ],
)
def test_name_shaped(name):
    assert is_name_shaped(name)


@pytest.mark.parametrize(
    "name",
    [
        "Note",
        "NOTE",
        "Date",
        "Interview Date",
        "Bottom line",
        "The thing is",
        "So",
        "Well",
        "Update",
        "Why did you say that?",
        "Yes, well",
        "2019",
        "One two three four five six",
        "A" * 41,
        "email",
        "Transcript",
        "Recording Time",
    ],
)
def test_not_name_shaped(name):
    assert not is_name_shaped(name)


@pytest.mark.parametrize(
    ("name", "known"),
    [
        ("I", True),
        ("interviewer 2", True),
        ("Speaker 10", True),
        ("Ann (Moderator)", True),
        ("Ann", False),
        ("Index", False),
    ],
)
def test_known_labels(name, known):
    assert is_known_label(name) is known


def _lines(text):
    return [Line(line) for line in text.splitlines()]


def test_a_plain_label_seen_once_is_not_a_speaker_when_others_recur():
    lines = _lines("Jane Doe: One.\nBob Ray: Two.\nMidway Point: three.\nJane Doe: Four.\nBob Ray: Five.")
    accepted = accepted_speakers([find_candidate(line.text) for line in lines])
    assert accepted == {"jane doe", "bob ray"}


def test_a_recurring_plain_label_is_a_speaker():
    lines = _lines("Ann: One.\nBen: Two.\nAnn: Three.\nBen: Four.")
    turns = assemble_turns(lines).turns
    assert [turn.speaker for turn in turns] == ["Ann", "Ben", "Ann", "Ben"]


@pytest.mark.parametrize(
    "prose", ["Note: this matters.", "So: here it is.", "Update: we moved.", "Date: May.", "The problem is: money."]
)
def test_prose_openings_stay_in_the_speech_even_when_repeated(prose):
    lines = _lines(f"Interviewer: Q?\nRespondent: A.\n{prose}\n{prose}\nInterviewer: Next?")
    turns = assemble_turns(lines).turns
    assert [turn.speaker for turn in turns] == ["Interviewer", "Respondent", "Interviewer"]
    assert turns[1].text == f"A.\n{prose}\n{prose}"


def test_a_time_marker_dates_the_next_turn_and_is_not_text():
    turns = assemble_turns(_lines("00:00:11\nMartin Storey: Okay.\n00:00:20\nstill talking")).turns
    assert [(turn.speaker, turn.start_time, turn.text) for turn in turns] == [
        ("Martin Storey", 11.0, "Okay.\nstill talking")
    ]


def test_unlabelled_lines_before_any_label_can_go_to_a_default_speaker():
    assembly = assemble_turns(
        _lines("hello there\nAnn: hi\nAnn: again"), unlabelled_speaker="Unknown speaker", joiner=" "
    )
    assert [(turn.speaker, turn.text) for turn in assembly.turns] == [
        ("Unknown speaker", "hello there"),
        ("Ann", "hi again"),
    ]
    assert assembly.preamble == []
