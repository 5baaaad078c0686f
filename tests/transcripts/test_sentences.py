import pytest

from qualcode.transcripts.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mostly the hotline. Police also bring us clients.", ["Mostly the hotline.", "Police also bring us clients."]),
        ("Really? Yes! Fine…  Done", ["Really?", "Yes!", "Fine…", "Done"]),
        ('He said "go." Then left.', ['He said "go."', "Then left."]),
        (
            "Mr. Ruiz and Dr. Lee, e.g. the DA, came. J. Smith too.",
            ["Mr. Ruiz and Dr. Lee, e.g. the DA, came.", "J. Smith too."],
        ),
        ("First paragraph without stop\n\nSecond one.", ["First paragraph without stop", "Second one."]),
        ("A hard-wrapped\nsentence. Next.", ["A hard-wrapped\nsentence.", "Next."]),
        ("  padded.  ", ["padded."]),
        ("", []),
        ("3.5 percent of cases.", ["3.5 percent of cases."]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_offsets_are_shifted_into_the_transcript():
    spans = split_sentences("One. Two.", offset=100)
    assert spans == [(100, 104), (105, 109)]
