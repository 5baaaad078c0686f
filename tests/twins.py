"""Checking a command against its plain-Python twin (issue 22): the twin returns a frozen
dataclass, and the command's ``--json`` is exactly its ``to_dict()``.

For commands that write (an import, a training run, a copy), calling the twin a second
time would not return the same thing, so :func:`record` wraps the twin the command calls
and keeps what it returned.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any


def record(monkeypatch, module, name: str) -> list[Any]:
    """Wrap ``module.name`` (the twin, looked up when the command runs); returns the list
    its results are appended to."""
    returned: list[Any] = []
    twin = getattr(module, name)

    def recording(*args, **kwargs):
        returned.append(twin(*args, **kwargs))
        return returned[-1]

    monkeypatch.setattr(module, name, recording)
    return returned


def assert_frozen(value: Any, where: str = "result") -> None:
    """``value`` is a frozen dataclass, and so is every dataclass inside it."""
    assert dataclasses.is_dataclass(value) and not isinstance(value, type), f"{where} is not a dataclass"
    assert type(value).__dataclass_params__.frozen, f"{where} ({type(value).__name__}) is not frozen"  # type: ignore[attr-defined]
    for field in dataclasses.fields(value):
        _frozen_inside(getattr(value, field.name), f"{where}.{field.name}")


def _frozen_inside(value: Any, where: str) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert_frozen(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _frozen_inside(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _frozen_inside(item, f"{where}[{index}]")


def assert_json_is_twins(output: str, returned: list[Any]) -> None:
    """The command called its twin once and printed exactly ``to_dict()`` of the frozen result."""
    assert len(returned) == 1, f"the command called its twin {len(returned)} times"
    assert_frozen(returned[0])
    assert json.loads(output) == json.loads(json.dumps(returned[0].to_dict(), default=str))  # as print_json writes
