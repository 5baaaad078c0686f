"""Sentences a writer can paste, worded the way evaluation reports state tallies.

>>> lower_first("Other law enforcement agencies"), lower_first("NCMEC tips")
('other law enforcement agencies', 'NCMEC tips')
>>> percent_text(31 / 151 * 100)
'20.5 percent'
>>> series(["a", "b", "c"])
'a; b; and c'
"""

from __future__ import annotations

NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def lower_first(text: str) -> str:
    """Lower-case the first letter of a name, unless it starts an acronym (NCMEC)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def number_word(n: int) -> str:
    """Words for one to ten, digits above (report style)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def percent_text(value: float | None) -> str:
    """One decimal, as the seed report prints shares ("20.5 percent")."""
    return "n/a" if value is None else f"{value:.1f} percent"


def times_text(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def plural(n: int, word: str) -> str:
    """'1 reference', '2 references'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def series(items: list[str]) -> str:
    """Items joined the report's way: semicolons, 'and' before the last."""
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} and {items[1]}"
    return "; ".join(items[:-1]) + f"; and {items[-1]}"


def interviews_phrase(kind: str, label: str) -> str:
    """Which interviews a group is: 'service provider interviews', 'interviews at site A'."""
    if kind == "all":
        return "interviews"
    if kind == "role":
        return f"{lower_first(label)} interviews"
    if kind == "site":
        return f"interviews at site {label}"
    return f"interviews with {kind} {label}"


def statement(count_type: str, noun: str, kind: str, label: str, total: int, mentioning: int) -> str:
    """The parent's total, e.g. 'Referral sources were cited 151 times in the ... interviews.'

    For transcripts and sites ``total`` is the base (units in the group) and
    ``mentioning`` the units with at least one reference to any child.
    """
    interviews = interviews_phrase(kind, label)
    if count_type == "references":
        return f"{upper_first(noun)} were cited {times_text(total)} in the {interviews}."
    if count_type == "transcripts":
        return f"{mentioning} of the {total} {interviews} mentioned {noun}."
    return f"{upper_first(interviews)} at {mentioning} of the {total} sites mentioned {noun}."


def summary(count_type: str, noun: str, rows: list[tuple[str, int, float | None]], base: int, top: int) -> str:
    """'The four most frequently cited referral sources were law enforcement (20.5 percent); ...'.

    ``rows`` are (name, count, percent) sorted by count; zero counts are never listed,
    and rows tied with the last one listed are listed too ("the five most ..." rather
    than an arbitrary four of five equal counts).
    """
    listed = [r for r in rows if r[1] > 0][:top]
    if listed:
        listed = [r for r in rows if r[1] >= listed[-1][1] > 0]
    if not listed:
        verb = "cited" if count_type == "references" else "mentioned"
        return f"No {noun} were {verb}."
    verb = "cited" if count_type == "references" else "mentioned"
    items = [f"{lower_first(name)} ({_share(count_type, count, pct, base)})" for name, count, pct in listed]
    if len(listed) == 1:
        return f"The most frequently {verb} of the {noun} was {items[0]}."
    return f"The {number_word(len(listed))} most frequently {verb} {noun} were {series(items)}."


def _share(count_type: str, count: int, pct: float | None, base: int) -> str:
    if count_type == "references":
        return percent_text(pct)
    unit = "interviews" if count_type == "transcripts" else "sites"
    return f"{count} of {base} {unit}, {percent_text(pct)}"


INTERVIEWER_TURNS_NOTE = (
    "Interviewer turns are coded in this project ([coding] code_interviewer_turns = true): "
    "their codings are counted here alongside respondents'"
)


def coding_notes(project) -> list[str]:
    """Notes every tally and crosstab carries about what the project lets coders code."""
    return [INTERVIEWER_TURNS_NOTE] if project.code_interviewer_turns else []
