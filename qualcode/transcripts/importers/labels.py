"""Speaker labels in lines of transcript text, and the turns they delimit.

Shared by every importer: each format turns its file into :class:`Line` objects
(a line of text, perhaps with a label its structure already gave, such as a bold
run, a table cell or a WebVTT voice tag), and :func:`assemble_turns` decides which
label candidates are real speakers and groups the lines into turns.

Precision matters more than recall here: a sentence such as ``Note: this`` at the
start of a line must not become a speaker. So a plain ``Name:`` candidate is
accepted only when its name is shaped like a label (short, capitalised, no sentence
punctuation, not a word such as *Note* or *Date*) *and* it is a well-known label
(Interviewer, I, R, Q, A, Speaker 2, ...), recurs at least twice in the file, or
appears in a form that only labels take (with a timestamp, in bold, in a table).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.model import Turn, merge_consecutive, normalise

MAX_NAME_CHARS = 40
MAX_NAME_WORDS = 5

# How much a candidate's form vouches for it being a speaker label.
TRUSTED = "trusted"  # the format says so: a table's speaker column, a WebVTT voice tag
STRONG = "strong"  # only labels look like this: timestamped, bold, markdown bold
WEAK = "weak"  # plain "Name:" or a heading; needs corroboration

TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
TIME_ONLY_RE = re.compile(rf"^[\[(]?({TIME})[\])]?$")
BRACKETED_TIME_PREFIX_RE = re.compile(rf"^[\[(]({TIME})[\])]\s*(.+)$")
BARE_TIME_PREFIX_RE = re.compile(rf"^({TIME})\s+(.+)$")
MARKDOWN_LABEL_RE = re.compile(r"^(?:\*\*|__)([^*_]+?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)\s*(.*)$")
REV_LABEL_RE = re.compile(rf"^(.{{1,60}}?)\s*[\[(]({TIME})[\])]\s*:\s*(.*)$")
HEADER_RE = re.compile(rf"^(.{{1,60}}?)(\s+)({TIME})$")
PLAIN_LABEL_RE = re.compile(r"^([^:\s][^:]{0,59}?)\s*:(?:\s+(.*))?$")
TIME_STARTS = frozenset("[(0123456789")
HEAD = 100  # a label, with its timestamp and spacing, fits in this many characters
# Commas too: exports write "Surname, Given" (Teams: "Kim, Alex (Interviewer)   0:05").
NAME_CHARS_RE = re.compile(r"^[\w.,'’\-&/() ]+$")

KNOWN_LABEL_RE = re.compile(
    r"^(?:interviewer|interviewee|respondent|participant|moderator|facilitator|researcher|speaker"
    r"|unknown speaker|int|resp|iv|ie|i|r|q|a|p)\.?\s*\d{0,3}$"
    r"|.*\((?:interviewer|interviewee|respondent|participant|moderator|facilitator|researcher)\)$",
    re.IGNORECASE,
)
# Words that start a line followed by a colon in prose or in header fields, never a speaker.
NOT_A_NAME_WORDS = """
    note notes nb ps example examples e.g i.e edit update warning caution tip hint quote re subject
    date time location place venue site title duration length transcript transcription transcriber
    recording audio video file page summary details attendees present keywords tags source link url
    email phone so well okay ok yes no and but because basically also then now like um uh oh right see
    look listen remember anyway interview project study total start end step reason problem issue
    first second third finally however therefore meanwhile this that these those
    it we you they he she there here what why how when where who which
