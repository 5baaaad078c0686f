"""The cycle collector around matching: held off while units are matched, and what a run keeps aged at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold Python's cycle collector off while units are tokenized and matched.

    Matching makes many short-lived objects (docs, arrays, hits) and no reference cycles:
    reference counting frees each batch (measured: the cyclic garbage left after matching
    2M words, with the collector off, is the same as after 500 turns, the matcher's own).
    Left on, the collector walks everything kept so far many times per batch: the matches
    made (hits and codes are tuple subclasses, which it never stops tracking) and the form
    cache. :meth:`RuleMatcher.match_texts` pauses it per batch; ``match_units`` for its
    whole run. It runs as usual afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def age_survivors(results: list) -> None:
    """Move what the run made and kept (the matches) to the collector's oldest generation.

    Everything allocated with the collector held off is still in the youngest generation,
    so the first collection after the run would walk all of it (0.04-0.06 s per 2M words:
    hundreds of thousands of hits, which as tuple subclasses stay tracked). Objects that
    survive are promoted to the oldest generation by the young collections anyway; this
    skips those walks, not any freeing (reference counting frees the matches as before,
    and full collections still see them).
    """
    if results:
        gc.freeze()
        gc.unfreeze()
