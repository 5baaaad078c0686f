"""Reading zip archives (.qdpx projects, .qcb coder bundles) without trusting them.

Nothing in an archive is ever extracted to disk: entries are read into memory, and
only after the whole archive passed these checks:

- every entry name is a relative path that stays inside the archive (no ``..``
  parts, no absolute paths, no drive letters, no NUL bytes) — an archive holding
  one such entry is refused as a whole, since no honest export writes one;
- the number of entries is capped (``MAX_ENTRIES``);
- the total inflated size is capped (``MAX_INFLATED_BYTES``), first by the sizes
  the archive declares, then while inflating, since declared sizes can lie;
- a single entry whose compression ratio is absurd (``MAX_RATIO``) is refused.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Self

from qualcode.errors import InteropError

MAX_ENTRIES = 10_000
MAX_INFLATED_BYTES = 1024 * 1024 * 1024  # 1 GiB: a large NVivo project with media stays below
MAX_SOURCE_BYTES = 32 * 1024 * 1024  # one transcript; a three-hour interview is under 1 MB
MAX_BUNDLE_BYTES = 256 * 1024 * 1024  # a coder bundle's JSON: codings plus the texts of the transcripts coded
MAX_RATIO = 200  # text compresses ~10x; XML at most ~50x
RATIO_FLOOR = 1024 * 1024  # small entries may have any ratio
CHUNK = 64 * 1024
DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Limits:
    """The caps applied to one archive (tests use small ones)."""

    max_entries: int = MAX_ENTRIES
    max_inflated_bytes: int = MAX_INFLATED_BYTES
    max_ratio: int = MAX_RATIO
    max_source_bytes: int = MAX_SOURCE_BYTES  # one source's text ([import] max_source_mb)
    max_bundle_bytes: int = MAX_BUNDLE_BYTES  # a coder bundle's bundle.json ([interop] max_bundle_mb)


def unsafe_name_reason(name: str) -> str | None:
    """Why an entry name could escape the folder it is extracted to, or None if safe.

    >>> unsafe_name_reason("sources/a.txt") is None
    True
    >>> unsafe_name_reason("../../etc/passwd")
    "a '..' part climbs out of the archive"
    """
    if "\x00" in name:
        return "it contains a NUL byte"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or DRIVE.match(unified):
        return "it is an absolute path"
    if any(part == ".." for part in PurePosixPath(unified).parts):
        return "a '..' part climbs out of the archive"
    return None


class SafeArchive:
    """A zip archive opened for reading after the safety checks passed."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()
        self._zip = _open_zip(self.path)
        try:
            self._infos = self._checked_infos()
        except BaseException:
            self._zip.close()
            raise
        self._inflated = 0
        self._read_sizes: dict[str, int] = {}
        self._by_key = {_key(info.filename): info for info in self._infos}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    @property
    def names(self) -> list[str]:
        """File entries (folders left out), as stored."""
        return [info.filename for info in self._infos if not info.is_dir()]

    def find(self, name: str) -> str | None:
        """The stored name matching ``name`` case-insensitively, with ``\\`` as ``/``."""
        info = self._by_key.get(_key(name))
        return info.filename if info is not None else None

    def size(self, name: str) -> int:
        """The inflated size an entry declares (reading never goes beyond it)."""
        return self._by_key[_key(name)].file_size

    def read(self, name: str) -> bytes:
        """Inflate one entry, counting it against the archive's total cap."""
        return bytes(self.read_buffer(name))

    def read_buffer(self, name: str) -> bytearray:
        """Inflate one entry into one buffer of its declared size, in ``CHUNK`` reads (no
        growing copies: a transcript's bytes are held once), counting it against the cap."""
        info = self._by_key.get(_key(name))
        if info is None:
            raise InteropError(f"{self.path.name} has no entry '{name}'", file=str(self.path))
        again = self._read_sizes.get(info.filename, 0)  # a re-read counts once against the cap
        budget = self.limits.max_inflated_bytes - self._inflated + again
        if info.file_size > budget:
            raise self._bomb(f"entry '{info.filename}' inflates beyond the cap")
        data = bytearray(info.file_size)
        view, filled = memoryview(data), 0
        try:
            with self._zip.open(info) as stream:
                while filled < info.file_size and (chunk := stream.read(min(CHUNK, info.file_size - filled))):
                    view[filled : filled + len(chunk)] = chunk
                    filled += len(chunk)
                if stream.read(1):
                    raise self._bomb(f"entry '{info.filename}' inflates beyond its declared size or the cap")
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise InteropError(
                f"entry '{info.filename}' cannot be read ({exc}); the archive is damaged", file=str(self.path)
            ) from None
        finally:
            view.release()
        del data[filled:]
        self._inflated += filled - again
        self._read_sizes[info.filename] = filled
        return data

    def _checked_infos(self) -> list[zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise self._bomb(f"it has {len(infos)} entries; at most {self.limits.max_entries} are allowed")
        for info in infos:
            reason = unsafe_name_reason(info.filename)
            if reason:
                raise InteropError(
                    f"Refused {self.path.name}: entry '{info.filename}' is unsafe ({reason}); "
                    "nothing was imported",
                    file=str(self.path),
                )
            ratio_limited = info.file_size > RATIO_FLOOR
            if ratio_limited and info.file_size > self.limits.max_ratio * max(info.compress_size, 1):
                raise self._bomb(
                    f"entry '{info.filename}' claims {info.file_size:,} bytes from {info.compress_size:,} "
                    f"(ratio above {self.limits.max_ratio})"
                )
        total = sum(info.file_size for info in infos)
        if total > self.limits.max_inflated_bytes:
            raise self._bomb(
                f"it would inflate to {total:,} bytes; at most {self.limits.max_inflated_bytes:,} are allowed"
            )
        return infos

    def _bomb(self, detail: str) -> InteropError:
        return InteropError(
            f"Refused {self.path.name} as a possible zip bomb: {detail}; nothing was imported",
            file=str(self.path),
        )


def is_zip(path: Path) -> bool:
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return False


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InteropError(f"File not found: {path}", file=str(path)) from None
    except IsADirectoryError:
        raise InteropError(f"{path} is a folder; give the .qdpx or .qcb file", file=str(path)) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InteropError(f"{path.name} is not a readable zip archive ({exc})", file=str(path)) from None


def _key(name: str) -> str:
    unified = name.replace("\\", "/")
    while unified.startswith("./"):
        unified = unified[2:]
    return unified.casefold()