"""
NOT_A_NAME = frozenset(NOT_A_NAME_WORDS.split())
# Words that never occur anywhere in a speaker label but often in header fields.
NEVER_IN_NAME = frozenset(["date", "time", "duration", "location", "transcript", "transcriber", "transcription"])
NAME_PARTICLES_WORDS = "de da das del della der di du la le van von bin al el ibn y and & of"
NAME_PARTICLES = frozenset(NAME_PARTICLES_WORDS.split())

BOILERPLATE_RES = (
    re.compile(r"^Transcribed by https?://otter\.ai/?$", re.IGNORECASE),
    re.compile(r"^Transcription ended after \d{1,2}:\d{2}:\d{2}$"),
    re.compile(r"^This editable transcript was computer generated and might contain errors\b.*$"),
)
TRANSCRIPTION_MARKER_RE = re.compile(r"^(.{1,60}) (?:started|stopped) transcription$")


@dataclass(slots=True)
class Candidate:
    """A speaker label found (or given) at the start of a line."""

    name: str
    rest: str = ""  # the speech after the label on the same line
    time: float | None = None
    strength: str = WEAK
    heading: bool = False  # a heading paragraph holding only a name (NVivo)


@dataclass(slots=True)
class Line:
    """One line of transcript text as an importer saw it."""

    text: str
    candidate: Candidate | None = None
    find_label: bool = True  # look for a label in the text (False for a table's speech cell)
    start_time: float | None = None
    end_time: float | None = None
    style: str = ""  # "title" or "heading" for docx paragraphs in those styles


@dataclass
class Assembly:
    """The turns found, and the lines before the first turn."""

    turns: list[Turn]
    preamble: list[Line] = field(default_factory=list)
    boilerplate: int = 0  # transcription-service lines dropped ("Transcribed by https://otter.ai")
    speakers: list[str] = field(default_factory=list)  # the labels accepted, as first written

    def notes(self) -> list[str]:
        """What was set aside, for the import report."""
        notes = []
        if self.preamble:
            count = len(self.preamble)
            words = sum(len(line.text.split()) for line in self.preamble)
            notes.append(
                f"kept {count} line{'s' if count > 1 else ''} ({words} words) before the first speaker label "
                "as an uncoded preamble"
            )
        if self.boilerplate:
            plural = "s" if self.boilerplate > 1 else ""
            notes.append(f"dropped {self.boilerplate} transcription-service line{plural} (e.g. 'started transcription')")
        return notes

    @property
    def preamble_text(self) -> str:
        return "\n".join(line.text.strip() for line in self.preamble)


def parse_time(text: str) -> float:
    """Seconds in ``"1:02:03"``, ``"02:03"``, ``"00:00:11.5"`` or ``"0:04,250"``."""
    seconds = 0.0
    for part in text.strip("[]() ").replace(",", ".").split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


@lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """Case- and spacing-insensitive key, so ``DET. RAMOS`` and ``Det. Ramos`` are one speaker."""
    return " ".join(name.split()).casefold().rstrip(".")


@lru_cache(maxsize=4096)
def is_known_label(name: str) -> bool:
    """Labels that are speaker labels whatever the context: Interviewer, I, R, Q, A, Speaker 2, ..."""
    return bool(KNOWN_LABEL_RE.match(" ".join(name.split())))


@lru_cache(maxsize=4096)
def is_name_shaped(name: str) -> bool:
    """Short, capitalised, without sentence punctuation, and not a word such as *Note* or *Date*."""
    if not name or len(name) > MAX_NAME_CHARS or not NAME_CHARS_RE.match(name):
        return False
    if is_known_label(name):
        return True
    words = name.split()
    if len(words) > MAX_NAME_WORDS or not any(char.isalpha() for char in name):
        return False
    bare = [word.strip(".,()'’-").casefold() for word in words]
    if bare[0] in NOT_A_NAME or any(word in NEVER_IN_NAME for word in bare):
        return False
    return all(_capitalised(word) for word in words[:1]) and all(
        _capitalised(word) or word.casefold() in NAME_PARTICLES for word in words[1:]
    )


def _capitalised(word: str) -> bool:
    first = word.lstrip("('’")[:1]
    return first.isupper() or first.isdigit()


def find_candidate(text: str) -> Candidate | None:
    """The label a line of free text starts with, or a bare timestamp line (empty name)."""
    line = text.strip()
    if not line:
        return None
    # Cheap tests first: most lines of speech can be ruled out without a regex.
    if line[0] in TIME_STARTS:
        only_time = TIME_ONLY_RE.match(line)
        if only_time:
            return Candidate("", time=parse_time(only_time.group(1)), strength=STRONG)
        prefix = BRACKETED_TIME_PREFIX_RE.match(line) or BARE_TIME_PREFIX_RE.match(line)
    else:
        prefix = None
    if prefix:
        inner = _label_candidate(prefix.group(2))
        if inner is None:
            return None
        inner.time = parse_time(prefix.group(1)) if inner.time is None else inner.time
        inner.strength = STRONG
        return inner
    return _label_candidate(line)


def _label_candidate(line: str) -> Candidate | None:
    head = line[:HEAD]
    if ":" in head and line.startswith(("**", "__")):
        match = MARKDOWN_LABEL_RE.match(line)
        if match:
            return Candidate(match.group(1).strip(), match.group(2), strength=STRONG)
    if "):" in head or "]:" in head or ") :" in head or "] :" in head:
        match = REV_LABEL_RE.match(line)
        if match:
            return Candidate(match.group(1).strip(), match.group(3), parse_time(match.group(2)), STRONG)
    match = HEADER_RE.match(line) if len(line) <= HEAD and line[-1].isdigit() else None
    if match:
        wide_gap = len(match.group(2)) >= 2 or "\t" in match.group(2)
        return Candidate(match.group(1).strip(), "", parse_time(match.group(3)), STRONG if wide_gap else WEAK)
    match = PLAIN_LABEL_RE.match(line) if ":" in head else None
    if match:
        return Candidate(match.group(1).strip(), match.group(2) or "", strength=WEAK)
    return None


def accepted_speakers(candidates: list[Candidate | None]) -> set[str]:
    """Keys (see :func:`name_key`) of the candidates taken as real speaker labels."""
    return accepted_from_forms(Counter((c.name, c.strength, c.heading) for c in candidates if c is not None and c.name))


def accepted_from_forms(forms: Counter) -> set[str]:
    """:func:`accepted_speakers` from the count of each ``(name, strength, heading)`` form
    (callers that scan a long text count as they go instead of keeping every candidate)."""
    counts: Counter = Counter()
    for (name, _, _), count in forms.items():
        counts[name_key(name)] += count
    accepted: set[str] = set()
    fallback: set[str] = set()
    for name, strength, heading in forms:
        key = name_key(name)
        if strength == TRUSTED:
            accepted.add(key)
        elif not is_name_shaped(name):
            continue
        elif strength == STRONG or is_known_label(name) or counts[key] >= 2:
            accepted.add(key)
        elif not heading:
            fallback.add(key)
    # A short file with one or two speakers who each speak once has no recurring labels.
    return accepted or fallback


def with_candidates(lines: list[Line]) -> list[Line]:
    """Fill in each free-text line's label candidate (lines given one by structure keep it)."""
    for line in lines:
        if line.candidate is None and line.find_label:
            line.candidate = find_candidate(line.text)
    return lines


