"""Person names: a shipped name list and the context that says "this word is a person".

The list is the union of the first names and surnames that Faker (a maintained
package, installed with qualcode; nothing is downloaded) ships for the locales an
interview about US task forces meets most: US, British, Irish and New Zealand
English, Mexican, Colombian, Spanish, Argentinian and Brazilian, Nigerian (Yoruba,
Igbo), Ghanaian, South African, Indian, French, German, Italian, Dutch, Turkish. About
20,000 names. Many are also English words (Hope, Grace, Will, Young): for those the
list alone is not enough and the context decides —

- a **title** before the word, in any case: *Detective Okafor*, *ms. gonzalez*,
  *Sgt. Brandt*, *Special Agent Larkin*, *Judge Harrington*;
- a **relation** before it: *her sister Faith*, *my partner Steve*, *the trafficker,
  Dwayne Tillman*;
- **naming** phrases: *a man called Hunter*, *a guy named Chance*, *went by Diamond*,
  *known as Big Mike*, *her name is Lily*, *Star was her working name*;
- a **person verb** after a capitalised word at the start of a sentence: *Grace
  testified*, *Hope came back*, *Crystal never came back* (but not *Hope is what keeps
  us going*).
"""

from __future__ import annotations

import importlib
import json
import re
from functools import lru_cache

# Faker locales whose name lists are read (Latin script only).
NAME_LOCALES = (
    "en_US", "en_GB", "en_IE", "en_NZ", "es_MX", "es_CO", "es_ES", "es_AR", "pt_BR", "yo_NG", "ig_NG",
    "tw_GH", "zu_ZA", "en_IN", "fr_FR", "de_DE", "it_IT", "nl_NL", "tr_TR",
)

TITLES = (
    r"detective|det\.?|officer|ofc\.?|sergeant|sgt\.?|lieutenant|lt\.?|(?:special\s+)?agent|deputy"
    r"|investigator|inv\.?|trooper|corporal|cpl\.?|captain|capt\.?|judge|prosecutor|pastor|father|sister"
    r"|reverend|rev\.?|mr\.?|mrs\.?|ms\.?|miss|dr\.?|doctor|nurse|coach|professor|prof\.?|attorney"
    r"|counselor|councilman|councilwoman|commissioner|sheriff|chief|ada|ausa"
)
RELATIONS = (
    r"sister|brother|cousin|mom|mother|mum|dad|father|daughter|son|friend|boyfriend|girlfriend|husband"
    r"|wife|partner|supervisor|boss|colleague|coworker|co-worker|aunt|uncle|niece|nephew|grandma"
    r"|grandmother|grandpa|grandfather|stepdad|stepmom|pimp|trafficker|caseworker|case\s+manager"
    r"|advocate|manager|roommate|neighbor|neighbour|baby\s+daddy|victim|client|defendant|suspect"
    r"|defense\s+attorney|mentor|foster\s+mother|foster\s+father|sponsor|employer|recruiter"
)
PERSON_VERBS = (
    r"testified|testifies|said|says|told|tells|called|calls|came|comes|went|cried|stayed|left|ran|admitted"
    r"|disclosed|texted|agreed|refused|wanted|asked|met|got|gave|took|lived|worked|moved|knew|never"
    r"|didn't|didn’t|doesn't|doesn’t|wasn't|wasn’t|had\s+been|was\s+(?:seventeen|sixteen|fifteen|fourteen"
    r"|thirteen|twelve|eighteen|nineteen|\d{1,2}|the\s+(?:victim|one|trafficker|girl|boy|manager|owner))"
    r"|ended\s+up|showed\s+up|reported|recruited|escaped|ran\s+away|is\s+doing|hit|sold|posted|brought"
)
_WORD = r"[A-Za-z][\w'’-]*"
_CAP = r"[A-Z][\w'’-]*"
# A name after a title or relation: one word in any case, then more capitalised words.
TITLE_NAME = re.compile(rf"(?<![\w-])(?:{TITLES})\s+(?P<name>{_WORD}(?:\s+{_CAP})?)", re.IGNORECASE)
RELATION_NAME = re.compile(
    rf"(?<![\w-])(?:her|his|my|our|their|your|the)\s+(?:{RELATIONS})(?:'s)?,?\s+(?P<name>{_CAP}(?:\s+{_CAP})?)"
)
NAMING = re.compile(
    rf"(?<![\w-])(?:(?:man|woman|guy|girl|lady|boy|kid|person|john|client|victim|gentleman|dude)\s+"
    rf"(?:called|named)|went\s+by|goes\s+by|known\s+as|name\s+(?:is|was)|we\s+call(?:ed)?\s+(?:him|her))"
    rf"\s+(?P<name>{_CAP}(?:\s+{_CAP})?)"
)
NAME_THEN = re.compile(
    rf"(?P<name>{_CAP})\s+(?:is\s+what\s+(?:they|we|people|everyone)\s+call(?:ed)?\s+(?:her|him)"
    rf"|was\s+(?:her|his)\s+(?:working|street|real|stage|online|last|first|middle|maiden)\s+name)"
)
PERSON_VERB_AFTER = re.compile(rf"\s+(?:{PERSON_VERBS})\b")


