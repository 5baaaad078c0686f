"""De-identification: the project's ``[redaction]`` rules, applied to every export.

The rules live in qualcode.toml (schema in docs/quotes.md)::

    [redaction]
    names = ["Tasha", "Detective Ramos"]        # -> [name]
    places = ["Riverton", "Marlow County"]      # -> [place]
    agencies = ["Marlow County Sheriff's Office"]  # -> [agency]
    patterns = [{regex = "\\\\bRPD\\\\b", mask = "[agency]"}]
    builtin = ["phone", "email", "address"]     # pattern masks on by default
    speaker_names = true                        # mask names found in speaker labels
    case_sensitive = false
    allow = ["Polaris"]                         # never flagged by the leftover check

    [redaction.transcripts."vsp-a-01"]          # extra terms for one transcript
    names = ["Dana"]

Terms match whole words, case-insensitively, with any whitespace (a line break in a
hard-wrapped transcript) between their words, **longest first** across all lists:
"Marlow County Sheriff's Office" becomes ``[agency]`` before "Marlow County" could
become ``[place]``. Patterns (the project's, then the built-in phone/email/address
ones) run on the term-masked text; a pattern match listed in ``allow`` is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from qualcode.errors import ProjectError
from qualcode.quotes.detectors import BUILTIN_CATEGORIES, MASKS
from qualcode.quotes.identifiers import find_identifiers

if TYPE_CHECKING:
    from qualcode.project import Project

TERM_MASKS = {"names": "[name]", "agencies": "[agency]", "places": "[place]"}  # precedence order
# Built-in detectors (qualcode.quotes.detectors, .identifiers, .names), by config key.
BUILTIN_KEYS = ("phone", "email", "address", "date", "ssn", "case_number", "plate", "handle", "url",
                "facility", "agency", "name")
SECTION_KEYS = {
    "names", "places", "agencies", "patterns", "builtin", "speaker_names", "case_sensitive",
    "allow", "transcripts",
}
TRANSCRIPT_KEYS = {"names", "places", "agencies", "patterns", "allow"}

# Words in speaker labels that are roles or titles, not names ("DET. RAMOS" -> Ramos).
GENERIC_LABEL_WORDS = frozenset(["interviewer", "interviewee", "respondent", "speaker", "participant", "moderator", "facilitator", "q", "a", "i", "r", "unknown", "male", "female", "voice", "other", "det", "detective", "sgt", "sergeant", "lt", "lieutenant", "officer", "agent", "special", "chief", "captain", "capt", "deputy", "sheriff", "investigator", "inv", "prosecutor", "attorney", "ada", "ausa", "da", "advocate", "counselor", "coordinator", "director", "manager", "case", "worker", "social", "nurse", "therapist", "program", "victim", "service", "provider", "staff", "member", "mr", "mrs", "ms", "miss", "dr", "prof", "supervisor", "analyst", "specialist", "navigator", "law", "enforcement", "police", "task", "force", "county", "state", "federal", "assistant", "district", "us", "u", "s", "the", "of", "and"])


@dataclass(frozen=True)
class TermSet:
    """Terms to mask and exceptions to allow, for the project or one transcript."""

    names: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    patterns: tuple[tuple[str, str], ...] = ()  # (regex, mask)
    allow: tuple[str, ...] = ()

    def masked_terms(self) -> list[tuple[str, str]]:
        """(term, mask) for every list, in precedence order."""
        return [(t, TERM_MASKS[kind]) for kind in TERM_MASKS for t in getattr(self, kind)]


@dataclass(frozen=True)
class RedactionRules:
    """The validated ``[redaction]`` section."""

    terms: TermSet = field(default_factory=TermSet)
    builtin: tuple[str, ...] = BUILTIN_KEYS
    speaker_names: bool = True
    case_sensitive: bool = False
    transcripts: dict[str, TermSet] = field(default_factory=dict)

    @property
    def allow(self) -> tuple[str, ...]:
        return self.terms.allow

    def allow_for(self, transcript_id: str | None) -> tuple[str, ...]:
        extra = self.transcripts.get(transcript_id or "", TermSet()).allow
        return self.terms.allow + extra


def load_rules(project: Project) -> RedactionRules:
    """The project's redaction rules (empty rules when qualcode.toml has no section)."""
    section = project.config.get("redaction", {})
    return rules_from_config(section, source=str(project.config_path))


