"""The identifier check: what is an identifier in a text, by category.

:func:`find_identifiers` is both the detector the redaction masks with (the categories
with a mask, see :data:`qualcode.quotes.detectors.MASKS`) and the leftover check the
export gate runs on every exported field. Categories:

- shaped identifiers (:mod:`qualcode.quotes.detectors`): **date**, **SSN**, **case
  number**, **licence plate**, **phone number**, **email address** (also spelled out,
  "(at)"), **street address** (any case), **PO box**, **social handle**, **URL**;
- **facility** (*Starlite Motel*, *Lincoln High School*) and **agency** (*Riverton PD*,
  *Eastport DA's Office*): capitalised words ending in a facility or agency word, with
  at least one word that is not on the built-in list of generic words;
- **name** (:mod:`qualcode.quotes.names`): a word the context marks as a person (title,
  relation, "a man called", "X testified"), or a first name or surname from the
  shipped name list written capitalised mid-sentence, at a sentence start when it is
  not an English word, or in lower case when it is not an English word;
- flagged for a person to decide, never masked automatically: **capitalised word** (a
  capitalised token that does not start a sentence), **acronym** (an upper-case one:
  RPD, MCSO), **sentence-initial name** (a sentence-initial capitalised token that the
  transcript uses capitalised mid-sentence elsewhere, or that is not an English word
  and the transcript never writes in lower case).

Words on the built-in list (:mod:`qualcode.quotes.common_words`) or the project's
``allow`` list are never flagged; mask tags (``[name]``) are skipped.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from qualcode.quotes.common_words import (
    CALENDAR,
    COMMON_CAPITALISED,
    FUNCTION_WORDS,
    PLATFORMS_AND_BRANDS,
)
from qualcode.quotes.detectors import pattern_hits
from qualcode.quotes.names import (
    capitalised_lead,
    context_names,
    followed_by_person_verb,
    is_listed_name,
)

_TOKEN = re.compile(r"(?<![\w'’.-])[A-Z](?:[\w&’'+-]|\.(?=\w))*")
_LOWER_TOKEN = re.compile(r"(?<![\w'’.@-])[a-z][a-z'’]{2,}(?![\w@-])")
# Masks and editorial insertions are lower case ("[name]", "[the task force]"); a bracket
# with capitals ("[transcriber: Okafor said]") is checked like the text, and so is "[at]".
_MASK_TAG = re.compile(r"\[(?!\s*(?:at|dot)\s*\])[a-z][a-z .'’-]{0,38}\]")
_TRAILING_TAGS = re.compile(r"(?:\[[^\[\]]*\]\s*)+$")
_QUOTE_OPENERS = "\"“‘"
_ABBREVIATIONS = {"Mr", "Ms", "Mrs", "Dr", "Det", "Sgt", "Lt", "St", "Capt", "Prof", "Rev", "vs", "Ofc", "Inv"}
# Capitalised runs: "Starlite Motel", "St. Mary's Hospital", "Eastport DA's Office".
_RUN_WORD = r"(?:(?:St|Mt|Ft)\.|[A-Z][\w'’&-]*)"
_RUN = re.compile(rf"(?<![\w'’-]){_RUN_WORD}(?:\s+(?:(?:of|de|del|la|&)\s+)?{_RUN_WORD})*")
FACILITY_WORDS = {
    "shelter", "house", "motel", "inn", "hotel", "suites", "lodge", "school", "academy", "hospital",
    "clinic", "center", "centre", "home", "homes", "mission", "nails", "spa", "massage", "buffet",
    "restaurant", "bar", "cantina", "club", "lounge", "farm", "farms", "ranch", "church", "apartments",
    "village", "manor", "court", "plaza", "mall", "salon", "parlor", "dairy", "cafe", "diner", "grill",
}
AGENCY_WORDS = {
    "police", "pd", "department", "dept", "office", "services", "authority", "force", "aid",
    "foundation", "coalition", "alliance", "network", "sheriff", "so", "unit", "bureau", "agency",
    "commission", "council", "court", "ministries", "outreach", "project", "program", "partnership",
}
# Speech verbs that make any sentence-initial capitalised word a person ("Precious said").
_SPEECH_AFTER = re.compile(r"\s+(?:testified|said|told|texted|disclosed|admitted|cried|screamed)\b")


@dataclass(frozen=True)
class Finding:
    """One likely identifier in one text: its kind, the text and where it starts."""

    kind: str
    text: str
    offset: int

    @property
    def end(self) -> int:
        return self.offset + len(self.text)


MASKED_KINDS = frozenset({
    "date", "SSN", "case number", "licence plate", "phone number", "email address", "street address",
    "PO box", "social handle", "URL", "facility", "agency", "name",
})


def normalise_token(token: str) -> str:
    """Drop a possessive and an acronym plural: "Sheriff's" -> "Sheriff", "DUIs" -> "DUI"."""
    token = re.sub(r"['’]s?$", "", token)
    if len(token) > 2 and token[:-1].isupper() and token.endswith("s"):
        token = token[:-1]
    return token


def allowed_words(allow: tuple[str, ...] | list[str]) -> set[str]:
    """Case-folded words and whole entries a project allows."""
    words = {a.casefold() for a in allow}
    for entry in allow:
        words.update(w.casefold() for w in entry.split())
    return words


def is_common(token: str, allowed: set[str] | frozenset[str]) -> bool:
    """Whether a capitalised token is a known non-identifier (built-in list or allowed).

    A token with digits is not common for that reason: case numbers and plates are
    found by the pattern detectors, and a word like "Apt4B" is checked like any other.
    """
    base = normalise_token(token).rstrip(".")
    if len(base) < 2:
        return True
    folded = {token.casefold(), base.casefold(), base.casefold().rstrip("s")}
    if (token in COMMON_CAPITALISED or base in COMMON_CAPITALISED
            or (base.endswith("s") and base[:-1] in COMMON_CAPITALISED)
            or folded & allowed or base.lower() in FUNCTION_WORDS):
        return True
    if "-" in base.strip("-"):  # "I-I", "T-visas": common when every capitalised part is
        return all(p[:1].islower() or p.isdigit() or is_common(p, allowed) for p in base.split("-") if p)
    return False


def find_identifiers(text: str, *, allow: tuple[str, ...] = (), transcript_text: str | None = None,
                     masked_only: bool = False) -> list[Finding]:
    """Likely identifiers in ``text``, in text order, without overlaps.

    ``transcript_text`` (the whole transcript) lets a sentence-initial word be flagged
    when the transcript also uses it capitalised mid-sentence, and clears one that the
    transcript also uses in lower case (an ordinary word the lexicon lacks).
    ``masked_only`` keeps the categories the redaction masks (no flags for a person).

    >>> [f.text for f in find_identifiers("We called Riverton PD. Tasha came. I went.")]
    ['Riverton PD', 'Tasha']
    >>> [f.kind for f in find_identifiers("Call (555) 014-2298 or mail a@b.org")]
    ['phone number', 'email address']
    """
    allowed = allowed_words(allow)
    taken: list[Finding] = []
    covered: list[tuple[int, int]] = [m.span() for m in _MASK_TAG.finditer(text)]

    def add(kind: str, start: int, end: int) -> None:
        if end <= start or any(start < e and s < end for s, e in covered):
            return
        if text[start:end].casefold() in allowed:
            return
        taken.append(Finding(kind, text[start:end], start))
        covered.append((start, end))

    for hit in pattern_hits(text):
        add(hit.category, hit.start, hit.end)
    for kind, start, end in _institutions(text, allowed):
        add(kind, start, end)
    for start, end in _names(text, allowed):
        add("name", start, end)
    if not masked_only:
        vocabulary = transcript_vocabulary(transcript_text or "", frozenset(allowed))
        for kind, start, end in _flags(text, allowed, vocabulary):
            add(kind, start, end)
    return sorted(taken, key=lambda f: f.offset)


def _institutions(text: str, allowed: set[str]) -> list[tuple[str, int, int]]:
    """Facilities and local agencies: a capitalised run ending in one of their words."""
    found = []
    for run in _RUN.finditer(text):
        words = list(re.finditer(r"[\w'’&-]+\.?", run.group(0)))
        heads = [i for i, w in enumerate(words) if _institution_kind(w.group(0))]
        if not heads:
            continue
        words = words[:heads[-1] + 1]  # "Starlite Motel CR-2019-00421": up to the last head word
        kind = _institution_kind(words[-1].group(0)) or "institution"  # a head word: never None
        first = words[0].group(0)
        start = run.start() + (words[1].start() if first in ("The", "A") and len(words) > 2 else 0)
        prefix = [w.group(0) for w in words[:-1] if w.group(0)[:1].isupper() and w.group(0) != "The"]
        if prefix and not all(_generic_institution_word(w, allowed) for w in prefix):
            found.append((kind, start, run.start() + words[-1].end()))
    return found


def _institution_kind(word: str) -> str | None:
    last = normalise_token(word.rstrip(".")).lower()
    if last in FACILITY_WORDS:
        return "facility"
    return "agency" if last in AGENCY_WORDS else None


def _generic_institution_word(word: str, allowed: set[str]) -> bool:
    """A word that names no particular place in an institution's name ("County", "High").

    Days and brands do name one: "Days Inn", "Holiday Inn", "Walmart Supercenter".
    """
    base = normalise_token(word.rstrip("."))
    if base in CALENDAR or base.rstrip("s") in CALENDAR or base in PLATFORMS_AND_BRANDS:
        return base.casefold() in allowed
    return is_common(word, allowed)


def _names(text: str, allowed: set[str]) -> list[tuple[int, int]]:
    """Person names: by context, and listed names where the list alone is reliable."""
    spans = []
    for start, end in context_names(text):
        for hit in re.finditer(r"[\w'’-]+", text[start:end]):
            if _could_be_name(hit.group(0), allowed):
                spans.append((start + hit.start(), start + hit.end()))
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if is_common(token, allowed) or token.isupper():
            continue
        if not starts_sentence(text, match.start()):
            if is_listed_name(token):
                spans.append(match.span())
        elif is_listed_name(token) and (_name_more_than_word(token, 1.0) or followed_by_person_verb(text, match.end())):
            spans.append(match.span())
        elif _SPEECH_AFTER.match(text, match.end()) and not (token.endswith("s") and is_english_word(token[:-1])):
            spans.append(match.span())
    for match in _LOWER_TOKEN.finditer(text):
        word = match.group(0)
        if (word not in FUNCTION_WORDS and word not in allowed and word.capitalize() not in COMMON_CAPITALISED
                and is_listed_name(word) and _name_more_than_word(word, 2.0)):
            spans.append(match.span())  # "tasha", "maria": a lower-case transcript
    return spans


def _name_more_than_word(token: str, margin: float) -> bool:
    """A listed name that is not an English word, or is written capitalised far more often."""
    return not is_english_word(token) or capitalised_lead(token) > margin


def _could_be_name(word: str, allowed: set[str]) -> bool:
    if word.lower() in FUNCTION_WORDS or word.casefold() in allowed or len(word) < 2:
        return False
    if word[:1].isupper():
        return not is_common(word, allowed)
    return not is_english_word(word)


def _flags(text: str, allowed: set[str], vocabulary: Vocabulary) -> list[tuple[str, int, int]]:
    """Capitalised words, acronyms and sentence-initial names for a person to decide."""
    found = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if is_common(token, allowed):
            continue
        if not starts_sentence(text, match.start()):
            kind = "acronym" if normalise_token(token).isupper() else "capitalised word"
            found.append((kind, *match.span()))
        elif _looks_like_name(token, vocabulary):
            kind = "acronym" if normalise_token(token).isupper() else "sentence-initial name"
            found.append((kind, *match.span()))
    return found


@dataclass(frozen=True)
class Vocabulary:
    """What one transcript says about its words: capitalised mid-sentence, or lower case."""

    mid_sentence: frozenset[str]
    lower: frozenset[str]


# A few entries: the leftover check visits quotes transcript by transcript, and each key
# is a whole transcript's text (256 of them held a corpus in memory).
@lru_cache(maxsize=4)
def transcript_vocabulary(text: str, allowed: frozenset[str]) -> Vocabulary:
    mid = {
        normalise_token(m.group(0)) for m in _TOKEN.finditer(text)
        if not is_common(m.group(0), allowed) and not starts_sentence(text, m.start())
    }
    return Vocabulary(frozenset(mid), frozenset(re.findall(r"(?<![\w'’])[a-z][\w'’-]*", text)))


def _looks_like_name(token: str, vocabulary: Vocabulary) -> bool:
    base = normalise_token(token)
    if base in vocabulary.mid_sentence:
        return True
    if base.lower() in vocabulary.lower or token.lower() in vocabulary.lower:
        return False
    return not is_english_word(token)


def starts_sentence(text: str, position: int) -> bool:
    """True at the start of the text, a paragraph, a sentence or quoted speech.

    Bracketed tags between the previous sentence and the word are skipped.
    """
    window = max(0, position - 400)
    before = text[window:position]
    stripped = before.rstrip()
    if "\n" in before[len(stripped):]:
        return True
    stripped = _TRAILING_TAGS.sub("", stripped).rstrip()
    if not stripped:
        return window == 0 or "\n" in before
    if stripped[-1] in _QUOTE_OPENERS or (stripped[-1] == "'" and stripped[-2:-1].isspace()):
        return True
    stripped = stripped.rstrip("\"”’')]")
    if not stripped or stripped[-1] not in ".?!:…":
        return False
    word = re.search(r"(\w+)\.$", stripped)
    return not (word and word.group(1) in _ABBREVIATIONS)


def is_english_word(token: str) -> bool:
    """Whether the lower-cased token is an English word (spaCy lookup tables).

    Contractions count by their first part ("They'll"), hyphenated words when every
    part is a word. Without spacy-lookups-data every word counts as English.
    """
    lexicon = english_lexicon()
    if lexicon is None:
        return True
    word = normalise_token(token).lower().replace("’", "'").split("'")[0]
    parts = [p for p in word.split("-") if p]
    return all(p in lexicon or p.rstrip("s") in lexicon or p.isdigit() for p in parts)


@lru_cache(maxsize=1)
def english_lexicon() -> frozenset[str] | None:
    """Lemmas and inflected forms from spacy-lookups-data's English tables (about 0.1 s)."""
    try:
        from importlib.resources import files

        data = files("spacy_lookups_data") / "data"
        words: set[str] = set(FUNCTION_WORDS)
        with gzip.open(str(data / "en_lemma_index.json.gz")) as handle:
            for lemmas in json.load(handle).values():
                words.update(lemmas)
        with gzip.open(str(data / "en_lemma_lookup.json.gz")) as handle:
            words.update(json.load(handle))
        return frozenset(w for w in words if w.islower())
    except (ImportError, FileNotFoundError, OSError, ValueError):
        return None
