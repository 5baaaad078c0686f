"""Pattern detectors for identifiers that have a shape: numbers, dates, addresses, contacts.

Each detector is a regular expression (or a few) with a category. They run on the
masked text before the word-level checks of :mod:`qualcode.quotes.identifiers`, and
the redaction masks what they find (``[date]``, ``[case number]``...) unless the
project switched the category off in ``[redaction] builtin``. Words containing digits
are checked like any other: a case number is mostly digits.

What is *not* a personal date: a bare year ("in 2019"), a month alone ("in March"),
a weekday, a season. A date with a day, a month and a year, a month with a day, a
day-month-year in digits or a month with a year ("May of 1999") is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Category -> mask. The order is the precedence when two detectors overlap.
MASKS = {
    "email address": "[email]",
    "URL": "[url]",
    "social handle": "[handle]",
    "phone number": "[phone]",
    "SSN": "[ssn]",
    "date": "[date]",
    "licence plate": "[licence plate]",
    "PO box": "[address]",
    "street address": "[address]",
    "case number": "[case number]",
    "facility": "[facility]",
    "agency": "[agency]",
    "name": "[name]",
}
# ``[redaction] builtin`` keys -> categories (phone, email, address were the first three).
BUILTIN_CATEGORIES = {
    "phone": ("phone number",), "email": ("email address",), "address": ("street address", "PO box"),
    "date": ("date",), "ssn": ("SSN",), "case_number": ("case number",), "plate": ("licence plate",),
    "handle": ("social handle",), "url": ("URL",), "facility": ("facility",), "agency": ("agency",),
    "name": ("name",),
}

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
         r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_MONTH_CAP = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
              r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
ORDINAL_WORDS = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth"
    r"|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth"
    r"|twenty[-\s](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirty[-\s]first)"
)
DAY = rf"(?:\d{{1,2}}(?:st|nd|rd|th)?|{ORDINAL_WORDS})"
YEAR = r"(?:\d{4}|'\d{2}|two\s+thousand(?:\s+(?:and\s+)?[a-z]+(?:[-\s][a-z]+)?)?|nineteen\s+[a-z]+(?:[-\s][a-z]+)?)"
WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
# A month written in lower case is only a month when a day follows ("may 3"), since
# "may" is also a verb; capitalised months may also take "of YYYY".
DATE_PATTERNS = (
    r"(?<![\w/.-])\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![\w/-]|\.\d)",  # 03/03/1987, 3-3-87
    r"(?<![\w/.-])(?:19|20)\d{2}[/.-](?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])(?![\w/-])",  # 1987-03-03
    rf"(?i:(?<![\w-]){WEEKDAY}{MONTH}\s+{DAY}\b(?:,?\s+{YEAR}\b)?)",  # March 3, 1987 / oct 3 1985
    rf"(?i:(?<![\w-])(?:the\s+)?{DAY}\s+(?:of\s+)?{MONTH}(?![\w])(?:,?\s+{YEAR}\b)?)",  # 14 July 1992
    rf"(?<![\w-]){_MONTH_CAP}\s+(?:of\s+)?(?:19|20)\d{{2}}\b",  # May of 1999, June 2019
)
SSN_PATTERNS = (
    r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])",
    r"(?<![\w-])[xX*#]{3}-[xX*#]{2}-\d{4}(?![\w-])",
)
PHONE_PATTERNS = (
    r"(?<![\w+-])\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}(?![\w-])",  # +52 55 1234 5678
    r"(?<![\w+-])00[\s.-]?\d{1,3}(?:[\s.-]?\d{2,4}){3,4}(?![\w-])",  # 00 44 20 7946 0958
    r"(?<![\w-])(?:1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?![\w-])",  # (555) 014-2298, 5550142298
    r"(?<![\w-])\d{3}[\s.-]\d{4}(?![\w-])",  # 555 0143, a local number
)
_DIGIT_WORD = r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine)"
SPELLED_PHONE = rf"(?i:(?<![\w-]){_DIGIT_WORD}(?:[\s,-]+{_DIGIT_WORD}){{6,}}(?![\w-]))"
_TLD = r"(?:com|org|net|edu|gov|us|info|io|co|biz|me|mx|uk|ca|de|eu|xxx|app|tv|ly)"
_DOT = r"(?:\s*\.\s*|\s+dot\s+|\s*[(\[]\s*dot\s*[)\]]\s*)"
EMAIL_PATTERNS = (
    r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    rf"(?i:(?<![\w.+-])[\w.+-]+(?:{_DOT}[\w+-]+)*(?:\s+at\s+|\s*[(\[]\s*at\s*[)\]]\s*)[\w-]+(?:{_DOT}[\w-]+)*{_DOT}{_TLD}\b)",
)
URL_PATTERNS = (
    r"(?i:\bhttps?://[^\s<>\"]+[\w/])",
    r"(?i:\bwww\.[\w-]+(?:\.[\w-]+)+(?:/[^\s<>\"]*[\w/])?)",
    rf"(?i:(?<![\w@.-])[\w-]+(?:\.[\w-]+)*\.{_TLD}/[^\s<>\"]*[\w/])",  # site.com/path
    r"(?<![\w@.-])[a-z][\w-]+\.(?:com|net|org|eu|io|xxx)(?![\w.])",  # site.com (lower case)
)
HANDLE_PATTERNS = (
    r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?",
    r"(?<![\w@.-])[A-Za-z0-9]+(?:[_.][A-Za-z0-9]+)*_[A-Za-z0-9_.]*[A-Za-z0-9](?![\w@])",  # lil_destiny03
)
STREET_SUFFIX = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|highway|hwy|place|pl"
    r"|parkway|pkwy|terrace|ter|circle|cir|trail|trl|pike|alley|row|square|sq)"
)
_UNIT = r"(?:,?\s+(?:apt|apartment|unit|suite|ste|room|rm|#)\.?\s*#?\w{1,5})?"
ADDRESS_PATTERNS = (
    # 1420 Oak Street, 88 oak avenue, 312 N. Maple Dr., 4410 west county road 12
    rf"(?i:(?<![\w-])\d{{1,6}}\s+(?:[a-z0-9][\w'’.-]*\s+){{1,4}}{STREET_SUFFIX}\b(?:\.(?=[ ,]+(?-i:[a-z0-9#])))?(?:\s+\d{{1,4}}\b)?{_UNIT})",
    # Elm Street (a capitalised name and a full suffix, no number)
    r"(?<![\w-])(?!(?:The|A|An|This|That|Main|Wall|Easy|One|Any|Each|Every)\s)[A-Z][a-z]+\s+"
    r"(?:Street|Avenue|Boulevard|Lane|Drive|Terrace|Parkway)\b",
)
PO_BOX_PATTERNS = (r"(?i:(?<![\w-])(?:p\.?\s?o\.?\s*box|post\s+office\s+box|box)\s+#?\d{1,6}(?![\w-]))",)
PLATE_CONTEXT = re.compile(
    r"(?i:\b(?:plates?|licen[cs]e(?:\s+plate)?|tags?)(?:\s+(?:number|no\.?|#))?"
    r"(?:\s+(?:was|is|reads|read|came\s+back\s+(?:as|to)|of))?[\s:,]+)"
)
PLATE = re.compile(r"(?i:(?:[a-z]{2}\s+)?(?=[a-z0-9 -]{4,10}\b)[a-z0-9]{1,4}[\s-]?[a-z0-9]{2,5})(?![\w-])")
CASE_CONTEXT = re.compile(
    r"(?i:\b(?:case|docket|file|report|incident|cybertip|tip|citation|warrant|booking|inmate|a-number"
    r"|alien\s+number|reference|complaint|cause)(?:\s+(?:number|no\.?|#))?(?:\s+(?:is|was|were|of))?[\s:,]+)"
)
# A token mixing letters and digits, or digit groups: CR-2019-00421, 19CR004217, 2:19-cr-00421.
ID_TOKEN = re.compile(r"(?<![\w-])#?[A-Za-z0-9]+(?:[-:/][A-Za-z0-9]+)*(?![\w-])")
# After "case", "docket"...: an optional letter prefix, then groups with digits (CF 2018 000213).
_CASE_RUN = re.compile(r"#?(?:[A-Z]{1,4}[\s-]+(?=\d))?[A-Za-z0-9]*\d[A-Za-z0-9]*(?:[\s:/-]+[A-Za-z0-9]*\d[A-Za-z0-9]*)*")
_YEAR_RANGE = re.compile(r"^(?:19|20)\d{2}[-/](?:(?:19|20)?\d{2})$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


@dataclass(frozen=True)
class Hit:
    """One pattern match: its category and span."""

    category: str
    start: int
    end: int


def _compile(patterns: tuple[str, ...]) -> list[re.Pattern]:
    return [re.compile(p) for p in patterns]


_PATTERNS: dict[str, list[re.Pattern]] = {
    "email address": _compile(EMAIL_PATTERNS),
    "URL": _compile(URL_PATTERNS),
    "social handle": _compile(HANDLE_PATTERNS),
    "phone number": [*_compile(PHONE_PATTERNS), re.compile(SPELLED_PHONE)],
    "date": _compile(DATE_PATTERNS),
    "PO box": _compile(PO_BOX_PATTERNS),
    "street address": _compile(ADDRESS_PATTERNS),
}
# Most speech has no digit, and every pattern below needs one (a ``\d`` or a literal
# digit) to match, so a text without any skips them: about half of ``pattern_hits``.
# tests/quotes/test_detectors.py holds the hits to those of running every pattern.
_DIGIT = re.compile(r"\d")
_NEEDS_DIGIT = frozenset(map(id, [
    *_PATTERNS["phone number"][:len(PHONE_PATTERNS)], *(_PATTERNS["date"][i] for i in (0, 1, 4)),
    *_PATTERNS["PO box"], _PATTERNS["street address"][0],
]))
_SSN = _compile(SSN_PATTERNS)
_SSN_CONTEXT = re.compile(
    r"(?i:\b(?:social(?:\s+security)?(?:\s+number)?|ssn|last\s+four)\b[^.?!\d]{0,30}?(?P<n>\d{4})(?!\d))"
)


# A day and month without a year are a date of birth after "born", "birthday", "DOB".
_BIRTH_CONTEXT = re.compile(
    r"(?i:\b(?:born|birthday|b-day|dob|date\s+of\s+birth)(?:\s+(?:is|was|on))?[\s:,]+(?P<n>\d{1,2}[/.-]\d{1,2})(?![\d/.-]))"
)


def pattern_hits(text: str) -> list[Hit]:
    """Every pattern match in ``text``, overlaps resolved by precedence then length."""
    digits = _DIGIT.search(text) is not None
    hits: list[Hit] = []
    if digits:  # dates of birth, SSNs, plates and case numbers all need digits
        hits += [Hit("date", m.start("n"), m.end("n")) for m in _BIRTH_CONTEXT.finditer(text)]
        for pattern in _SSN:
            hits += [Hit("SSN", m.start(), m.end()) for m in pattern.finditer(text)]
        hits += [Hit("SSN", m.start("n"), m.end("n")) for m in _SSN_CONTEXT.finditer(text)]
    for category, patterns in _PATTERNS.items():
        for pattern in patterns:
            if digits or id(pattern) not in _NEEDS_DIGIT:
                hits += [Hit(category, m.start(), m.end()) for m in pattern.finditer(text)]
    if digits:
        hits += _plates(text) + _id_numbers(text, hits)
    return _resolve(hits)


def _plates(text: str) -> list[Hit]:
    found = []
    for context in PLATE_CONTEXT.finditer(text):
        match = PLATE.match(text, context.end())
        if match and sum(ch.isdigit() for ch in match.group(0)) >= 2:
            found.append(Hit("licence plate", match.start(), match.end()))
    return found


def _id_numbers(text: str, taken: list[Hit]) -> list[Hit]:
    """Case, docket, file and report numbers: by shape anywhere, or digits after "case"."""
    found = []
    for context in CASE_CONTEXT.finditer(text):
        run = _CASE_RUN.match(text, context.end())
        if run and sum(ch.isdigit() for ch in run.group(0)) >= 3:
            found.append(Hit("case number", run.start(), run.end()))
    for match in ID_TOKEN.finditer(text):
        if _looks_like_id(match.group(0)):
            found.append(Hit("case number", match.start(), match.end()))
    return found


def _looks_like_id(token: str) -> bool:
    digits = sum(ch.isdigit() for ch in token)
    letters = sum(ch.isalpha() for ch in token)
    if _YEAR_RANGE.match(token) or _TIME.match(token):
        return False
    if letters:
        return digits >= 3 or (digits >= 2 and letters >= 2 and "-" not in token)
    return digits >= 6 and not re.fullmatch(r"(?:19|20)\d{2}", token)


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Keep the longest hit where hits overlap (ties: the category listed first in MASKS)."""
    rank = {category: number for number, category in enumerate(MASKS)}
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), rank[h.category], h.start)):
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda h: h.start)
