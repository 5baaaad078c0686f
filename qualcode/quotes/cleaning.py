"""Cleaning quotes for a reader: disfluencies, transcription tags, long quotes.

Every rule is on by default and switchable (:class:`CleaningOptions`); the original
text is always kept alongside the cleaned one, so a writer can check what changed.
Cleaning runs *after* redaction, so mask tags such as ``[name]`` are already in the
text and are kept.

Rules
-----
- **tags**: ``[inaudible 00:12:04]``, ``[crosstalk]``, ``[laughs]``, ``[pause]``, bare
  timestamps and similar transcriber notes are dropped; every other bracketed tag
  (``[place]``, ``[name]``, ``[agency]``, ``[number of]``, editorial insertions) is kept.
- **disfluencies**: filler words (um, uh, erm, hmm) with the commas that only set them
  off, "you know" used as a filler (set off by commas or opening a sentence), stutters (``I-I``, ``th-the``) and restarts: a
  *function word* repeated (``the the``, ``the, the``, ``he's—he's``). A repeated
  content word is emphasis and stays ("Years, years.", "Housing, housing, housing"),
  and so does any punctuation that belongs to the sentence: a sentence end, a comma
  after *yes*, *well*, *so*..., before a new clause ("Yes, um, we do" -> "Yes, we
  do"), or after a content word ("The shelters, um, the ones downtown, are full" ->
  "The shelters, the ones downtown, are full").
- **omissions are marked** (APA 7): a transcriber's note for lost speech
  (``[inaudible]``, ``[crosstalk]``, ``[unintelligible]``) becomes an ellipsis, as does
  trimming. Removing fillers, stutters, restarts and non-speech notes (``[laughs]``,
  ``[pause]``, timestamps) loses no words and is not marked. Nothing is inserted
  except the masks, which are in brackets. The uncleaned text stays in
  ``original_text`` (the provenance).
- **trim**: a quote longer than ``max_words`` is cut at a sentence boundary and ends
  with `` ...``; if its first sentence alone is too long, it is cut at a word. An
  excerpt that stops mid-sentence (a coded sub-span) also ends with `` ...``.

Spacing and punctuation left behind by removals are repaired and the quote and each
sentence start with a capital letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from qualcode.quotes.common_words import FUNCTION_WORDS

ELLIPSIS = "..."

# Transcriber notes for speech that was lost: the tags rule marks the omission (APA 7).
_LOST_SPEECH = re.compile(
    r"^\s*(?:inaudible|unintelligible|indiscernible|crosstalk|cross[\s-]talk|overlapping(?:\s+speech)?)\b[^\]]*$",
    re.IGNORECASE,
)
# Transcriber notes dropped by the tags rule; anything else in brackets is kept.
_DROPPED_TAG = re.compile(
    r"""^\s*(?:
        inaudible | unintelligible | indiscernible | crosstalk | cross[\s-]talk | overlapping(?:\s+speech)?
        | laugh(?:s|ing|ter)? | chuckles? | sighs? | coughs? | clears\s+throat
        | (?:long\s+|short\s+)?pause[sd]? | silence | background\s+noise | noise | phone\s+rings?
        | \d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?
    )\b[^\]]*$""",
    re.IGNORECASE | re.VERBOSE,
)
_TAG = re.compile(r"\[([^\[\]\n]{0,80})\]")

# A filler set off by commas goes with its commas ("had, um, a few" -> "had a few"),
# unless a new clause follows, where the comma marks the restart ("is, um, it's fine").
_FILLER = re.compile(r"(,?)\s*(?<![\w'’-])(?:u+m+|u+h+|uhm+|erm+|hmm+)(?![\w'’-])\s*([,.]?)", re.IGNORECASE)
_CLAUSE_START = re.compile(
    r"\s*(?:i|i'm|i’m|it|it's|it’s|we|we're|we’re|they|they're|they’re|he|he's|he’s|she|she's|she’s|you"
    r"|there|there's|there’s|that's|that’s|so|and|but|because)\b", re.IGNORECASE
)
_YOU_KNOW_INSIDE = re.compile(r",\s*you know\s*,\s*", re.IGNORECASE)
_YOU_KNOW_OPENING = re.compile(r"(^\s*|[.?!][\"”’]?\s+|[—–]\s*)you know,\s*", re.IGNORECASE)
_YOU_KNOW_CLOSING = re.compile(r",\s*you know\s*([.?!])", re.IGNORECASE)
# A fragment then a hyphen then the full word starting with it: I-I, th-the, w-we.
_STUTTER = re.compile(r"(?<![\w-])(\w{1,4})-(?=\1)", re.IGNORECASE)
_STUTTER_WORDS = {"so-so", "no-no", "yo-yo", "bye-bye", "go-go", "tom-tom", "pom-pom", "mm-hmm", "uh-huh"}
_DASH_REPEAT = re.compile(r"(?<![\w'’])(\w[\w'’]*)\s*[—–]\s*\1(?![\w'’])", re.IGNORECASE)
_REPEAT = re.compile(r"(?<![\w'’-])(\w[\w'’]*)(?:,?\s+\1)+(?![\w'’-])", re.IGNORECASE)
# Grammatical doublings that are not disfluent ("I had had enough", "I think that that is"),
# and function words people repeat for emphasis ("no, no, no", "very, very").
_REPEAT_OK = {"had", "that", "no", "very", "really", "so", "never", "yes", "much", "more", "many", "all",
              "again", "always", "please", "ever", "too", "well", "okay", "now", "sorry", "thank", "thanks"}
# A comma after these belongs to the sentence even when a filler follows ("Yes, um, we do").
_DISCOURSE = {"yes", "yeah", "no", "well", "so", "okay", "ok", "right", "now", "see", "honestly", "basically",
              "actually", "anyway", "first", "second", "also", "then", "sure", "oh", "like"}

_ABBREVIATIONS = {"mr", "ms", "mrs", "dr", "det", "sgt", "lt", "st", "vs", "etc", "e.g", "i.e", "u.s"}
_SENTENCE_END = re.compile(r"[.?!][\"”’)\]]*\s+")


@dataclass(frozen=True)
class CleaningOptions:
    """Which cleaning rules run; ``max_words`` is the trim length (``None``: no limit)."""

    disfluencies: bool = True
    tags: bool = True
    trim: bool = True
    max_words: int | None = 100


def clean_quote(text: str, options: CleaningOptions = CleaningOptions()) -> str:
    """Apply the enabled rules to one quote and repair what they leave behind.

    >>> clean_quote("So I'm the, um, the program director [laughs] here.")
    "So I'm the program director here."
    >>> clean_quote("um, you know, we-we call [name] at [agency].")
    'We call [name] at [agency].'
    """
    if options.tags:
        text = drop_tags(text)
    if options.disfluencies:
        text = remove_disfluencies(text)
    text = tidy(text)
    if options.trim and options.max_words:
        text = trim_words(text, options.max_words)
    if options.trim:
        text = mark_cut_end(text)
    return text


def mark_cut_end(text: str) -> str:
    """An excerpt that stops mid-sentence (a coded sub-span) ends with `` ...``.

    >>> mark_cut_end("and the pay is state")
    'and the pay is state ...'
    >>> mark_cut_end('She said "no."')
    'She said "no."'
    """
    stripped = text.rstrip()
    if not stripped or re.search(r"[.?!…][\"”’)\]]*$", stripped) or stripped.endswith("]"):
        return text
    return stripped.rstrip(",;:—–- ") + " " + ELLIPSIS


def drop_tags(text: str) -> str:
    """Remove transcriber notes, keep mask and editorial tags.

    Lost speech becomes an ellipsis (an omission, APA 7); other notes go.

    >>> drop_tags("Yes. [inaudible 00:12:04] The [place] office [laughs] called.")
    'Yes.  ...  The [place] office  called.'
    """
    def replace(match: re.Match) -> str:
        if _LOST_SPEECH.match(match.group(1)):
            return f" {ELLIPSIS} "
        return "" if _DROPPED_TAG.match(match.group(1)) else match.group(0)

    return _TAG.sub(replace, text)


def remove_disfluencies(text: str) -> str:
    """Remove fillers, filler "you know", stutters and repeated words (spacing not tidied).

    >>> tidy(remove_disfluencies("I-I think the, um, th-the case, you know, took uh years."))
    'I think the case took years.'
    >>> tidy(remove_disfluencies("The FBI is, um, it's fine. Um. We had, uh, a few."))
    "The FBI is, it's fine. We had a few."
    """
    text = _FILLER.sub(_filler_replacement, text)
    text = _YOU_KNOW_INSIDE.sub(" ", text)
    text = _YOU_KNOW_OPENING.sub(lambda m: m.group(1), text)
    text = _YOU_KNOW_CLOSING.sub(lambda m: m.group(1), text)
    text = _remove_stutters(text)
    text = _DASH_REPEAT.sub(lambda m: m.group(1) if _is_restart(m.group(1)) else m.group(0), text)
    return _REPEAT.sub(_keep_one, text)


def _filler_replacement(match: re.Match) -> str:
    before, after = match.group(1), match.group(2)
    if after == ".":
        return ". "
    restarts = _CLAUSE_START.match(match.string, match.end())
    previous = re.search(r"([\w'’]+)\s*$", match.string[:match.start()])
    word = previous.group(1).lower().replace("’", "'") if previous else ""
    # Set off by two commas after a content word, one comma may be the sentence's own
    # ("The shelters, um, the ones downtown, are full"); after a function word the
    # phrase goes on and both commas were the filler's ("It was, um, hard").
    content = after == "," and word and word not in _function_words() and not _inflected_verb(word)
    return ", " if before and (restarts or word in _DISCOURSE or content) else " "


def _function_words() -> frozenset[str]:

    return frozenset(FUNCTION_WORDS)


def _inflected_verb(word: str) -> bool:
    """A past or -ing form ("took", "called", "going"): the phrase goes on after it.

    From spaCy's English lemma tables; a form ending in -s counts as a plural noun.
    """
    lemmas, verbs = _lemma_tables()
    lemma = lemmas.get(word)
    if lemma is None:
        return word.endswith(("ed", "ing"))
    return lemma != word and lemma in verbs and not word.endswith("s")


@lru_cache(maxsize=1)
def _lemma_tables() -> tuple[dict[str, str], frozenset[str]]:
    try:
        import gzip
        import json
        from importlib.resources import files

        data = files("spacy_lookups_data") / "data"
        with gzip.open(str(data / "en_lemma_lookup.json.gz")) as handle:
            lemmas = json.load(handle)
        with gzip.open(str(data / "en_lemma_index.json.gz")) as handle:
            verbs = frozenset(json.load(handle)["verb"])
        return lemmas, verbs
    except (ImportError, FileNotFoundError, OSError, ValueError, KeyError):
        return {}, frozenset()


def _remove_stutters(text: str) -> str:
    def replace(match: re.Match) -> str:
        word = re.match(r"[\w-]+", text[match.start():])
        if word and word.group(0).lower() in _STUTTER_WORDS:
            return match.group(0)
        return ""

    previous = None
    while previous != text:  # I-I-I needs two passes
        previous, text = text, _STUTTER.sub(replace, text)
    return text


def _keep_one(match: re.Match) -> str:
    word = match.group(1)
    return word if _is_restart(word) else match.group(0)


def _is_restart(word: str) -> bool:
    """A repeated function word is a restart ("the the", "we, we"); a repeated content
    word is emphasis ("Years, years", "housing, housing") and is kept."""

    folded = word.lower().replace("’", "'")
    if folded in _REPEAT_OK:
        return False
    return folded in FUNCTION_WORDS or folded.split("'")[0] in FUNCTION_WORDS


def tidy(text: str) -> str:
    """One space between words, no orphaned commas, capitals where sentences start.

    >>> tidy(" , so  the  [place] team ,  . it works.. and ... then")
    'So the [place] team. It works. And ... then'
    """
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,;:!?]|\.(?!\.))", r"\1", text)
    text = re.sub(r",+([,.;:!?])", r"\1", text)  # "was, ." -> "was."
    text = re.sub(r"([.?!])[,;:]", r"\1", text)
    text = re.sub(r"(?<!\.)([.?!])\s*\.(?![.\w])", r"\1", text)  # "over. Um. Law" -> "over.. Law"
    text = re.sub(r"([—–])\s*,\s*", r"\1", text)
    text = re.sub(r"^[\s,;:.—–-]+", "", text).strip()
    text = re.sub(r"(?<=\w)[,;:—–-]+$", "", text)  # a dangling comma: the excerpt was cut
    return capitalise_sentences(text)


def capitalise_sentences(text: str) -> str:
    """Upper-case the first letter of the text and of each sentence (not after Ms. etc.)."""
    chars = list(text)
    _upper_first_letter(chars, 0)
    for match in _SENTENCE_END.finditer(text):
        after_ellipsis = text[match.start() - 1: match.start()] == "."
        if not after_ellipsis and not _ends_with_abbreviation(text, match.start()):
            _upper_first_letter(chars, match.end())
    return "".join(chars)


def _upper_first_letter(chars: list[str], position: int) -> None:
    while position < len(chars) and chars[position] in "\"“‘'(":
        position += 1
    if position < len(chars) and chars[position].islower():
        chars[position] = chars[position].upper()


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = re.search(r"([\w.]+)$", text[:dot])
    return word is not None and word.group(1).lower() in _ABBREVIATIONS


def sentences(text: str) -> list[str]:
    """Split at sentence ends (., ?, ! and closing quotes), not after abbreviations.

    >>> sentences('Ms. Ramos called. "Is it safe?" she asked. Yes!')
    ['Ms. Ramos called.', '"Is it safe?" she asked.', 'Yes!']
    """
    pieces, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        following = text[match.end(): match.end() + 1]
        if _ends_with_abbreviation(text, match.start()) or not following or following.islower():
            continue
        pieces.append(text[start: match.end()].strip())
        start = match.end()
    if text[start:].strip():
        pieces.append(text[start:].strip())
    return pieces


def word_count(text: str) -> int:
    return len(text.split())


def trim_words(text: str, max_words: int) -> str:
    """Keep whole leading sentences up to ``max_words`` words, then `` ...``.

    >>> trim_words("One two three. Four five six. Seven.", 6)
    'One two three. Four five six. ...'
    >>> trim_words("One two three four five.", 3)
    'One two three ...'
    """
    if word_count(text) <= max_words:
        return text
    kept: list[str] = []
    words = 0
    for sentence in sentences(text):
        size = word_count(sentence)
        if words + size > max_words:
            break
        kept.append(sentence)
        words += size
    if kept:
        return " ".join(kept) + " " + ELLIPSIS
    cut = " ".join(text.split()[:max_words]).rstrip(",;:—–-")
    return cut + " " + ELLIPSIS
