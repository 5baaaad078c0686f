"""Stable identifiers for what qualcode writes out.

Every GUID in an export is a uuid5 of a per-project namespace, a kind and the thing's
own key, so exporting the same project twice gives the same GUIDs (other tools then
recognise an updated export as the same sources, users and codings). Codes use the
codebook package's :func:`~qualcode.codebook.refi.code_guid`, so a .qdc and a .qdpx of
one codebook agree on them.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import lru_cache
from typing import Any

BASE_NAMESPACE = uuid.UUID("0b5e7f8e-3c1d-5a7b-9e2f-4d6c8a1b3e5f")
SEPARATOR = "\x1f"  # unit separator: cannot occur in ids, codes or names


def project_namespace(project_name: str) -> uuid.UUID:
    return uuid.uuid5(BASE_NAMESPACE, "project" + SEPARATOR + project_name)


def stable_guid(namespace: uuid.UUID, kind: str, *parts: object) -> str:
    """``kind`` + key parts -> an upper-case GUID, the same on every export.

    >>> ns = project_namespace("demo")
    >>> stable_guid(ns, "user", "alice") == stable_guid(ns, "user", "alice")
    True
    >>> stable_guid(ns, "user", "alice") == stable_guid(ns, "user", "bob")
    False
    """
    return fast_uuid5(namespace, SEPARATOR.join([kind, *map(str, parts)]))


def fast_uuid5(namespace: uuid.UUID, name: str) -> str:
    """``str(uuid.uuid5(namespace, name)).upper()`` without building UUID objects.

    >>> ns = project_namespace("demo")
    >>> fast_uuid5(ns, "x\u00e9") == str(uuid.uuid5(ns, "x\u00e9")).upper()
    True
    """
    sha1 = _hashed(namespace).copy()  # the namespace's 16 bytes hashed once, not once a GUID
    sha1.update(name.encode("utf-8"))
    return _uuid5_text(sha1.hexdigest())


class Guids:
    """``stable_guid`` for one namespace, each kind's prefix (namespace, kind, separator)
    hashed once: an export makes two GUIDs a coding, and hashing is most of their cost.

    >>> guids = Guids(project_namespace("demo"))
    >>> guids("user", "alice") == stable_guid(project_namespace("demo"), "user", "alice")
    True
    """

    def __init__(self, namespace: uuid.UUID) -> None:
        self._namespace = _hashed(namespace)
        self._kinds: dict[str, Any] = {}

    def __call__(self, kind: str, part: object, *parts: object) -> str:
        return self.of(kind, SEPARATOR.join([str(part), *map(str, parts)]))

    def of(self, kind: str, key: str) -> str:
        """The GUID of ``kind`` and a key already joined with SEPARATOR."""
        prefix = self._kinds.get(kind)
        if prefix is None:
            prefix = self._kinds[kind] = self._namespace.copy()
            prefix.update((kind + SEPARATOR).encode("utf-8"))
        sha1 = prefix.copy()
        sha1.update(key.encode("utf-8"))
        return _uuid5_text(sha1.hexdigest())


# uuid5's variant bits: the 17th hex digit keeps its two low bits under binary 10.
_VARIANT = {digit: "89AB"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def _uuid5_text(h: str) -> str:
    """A SHA-1 hex digest as an upper-case version-5 GUID (version digit 5, RFC 4122 variant),
    by string slicing rather than through bytes and ``uuid.UUID``."""
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}".upper()


@lru_cache(maxsize=16)
def _hashed(namespace: uuid.UUID) -> Any:
    return hashlib.sha1(namespace.bytes)


def coding_key(coder: str, transcript: str, code: str, start: int, end: int) -> str:
    """The identity of a coding across projects: who applied which code to which text."""
    return SEPARATOR.join([coder, transcript, code, str(start), str(end)])


def coding_uuid(coder: str, transcript: str, code: str, start: int, end: int) -> str:
    return str(uuid.uuid5(BASE_NAMESPACE, "coding" + SEPARATOR + coding_key(coder, transcript, code, start, end)))
