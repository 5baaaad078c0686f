"""Plain-text and Markdown transcripts: every label style, continuation, preamble, title."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.importers import parse_bytes, parse_file
from tests.helpers import DATA

FIXTURES = DATA / "transcripts"


def speakers_and_texts(parsed):
    return [(turn.speaker, turn.text) for turn in parsed.turns]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "plain_labels.txt",
            [
                ("Interviewer", "How did your agency join the task force?"),
                (
                    "Det. Ramos",
                    (
                        "Our captain signed the agreement in 2012. We sent two detectives.\n"
                        "Note: this was before the federal grant, so we paid for it ourselves."
                    ),
                ),
                ("Interviewer", "Who else was at the table?"),
                ("Det. Ramos", "The prosecutor's office [crosstalk] and one shelter."),
            ],
        ),
        (
            "otter.txt",
            [
                ("Speaker 1", "Thanks for making time. Can you walk me through a typical referral?"),
                ("Speaker 2", "Sure. Usually a hotline call comes in first. Then we screen it."),
                ("Speaker 1", "And after screening?"),
                ("Speaker 2", "We open a case. [inaudible 01:02:14]"),
            ],
        ),
        (
            "rev.txt",
            [
                ("Maria Lopez", "We coordinate housing for survivors."),
                ("Interviewer", "How many beds do you have?"),
                ("Maria Lopez", "Twelve, across two sites. It is never enough."),
            ],
        ),
        (
            "markdown.md",
            [
                ("Interviewer", "What changed after the grant?"),
                ("Director", "We hired a case manager. She speaks Spanish and Tagalog."),
                ("Interviewer", "Anything else?"),
                ("Director", "Note: our budget doubled."),
            ],
        ),
        (
            "timestamped.txt",
            [
                ("INTERVIEWER", "Can you describe your unit?"),
                ("SGT. CHEN", "We are four detectives and an analyst. We share a victim specialist with the county."),
                ("INTERVIEWER", "How do cases come in?"),
                ("SGT. CHEN", "Tips, mostly. [pause] Some from patrol."),
            ],
        ),
        (
            "i_r.txt",
            [
                ("I", "Tell me about the first case you worked."),
                ("R", "It was a labor case, at a restaurant."),
                ("I", "How did it come to you?"),
                ("R", "A worker walked into the legal aid office."),
            ],
        ),
        (
            "q_a.txt",
            [
                ("Q", "What training did your officers get?"),
                ("A", "Two days of state training."),
                ("Q", "Was it enough?"),
                ("A", "No. We asked for more."),
            ],
        ),
    ],
)
def test_label_styles(name, expected):
    assert speakers_and_texts(parse_file(FIXTURES / name)) == expected


@pytest.mark.parametrize(
    ("name", "times"),
    [
        ("otter.txt", [3.0, 9.0, 3725.0, 3731.0]),
        ("rev.txt", [1.0, 7.0, 10.0]),
        ("timestamped.txt", [5.0, 9.0, 62.0, 64.0]),
        ("plain_labels.txt", [None, None, None, None]),
    ],
)
def test_timestamps_become_start_times_not_text(name, times):
    parsed = parse_file(FIXTURES / name)
    assert [turn.start_time for turn in parsed.turns] == times
    assert not any(turn.text.startswith(("[00:", "0:", "1:")) for turn in parsed.turns)


def test_wrapped_lines_continue_the_speaker_and_prose_colons_are_not_labels():
    parsed = parse_file(FIXTURES / "wrapped.txt")
    assert [turn.speaker for turn in parsed.turns] == ["INTERVIEWER", "RESPONDENT", "INTERVIEWER", "RESPONDENT"]
    assert "Bottom line: nobody knew" in parsed.turns[1].text
    assert parsed.turns[1].text.endswith("Update: we got a chair the next month.")


def test_otter_footer_is_dropped():
    parsed = parse_file(FIXTURES / "otter.txt")
    assert all("otter.ai" not in turn.text for turn in parsed.turns)


def test_lines_before_the_first_label_are_the_preamble_not_a_turn():
    parsed = parse_file(FIXTURES / "plain_labels.txt")
    assert parsed.preamble == "Interview 12, Harbor City (synthetic)\nDate: 3 May 2019"
    assert "Date" not in {turn.speaker for turn in parsed.turns}


@pytest.mark.parametrize(
    ("name", "title"),
    [("markdown.md", "Interview with a shelter director"), ("plain_labels.txt", "plain_labels"), ("rev.txt", "rev")],
)
def test_title_is_the_markdown_heading_else_the_file_stem(name, title):
    assert parse_file(FIXTURES / name).title == title


def test_format_and_encoding_are_reported():
    parsed = parse_file(FIXTURES / "q_a.txt")
    assert parsed.format == "text"
    assert parsed.metadata["encoding"] == "utf-8"


def test_consecutive_labels_of_one_speaker_merge_into_one_turn():
    data = b"Interviewer: First part.\nInterviewer: Second part.\nRespondent: Answer.\nRespondent: More.\n"
    assert speakers_and_texts(parse_bytes(data, "split.txt")) == [
        ("Interviewer", "First part.\nSecond part."),
        ("Respondent", "Answer.\nMore."),
    ]


def test_labels_differing_only_in_case_are_one_speaker():
    data = b"INTERVIEWER: Hello?\nDet. Ramos: Hi.\nInterviewer: Ready?\nDET. RAMOS: Yes.\n"
    parsed = parse_bytes(data, "case.txt")
    assert [turn.speaker for turn in parsed.turns] == ["INTERVIEWER", "Det. Ramos", "INTERVIEWER", "Det. Ramos"]


def test_text_is_normalised():
    data = "Interviewer: Cafe\u0301   \r\n\r\n\r\nRespondent: Yes\u0000.  \r\n".encode("utf-8")
    parsed = parse_bytes(data, "normal.txt")
    assert speakers_and_texts(parsed) == [("Interviewer", "Caf\u00e9"), ("Respondent", "Yes.")]


def test_a_file_without_labels_says_which_label_styles_are_understood():
    with pytest.raises(TranscriptImportError) as caught:
        parse_file(FIXTURES / "no_labels.txt")
    assert "no speaker labels found in 2 lines" in caught.value.message
    assert "'Name: text'" in caught.value.message
    assert caught.value.file.endswith("no_labels.txt")


def test_one_speaker_speaking_once_is_still_found():
    parsed = parse_bytes(b"Header line\nMartin Storey: Testing, one two.\n", "once.txt")
    assert speakers_and_texts(parsed) == [("Martin Storey", "Testing, one two.")]


def test_speech_before_the_first_label_is_kept_and_reported():
    data = b"# Interview 4\nWe started talking before the recorder was on.\n\nInterviewer: Shall we begin?\nRespondent: Yes.\n"
    parsed = parse_bytes(data, "pre.txt")
    assert parsed.preamble == "# Interview 4\nWe started talking before the recorder was on."
    assert parsed.title == "Interview 4"
    assert parsed.notes == ["kept 2 lines (11 words) before the first speaker label as an uncoded preamble"]


def test_unlabelled_text_is_refused_naming_speaker_and_imported_with_it():
    data = b"Arrived at nine.\nThe shelter was\nfull.\n\nSpoke with two advocates.\n\n\nLeft at noon.\n"
    with pytest.raises(TranscriptImportError, match="or pass --speaker NAME"):
        parse_bytes(data, "notes.txt")
    parsed = parse_bytes(data, "notes.txt", speaker="Observer")
    assert speakers_and_texts(parsed) == [
        ("Observer", "Arrived at nine. The shelter was full."),
        ("Observer", "Spoke with two advocates."),
        ("Observer", "Left at noon."),
    ]


def test_speaker_refuses_a_labelled_text():
    with pytest.raises(TranscriptImportError, match=r"has speaker labels \('Interviewer', 'Respondent'\)"):
        parse_bytes(b"Interviewer: Hi?\nRespondent: Hello.\n", "x.txt", speaker="Observer")


# -- streaming the lines: the same lines, and the same turns, as the list of lines --------------------


@given(st.lists(st.sampled_from(["a", "Ann: hi", "\n", "\r\n", "\r", "\x0b", "\u2028", " ", "\n\n"]), max_size=50).map("".join),
       st.integers(min_value=1, max_value=8))
def test_split_lines_equals_splitlines(text, block):
    from qualcode.transcripts.importers.labels import split_lines

    assert list(split_lines(text, block=block)) == text.splitlines()


@given(st.lists(st.sampled_from(["Interviewer: why?", "Ann: the hotline", "Note: x", "more words", "", "[00:01] Ben: ok"]),
                max_size=25))
def test_streamed_assembly_equals_the_list_assembly(lines):
    from qualcode.transcripts.importers.labels import (
        Line,
        accepted_from_forms,
        assemble_turns,
        count_forms,
    )

    listed = assemble_turns([Line(t) for t in lines], joiner=" ", repeat_joiner="\n")
    forms, count = count_forms(iter(lines))
    streamed = assemble_turns((Line(t) for t in lines), joiner=" ", repeat_joiner="\n", accepted=accepted_from_forms(forms))
    assert count == len(lines)
    assert [(t.speaker, t.text) for t in streamed.turns] == [(t.speaker, t.text) for t in listed.turns]
    assert [line.text for line in streamed.preamble] == [line.text for line in listed.preamble]
    assert streamed.speakers == listed.speakers and streamed.boilerplate == listed.boilerplate
