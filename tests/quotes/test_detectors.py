"""The built-in detectors, category by category: what each finds, what it leaves alone,
and what the redaction masks it with. The shapes are the ones that leaked before
(issue 17), plus hard negatives for each."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.quotes import detectors
from qualcode.quotes.detectors import MASKS
from qualcode.quotes.identifiers import find_identifiers
from qualcode.quotes.redaction import Redactor, rules_from_config
from tests.helpers import REPO


def kinds(text: str, **kwargs) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_identifiers(text, **kwargs)]


POSITIVES = [
    # names: lower case, titles, sentence-initial names that are words, context
    ("I talked to detective okafor about it.", "name", "okafor"),
    ("We sat down with ms. gonzalez and her advocate.", "name", "gonzalez"),
    ("Destiny was seventeen when she came to us.", "name", "Destiny"),
    ("Hope came back three times.", "name", "Hope"),
    ("Grace testified for two days.", "name", "Grace"),
    ("Her sister Faith called the hotline.", "name", "Faith"),
    ("There was a man called Hunter who ran it.", "name", "Hunter"),
    ("She went by Diamond online.", "name", "Diamond"),
    ("Sgt. Brandt was our contact.", "name", "Brandt"),
    ("i called tasha right away.", "name", "tasha"),
    ("we took maria to the shelter in june.", "name", "maria"),  # an English word, but mostly a name
    ("We referred her to Linda at the clinic.", "name", "Linda"),
    # dates and dates of birth
    ("Her birthday is March 3, 1987.", "date", "March 3, 1987"),
    ("Her date of birth is 03/03/1987.", "date", "03/03/1987"),
    ("DOB 1987-03-03 is on the form.", "date", "1987-03-03"),
    ("He was born on the 14th of July, 1992.", "date", "the 14th of July, 1992"),
    ("His birthday is oct 3 1985.", "date", "oct 3 1985"),
    ("She was born in May of 1999.", "date", "May of 1999"),
    ("Her birthday was 3/14, we had a cake.", "date", "3/14"),
    # SSNs
    ("Her social was 123-45-6789.", "SSN", "123-45-6789"),
    ("They used xxx-xx-4821 on the payroll.", "SSN", "xxx-xx-4821"),
    ("The last four of her social are 4821.", "SSN", "4821"),
    # case, docket and file numbers
    ("The case number is CR-2019-00421.", "case number", "CR-2019-00421"),
    ("That was docket 2:19-cr-00421.", "case number", "2:19-cr-00421"),
    ("Docket number CF 2018 000213 if you want it.", "case number", "CF 2018 000213"),
    # licence plates
    ("His plate was ABC-1234.", "licence plate", "ABC-1234"),
    ("It was a white van, license KJX 4471.", "licence plate", "KJX 4471"),
    # phone numbers
    ("Call me at 5550142298.", "phone number", "5550142298"),
    ("She had her mom's number, +52 55 1234 5678.", "phone number", "+52 55 1234 5678"),
    ("She called from 00 44 20 7946 0958.", "phone number", "00 44 20 7946 0958"),
    ("The number was 555 0143, a burner.", "phone number", "555 0143"),
    ("The ad listed five five five, oh one four, two two nine eight.", "phone number",
     "five five five, oh one four, two two nine eight"),
    # e-mails, spelled out and (at)
    ("Her email is mg dot survivor at yahoo dot com.", "email address", "mg dot survivor at yahoo dot com"),
    ("He used bigmike(at)gmail.com for the ads.", "email address", "bigmike(at)gmail.com"),
    ("Write to jdoe [at] protonmail [dot] com.", "email address", "jdoe [at] protonmail [dot] com"),
    # street addresses in any case, PO boxes
    ("She lived at 88 oak avenue.", "street address", "88 oak avenue"),
    ("They kept the girls at 312 N. Maple Dr. for a week.", "street address", "312 N. Maple Dr."),
    ("We found her at 77 Riverside Blvd, Apt 4.", "street address", "77 Riverside Blvd, Apt 4"),
    ("Mail went to P.O. Box 2219.", "PO box", "P.O. Box 2219"),
    # handles and URLs
    ("The ads were posted by @candygirl2001.", "social handle", "@candygirl2001"),
    ("Her Snapchat was lil_destiny03.", "social handle", "lil_destiny03"),
    ("He had a site, www.modelsearchjobs.net.", "URL", "www.modelsearchjobs.net"),
    ("Her link was onlyfans.com/kaylaxo.", "URL", "onlyfans.com/kaylaxo"),
    # facilities, agencies and their acronyms
    ("He kept them at the Starlite Motel on the highway.", "facility", "Starlite Motel"),
    ("She went to Lincoln High School until tenth grade.", "facility", "Lincoln High School"),
    ("We used the Days Inn for the sting.", "facility", "Days Inn"),
    ("The Eastport DA's Office declined the case.", "agency", "Eastport DA's Office"),
    ("We called Riverton PD right away.", "agency", "Riverton PD"),
    ("MCSO did the raid.", "acronym", "MCSO"),
    ("Riverton is where most of our cases come from.", "sentence-initial name", "Riverton"),  # a city
]


@pytest.mark.parametrize(("text", "kind", "found"), POSITIVES)
def test_each_category_is_found(text, kind, found):
    assert (kind, found) in kinds(text)


NEGATIVES = [
    "In 2019 we saw a huge jump in cases.",  # a year is not a personal date
    "He was arrested in March and released in April.",
    "We meet on the second Tuesday of every month.",
    "We get a lot of referrals from the sheriff's office.",
    "The FBI and HSI came in on the federal side.",
    "We have a good relationship with the U.S. Attorney's Office.",
    "Hope is what keeps us going.",  # names that are words, used as words
    "Grace period for the lease was thirty days.",
    "Will she testify? That was the whole question.",
    "Crystal meth was a big part of the control.",
    "The detective said she was credible.",  # a title with no name after it
    "A man called the hotline about his neighbor.",
    "Room 214 is where they found her.",
    "The H-2A visa and COVID-19 and the 24-hour line.",
    "The meeting is at 9:30 on Wednesdays; the grant runs 2019-2020.",
    "Section 8 housing has a long waitlist.",
    "About 1/2 of them, maybe 3/4, came back.",  # fractions, not dates
    "Housing, housing, housing, that's the answer.",
    "in june and august we did outreach on the lee side of the hill.",  # lower-case words, not names
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_hard_negatives_are_left_alone(text):
    assert kinds(text) == []


def test_words_with_digits_are_checked():
    """A token with digits used to be skipped; now it is a case number or a plate."""
    assert ("case number", "19CR004217") in kinds("It's case 19CR004217 in circuit court.")
    assert ("licence plate", "7XYZ432") in kinds("The car had plate 7XYZ432.")


def test_allow_list_clears_a_finding():
    assert kinds("We called Riverton PD.", allow=("Riverton",)) == []
    assert kinds("Grace testified.", allow=("Grace",)) == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Her DOB is 03/03/1987 and case CR-2019-00421.", "Her DOB is [date] and case [case number]."),
        ("Detective okafor took her to the Starlite Motel.", "Detective [name] took her to the [facility]."),
        ("Kayla's mom called from +52 55 1234 5678.", "[name]'s mom called from [phone]."),
        ("Her social was 123-45-6789, her plate ABC-1234.", "Her social was [ssn], her plate [licence plate]."),
        ("Write to mg dot survivor at yahoo dot com or @candygirl2001.", "Write to [email] or [handle]."),
        ("She lived at 88 oak avenue, then P.O. Box 2219.", "She lived at [address], then [address]."),
        ("In 2019 the sheriff's office helped.", "In 2019 the sheriff's office helped."),
    ],
)
def test_redaction_masks_by_category(text, masked):
    assert Redactor(rules_from_config({})).redact(text, "t") == masked


@pytest.mark.parametrize(("key", "text"), [("date", "born 03/03/1987"), ("ssn", "ssn 123-45-6789"),
                                           ("name", "detective okafor"), ("facility", "the Starlite Motel")])
def test_a_category_switched_off_is_left_for_the_gate(key, text):
    from qualcode.quotes.redaction import BUILTIN_KEYS

    rules = rules_from_config({"builtin": [k for k in BUILTIN_KEYS if k != key]})
    assert Redactor(rules).redact(text, "t") == text  # not masked ...
    assert find_identifiers(text)  # ... so the gate still finds it


def test_every_mask_is_bracketed():
    assert all(mask.startswith("[") and mask.endswith("]") for mask in MASKS.values())


def _bench():
    path = REPO / "benchmarks" / "bench_deid.py"
    spec = importlib.util.spec_from_file_location("bench_deid", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_deid"] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_set_meets_the_targets():
    """The labelled set (tests/data/deid/sentences.txt): recall >= 0.98 overall, no
    category below 0.9, precision >= 0.8 (the figures in docs/quotes.md)."""
    bench = _bench()
    sentences = bench.load_set()
    assert len(sentences) >= 300
    result = bench.score(sentences)
    categories = {"name", "date", "ssn", "case_number", "plate", "phone", "email", "address", "po_box",
                  "handle", "url", "facility", "agency"}
    assert categories <= set(result["by_category"])
    assert result["negative_sentences"] >= 100
    assert result["recall"] >= 0.98, result["misses"]
    assert all(r["recall"] >= 0.9 for r in result["by_category"].values()), result["by_category"]
    assert result["precision"] >= 0.8, result["false_alarms"]


def test_benchmark_markup_is_parsed_into_spans():
    bench = _bench()
    [sentence] = bench.load_set_from_text("Ms. [[name:Bell]] called [[phone:555 0143]].")
    assert sentence.text == "Ms. Bell called 555 0143."
    assert [(s.category, sentence.text[s.start:s.end]) for s in sentence.spans] == [
        ("name", "Bell"), ("phone", "555 0143")]


PIECES = ["We called", "detective okafor", "on 03/03/1987", "at 555-014-2298", "in 2019", "Hope came back.",
          "the sheriff's office", "88 oak avenue", "CR-2019-00421", "mg dot survivor at yahoo dot com",
          "the Starlite Motel", "and then", "Grace testified.", "@candygirl2001", "P.O. Box 2219", "."]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map(" ".join))
def test_masking_leaves_nothing_maskable(text):
    """After the redaction, the detectors find nothing left to mask, and every mask
    is one of the category masks (redaction is complete and idempotent)."""
    redactor = Redactor(rules_from_config({}))
    masked = redactor.redact(text, "t")
    assert find_identifiers(masked, masked_only=True) == []
    assert redactor.redact(masked, "t") == masked


DIGIT_FREE = str.maketrans("0123456789", "oIzEhSbTBg")  # digits to look-alike letters
# Shapes found without a digit: a spelled-out phone number, a month and an ordinal day, a street.
WORDY = ["call five five five oh one four two two nine eight", "on March third", "the first of may", "Elm Street"]


@given(st.lists(st.sampled_from(PIECES + WORDY), min_size=1, max_size=8).map(" ".join), st.booleans(),
       st.text(alphabet=st.characters(codec="utf-8"), max_size=20))
def test_skipping_the_digit_patterns_on_digit_free_text_changes_nothing(pieces, spell_digits, noise):
    """``pattern_hits`` skips the patterns that need a digit when a text has none: the
    hits are those of running every pattern (the model), with and without digits."""
    text = (pieces.translate(DIGIT_FREE) if spell_digits else pieces) + " " + noise
    every = re.compile(r"")  # always found: every pattern runs
    original = detectors._DIGIT
    try:
        detectors._DIGIT = every
        expected = detectors.pattern_hits(text)
    finally:
        detectors._DIGIT = original
    assert detectors.pattern_hits(text) == expected
