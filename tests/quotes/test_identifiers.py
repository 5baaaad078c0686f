"""The leftover-identifier check: what it flags and what it lets through."""

from __future__ import annotations

import pytest

from qualcode.quotes.identifiers import (
    find_identifiers,
    is_english_word,
    starts_sentence,
)


def flagged(text: str, **kwargs) -> list[str]:
    return [f.text for f in find_identifiers(text, **kwargs)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We did that with Mike, and he retired.", ["Mike"]),
        ("the deputies from Oakdale Sheriff's Office", ["Oakdale Sheriff's Office"]),  # an agency
        ("a school counselor there, Ms. Alvarez, who", ["Alvarez"]),
        ("we called the [agency] and [name] came", []),
        ("I think the FBI and HSI and NCMEC help, and I'm glad.", []),
        ("every Tuesday and Thursdays in March", []),
        ("the SANE nurses at the ER, and CPS", []),
        ("the U.S. Attorney's Office took it", []),
        ("we posted on Facebook and Skip the Games", []),
        ("our local RPD unit", ["RPD"]),  # local acronyms identify an agency
    ],
)
def test_capitalised_words_mid_sentence(text, expected):
    assert flagged(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tasha, who runs our group, came.", ["Tasha"]),  # not an English word
        ("Honestly, it works.", []),
        ("Mostly the hotline. Kowalski retired.", ["Kowalski"]),
        ("She said, \"Hey, come in.\"", []),  # quoted speech starts a sentence
        ("It helps. [laughs] The detectives came.", []),  # tags skipped
        ("It's hard.\nPolaris called.", []),
    ],
)
def test_sentence_initial_words(text, expected):
    assert flagged(text) == expected


def test_sentence_initial_word_flagged_when_used_mid_sentence_elsewhere():
    transcript = "We worked with Chance for years. Chance retired."
    assert flagged("Chance retired.", transcript_text=transcript) == ["Chance"]
    assert flagged("Chance retired.") == []  # "chance" is an English word, not a listed name


def test_lower_case_use_in_the_transcript_clears_a_word():
    assert flagged("Colocate, if you can.") == ["Colocate"]
    assert flagged("Colocate, if you can.", transcript_text="we colocate the team") == []


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("call (555) 014-2298 today", "phone number"),
        ("write to someone@example.org", "email address"),
        ("she lives at 1420 Oak Street now", "street address"),
    ],
)
def test_contact_details(text, kind):
    kinds = [f.kind for f in find_identifiers(text)]
    assert kind in kinds


def test_allow_list_words_and_entries():
    text = "We went to Rotary and Oakdale Rotary Club, call (555) 014-2298."
    assert flagged(text) == ["Oakdale Rotary Club", "(555) 014-2298"]  # Rotary alone is national
    assert flagged(text, allow=("Rotary Club", "Oakdale", "(555) 014-2298")) == []


@pytest.mark.parametrize(
    ("text", "position", "expected"),
    [
        ("Yes. Tasha", 5, True),
        ("and Tasha", 4, False),
        ("Ms. Tasha", 4, False),
        ('He said, "Tasha', 10, True),
        ("It works. [inaudible 00:01:02] Tasha", 31, True),
        ("line one\nTasha", 9, True),
        ("Tasha", 0, True),
    ],
)
def test_starts_sentence(text, position, expected):
    assert starts_sentence(text, position) is expected


def test_lexicon_handles_contractions_and_hyphens():
    assert is_english_word("They'll") and is_english_word("Trauma-informed") and is_english_word("Waiting")
    assert not is_english_word("Kowalski")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("and I-I think", []), ("a Marlow-based group", ["Marlow-based"]), ("the T-visas and a U-visa", [])],
)
def test_hyphenated_tokens(text, expected):
    assert flagged(text) == expected