@lru_cache(maxsize=1)
def name_list() -> frozenset[str]:
    """First names and surnames from Faker's locales (empty if Faker is missing)."""
    found: set[str] = set()
    for locale in NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attribute in ("first_names", "last_names", "first_names_female", "first_names_male"):
            values = provider.__dict__.get(attribute)
            if isinstance(values, dict | list | tuple | set | frozenset):
                found.update(v for v in values if isinstance(v, str) and v[:1].isupper() and " " not in v)
    return frozenset(found)


def is_listed_name(token: str) -> bool:
    """Whether a word (any case, possessive dropped) is a first name or surname in the list."""
    base = re.sub(r"['’]s?$", "", token)
    return base[:1].upper() + base[1:].lower() in name_list()


@lru_cache(maxsize=1)
def _word_probabilities() -> bytes:
    """spaCy's English word log-probabilities (spacy-lookups-data), as JSON text.

    Kept as text and searched per word: parsing its million entries takes seconds,
    decompressing a quarter of one, and few words are ever looked up.
    """
    try:
        import gzip
        from importlib.resources import files

        with gzip.open(str(files("spacy_lookups_data") / "data" / "en_lexeme_prob.json.gz")) as handle:
            return handle.read()
    except (ImportError, FileNotFoundError, OSError):
        return b""


@lru_cache(maxsize=4096)
def _probability(word: str) -> float | None:
    table = _word_probabilities()
    key = b"\n  " + json.dumps(word).encode() + b":"
    at = table.find(key)
    if at < 0:
        return None
    value = re.match(rb"-?[\d.e-]+", table[at + len(key): at + len(key) + 24])
    return float(value.group(0)) if value else None


def capitalised_lead(word: str) -> float:
    """How much more often a word is written capitalised than in lower case (natural log).

    From spaCy's English word frequencies: "Roth" +2.4 (a name), "Trinity" +0.4,
    "Grace" -0.7 and "Hope" -1.9 (words that are also names). A word the table lacks
    in lower case counts as a name (+inf); one it lacks entirely, 0.
    """
    base = re.sub(r"['’]s?$", "", word)
    lower, capital = _probability(base.lower()), _probability(base[:1].upper() + base[1:].lower())
    if lower is None:
        return float("inf") if capital is not None else 0.0
    return (capital if capital is not None else -30.0) - lower


def context_names(text: str) -> list[tuple[int, int]]:
    """(start, end) of words that the context marks as a person's name."""
    spans: list[tuple[int, int]] = []
    for pattern in (TITLE_NAME, RELATION_NAME, NAMING, NAME_THEN):
        for match in pattern.finditer(text):
            spans.append(match.span("name"))
    return spans


def followed_by_person_verb(text: str, end: int) -> bool:
    """Whether the words after ``end`` are a verb phrase people do: "testified", "came back"."""
    return PERSON_VERB_AFTER.match(text, end) is not None
