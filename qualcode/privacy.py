"""File modes for data about people: the project's store and exports are private.

Transcripts are about trafficking survivors. Under a usual umask (022) new files are
world-readable (0644), so qualcode sets the modes itself: the project's ``.qualcode/``
folder 0700, its SQLite database 0600 (SQLite gives its ``-wal``/``-shm`` files the
database's mode), and every export that carries transcript text (quote sets, .qdpx
projects, coder bundles, reports, disagreement tables, codings tables) 0600. Each
file is created 0600 *before* anything is written to it, so it is never readable by
others, not even for a moment. On systems without POSIX modes this does nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; make ``path`` itself 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    _chmod(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 if it does not exist, else make it 0600.

    Writers then open it for writing, which keeps the mode.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, PRIVATE_FILE))
    except OSError:
        return path  # the writer reports the real problem (a folder, no permission...)
    _chmod(path, PRIVATE_FILE)
    return path


def private_sqlite(database: Path) -> None:
    """The project's SQLite store: its folder 0700, the database and its journal files 0600."""
    private_dir(database.parent)
    private_file(database)
    for suffix in ("-wal", "-shm", "-journal"):
        sibling = database.with_name(database.name + suffix)
        if sibling.exists():
            _chmod(sibling, PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except (OSError, NotImplementedError):  # a file system without modes
        pass