def rules_from_config(section: dict[str, Any], *, source: str = "qualcode.toml") -> RedactionRules:
    """Validate a ``[redaction]`` table; ProjectError names the bad key or value."""
    _check_keys(section, SECTION_KEYS, "[redaction]", source)
    builtin = _string_list(section, "builtin", "[redaction]", source, default=list(BUILTIN_KEYS))
    unknown = [b for b in builtin if b not in BUILTIN_KEYS]
    if unknown:
        raise ProjectError(
            f"[redaction] builtin: unknown detector {unknown[0]!r}; allowed: {', '.join(BUILTIN_KEYS)}",
            file=source,
        )
    per_transcript = section.get("transcripts", {})
    if not isinstance(per_transcript, dict):
        raise ProjectError("[redaction] transcripts must be a table of transcript ids", file=source)
    return RedactionRules(
        terms=_term_set(section, "[redaction]", source),
        builtin=tuple(builtin),
        speaker_names=_flag(section, "speaker_names", True, source),
        case_sensitive=_flag(section, "case_sensitive", False, source),
        transcripts={
            str(tid): _term_set(_table(table, f"[redaction.transcripts.{tid}]", source),
                                f"[redaction.transcripts.{tid}]", source, keys=TRANSCRIPT_KEYS)
            for tid, table in per_transcript.items()
        },
    )


def _term_set(section: dict, where: str, source: str, keys: set[str] | None = None) -> TermSet:
    if keys is not None:
        _check_keys(section, keys, where, source)
    return TermSet(
        names=tuple(_string_list(section, "names", where, source)),
        places=tuple(_string_list(section, "places", where, source)),
        agencies=tuple(_string_list(section, "agencies", where, source)),
        patterns=tuple(_patterns(section.get("patterns", []), where, source)),
        allow=tuple(_string_list(section, "allow", where, source)),
    )


def _patterns(items: Any, where: str, source: str) -> list[tuple[str, str]]:
    if not isinstance(items, list):
        raise ProjectError(f"{where} patterns must be a list of {{regex, mask}} tables", file=source)
    found = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"regex", "mask"} or "regex" not in item:
            raise ProjectError(
                f"{where} patterns[{number}]: expected {{regex = \"...\", mask = \"[name]\"}}, got {item!r}",
                file=source,
            )
        try:
            re.compile(item["regex"])
        except re.error as error:
            raise ProjectError(
                f"{where} patterns[{number}]: invalid regex {item['regex']!r}: {error}", file=source
            ) from None
        found.append((item["regex"], str(item.get("mask", "[redacted]"))))
    return found


def _check_keys(section: dict, allowed: set[str], where: str, source: str) -> None:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ProjectError(
            f"{where}: unknown key '{unknown[0]}'; allowed keys: {', '.join(sorted(allowed))}", file=source
        )


