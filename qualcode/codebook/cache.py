"""The parsed-codebook cache: a short command reads JSON instead of parsing the YAML.

Composing and validating a codebook needs PyYAML (~90 M instructions to import) and a
walk over every node: ~6 % of one ``qualcode tag``. The validated result is kept as JSON
(never pickle) beside the store and used only while its key matches: the sha256 of
the codebook's text and a digest of the modules that define what a parse returns (the
loader, its rules, the model: stricter than qualcode's version, which an edit of the
loader need not change), and sealed with the sha256 of that
digest and the body. Anything else (another key, a byte changed, a file cut short, a
JSON error, a value of the wrong shape) is read as "no cache": the YAML is parsed as
always and the cache written again. Problems are never cached: a codebook that does
not validate raises from the parse every time.

A cache is not trusted more than the YAML it stands for. The seal catches damage, not
forgery (whoever can write the file can recompute it), so what a cache holds is also
checked against the rules the loader enforces on its result (ids, roles and their
inheritance, parents before children, colours, rule values, regular expressions that
compile): a crafted file can at most describe a codebook that could have been written
in YAML. It sits in the project's private store folder (``.qualcode/``, 0700) beside the
SQLite store, which whoever can write there can replace whole.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

from qualcode.codebook.model import (
    CODE_ID_PATTERN,
    COLOR_PATTERN,
    FUZZY_SCORES,
    MAX_CODE_DEPTH,
    MAX_DISTANCE,
    ROLE_KEY_PATTERN,
    Code,
    Codebook,
    FuzzyTerm,
    NearPair,
    Role,
    Rules,
    read_codebook_text,
    text_hash,
)

CACHE_FORMAT = 1
# What a parse returns is decided by these modules: a change to any of them is a new key.
_PARSER_MODULES = ("loader.py", "nodes.py", "rules.py", "model.py", "defaults.py", "cache.py")
_MAX_EXTRA_BYTES = 1 << 20  # a cache is about the size of its YAML; more is not ours


class _Refused(Exception):
    """The cache does not hold what a parse of this codebook returns; parse instead."""


def load_codebook_cached(path: str | Path, cache: Path | None) -> Codebook:
    """:func:`~qualcode.codebook.loader.load_codebook`, from ``cache`` when it matches the file.

    ``cache`` is a JSON file (None: always parse). Errors are the loader's.
    """
    path = Path(path)
    text = read_codebook_text(path)
    digest = text_hash(text)
    if cache is not None and not _parser_digest():
        cache = None
    if cache is not None:
        found = read_cache(cache, text, digest, str(path))
        if found is not None:
            return found
    # PyYAML is imported only when the YAML has to be parsed (heavy: see the module's docstring).
    from qualcode.codebook.loader import parse_codebook

    codebook = parse_codebook(text, file=str(path))
    if cache is not None:
        write_cache(cache, codebook)
    return codebook


def cache_key(digest: str) -> dict[str, str]:
    """What a cache must have been written for: this text, this qualcode, this parser."""
    return {"sha256": digest, "parser": _parser_digest(), "format": str(CACHE_FORMAT)}


def read_cache(cache: Path, text: str, digest: str, file: str) -> Codebook | None:
    """The cached codebook of ``text``, or None if ``cache`` is missing, stale or not valid."""
    try:
        # Not blocking: a named pipe put in the cache's place must not hang every command.
        with open(os.open(cache, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode) or found.st_size > _MAX_EXTRA_BYTES + 4 * len(text):
                return None
            header, _, body = handle.read().partition(b"\n")
        key = json.loads(header)
        if key != {**cache_key(digest), "seal": _seal(digest, body)}:
            return None
        return codebook_from_dict(json.loads(body), text, digest, file)
    except (OSError, ValueError, RecursionError, _Refused):  # unreadable, not JSON, not a parse's result
        return None


def write_cache(cache: Path, codebook: Codebook) -> None:
    """Write ``cache`` atomically (a reader sees the old file or the new one), 0600; best effort.

    Line 1 is the key and the seal (sha256 of the codebook's digest and the body), line 2
    the body: a byte changed anywhere, or a file cut short, no longer matches.
    """
    body = json.dumps(codebook_to_dict(codebook), ensure_ascii=False, separators=(",", ":")).encode()
    header = json.dumps({**cache_key(codebook.hash), "seal": _seal(codebook.hash, body)}, separators=(",", ":")).encode()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=f".{cache.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:  # mkstemp creates it 0600
                out.write(header + b"\n" + body)
            os.replace(temporary, cache)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:  # a read-only project, a full disk: the next command parses the YAML again
        return


def _seal(digest: str, body: bytes) -> str:
    return hashlib.sha256(digest.encode() + b"\n" + body).hexdigest()


# -- to and from JSON ------------------------------------------------------------------


def codebook_to_dict(codebook: Codebook) -> dict[str, Any]:
    """Everything a parse returns except the text (the file holds it) and the path."""
    return {
        "title": codebook.title,
        "description": codebook.description,
        "roles": [[r.key, r.label, list(r.aliases)] for r in codebook.roles.values()],
        "codes": [_code_to_list(c) for c in codebook.codes.values()],
    }


def _code_to_list(code: Code) -> list[Any]:
    rules = code.rules
    declared = None if code.declared_roles is None else sorted(code.declared_roles)
    return [code.id, code.name, code.parent, code.definition, code.include, code.exclude,
            list(code.examples), sorted(code.roles), code.color, code.exclusive, code.codable, code.line,
            declared, [list(rules.phrases), list(rules.regex), [[f.term, f.min_score] for f in rules.fuzzy],
                       [[n.terms[0], n.terms[1], n.within] for n in rules.near], list(rules.exclude),
                       rules.exclude_within]]


def codebook_from_dict(data: Any, text: str, digest: str, file: str | None) -> Codebook:
    """The codebook ``data`` describes, checked as the loader checks its result; else _Refused."""
    if not isinstance(data, dict) or set(data) != {"title", "description", "roles", "codes"}:
        raise _Refused
    roles = _roles(data["roles"])
    codes: dict[str, Code] = {}
    depth: dict[str | None, int] = {None: 0}
    for item in _list(data["codes"]):
        code = _code(item, roles, codes)
        depth[code.id] = depth[code.parent] + 1
        if code.id in codes or depth[code.id] > MAX_CODE_DEPTH:
            raise _Refused
        codes[code.id] = code
    parents = {c.parent for c in codes.values()}
    if any(c.exclusive and c.id not in parents for c in codes.values()):
        raise _Refused
    return Codebook(roles=roles, codes=codes, path=file, text=text, title=_optional_text(data["title"]),
                    description=_optional_text(data["description"]), hash=digest)


def _roles(data: Any) -> dict[str, Role]:
    roles: dict[str, Role] = {}
    owners: dict[str, str] = {}
    for item in _list(data):
        key, label, aliases = _fixed(item, 3)
        role = Role(_text(key), _text(label), tuple(_text(a) for a in _list(aliases)))
        if not ROLE_KEY_PATTERN.match(role.key) or role.key in roles or not role.label or not all(role.aliases):
            raise _Refused
        for name in {role.key.casefold(), role.label.casefold(), *(a.casefold() for a in role.aliases)}:
            if owners.setdefault(name, role.key) != role.key:
                raise _Refused
        roles[role.key] = role
    if not roles:
        raise _Refused
    return roles


def _code(item: Any, roles: dict[str, Role], before: dict[str, Code]) -> Code:
    (code_id, name, parent, definition, include, exclude, examples, resolved, color, exclusive, codable, line,
     declared, rules) = _fixed(item, 14)
    if not isinstance(code_id, str) or not CODE_ID_PATTERN.match(code_id) or not _text(name):
        raise _Refused
    if parent is not None and parent not in before:  # parents precede their children
        raise _Refused
    inherited = before[parent].roles if parent is not None else frozenset(roles)
    declared_roles = None if declared is None else frozenset(_text(r) for r in _list(declared))
    code_roles = frozenset(_text(r) for r in _list(resolved))
    if not code_roles or code_roles != (inherited if declared_roles is None else declared_roles) \
            or not code_roles <= inherited:
        raise _Refused
    if color is not None and not (isinstance(color, str) and COLOR_PATTERN.match(color) and color == color.upper()):
        raise _Refused
    example_texts = tuple(_text(e) for e in _list(examples))
    if not all(example_texts) or type(line) is not int or line < 1:
        raise _Refused
    return Code(id=code_id, name=name, parent=parent, definition=_text(definition), include=_text(include),
                exclude=_text(exclude), examples=example_texts, roles=code_roles, color=color,
                exclusive=_flag(exclusive), codable=_flag(codable), rules=_rules(rules), line=line,
                declared_roles=declared_roles)


def _rules(data: Any) -> Rules:
    phrases, regex, fuzzy, near, exclude, exclude_within = _fixed(data, 6)
    return Rules(phrases=_phrases(phrases), regex=tuple(_regex(p) for p in _list(regex)),
                 fuzzy=tuple(_fuzzy(f) for f in _list(fuzzy)), near=tuple(_near(n) for n in _list(near)),
                 exclude=_phrases(exclude),
                 exclude_within=None if exclude_within is None else _number(exclude_within, 0, MAX_DISTANCE))


def _phrases(data: Any) -> tuple[str, ...]:
    phrases = tuple(_text(p) for p in _list(data))
    if any(not p or p != " ".join(p.split()) for p in phrases):  # the loader's normal form
        raise _Refused
    return phrases


def _regex(pattern: Any) -> str:
    try:
        re.compile(_text(pattern), re.IGNORECASE)
    except (re.error, RecursionError, OverflowError):
        raise _Refused from None
    return str(pattern)


def _fuzzy(item: Any) -> FuzzyTerm:
    term, score = _fixed(item, 2)
    return FuzzyTerm(_text(term), _number(score, *FUZZY_SCORES))


def _near(item: Any) -> NearPair:
    first, second, within = _fixed(item, 3)
    if not (_text(first) and _text(second)):
        raise _Refused
    return NearPair((first, second), _number(within, 1, MAX_DISTANCE))


# -- shapes ----------------------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise _Refused
    return value


def _fixed(value: Any, size: int) -> list[Any]:
    if type(value) is not list or len(value) != size:
        raise _Refused
    return value


def _text(value: Any) -> str:
    if type(value) is not str:
        raise _Refused
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _flag(value: Any) -> bool:
    if type(value) is not bool:
        raise _Refused
    return value


def _number(value: Any, low: int, high: int) -> int:
    if type(value) is not int or not low <= value <= high:
        raise _Refused
    return value


@functools.cache
def _parser_digest() -> str:
    """sha256 over the code of the modules that shape a parse, and the model's fields ("": unknown)."""
    digest = hashlib.sha256()
    here = Path(__file__)
    try:  # their sources, or their bytecode where installed without sources
        for name in _PARSER_MODULES:
            digest.update(here.with_name(name).with_suffix(here.suffix).read_bytes())
    except OSError:  # (a zip, say) no way to tell one parser from another: no cache
        return ""
    for model in (Role, Code, Rules, FuzzyTerm, NearPair):
        digest.update(" ".join(f.name for f in fields(model)).encode())
    return digest.hexdigest()
