"""Matching many units of text, in chunks, on one or several processes.

Each worker process builds its own :class:`RuleMatcher` once (spaCy pipeline,
compiled rules, word-form cache) and gets chunks of ``(text, role)`` units back as
lists of :class:`CodeMatch`; only the matches cross the process boundary, never
spaCy documents. Chunks are cut by word count so the progress callback moves evenly.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from qualcode.coding.autocode.collector import age_survivors, collector_paused
from qualcode.coding.autocode.engine import RuleMatcher

if TYPE_CHECKING:
    from qualcode.codebook.model import Code
    from qualcode.coding.autocode.engine import CodeMatch

Progress = Callable[[int, int], None]  # (words done, words in total)
Finish = Callable[[list["CodeMatch"]], Any]  # applied to each unit's matches where they are made
CHUNK_WORDS = 50_000
PARALLEL_MIN_WORDS = 400_000  # below this, starting workers costs more than it saves
BATCH_SIZE = 256

_worker: tuple[RuleMatcher, dict[str, frozenset[str]], Finish | None] | None = None
_units: Sequence[tuple[str, str]] | None = None  # the parent's units, inherited by forked workers


def word_count(text: str) -> int:
    """Whitespace-separated words: the unit throughput figures are given in."""
    return len(text.split())


def default_processes(total_words: int) -> int:
    """Both cores (or as many as there are) for large jobs, one for small ones."""
    return 1 if total_words < PARALLEL_MIN_WORDS else usable_cores()


def usable_cores() -> int:
    """Worker processes for a large job (autocoding, training): two, or one on a single-core machine."""
    return max(1, min(2, os.cpu_count() or 1))


def match_units(
    codes: Sequence[Code],
    units: Sequence[tuple[str, str]],
    allowed_by_role: dict[str, frozenset[str]],
    *,
    processes: int | None = None,
    progress: Progress | None = None,
    chunk_words: int = CHUNK_WORDS,
    start_method: str | None = None,
    finish: Finish | None = None,
    counts: Sequence[int] | None = None,
) -> list:
    """The rule matches of each ``(text, role)`` unit (or ``finish`` of them), in input order.

    Parameters
    ----------
    codes
        Codes whose rules are compiled (codes without rules are ignored).
    units
        Text and transcript role of every unit.
    allowed_by_role
        The codes that may be applied to each role (role scoping).
    processes
        Worker processes; ``None`` picks :func:`default_processes`.
    progress
        Called with (words done, words in total) after every chunk.
    start_method
        multiprocessing start method for the workers (default: the platform's).
    finish
        Applied to each unit's matches in the worker, so that only its (smaller) result
        travels back; picklable (a module-level function or a ``functools.partial`` of one).
    counts
        The words of each unit (:func:`word_count`) when the caller has counted them already
        (``autocode`` reports the total): counting 2M words costs 0.06-0.08 s.
    """
    if counts is None:
        counts = [word_count(text) for text, _ in units]
    elif len(counts) != len(units):
        raise ValueError(f"{len(counts)} word counts for {len(units)} units; one per unit is needed")
    else:
        counts = list(counts)
    total = sum(counts)
    processes = default_processes(total) if processes is None else max(1, processes)
    chunks = list(_chunks(len(units), counts, chunk_words))
    results: list = []
    done = 0
    if progress is not None:
        progress(0, total)  # the total before the first chunk: loading spaCy takes a while
    with collector_paused():  # the matches kept so far are not walked again between batches
        matched = _run(codes, units, (allowed_by_role, finish), chunks, processes, start_method)
        for (start, end), matches in zip(chunks, matched, strict=True):
            results.extend(matches)
            done += sum(counts[start:end])
            if progress is not None:
                progress(done, total)
        age_survivors(results)
    return results


def _chunks(size: int, counts: list[int], chunk_words: int) -> Iterator[tuple[int, int]]:
    start, words = 0, 0
    for index, count in enumerate(counts):
        words += count
        if words >= chunk_words:
            yield start, index + 1
            start, words = index + 1, 0
    if start < size:
        yield start, size


def _run(codes, units, scoping, chunks, processes, start_method) -> Iterator[list]:
    if processes == 1:
        _init_worker(list(codes), scoping)
        gc.freeze()  # as for forked workers below: the collector never walks spaCy and the matcher
        try:
            yield from (_match_chunk(units[start:end]) for start, end in chunks)
        finally:
            gc.unfreeze()
            _release_worker()
        return
    import multiprocessing

    context = multiprocessing.get_context(start_method)
    if context.get_start_method() != "fork":
        payloads = (units[start:end] for start, end in chunks)
        with context.Pool(processes, _init_worker, (list(codes), scoping)) as pool:
            yield from pool.imap(_match_chunk, payloads)
        return
    # Build the matcher once, before forking: the workers inherit it (copy on write)
    # instead of each loading spaCy again, which costs seconds on a busy machine. They
    # inherit the units too, so only (start, end) goes out and only matches come back.
    # gc.freeze: the workers' garbage collector then never walks (and so never copies)
    # the inherited heap of spaCy, the matcher and the units.
    global _units
    _init_worker(list(codes), scoping)
    _units = units
    gc.freeze()
    try:
        with context.Pool(processes) as pool:
            yield from pool.imap(_match_range, chunks)
    finally:
        gc.unfreeze()
        _release_worker()
        _units = None


def _init_worker(codes: list[Code], scoping: tuple[dict[str, frozenset[str]], Finish | None]) -> None:
    global _worker
    _worker = (RuleMatcher(codes), *scoping)


def _release_worker() -> None:
    global _worker
    _worker = None


def _match_range(bounds: tuple[int, int]) -> list:
    assert _units is not None, "units not inherited"
    return _match_chunk(_units[bounds[0] : bounds[1]])


def _match_chunk(chunk: Sequence[tuple[str, str]]) -> list:
    assert _worker is not None, "worker not initialised"
    matcher, allowed_by_role, finish = _worker
    texts = [text for text, _ in chunk]
    allowed = [allowed_by_role.get(role, frozenset()) for _, role in chunk]
    matches = matcher.match_texts(texts, allowed, batch_size=BATCH_SIZE)
    return list(matches) if finish is None else list(map(finish, matches))
