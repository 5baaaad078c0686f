"""Archives are read without trusting them: traversal, bombs and lying sizes are refused."""

from __future__ import annotations

import zipfile

import pytest

from qualcode.errors import InteropError
from qualcode.interop.safezip import Limits, SafeArchive, unsafe_name_reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("sources/a.txt", None),
        ("Sources\\b.txt", None),
        ("./project.qde", None),
        ("../evil.txt", "climbs out"),
        ("sources/../../evil.txt", "climbs out"),
        ("..\\..\\evil.txt", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("C:/Windows/win.ini", "absolute"),
        ("c:\\boot.ini", "absolute"),
        ("a\x00b", "NUL"),
    ],
)
def test_unsafe_name_reason(name, reason):
    found = unsafe_name_reason(name)
    assert (found is None) if reason is None else (reason in found)


def _zip(path, entries: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_reads_entries_case_insensitively(tmp_path):
    path = _zip(tmp_path / "ok.qdpx", {"project.qde": b"<Project/>", "Sources/A.txt": b"hello"})
    with SafeArchive(path) as archive:
        assert archive.find("sources/a.txt") == "Sources/A.txt"
        assert archive.read("SOURCES/a.TXT") == b"hello"
        assert archive.find("sources/missing.txt") is None


def test_traversal_entry_refuses_the_whole_archive(tmp_path):
    path = _zip(tmp_path / "evil.qdpx", {"project.qde": b"<Project/>", "../../outside.txt": b"x"})
    with pytest.raises(InteropError, match=r"entry '../../outside.txt' is unsafe \(a '\.\.' part climbs out"):
        SafeArchive(path)


def test_high_ratio_entry_is_a_bomb(tmp_path):
    path = _zip(tmp_path / "bomb.qdpx", {"project.qde": b"\0" * (8 * 1024 * 1024)})
    with pytest.raises(InteropError, match="possible zip bomb: entry 'project.qde' claims 8,388,608 bytes"):
        SafeArchive(path)


def test_total_size_cap(tmp_path):
    path = _zip(tmp_path / "big.qdpx", {f"sources/{n}.txt": bytes(range(256)) * 40 for n in range(5)})
    with pytest.raises(InteropError, match="would inflate to 51,200 bytes; at most 50,000"):
        SafeArchive(path, Limits(max_inflated_bytes=50_000))


def test_entry_count_cap(tmp_path):
    path = _zip(tmp_path / "many.qdpx", {f"sources/{n}.txt": b"x" for n in range(30)})
    with pytest.raises(InteropError, match="it has 30 entries; at most 20 are allowed"):
        SafeArchive(path, Limits(max_entries=20))


def test_lying_declared_size_is_caught_while_inflating(tmp_path):
    """zipfile stops at the declared size, so the lie surfaces as a checksum failure."""
    path = _zip(tmp_path / "liar.qdpx", {"project.qde": b"a" * 5000})
    data = bytearray(path.read_bytes())
    # Shrink the declared size in the central directory (and the local header) to 10 bytes.
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with SafeArchive(path) as archive, pytest.raises(InteropError, match=r"entry 'project.qde' cannot be read \(Bad CRC-32"):
        archive.read("project.qde")


@pytest.mark.parametrize("content", [b"not a zip at all", b""])
def test_not_a_zip(tmp_path, content):
    path = tmp_path / "x.qdpx"
    path.write_bytes(content)
    with pytest.raises(InteropError, match="is not a readable zip archive"):
        SafeArchive(path)


def test_missing_file(tmp_path):
    with pytest.raises(InteropError, match="File not found"):
        SafeArchive(tmp_path / "nope.qdpx")