def split_lines(text: str, block: int = 2**20) -> Iterator[str]:
    """``text.splitlines()`` one line at a time: the text is split a block (ending at a
    line feed) at a time, so a long transcript's lines are never all held at once.

    >>> list(split_lines("a\\r\\nb\\n\\nc\\rd\\n", block=3)) == "a\\r\\nb\\n\\nc\\rd\\n".splitlines()
    True
    """
    start = 0
    while start < len(text):
        stop = text.find("\n", start + block)
        stop = len(text) if stop < 0 else stop + 1
        yield from text[start:stop].splitlines()
        start = stop


def count_forms(texts: Iterable[str]) -> tuple[Counter, int]:
    """The label forms (see :func:`accepted_from_forms`) of free-text lines, and how many lines."""
    forms: Counter = Counter()
    count = 0
    for count, text in enumerate(texts, start=1):  # noqa: B007 (count is returned: lines seen)
        candidate = find_candidate(text)
        if candidate is not None and candidate.name:
            forms[(candidate.name, candidate.strength, candidate.heading)] += 1
    return forms, count


def _drain(items: list) -> Iterator:
    """The items of a list, each let go by the list as it is handed out."""
    for index in range(len(items)):
        item, items[index] = items[index], None
        yield item


def assemble_turns(
    lines: Iterable[Line],
    *,
    unlabelled_speaker: str | None = None,
    joiner: str = "\n",
    repeat_joiner: str | None = None,
    accepted: set[str] | None = None,
) -> Assembly:
    """Group lines into merged, normalised turns.

    Parameters
    ----------
    lines:
        The file's lines in order.
    unlabelled_speaker:
        Speaker for speech before any label (subtitle formats); ``None`` keeps such
        lines as the preamble instead.
    joiner:
        What joins continuation lines within a turn (``" "`` for subtitle cues, whose
        line breaks are only for display, and for hard-wrapped plain text).
    repeat_joiner:
        What joins a block that repeats the current speaker's label (default: ``joiner``).
    """
    if accepted is None:
        lines = with_candidates(list(lines))
        accepted = accepted_speakers([line.candidate for line in lines])
    display: dict[str, str] = {}  # speaker key -> the label as first written
    builder = _TurnBuilder(joiner, repeat_joiner)
    preamble: list[Line] = []
    pending_time: float | None = None
    boilerplate = 0
    for line in lines:
        if line.candidate is None and line.find_label:  # lines streamed with ``accepted`` given
            line.candidate = find_candidate(line.text)
        candidate = line.candidate
        if candidate is not None and not candidate.name and line.find_label:
            pending_time = candidate.time  # a timestamp on its own line dates the next turn
            continue
        if line.find_label and "ranscri" in line.text and _is_boilerplate(line.text, accepted):
            boilerplate += 1  # every boilerplate pattern mentions transcription
            continue
        key = name_key(candidate.name) if candidate is not None else None
        if candidate is not None and key in accepted:
            speaker = display.get(key) or display.setdefault(key, _tidy(candidate.name))
            start = _first_known(candidate.time, line.start_time, pending_time)
            builder.start(speaker, candidate.rest, start, line.end_time)
        elif builder.current is None and unlabelled_speaker is None:
            if line.text.strip():
                preamble.append(line)
        else:
            if builder.current is None:
                builder.start(unlabelled_speaker or "", "", line.start_time, line.end_time)
            builder.extend(line.text, line.end_time)
        pending_time = None
    turns = merge_consecutive(_drain(builder.finish()))  # type: ignore[arg-type]  # iterated once
    return Assembly(turns, preamble, boilerplate, list(display.values()))


