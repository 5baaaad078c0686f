"""A corpus for the streaming tests (issue 21): many same-size coded transcripts, and
the peak of Python's allocations while a command walks them.

Import as ``tests.streaming``. Each transcript is about ``TURN_WORDS * TURNS / 2``
words of respondent speech, coded by two coders on every respondent turn (one code
each, the same code on most turns, so agreement, quotes and tallies have material);
its text is the largest thing a command reads per transcript, so a peak that grows
with the number of transcripts shows a command holding the corpus.
"""

from __future__ import annotations

import gc
import random
import tracemalloc
from collections.abc import Callable

from qualcode.project import Project
from tests.helpers import add_transcript

COMMON = ("hotline police shelter clients housing trial court referral support case years always need "
          "the team calls victims families weeks months detectives agency service nights beds county").split()
# Rare lower-case made-up words too, so no two turns are near-duplicates (a quote set would collapse them).
_SYLLABLES = ("ka", "lo", "mi", "ten", "ra", "su", "vel", "on", "di", "pre", "ma", "tor")
WORDS = COMMON + ["".join(random.Random(n).choices(_SYLLABLES, k=3)) for n in range(2000)]
CODES = ("referral.hotline", "challenge.housing", "challenge.case_length", "referral.law_enforcement")
TURNS = 16  # half of them respondent turns
TURN_WORDS = 300


def _turns(rng: random.Random) -> list[tuple[str, str]]:
    turns = []
    for number in range(TURNS):
        if number % 2 == 0:
            turns.append(("Interviewer", f"Question {number // 2 + 1}: what happens next?"))
        else:
            words = rng.choices(WORDS, k=TURN_WORDS)
            sentences = [" ".join(words[i : i + 15]).capitalize() + "." for i in range(0, TURN_WORDS, 15)]
            turns.append(("Respondent", " ".join(sentences)))
    return turns


def coded_corpus(project: Project, first: int, last: int, coders: tuple[str, str] = ("ana", "ben")) -> list[str]:
    """Transcripts ``s-{first}`` .. ``s-{last - 1}`` (service providers, sites A-D), each
    respondent turn coded whole by both coders; returns the new ids."""
    from qualcode.store.codings import ensure_coder, insert_codings
    from qualcode.store.transcripts import segment_ids

    added = [add_transcript(project, f"s-{n:04d}", "service_provider", _turns(random.Random(n)), site="ABCD"[n % 4])
             for n in range(first, last)]
    rows = []
    with project.write() as conn:
        for coder in coders:
            ensure_coder(conn, coder)
        for transcript in added:
            ids = segment_ids(conn, transcript.id)
            for turn in transcript.respondent_segments:
                for side, coder in enumerate(coders):
                    # coder B differs from A on every fifth turn: disagreements to list
                    code = CODES[(turn.ordinal + (side if turn.ordinal % 5 == 0 else 0)) % len(CODES)]
                    rows.append({"transcript_id": transcript.id, "segment_id": ids[turn.ordinal], "coder": coder,
                                 "code_id": code, "start_offset": turn.start, "end_offset": turn.end,
                                 "origin": "manual"})
        insert_codings(conn, rows)
    return [t.id for t in added]


def peak_of(call: Callable[[], object], *, beside_result: bool = False) -> int:
    """Peak bytes Python allocated during ``call()`` (run it once before: modules loaded
    and statements compiled once are not the corpus). With ``beside_result``, less what
    the returned value still holds: the working memory of a command whose output itself
    grows with the corpus (a list of every disagreement, with its text).

    The cyclic garbage collector is off meanwhile: objects left in reference cycles (a
    statement built per chunk) are memory until it runs, and when it runs depends on what
    ran before in the process, so with it on the same call passed alone and failed after
    other tests (issue 21). Off, such garbage counts every time."""
    enabled = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    try:
        result = call()
        held, peak = tracemalloc.get_traced_memory()
        del result
        return peak - held if beside_result else peak
    finally:
        tracemalloc.stop()
        if enabled:
            gc.enable()


def peaks(project: Project, call: Callable[[], object], small: int, factor: int = 4, *,
          beside_result: bool = False, fresh: Callable[[], object] = lambda: None) -> tuple[int, int]:
    """(peak on ``small`` transcripts, peak on ``factor`` times as many), each after a
    warm-up run; ``fresh()`` before each measured run empties caches that a one-shot
    command starts without (so both runs fill them alike)."""
    coded_corpus(project, 0, small)
    call()
    fresh()
    before = peak_of(call, beside_result=beside_result)
    coded_corpus(project, small, factor * small)
    call()
    fresh()
    return before, peak_of(call, beside_result=beside_result)
