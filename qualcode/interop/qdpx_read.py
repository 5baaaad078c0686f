"""Opening a REFI-QDA file: a .qdpx archive, or a bare .qde/.xml project file.

Lenient about what real exports do — the project file need not be called
``project.qde``, the sources folder may be ``Sources/`` or ``sources/``, source
paths may be ``internal://x.txt``, ``relative://x.txt`` or a bare file name — and
strict about safety: the archive goes through :mod:`~qualcode.interop.safezip`, the
XML through :mod:`~qualcode.interop.xmlread`, and a source path is only ever looked
up *inside* the archive (absolute paths and ``..`` are refused, never opened).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Self

from qualcode.errors import InteropError, QualcodeError, shown
from qualcode.interop.qde import RefiProject, RefiSource, read_project
from qualcode.interop.safezip import Limits, SafeArchive, is_zip, unsafe_name_reason
from qualcode.interop.xmlread import Element, parse_xml

SIDECAR = "qualcode/project.json"
SOURCE_FOLDERS = ("sources", "")
PROJECT_SUFFIXES = (".qde", ".xml")


@dataclass
class SourceText:
    """A source's text, or why it cannot be had."""

    raw: str | None
    reason: str = ""
    entry: str = ""


class RefiFile:
    """An opened REFI-QDA file: the parsed project and access to its source texts."""

    def __init__(self, path: Path, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()
        self.archive: SafeArchive | None = None
        if is_zip(self.path):
            self.archive = SafeArchive(self.path, limits)
            self.entry = self._project_entry()
            data = self.archive.read(self.entry)
        else:
            self.entry = self.path.name
            data = _read_plain(self.path, (limits or Limits()).max_inflated_bytes)
        self.root: Element = parse_xml(data, f"{self.path.name}:{self.entry}" if self.archive else str(self.path))
        self.project: RefiProject = read_project(self.root)
        self.sidecar: dict | None = self._sidecar()

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _project_entry(self) -> str:
        assert self.archive is not None
        names = [n for n in self.archive.names if PurePosixPath(n).suffix.lower() in PROJECT_SUFFIXES]
        if not names:
            raise InteropError(
                f"{self.path.name} holds no project file (.qde); entries: {', '.join(self.archive.names[:8])}",
                file=str(self.path),
            )
        preferred = [n for n in names if PurePosixPath(n).name.lower() == "project.qde"]
        top = [n for n in names if "/" not in n.strip("/")]
        return (preferred or top or sorted(names, key=len))[0]

    def _sidecar(self) -> dict | None:
        if self.archive is None or self.archive.find(SIDECAR) is None:
            return None
        from qualcode.interop.sidecar import check_sidecar

        try:
            document = json.loads(self.archive.read(SIDECAR).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None  # a damaged sidecar only costs exactness, never the import
        except RecursionError:
            raise InteropError(
                f"{SIDECAR} is nested too deeply to read; nothing was imported", file=str(self.path)
            ) from None
        return check_sidecar(document, self.path.name)

    def source_text(self, source: RefiSource) -> SourceText:
        """The decoded text of a source (BOM removed, line ends untouched)."""
        from qualcode.transcripts.encoding import decode_text

        if source.plain_text_content is not None and not source.plain_text_path:
            self._check_size(source, len(source.plain_text_content.encode("utf-8")))
            return SourceText(source.plain_text_content, entry="<PlainTextContent>")
        entry, reason = self._entry_for(source)
        if entry is None:
            return SourceText(None, reason)
        assert self.archive is not None, "an archive entry comes from an archive"
        self._check_size(source, self.archive.size(entry))
        try:
            return SourceText(decode_text(self.archive.read_buffer(entry), entry), entry=entry)
        except QualcodeError as error:
            if isinstance(error, InteropError) and "zip bomb" in error.message:
                raise
            return SourceText(None, f"its text file {entry} cannot be read ({error.message})", entry)

    def _check_size(self, source: RefiSource, size: int) -> None:
        cap = self.limits.max_source_bytes
        if size > cap:
            raise InteropError(
                f"source '{shown(source.name or source.guid)}' is {size:,} bytes; at most {cap:,} bytes are imported "
                "(raise [import] max_source_mb in qualcode.toml if it is a real transcript); nothing was imported",
                file=str(self.path),
            )

    def _entry_for(self, source: RefiSource) -> tuple[str | None, str]:
        path = source.plain_text_path
        if self.archive is None:
            return None, "the .qde was given without its sources folder (import the .qdpx instead)"
        if not path:
            candidates = [f"{folder}/{source.guid}.txt".lstrip("/") for folder in SOURCE_FOLDERS]
        else:
            scheme, _, rest = path.partition("://")
            if not rest:
                scheme, rest = "relative", path
            if scheme.lower() not in ("internal", "relative"):
                return None, f"its text is outside the archive ({path}); qualcode never reads files a project points at"
            reason = unsafe_name_reason(rest)
            if reason:
                return None, f"its path '{path}' is unsafe ({reason})"
            candidates = [f"{folder}/{rest}".lstrip("/") for folder in SOURCE_FOLDERS]
        for candidate in candidates:
            found = self.archive.find(candidate)
            if found is not None:
                return found, ""
        return None, f"its text file ({path or source.guid + '.txt'}) is not in the archive"

    def note_text(self, note) -> str:
        """A note's text: inline content, or its file in the archive ('' when unavailable)."""
        from qualcode.transcripts.encoding import decode_text

        if note.content is not None:
            return note.content
        if self.archive is None or not note.plain_text_path:
            return ""
        rest = note.plain_text_path.partition("://")[2] or note.plain_text_path
        if unsafe_name_reason(rest):
            return ""
        for folder in SOURCE_FOLDERS:
            found = self.archive.find(f"{folder}/{rest}".lstrip("/"))
            if found is not None:
                try:
                    return decode_text(self.archive.read(found), found)
                except QualcodeError:
                    return ""
        return ""


def _read_plain(path: Path, cap: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > cap:
            raise InteropError(f"{path.name} is {size:,} bytes; at most {cap:,} are read", file=str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise InteropError(f"File not found: {path}", file=str(path)) from None
    except IsADirectoryError:
        raise InteropError(f"{path} is a folder; give the .qdpx or .qde file", file=str(path)) from None
    except OSError as exc:
        raise InteropError(f"cannot read {path}: {exc.strerror or exc}", file=str(path)) from None
