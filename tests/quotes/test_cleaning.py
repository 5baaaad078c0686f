"""Each cleaning rule on its own, its switch, and the repairs after removals."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.quotes.cleaning import (
    CleaningOptions,
    clean_quote,
    drop_tags,
    sentences,
    trim_words,
    word_count,
)

NO_TRIM = CleaningOptions(trim=False)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("So, um, we call them.", "So, we call them."),  # a clause follows: the pause stays a comma
        ("It took, um, years.", "It took years."),
        ("Uh, it's mixed.", "It's mixed."),
        ("We had, uh, a few cases.", "We had a few cases."),
        ("The FBI is, um, it's fine.", "The FBI is, it's fine."),
        ("That was it. Um. Then we left.", "That was it. Then we left."),
        ("Hmm, hard to say.", "Hard to say."),
        ("Yes, um, we do.", "Yes, we do."),  # the comma after "yes" is the sentence's
        ("The shelters, um, the ones downtown, are full.", "The shelters, the ones downtown, are full."),
        ("We called, um, the police.", "We called the police."),
    ],
)
def test_fillers_are_removed(raw, cleaned):
    assert clean_quote(raw, NO_TRIM) == cleaned


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("It's, you know, hard.", "It's hard."),
        ("You know, nobody calls.", "Nobody calls."),
        ("They're scared, you know.", "They're scared."),
        ("the people who—you know, who didn't believe", "The people who didn't believe"),
        ("Do you know what I mean?", "Do you know what I mean?"),  # not a filler
        ("You know what they need?", "You know what they need?"),
    ],
)
def test_you_know_only_as_filler(raw, cleaned):
    assert clean_quote(raw, NO_TRIM) == cleaned


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("I-I think so.", "I think so."),
        ("I-I-I think so.", "I think so."),
        ("We go th-the next day.", "We go the next day."),
        ("w-we call.", "We call."),
        ("It was so-so.", "It was so-so."),  # a word, not a stutter
        ("Uh-huh, yes.", "Uh-huh, yes."),
    ],
)
def test_stutters(raw, cleaned):
    assert clean_quote(raw, NO_TRIM) == cleaned


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("the the hotline", "The hotline"),
        ("I'm the, the director.", "I'm the director."),
        ("he's—he's selling her", "He's selling her"),
        ("She had had enough.", "She had had enough."),  # grammatical doubling kept
        ("I think that that is right.", "I think that that is right."),
        ("we, we call them", "We call them"),
        # a repeated content word is emphasis, not a disfluency (the seed report keeps these)
        ("Years, years. For some it's their whole life.", "Years, years. For some it's their whole life."),
        ("Housing, housing, housing.", "Housing, housing, housing."),
        ("No, no, no. We never did.", "No, no, no. We never did."),
        ("It was very, very hard.", "It was very, very hard."),
        ("years—years of it", "Years—years of it"),
    ],
)
def test_repeated_words(raw, cleaned):
    assert clean_quote(raw, NO_TRIM) == cleaned


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        # lost speech is an omission: marked with an ellipsis (APA 7)
        ("Yes. [inaudible 00:12:04] The [place] office called.", "Yes. ... The [place] office called."),
        ("We went to [unintelligible] and back.", "We went to ... and back."),
        ("[crosstalk] Sorry, go ahead.", "Sorry, go ahead."),  # APA 7: no ellipsis opening a quote
        ("It's a lot. [laughs]", "It's a lot."),
        ("We met at [agency] with [name]. [pause] Then [00:13:04] more.", "We met at [agency] with [name]. Then more."),
        ("It's been [number of] years.", "It's been [number of] years."),  # masks and insertions kept
    ],
)
def test_tags(raw, cleaned):
    assert clean_quote(raw, NO_TRIM) == cleaned


@pytest.mark.parametrize(
    ("options", "kept"),
    [
        (CleaningOptions(disfluencies=False, trim=False), ["um", "the the", "I-I", "you know"]),
        (CleaningOptions(tags=False, trim=False), ["[laughs]", "[inaudible 00:01:02]"]),
    ],
)
def test_each_rule_can_be_switched_off(options, kept):
    raw = "So um, the the hotline, you know, I-I mean it. [laughs] And [inaudible 00:01:02] more."
    cleaned = clean_quote(raw, options)
    for piece in kept:
        assert piece in cleaned


def test_everything_off_only_normalises_spacing():
    raw = "um  the the\nhotline [laughs]"
    assert clean_quote(raw, CleaningOptions(disfluencies=False, tags=False, trim=False)) == "Um the the hotline [laughs]"


def test_capitalisation_and_spacing_after_removals():
    assert clean_quote("um, so the task force , it works. um, and it helps", NO_TRIM) == (
        "So the task force, it works. And it helps"
    )
    assert clean_quote("Ms. Ramos came. um, she helped", NO_TRIM) == "Ms. Ramos came. She helped"


@pytest.mark.parametrize(
    ("text", "limit", "trimmed"),
    [
        ("One two three. Four five six. Seven eight.", 6, "One two three. Four five six. ..."),
        ("One two three. Four five six. Seven eight.", 8, "One two three. Four five six. Seven eight."),
        ("One two three four five six.", 3, "One two three ..."),
        ("Is it? Yes it is. Really.", 5, "Is it? Yes it is. ..."),
    ],
)
def test_trim_at_sentence_boundaries(text, limit, trimmed):
    assert trim_words(text, limit) == trimmed
    assert word_count(trimmed.removesuffix("...")) <= limit


def test_trim_switch_and_max_words():
    text = "One two three. Four five six. Seven eight nine."
    assert clean_quote(text, CleaningOptions(max_words=4)) == "One two three. ..."
    assert clean_quote(text, CleaningOptions(max_words=4, trim=False)) == text


def test_sentences_respect_abbreviations_and_quotes():
    assert sentences('Ms. Alvarez called. She said, "No." Then left.') == [
        "Ms. Alvarez called.", 'She said, "No."', "Then left."
    ]


def test_drop_tags_keeps_unknown_brackets():
    assert drop_tags("[the task force] met [Laughs]") == "[the task force] met "
    assert drop_tags("[the task force] met [Crosstalk]") == "[the task force] met  ... "


@pytest.mark.parametrize(
    ("raw", "options", "cleaned"),
    [
        ("five years to burnout. The pay is state", CleaningOptions(), "Five years to burnout. The pay is state ..."),
        ("the pay is state,", CleaningOptions(), "The pay is state ..."),
        ("the pay is state", CleaningOptions(trim=False), "The pay is state"),
        ("Is it enough?", CleaningOptions(), "Is it enough?"),
    ],
)
def test_excerpt_cut_mid_sentence_ends_with_ellipsis(raw, options, cleaned):
    assert clean_quote(raw, options) == cleaned


CONTENT_WORDS = ["years", "housing", "money", "trust", "court", "help", "time", "safety", "shelter", "work"]
FILLERS = ["um", "uh", "erm", "hmm"]


@given(word=st.sampled_from(CONTENT_WORDS), times=st.integers(2, 4), joiner=st.sampled_from([", ", " ", "—"]),
       filler=st.sampled_from(FILLERS), end=st.sampled_from([".", "!", "?"]))
def test_emphatic_repetition_and_sentence_ends_survive(word, times, joiner, filler, end):
    """Cleaning removes the filler but never a repetition of a content word, nor a
    sentence's closing mark: the cleaned text has every repeat and the same ends."""
    raw = f"{filler}, {joiner.join([word] * times)}{end} We said it, {filler}, twice."
    cleaned = clean_quote(raw, NO_TRIM)
    assert cleaned.lower().count(word) == times
    assert filler not in cleaned.lower().split()
    assert [c for c in cleaned if c in ".!?"] == [end, "."]


@given(text=st.lists(st.sampled_from(["we", "called", "the", "police", "um", ",", ".", "years", "uh", "and"]),
                     max_size=20).map(" ".join))
def test_only_fillers_and_restarts_disappear(text):
    """Every word removed is a filler or a repeat of the word before it (a restart):
    no other word is ever lost silently."""
    from collections import Counter

    before = Counter(w.lower() for w in re.findall(r"[\w'’]+", text))
    after = Counter(w.lower() for w in re.findall(r"[\w'’]+", clean_quote(text, NO_TRIM)))
    for word, count in before.items():
        if word not in FILLERS:
            assert after[word] >= 1 and (after[word] == count or word in ("we", "the", "and"))
