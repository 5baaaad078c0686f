"""Interviewer detection: role labels, most questions asked, and the --interviewer override."""

from __future__ import annotations

import pytest

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.importers import parse_file
from qualcode.transcripts.model import Turn
from qualcode.transcripts.speakers import detect_interviewers, is_interviewer_label, question_counts
from tests.helpers import DATA

FIXTURES = DATA / "transcripts"


def turns(*pairs):
    return [Turn(speaker, text) for speaker, text in pairs]


@pytest.mark.parametrize(
    "label",
    [
        "Interviewer",
        "INTERVIEWER",
        "interviewer 2",
        "Interviewer-1",
        "I",
        "Q",
        "Int",
        "INT.",
        "Researcher",
        "Moderator",
        "Facilitator",
        "Jane Smith (Interviewer)",
        "Ann (moderator)",
        "Interviewer (JS)",
    ],
)
def test_interviewer_labels(label):
    assert is_interviewer_label(label)


@pytest.mark.parametrize(
    "label",
    ["Interviewee", "Respondent", "R", "A", "Det. Ramos", "Interview", "Integrity Officer", "Ian", "Jane (Respondent)"],
)
def test_other_labels(label):
    assert not is_interviewer_label(label)


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ((("Interviewer", "Hello."), ("Det. Ramos", "Why? Why not? Who knows what we do?")), {"Interviewer"}),
        ((("I", "Hello."), ("R", "Answer.")), {"I"}),
        ((("Q", "Hello."), ("A", "Answer.")), {"Q"}),
        (
            (("Interviewer 1", "Hi."), ("Interviewer 2", "Hi."), ("Respondent", "Yes.")),
            {"Interviewer 1", "Interviewer 2"},
        ),
        ((("Lee (Facilitator)", "Hi."), ("Sam", "Hello.")), {"Lee (Facilitator)"}),
    ],
)
def test_role_labels_win(pairs, expected):
    assert detect_interviewers(turns(*pairs)) == expected


def test_otherwise_the_speaker_asking_most_questions():
    transcript = turns(
        ("Speaker 1", "Thanks for coming. How did the task force start?"),
        ("Speaker 2", "It started in 2012, you know? We had two detectives. Right?"),
        ("Speaker 1", "Who else joined? And when did the prosecutor come in?"),
        ("Speaker 2", "The prosecutor came in later."),
    )
    assert detect_interviewers(transcript) == {"Speaker 1"}


def test_tag_questions_do_not_count():
    counts = question_counts(
        turns(("A", "It was hard, you know? Right? Okay? Really?"), ("B", "What made it hard? Why? So, who paid?"))
    )
    assert counts == {"A": 0, "B": 3}


@pytest.mark.parametrize(
    "pairs",
    [
        (("Martin Storey", "How does this work? Is it recording?"),),
        (("Ann", "We met."), ("Ben", "We left.")),
    ],
    ids=["single-speaker", "no-questions"],
)
def test_no_interviewer_when_it_cannot_be_told(pairs):
    assert detect_interviewers(turns(*pairs)) == set()


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("Det. Ramos", {"Det. Ramos"}),
        ("det.  ramos", {"Det. Ramos"}),
        ("Det. Ramos, Interviewer", {"Det. Ramos", "Interviewer"}),
    ],
)
def test_override_wins(override, expected):
    transcript = turns(("Interviewer", "Hello?"), ("Det. Ramos", "What do you want to know?"))
    assert detect_interviewers(transcript, override) == expected


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("Kim, Alex (Interviewer)", {"Kim, Alex (Interviewer)"}),
        ("kim,  alex", {"Kim, Alex (Interviewer)"}),  # without the parenthesised role
        ("Okafor, Sam", {"Okafor, Sam"}),
        ("Kim, Alex; Okafor, Sam", {"Kim, Alex (Interviewer)", "Okafor, Sam"}),
    ],
)
def test_override_with_labels_holding_commas_and_roles(override, expected):
    transcript = turns(("Kim, Alex (Interviewer)", "Hello?"), ("Okafor, Sam", "Hi."), ("Lee, Jo", "Hey."))
    assert detect_interviewers(transcript, override) == expected


def test_an_override_matching_nobody_lists_the_speakers():
    transcript = turns(("Interviewer", "Hello?"), ("Det. Ramos", "Hi."))
    with pytest.raises(TranscriptImportError) as caught:
        detect_interviewers(transcript, "Moderator", source="ramos.docx")
    assert caught.value.message == (
        "--interviewer 'Moderator' matches no speaker in this transcript; speakers found: 'Interviewer', 'Det. Ramos' "
        "(separate several labels with ';')"
    )
    assert caught.value.file == "ramos.docx"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bold_labels.docx", {"INTERVIEWER"}),
        ("i_r.txt", {"I"}),
        ("q_a.txt", {"Q"}),
        ("otter.txt", {"Speaker 1"}),
        ("teams.docx", {"Jordan Lee"}),
        ("captions.srt", {"Interviewer"}),
        ("rev.txt", {"Interviewer"}),
    ],
)
def test_on_imported_fixtures(name, expected):
    assert detect_interviewers(parse_file(FIXTURES / name).turns) == expected


def test_a_second_interviewer_who_mostly_asks_is_found():
    from qualcode.transcripts.model import Turn
    from qualcode.transcripts.speakers import detect_interviewers

    turns = [
        Turn("Jordan Lee", "Thanks for joining. How do referrals reach you?"),
        Turn("Respondent", "Mostly from police and the hotline, and some walk-ins, honestly a lot of them."),
        Turn("Casey Morgan", "Can I follow up on that? Which hotline?"),
        Turn("Respondent", "The national one mostly, plus our local tip line that the county runs."),
        Turn("Jordan Lee", "What gets in the way?"),
        Turn("Respondent", "Housing. There is never enough housing for survivors here, you know?"),
        Turn("Casey Morgan", "And transportation?"),
        Turn("Respondent", "That too, buses stop at six."),
    ]
    assert detect_interviewers(turns) == {"Jordan Lee", "Casey Morgan"}
