"""Plain command-line values coerced without pydantic.

typer (>= 0.29) coerces every value a command is given through a pydantic
``TypeAdapter``, built on first use: importing pydantic and building the adapters costs
~70 ms, as much as the rest of a whole ``qualcode tag``. Almost every qualcode
parameter is a plain ``str``, ``int``, ``Path``, ``bool`` or a list of them, whose
coercion from the command line is a no-op or one constructor call. :func:`install`
gives those parameters a runtime coercion that does exactly that and hands anything
else (a value it is not sure of: ``"+5"``, ``"1_000"``, an unreadable path, a bool
given as text) to typer's own, so every error message stays typer's.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

try:  # typer >= 0.29: pydantic coercion, built lazily per parameter
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # older typer coerces with click's types: nothing to replace
    RuntimeParam = None  # type: ignore[assignment,misc]  # checked in install

DIGITS = re.compile(r"-?[0-9]{1,18}")  # what int() and pydantic read alike (no "+", "_", spaces)
# What pydantic reads as a bool (case-insensitive): typer's coercion of a flag's text.
FLAG_WORDS = {**dict.fromkeys(("1", "true", "t", "yes", "y", "on"), True),
              **dict.fromkeys(("0", "false", "f", "no", "n", "off"), False)}
# The path checks a parameter can ask for; with none of them asked, a path is Path(text).
PATH_DEFAULTS = {
    "exists": False, "file_okay": True, "dir_okay": True, "writable": False, "resolve_path": False,
    "allow_dash": False, "path_type": None,
}


class Unsure(Exception):
    """The value is not one the fast coercion knows it coerces as typer would."""


def install(params: Iterable[Any]) -> None:
    """Give each plain parameter the fast coercion (others keep typer's)."""
    if RuntimeParam is None:
        return
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", None) is not None:
            continue
        convert = converter(descriptor)
        if convert is not None:
            param._runtime_param = PlainRuntimeParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, convert=convert,
            )


def install_everywhere(command) -> None:
    """:func:`install` on a command and every subcommand below it, --help included."""
    install(command.params)
    # click makes a command's --help option on first parse and keeps it; made here in a
    # context like the one the root group will give (no command sets help names).
    context = command.context_class(command, **command.context_settings)
    install([command.get_help_option(context)] if command.add_help_option else [])
    for sub in getattr(command, "commands", {}).values():
        install_everywhere(sub)


def converter(descriptor) -> Callable[[Any], Any] | None:
    """The fast conversion for a parameter's annotation, or None to leave it to typer."""
    info = descriptor.parameter_info
    if descriptor.file_annotation is not None or info.parser is not None or descriptor.is_choice:
        return None
    annotation = descriptor.annotation
    if getattr(annotation, "__origin__", None) is list:
        (item,) = annotation.__args__
        one = _leaf(item, info)
        return None if one is None else (lambda values: _each(one, values))
    return _leaf(annotation, info)


def _leaf(annotation, info) -> Callable[[Any], Any] | None:
    if annotation is str:
        return _text
    if annotation is int and info.min is None and info.max is None:
        return _integer
    if annotation is bool:
        return _flag
    if annotation is Path and all(getattr(info, k) == v for k, v in PATH_DEFAULTS.items()):
        return functools.partial(_path, readable=info.readable)
    return None


def _each(one: Callable[[Any], Any], values: Any) -> list:
    if not isinstance(values, list | tuple):
        raise Unsure
    return [one(value) for value in values]


def _text(value: Any) -> str:
    if type(value) is not str:
        raise Unsure
    return value


def _integer(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is not str or not DIGITS.fullmatch(value):
        raise Unsure
    return int(value)


def _flag(value: Any) -> bool:
    if type(value) is bool:
        return value
    if type(value) is not str:
        raise Unsure
    # Text comes from an environment variable (QUALCODE_QUIET=1): typer strips it, reads
    # "" as False and leaves the rest to pydantic's words, read here for the ASCII ones.
    word = value.strip()
    if not word:
        return False
    if not word.isascii() or word.lower() not in FLAG_WORDS:
        raise Unsure
    return FLAG_WORDS[word.lower()]


def _path(value: Any, readable: bool) -> Path:
    if isinstance(value, Path):
        path = value
    elif type(value) is str and value:
        path = Path(value)
    else:
        raise Unsure
    try:  # what typer checks of a path with no checks asked for
        os.stat(path)
    except OSError:
        return path
    except ValueError:  # an embedded null byte: typer refuses it
        raise Unsure from None
    if readable and not os.access(path, os.R_OK):
        raise Unsure  # typer says it is not readable, in its words
    return path


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        """Coerce with ``convert``; when it is unsure, exactly as typer would."""

        convert: Callable[[Any], Any]

        def _coerce_value(self, value: Any, param, ctx) -> Any:
            try:
                return self.convert(value)
            except Unsure:
                return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)