def _tidy(name: str) -> str:
    return " ".join(name.split())


def _first_known(first: float | None, second: float | None, third: float | None) -> float | None:
    if first is not None:
        return first
    return second if second is not None else third


def _is_boilerplate(text: str, accepted: set[str]) -> bool:
    line = text.strip()
    if any(pattern.match(line) for pattern in BOILERPLATE_RES):
        return True
    marker = TRANSCRIPTION_MARKER_RE.match(line)
    return bool(marker and name_key(marker.group(1)) in accepted)


class _TurnBuilder:
    """Accumulates lines into turns; a label repeating the current speaker extends the turn.

    Lines of one paragraph are joined with ``joiner``; a blank line inside a turn
    starts a new paragraph, kept as a line break.
    """

    def __init__(self, joiner: str, repeat_joiner: str | None = None) -> None:
        self.joiner = joiner
        self.repeat_joiner = repeat_joiner or joiner
        self.turns: list[Turn] = []
        self.current: Turn | None = None
        self._parts: list[str] = []
        self._new_paragraph = False

    def start(self, speaker: str, text: str, start: float | None, end: float | None) -> None:
        if self.current is not None and self.current.speaker == speaker:
            if text.strip() and self._parts:
                self._parts.append(self.repeat_joiner + text.strip())
                self._new_paragraph = False
            if end is not None:
                self.current.end_time = end
            return
        self._flush()
        self.current = Turn(speaker, "", start, end)
        self.turns.append(self.current)
        text = text.strip()
        self._parts = [text] if text else []
        self._new_paragraph = False

    def extend(self, text: str, end: float | None) -> None:
        assert self.current is not None
        text = text.strip()
        if not text:
            self._new_paragraph = True
        elif self._parts:
            self._parts.append(("\n" if self._new_paragraph else self.joiner) + text)
            self._new_paragraph = False
        else:
            self._parts.append(text)
        if end is not None:
            self.current.end_time = end

    def _flush(self) -> None:
        if self.current is not None:
            self.current.text = "".join(self._parts)

    def finish(self) -> list[Turn]:
        self._flush()
        return self.turns


def monologue(speaker: str, paragraphs: list[str], source: str) -> list[Turn]:
    """One turn per non-empty paragraph, all by ``speaker`` (field notes, written statements).

    The turns are not merged: each paragraph stays its own unit for coding.
    """
    name = _tidy(speaker)
    if not name:
        raise TranscriptImportError("--speaker needs a name, got an empty one", file=source or None)
    turns = [Turn(name, text) for text in (normalise(p) for p in paragraphs) if text]
    if not turns:
        raise TranscriptImportError("contains no text to import", file=source or None)
    return turns


def refuse_labels_with_speaker(assembly: Assembly, source: str) -> None:
    """``--speaker`` is for documents without labels; a labelled one would lose its speakers."""
    if assembly.speakers:
        shown = ", ".join(f"'{name}'" for name in assembly.speakers[:5])
        more = f" and {len(assembly.speakers) - 5} more" if len(assembly.speakers) > 5 else ""
        raise TranscriptImportError(
            f"has speaker labels ({shown}{more}); --speaker NAME is for documents without labels; "
            "import it without --speaker",
            file=source or None,
        )
