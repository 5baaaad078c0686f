"""Report sentences: the wording writers paste."""

from __future__ import annotations

import pytest

from qualcode.tally import wording


@pytest.mark.parametrize(("rows", "expected"), [
    ([], "No referral streams were cited."),
    ([("Hotlines", 0, 0.0)], "No referral streams were cited."),
    ([("Hotlines", 3, 100.0)], "The most frequently cited of the referral streams was hotlines (100.0 percent)."),
    ([("Hotlines", 3, 75.0), ("Police", 1, 25.0)],
     "The two most frequently cited referral streams were hotlines (75.0 percent) and police (25.0 percent)."),
    ([("A", 5, 50.0), ("B", 3, 30.0), ("C", 2, 20.0), ("D", 0, 0.0)],
     ("The three most frequently cited referral streams were a (50.0 percent); b (30.0 percent); "
      "and c (20.0 percent).")),
])
def test_summary_lists_nonzero_rows_in_order(rows, expected):
    assert wording.summary("references", "referral streams", rows, base=10, top=4) == expected


def test_summary_of_transcripts_gives_n_of_base():
    text = wording.summary("transcripts", "challenges", [("Resources", 8, 80.0)], base=10, top=4)
    assert text == "The most frequently mentioned of the challenges was resources (8 of 10 interviews, 80.0 percent)."


@pytest.mark.parametrize(("count_type", "kind", "label", "expected"), [
    ("references", "all", "All", "Challenges were cited 12 times in the interviews."),
    ("references", "role", "Prosecutor", "Challenges were cited 12 times in the prosecutor interviews."),
    ("references", "site", "C", "Challenges were cited 12 times in the interviews at site C."),
    ("transcripts", "role", "Service provider", "9 of the 12 service provider interviews mentioned challenges."),
    ("sites", "all", "All", "Interviews at 9 of the 12 sites mentioned challenges."),
])
def test_statement(count_type, kind, label, expected):
    assert wording.statement(count_type, "challenges", kind, label, 12, 9) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("Other law enforcement agencies", "other law enforcement agencies"),
    ("NCMEC tips", "NCMEC tips"),
    ("", ""),
])
def test_lower_first_keeps_acronyms(name, expected):
    assert wording.lower_first(name) == expected


@pytest.mark.parametrize(("n", "text"), [(1, "once"), (2, "2 times"), (151, "151 times")])
def test_times(n, text):
    assert wording.times_text(n) == text


def test_summary_includes_rows_tied_with_the_last():
    rows = [("A", 5, 50.0), ("B", 2, 20.0), ("C", 2, 20.0), ("D", 1, 10.0)]
    text = wording.summary("references", "streams", rows, base=10, top=2)
    assert text == "The three most frequently cited streams were a (50.0 percent); b (20.0 percent); and c (20.0 percent)."
