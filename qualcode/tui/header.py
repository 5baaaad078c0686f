"""The header line of the coding screen, fitted to the terminal's width.

The header names the transcript, role and site, coder, current turn and progress, and
says BLIND in a double-coding sample (and DONE, and how many turns have nothing to code).
On a narrow terminal it drops the less important parts first (the app name, then the
coder, the role, the site) instead of letting the line's end — the progress, the
nothing-to-code count, DONE and BLIND — be cut off: those stay in every variant.
"""

from __future__ import annotations

from dataclasses import dataclass

SEPARATOR = " · "


@dataclass(frozen=True)
class HeaderFacts:
    """What the header shows (plain data, so the fitting is testable without a screen)."""

    transcript: str
    role: str
    site: str
    coder: str
    turn: int
    coded: int
    total: int
    blind: bool
    done: bool = False  # the coder marked the transcript done
    nothing: int = 0  # turns the coder marked nothing to code


def header_variants(facts: HeaderFacts) -> list[str]:
    """The header from richest to barest; each drops or shortens one less important part."""
    blind_long = "BLIND: double-coding sample, other coders hidden"
    variants = []
    # (app name, role, site, coder, blind wording) — degraded one step at a time
    steps = [
        (True, True, True, True, blind_long),
        (True, True, True, True, "BLIND"),
        (False, True, True, True, "BLIND"),
        (False, True, True, False, "BLIND"),
        (False, False, True, False, "BLIND"),
        (False, False, False, False, "BLIND"),
    ]
    for app_name, role, site, coder, blind in steps:
        parts = ["qualcode"] if app_name else []
        where = ", ".join(p for p in (facts.role if role else "", f"site {facts.site}" if site else "") if p)
        parts.append(f"{facts.transcript} — {where}" if where else facts.transcript)
        if coder:
            parts.append(f"coder {facts.coder}")
        parts += [f"turn {facts.turn}", f"{facts.coded}/{facts.total} coded"]
        if facts.nothing:  # part of the progress: never dropped (issue 20, 80x24)
            parts.append(f"{facts.nothing} nothing to code")
        if facts.done:
            parts.append("DONE")
        if facts.blind:
            parts.append(blind)
        variants.append(SEPARATOR.join(parts))
    return variants


def fit_header(facts: HeaderFacts, width: int) -> str:
    """The richest header that fits ``width`` cells (the barest one if none does)."""
    variants = header_variants(facts)
    return next((v for v in variants if len(v) <= width), variants[-1])