def _string_list(section: dict, key: str, where: str, source: str, default=None) -> list[str]:
    value = section.get(key, [] if default is None else default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(f"{where} {key} must be a list of strings, got {value!r}", file=source)
    return [v.strip() for v in value if v.strip()]


def _flag(section: dict, key: str, default: bool, source: str) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise ProjectError(f"[redaction] {key} must be true or false, got {value!r}", file=source)
    return value


def _table(value: Any, where: str, source: str) -> dict:
    if not isinstance(value, dict):
        raise ProjectError(f"{where} must be a table (names, places, agencies, patterns, allow)", file=source)
    return value


def rules_summary(rules: RedactionRules) -> dict[str, object]:
    """Counts of what the rules mask (for provenance; never the terms themselves)."""
    return {
        "names": len(rules.terms.names), "places": len(rules.terms.places),
        "agencies": len(rules.terms.agencies), "patterns": len(rules.terms.patterns),
        "builtin": list(rules.builtin), "speaker_names": rules.speaker_names,
        "transcript_rules": len(rules.transcripts), "allow": len(rules.allow),
    }


# -- applying -------------------------------------------------------------------


def term_regex(term: str) -> str:
    """A regex for a term whose words may be split by any whitespace (and ' or ’)."""
    words = [re.escape(w) for w in term.split()]
    return r"\s+".join(re.sub("['’]", "['’]", w) for w in words)


def whole_words(alternatives: list[str]) -> str:
    """One alternation matched as whole words (one lookaround for all: much faster)."""
    return r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"


def speaker_name_words(speakers: list[str] | tuple[str, ...]) -> list[str]:
    """Name-like words of speaker labels: "DET. RAMOS" -> ["Ramos"], "Respondent" -> []."""
    found: dict[str, None] = {}
    for label in speakers:
        for word in re.findall(r"[^\W\d_][\w'’-]*", label):
            if len(word) > 1 and word.lower().strip("'’") not in GENERIC_LABEL_WORDS:
                found[word.capitalize()] = None
    return list(found)


class Redactor:
    """Applies the rules; one compiled matcher per set of rules and speaker labels (cached):
    transcripts without rules of their own and with the same labels share one, so the
    cache does not grow with the corpus."""

    def __init__(self, rules: RedactionRules) -> None:
        self.rules = rules
        self._matchers: dict[tuple, _Matcher] = {}

    def redact(self, text: str, transcript_id: str | None = None, speakers: tuple[str, ...] = ()) -> str:
        """``text`` with every configured term and pattern masked."""
        own = transcript_id if transcript_id in self.rules.transcripts else None
        key = (own, tuple(speakers))
        if key not in self._matchers:
            self._matchers[key] = self._build(transcript_id, speakers)
        return self._matchers[key].apply(text)

    def _build(self, transcript_id: str | None, speakers: tuple[str, ...]) -> _Matcher:
        local = self.rules.transcripts.get(transcript_id or "", TermSet())
        terms = local.masked_terms() + self.rules.terms.masked_terms()
        speaker_words = speaker_name_words(speakers) if self.rules.speaker_names else []
        patterns = list(local.patterns) + list(self.rules.terms.patterns)
        return _Matcher(terms, speaker_words, patterns, self.rules.allow_for(transcript_id),
                        self.rules.case_sensitive, detected_categories(self.rules.builtin))


class _Matcher:
    """One alternation of all terms, longest first, then the patterns in order."""

    def __init__(self, terms, speaker_words, patterns, allow, case_sensitive: bool,
                 categories: frozenset[str] = frozenset()) -> None:
        self.terms = terms
        self.categories = categories
        self.allow_list = tuple(allow)
        self.speaker_words = speaker_words
        self.patterns = [(re.compile(regex), mask) for regex, mask in patterns]
        self.allow = {a.casefold() for a in allow}
        self.case_sensitive = case_sensitive

    @cached_property
    def masks(self) -> dict[str, str]:
        # First list wins for a term in two lists (TERM_MASKS order; transcript terms first).
        masks: dict[str, str] = {}
        for term, mask in self.terms:
            masks.setdefault(_term_key(term), mask)
        return masks

    @cached_property
    def term_pattern(self) -> re.Pattern | None:
        unique = sorted({t for t, _ in self.terms}, key=lambda t: (-len(t), t))
        if not unique:
            return None
        flags = 0 if self.case_sensitive else re.IGNORECASE
        return re.compile(whole_words([term_regex(t) for t in unique]), flags)

    @cached_property
    def speaker_pattern(self) -> re.Pattern | None:
        if not self.speaker_words:
            return None
        # Capitalised or all-caps only: a label word may also be an ordinary word.
        forms = sorted({f for w in self.speaker_words for f in (w, w.upper())}, key=lambda t: (-len(t), t))
        return re.compile(whole_words([re.escape(f) for f in forms]))

    def apply(self, text: str) -> str:
        if self.term_pattern is not None:
            text = self.term_pattern.sub(lambda m: self.masks.get(_term_key(m.group(0)), "[redacted]"), text)
        if self.speaker_pattern is not None:
            text = self.speaker_pattern.sub("[name]", text)
        for pattern, mask in self.patterns:
            text = pattern.sub(partial(self._mask_unless_allowed, mask=mask), text)
        if self.categories:
            text = mask_detected(text, self.allow_list, self.categories)
        return text

    def _mask_unless_allowed(self, match: re.Match, mask: str) -> str:
        return match.group(0) if match.group(0).casefold() in self.allow else mask


def _term_key(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def detected_categories(builtin: tuple[str, ...] | list[str]) -> frozenset[str]:
    """The finding kinds masked for the ``builtin`` keys given."""

    return frozenset(kind for key in builtin for kind in BUILTIN_CATEGORIES[key])


def mask_detected(text: str, allow: tuple[str, ...], categories: frozenset[str]) -> str:
    """``text`` with every built-in detector's finding of ``categories`` masked by category.

    A possessive keeps its ending: "Kayla's mom" -> "[name]'s mom".
    """

    pieces, position = [], 0
    for finding in find_identifiers(text, allow=allow, masked_only=True):
        if finding.kind not in categories:
            continue
        ending = re.search(r"['’]s?$", finding.text) if finding.kind == "name" else None
        pieces += [text[position:finding.offset], MASKS[finding.kind], ending.group(0) if ending else ""]
        position = finding.end
    return "".join(pieces) + text[position:]
