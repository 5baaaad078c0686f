"""Which speakers in a transcript are the interviewers.

Interviewer turns are context, not the coding unit, so getting this right matters.
In order: the user's ``--interviewer LABEL`` override; labels that name the role
(Interviewer, I, Q, Int, Researcher, Moderator, Facilitator, or anything ending in
``(Interviewer)``); failing those, the speaker who asks the most real questions.
"""

from __future__ import annotations

import re

from qualcode.errors import TranscriptImportError
from qualcode.transcripts.model import Turn

INTERVIEWER_LABEL_RE = re.compile(
    r"^(?:interviewer|researcher|moderator|facilitator|int|i|q|iv)\.?(?:\s*[-#]?\s*\d{1,3}|\s+\([^)]*\))?$"
    r"|\((?:interviewer|researcher|moderator|facilitator)\)",
    re.IGNORECASE,
)
ROLE_SUFFIX_RE = re.compile(r"\s*\([^()]*\)\s*$")  # "Kim, Alex (Interviewer)" -> "Kim, Alex"
# A sentence ending in '?' (up to the previous sentence end or line start).
QUESTION_RE = re.compile(r"[^.!?\n]*\?")
# Tag questions and reactions ("..., you know?", "Right?", "Really?") are not questions put to the other person.
TAG_QUESTIONS = frozenset(
    ("you know", "right", "okay", "ok", "yeah", "yes", "no", "huh", "eh", "really", "isn't it", "wasn't it")
    + ("aren't they", "don't you think", "you see", "see", "remember", "correct", "true", "sure", "hmm")
    + ("what", "sorry", "pardon", "mm-hmm")
)


def detect_interviewers(turns: list[Turn], override: str | None = None, *, source: str | None = None) -> set[str]:
    """The speaker labels that belong to interviewers.

    Parameters
    ----------
    turns:
        The transcript's turns.
    override:
        A speaker label given by the user (``--interviewer LABEL``); matched without
        regard to case or spacing. Several labels may be separated by commas.
    source:
        The transcript's file name, for the error message.

    Returns
    -------
    set[str]
        Speaker labels exactly as they appear in ``turns``; empty when there is a
        single speaker or nobody asks a question.

    Raises
    ------
    TranscriptImportError
        If ``override`` names a speaker who does not appear, listing those who do.
    """
    speakers = list(dict.fromkeys(turn.speaker for turn in turns))
    if override is not None and override.strip():
        return _match_override(override, speakers, source)
    by_label = {speaker for speaker in speakers if is_interviewer_label(speaker)}
    if by_label:
        return by_label
    if len(speakers) < 2:
        return set()
    counts = question_counts(turns)
    best = max(speakers, key=lambda speaker: counts.get(speaker, 0))  # first speaker wins a tie
    if counts.get(best, 0) == 0:
        return set()
    return {best} | _fellow_interviewers(turns, speakers, best, counts)


def _fellow_interviewers(turns: list[Turn], speakers: list[str], best: str, counts: dict[str, int]) -> set[str]:
    """Second interviewers: speakers (other than the main respondent) who mostly ask.

    Interviews are often run in pairs; the second interviewer asks fewer questions
    than the first but, like the first, asks in most of their turns.
    """
    words: dict[str, int] = {}
    asking_turns: dict[str, list[bool]] = {}
    for turn in turns:
        words[turn.speaker] = words.get(turn.speaker, 0) + len(turn.text.split())
        asked = any(not _is_tag_question(m.group()) for m in QUESTION_RE.finditer(turn.text))
        asking_turns.setdefault(turn.speaker, []).append(asked)
    respondent = max(speakers, key=lambda speaker: words.get(speaker, 0))
    return {
        speaker
        for speaker in speakers
        if speaker not in (best, respondent)
        and counts.get(speaker, 0) >= 2
        and sum(asking_turns[speaker]) >= 0.5 * len(asking_turns[speaker])
    }


def is_interviewer_label(label: str) -> bool:
    """True for labels that say the speaker is an interviewer (``Interviewer 2``, ``Q``, ``Ann (Moderator)``)."""
    return bool(INTERVIEWER_LABEL_RE.search(" ".join(label.split())))


def question_counts(turns: list[Turn]) -> dict[str, int]:
    """Per speaker, the number of question sentences, not counting tag questions."""
    counts: dict[str, int] = {}
    for turn in turns:
        asked = sum(1 for match in QUESTION_RE.finditer(turn.text) if not _is_tag_question(match.group()))
        counts[turn.speaker] = counts.get(turn.speaker, 0) + asked
    return counts


def _is_tag_question(sentence: str) -> bool:
    last_clause = sentence.rstrip("?").rsplit(",", 1)[-1]
    return " ".join(last_clause.split()).strip(" .!-—").casefold() in TAG_QUESTIONS


def _match_override(override: str, speakers: list[str], source: str | None) -> set[str]:
    """Speakers named by ``--interviewer``: a whole label, or several separated by ';' (or ',').

    Labels themselves may hold commas ("Kim, Alex (Interviewer)"), so the whole
    override is tried first, and a label matches with or without its parenthesised
    role ("Kim, Alex" names "Kim, Alex (Interviewer)").
    """
    whole = _matching(override, speakers)
    if whole:
        return whole
    separator = ";" if ";" in override else ","
    wanted = [part for part in override.split(separator) if part.strip()]
    found = {part: _matching(part, speakers) for part in wanted}
    missing = [part.strip() for part, matched in found.items() if not matched]
    if missing or not wanted:
        shown = ", ".join(f"'{speaker}'" for speaker in speakers) or "none"
        raise TranscriptImportError(
            f"--interviewer '{override.strip()}' matches no speaker in this transcript; speakers found: {shown} "
            "(separate several labels with ';')",
            file=source,
        )
    return set().union(*found.values())


def _matching(label: str, speakers: list[str]) -> set[str]:
    key = _key(label)
    exact = {speaker for speaker in speakers if _key(speaker) == key}
    return exact or {speaker for speaker in speakers if _key(ROLE_SUFFIX_RE.sub("", speaker)) == key}


def _key(label: str) -> str:
    return " ".join(label.split()).casefold()
