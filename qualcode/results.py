"""Shared by the typed results of the plain-Python twins (each a frozen dataclass with
``to_dict()``, the command's ``--json`` shape)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class ReadsLikeItsJson:
    """``result[key]``, ``result.get(key)`` and ``key in result`` read ``to_dict()``, for
    callers written against the JSON shape (reports, scripts); new code reads attributes."""

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_dict().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def keys(self) -> Iterator[str]:
        return iter(self.to_dict())
