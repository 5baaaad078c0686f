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

    An export makes two GUIDs per coding; ``uuid.uuid5`` spent most of its time on
    the object, not the hash.

    >>> ns = project_namespace("demo")
    >>> fast_uuid5(ns, "x\u00e9") == str(uuid.uuid5(ns, "x\u00e9")).upper()
    True
    """
    sha1 = _hashed(namespace).copy()  # the namespace's 16 bytes hashed once, not once a GUID
    sha1.update(name.encode("utf-8"))
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex().upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@lru_cache(maxsize=16)
def _hashed(namespace: uuid.UUID):
    return hashlib.sha1(namespace.bytes)


def coding_key(coder: str, transcript: str, code: str, start: int, end: int) -> str:
    """The identity of a coding across projects: who applied which code to which text."""
    return SEPARATOR.join([coder, transcript, code, str(start), str(end)])


def coding_uuid(coder: str, transcript: str, code: str, start: int, end: int) -> str:
    return str(uuid.uuid5(BASE_NAMESPACE, "coding" + SEPARATOR + coding_key(coder, transcript, code, start, end)))
