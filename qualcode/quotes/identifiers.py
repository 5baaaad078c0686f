"""The leftover-identifier check: what redaction may have missed.

Flagged, unless allowed (``[redaction] allow`` or the built-in list in
:mod:`qualcode.quotes.common_words`):

- **capitalised word**: a capitalised token that does not start a sentence (names,
  places and agencies are capitalised mid-sentence; ordinary words are not);
- **sentence-initial name**: a capitalised token that starts a sentence and is either
  flagged mid-sentence elsewhere in the same transcript, or is not an English word
  (spaCy's English lookup tables, from spacy-lookups-data, when installed);
- **phone number**, **email address**, **street address** (the redaction module's
  patterns; unmasked ones only remain when the project switched them off).

Tokens inside mask tags (``[name]``) are never flagged; bracketed transcriber notes
are skipped when deciding whether a word starts a sentence.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache

from qualcode.quotes.common_words import COMMON_CAPITALISED, FUNCTION_WORDS
from qualcode.quotes.redaction import ADDRESS, EMAIL, PHONE

_TOKEN = re.compile(r"(?<![\w'’.-])[A-Z](?:[\w&’'+-]|\.(?=\w))*")
_PATTERNS = (("phone number", re.compile(PHONE)), ("email address", re.compile(EMAIL)),
             ("street address", re.compile(ADDRESS)))
_TRAILING_TAGS = re.compile(r"(?:\[[^\[\]]*\]\s*)+$")
_QUOTE_OPENERS = "\"“‘"
_ABBREVIATIONS = {"Mr", "Ms", "Mrs", "Dr", "Det", "Sgt", "Lt", "St", "Capt", "Prof", "Rev", "vs"}


@dataclass(frozen=True)
class Finding:
    """One likely identifier in one text: its kind, the text and where it starts."""

    kind: str
    text: str
    offset: int


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


def is_common(token: str, allowed: set[str]) -> bool:
    """Whether a capitalised token is a known non-identifier (built-in list or allowed)."""
    base = normalise_token(token)
    if len(base) < 2 or any(ch.isdigit() for ch in base):
        return True
    folded = {token.casefold(), base.casefold(), base.casefold().rstrip("s")}
    if (token in COMMON_CAPITALISED or base in COMMON_CAPITALISED
            or (base.endswith("s") and base[:-1] in COMMON_CAPITALISED)
            or folded & allowed or base.lower() in FUNCTION_WORDS):
        return True
    if "-" in base.strip("-"):  # "I-I", "T-visas": common when every capitalised part is
        return all(p[:1].islower() or is_common(p, allowed) for p in base.split("-") if p)
    return False


def find_identifiers(text: str, *, allow: tuple[str, ...] = (), transcript_text: str | None = None) -> list[Finding]:
    """Likely identifiers left in ``text``, in text order.

    ``transcript_text`` (the whole transcript) lets a sentence-initial word be flagged
    when the transcript also uses it capitalised mid-sentence, and clears one that the
    transcript also uses in lower case (an ordinary word the lexicon lacks).

    >>> [f.text for f in find_identifiers("We called Riverton PD. Tasha came. I went.")]
    ['Riverton', 'Tasha']
    >>> [f.kind for f in find_identifiers("Call (555) 014-2298 or mail a@b.org")]
    ['phone number', 'email address']
    """
    allowed = allowed_words(allow)
    findings = [Finding(kind, m.group(0), m.start()) for kind, rx in _PATTERNS for m in rx.finditer(text)
                if m.group(0).casefold() not in allowed]
    covered = [(f.offset, f.offset + len(f.text)) for f in findings]
    vocabulary = transcript_vocabulary(transcript_text or "", frozenset(allowed))
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if any(s <= match.start() < e for s, e in covered) or is_common(token, allowed):
            continue
        if not starts_sentence(text, match.start()):
            findings.append(Finding("capitalised word", token, match.start()))
        elif _looks_like_name(token, vocabulary):
            findings.append(Finding("sentence-initial name", token, match.start()))
    return sorted(findings, key=lambda f: f.offset)


@dataclass(frozen=True)
class Vocabulary:
    """What one transcript says about its words: capitalised mid-sentence, or lower case."""

    mid_sentence: frozenset[str]
    lower: frozenset[str]


@lru_cache(maxsize=256)
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
