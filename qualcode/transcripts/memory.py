"""Keeping a long transcript's import within a small multiple of its size.

glibc's ``malloc`` serves a block of more than its *mmap threshold* from a private
mapping and returns it to the system on ``free``. The threshold grows, though, each
time such a block is freed (up to 32 MB), so after the first transcript-sized string
is let go, the next ones come from the heap, where freed memory stays in the
process: an import's peak then held every copy the steps had made one after another
(measured: 208 MB against 168 MB for a 20 MiB transcript). Fixing the threshold at
1 MiB keeps every large block returnable. Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

from functools import cache

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
LARGE_BLOCK = 2**20


@cache
def return_large_blocks() -> bool:
    """Make freed blocks over 1 MiB go back to the system at once; True if it took effect."""
    import ctypes  # only here: the rest of qualcode never needs it

    try:
        # The running process's own symbols, libc's among them: ctypes.util.find_library
        # would run ``ldconfig -p`` in a subprocess to name the file (~10 ms of every import).
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK))
    except (OSError, AttributeError):  # not glibc (no mallopt): nothing to do
        return False
