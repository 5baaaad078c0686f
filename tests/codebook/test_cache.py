"""The parsed-codebook cache: used only while it matches the YAML, never trusted more than it.

Every way a cache can be wrong (an edited YAML, another parser, a byte changed, a file cut
short, a crafted value the loader would never return) must end in a full parse with the
same result as the loader's; a good cache must give back exactly what the parse gave.
"""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from qualcode.codebook import cache as codebook_cache
from qualcode.codebook.cache import (
    codebook_from_dict,
    codebook_to_dict,
    load_codebook_cached,
    read_cache,
)
from qualcode.codebook.loader import load_codebook, parse_codebook
from qualcode.codebook.model import Codebook, text_hash
from qualcode.errors import ValidationFailed
from qualcode.project import CODEBOOK_CACHE_NAME, STORE_DIR, Project

FIELDS = ("roles", "codes", "path", "text", "title", "description", "hash")

SMALL = """\
title: Small
roles:
  prosecutor: {label: Prosecutor, aliases: [DA]}
  service_provider: Service provider
codes:
  - id: referral
    name: Referral
    exclusive: true
    children:
      - id: referral.hotline
        name: Hotline
        color: '#1f77b4'
        rules:
          phrases: [the  hotline]
          regex: ['hot\\s*line']
          fuzzy: [Polaris, {term: ICE, min_score: 90}]
          near: [{terms: [labor, trafficking], within: 5}]
          exclude_within: segment
      - id: referral.police
        name: Police
        roles: [prosecutor]
        examples: [They called the police.]
"""


def same(a: Codebook, b: Codebook) -> None:
    for name in FIELDS:
        assert getattr(a, name) == getattr(b, name), name


def write_yaml(folder: Path, text: str) -> Path:
    path = folder / "codebook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- generated codebooks ---------------------------------------------------------------

WORDS = st.text(string.ascii_lowercase, min_size=1, max_size=6)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
NAME = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Z")), min_size=1, max_size=12)
REGEXES = st.sampled_from(["hot\\s*line", "^a", "(?:x|y)+", "\\bICE\\b", "é{2,3}"])


@st.composite
def rules(draw) -> dict:
    found: dict = {}
    if draw(st.booleans()):
        found["phrases"] = draw(st.lists(st.text(string.ascii_letters + "  ", min_size=1).filter(str.strip), max_size=3))
    if draw(st.booleans()):
        found["regex"] = draw(st.lists(REGEXES, max_size=2))
    if draw(st.booleans()):
        found["fuzzy"] = draw(st.lists(st.one_of(WORDS, st.builds(lambda t, s: {"term": t, "min_score": s},
                                                                   WORDS, st.integers(50, 100))), max_size=2))
    if draw(st.booleans()):
        found["near"] = [{"terms": list(pair), "within": w} for pair, w in
                         draw(st.lists(st.tuples(st.tuples(WORDS, WORDS), st.integers(1, 1000)), max_size=2))]
    if draw(st.booleans()):
        found["exclude_within"] = draw(st.one_of(st.integers(0, 1000), st.just("segment")))
    return found


@st.composite
def documents(draw) -> dict:
    """A codebook as YAML would hold it: roles, a tree of codes with every optional field."""
    keys = draw(st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=8), min_size=1, max_size=4, unique=True))
    roles = {key: {"label": f"{key.upper()} {draw(NAME)}", "aliases": [f"{key}-{n}" for n in range(draw(st.integers(0, 2)))]}
             for key in keys}
    counter = iter(range(10_000))

    def codes(parent_roles: list[str], depth: int) -> list[dict]:
        items = []
        for _ in range(draw(st.integers(0 if depth else 1, 3 if depth < 3 else 0))):
            code: dict = {"id": f"c{next(counter)}", "name": draw(NAME)}
            for key in ("definition", "include", "exclude"):
                if draw(st.booleans()):
                    code[key] = draw(TEXT)
            if draw(st.booleans()):
                code["examples"] = draw(st.lists(NAME, max_size=2))
            mine = parent_roles
            if draw(st.booleans()):
                mine = draw(st.lists(st.sampled_from(parent_roles), min_size=1, unique=True))
                code["roles"] = mine
            if draw(st.booleans()):
                code["color"] = "#" + draw(st.text("0123456789abcdefABCDEF", min_size=6, max_size=6))
            if draw(st.booleans()):
                code["codable"] = draw(st.booleans())
            if draw(st.booleans()):
                code["rules"] = draw(rules())
            children = codes(mine, depth + 1)
            if children:
                code["children"] = children
                code["exclusive"] = draw(st.booleans())
            items.append(code)
        return items

    document = {"roles": roles, "codes": codes(keys, 0)}
    if draw(st.booleans()):
        document["title"] = draw(NAME)
    return document


def parsed(document: dict) -> Codebook:
    return parse_codebook(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), file="cb.yaml")


@given(documents())
def test_a_codebook_comes_back_from_its_cache_unchanged(document):
    codebook = parsed(document)
    data = json.loads(json.dumps(codebook_to_dict(codebook), ensure_ascii=False))
    same(codebook_from_dict(data, codebook.text, codebook.hash, "cb.yaml"), codebook)


@given(documents())
def test_the_cache_file_gives_back_what_the_loader_gives(document):
    with tempfile.TemporaryDirectory() as folder:
        path = write_yaml(Path(folder), yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
        cache = Path(folder) / "cache.json"
        first = load_codebook_cached(path, cache)
        assert read_cache(cache, path.read_text(encoding="utf-8"), first.hash, str(path)) is not None
        same(load_codebook_cached(path, cache), load_codebook(path))


# -- a cache that does not match -------------------------------------------------------


@pytest.fixture
def cached(tmp_path: Path) -> tuple[Path, Path]:
    path = write_yaml(tmp_path, SMALL)
    cache = tmp_path / "cache.json"
    load_codebook_cached(path, cache)
    assert cache.is_file()
    return path, cache


def must_parse(path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> Codebook:
    """Load through the cache, asserting that the YAML was parsed, and that the cache was mended."""
    calls = []
    real = parse_codebook

    def counting(text, file=None):
        calls.append(file)
        return real(text, file=file)

    monkeypatch.setattr("qualcode.codebook.loader.parse_codebook", counting)
    codebook = load_codebook_cached(path, cache)
    assert calls == [str(path)]
    monkeypatch.setattr("qualcode.codebook.loader.parse_codebook", real)
    assert read_cache(cache, path.read_text(encoding="utf-8"), codebook.hash, str(path)) is not None
    return codebook


def test_a_matching_cache_is_read_without_parsing(cached, monkeypatch):
    path, cache = cached
    expected = load_codebook(path)
    monkeypatch.setattr("qualcode.codebook.loader.parse_codebook", lambda *a, **k: pytest.fail("parsed"))
    same(load_codebook_cached(path, cache), expected)


def test_an_edited_codebook_is_parsed_again(cached, monkeypatch):
    path, cache = cached
    path.write_text(SMALL.replace("name: Police", "name: Law enforcement"), encoding="utf-8")
    codebook = must_parse(path, cache, monkeypatch)
    assert codebook.codes["referral.police"].name == "Law enforcement"
    same(codebook, load_codebook(path))


def test_another_parser_is_another_key(cached, monkeypatch):
    path, cache = cached
    monkeypatch.setattr(codebook_cache, "_parser_digest", lambda: "a loader that reads codebooks differently")
    same(must_parse(path, cache, monkeypatch), load_codebook(path))


def test_a_codebook_that_no_longer_validates_is_refused_whatever_the_cache(cached):
    path, cache = cached
    path.write_text(SMALL.replace("id: referral.police", "id: Referral Police"), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="Invalid code id"):
        load_codebook_cached(path, cache)


@pytest.mark.parametrize("damage", [
    pytest.param(lambda b: b"", id="empty"),
    pytest.param(lambda b: b[: len(b) // 2], id="cut short"),
    pytest.param(lambda b: b"\x00\xff" * 50, id="not text"),
    pytest.param(lambda b: b"[1, 2, 3]", id="JSON of another shape"),
    pytest.param(lambda b: b.replace(b"Hotline", b"Hotlime"), id="a value changed"),
    pytest.param(lambda b: b.split(b"\n")[0] + b"\n" + b"[" * 100_000 + b"]" * 100_000, id="nested to no end"),
    pytest.param(lambda b: b + b" " * (8 << 20), id="too large"),
])
def test_a_damaged_cache_is_parsed_again(cached, monkeypatch, damage):
    path, cache = cached
    cache.write_bytes(damage(cache.read_bytes()))
    same(must_parse(path, cache, monkeypatch), load_codebook(path))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_in_the_caches_place_is_not_waited_on(cached, monkeypatch):
    path, cache = cached
    cache.unlink()
    os.mkfifo(cache)
    monkeypatch.setattr(codebook_cache, "write_cache", lambda *a: None)  # leave the pipe in place
    same(load_codebook_cached(path, cache), load_codebook(path))


@given(st.data())
def test_any_byte_changed_or_cut_means_a_full_parse(data):
    with tempfile.TemporaryDirectory() as folder:
        path = write_yaml(Path(folder), SMALL)
        cache = Path(folder) / "cache.json"
        expected = load_codebook_cached(path, cache)
        body = cache.read_bytes()
        at = data.draw(st.integers(0, len(body) - 1))
        if data.draw(st.booleans()):
            damaged = body[:at]
        else:
            damaged = body[:at] + bytes([data.draw(st.integers(0, 255).filter(lambda b: b != body[at]))]) + body[at + 1:]
        cache.write_bytes(damaged)
        assert read_cache(cache, SMALL, expected.hash, str(path)) is None
        same(load_codebook_cached(path, cache), expected)


def resealed(cache: Path, change) -> None:
    """A crafted cache: the body changed and sealed again, as anyone who can write the file can."""
    header, body = cache.read_bytes().split(b"\n", 1)
    key = json.loads(header)
    data = json.loads(body)
    change(data)
    body = json.dumps(data).encode()
    key["seal"] = codebook_cache._seal(key["sha256"], body)
    cache.write_bytes(json.dumps(key).encode() + b"\n" + body)


def code(data: dict, code_id: str) -> list:
    return next(c for c in data["codes"] if c[0] == code_id)


@pytest.mark.parametrize("change", [
    pytest.param(lambda d: code(d, "referral.police").__setitem__(0, "Not An Id"), id="an id the loader refuses"),
    pytest.param(lambda d: d["codes"].append(list(d["codes"][1])), id="a code twice"),
    pytest.param(lambda d: d["codes"].reverse(), id="a child before its parent"),
    pytest.param(lambda d: code(d, "referral.police").__setitem__(2, "nowhere"), id="a parent that is not there"),
    pytest.param(lambda d: code(d, "referral.police").__setitem__(7, ["prosecutor", "stranger"]), id="an undeclared role"),
    pytest.param(lambda d: code(d, "referral.hotline").__setitem__(7, ["prosecutor"]), id="roles not inherited"),
    pytest.param(lambda d: code(d, "referral.police").__setitem__(7, []), id="no roles"),
    pytest.param(lambda d: code(d, "referral.hotline").__setitem__(8, "red"), id="a colour the loader refuses"),
    pytest.param(lambda d: code(d, "referral.hotline").__setitem__(9, True), id="exclusive without children"),
    pytest.param(lambda d: code(d, "referral.hotline").__setitem__(10, 1), id="a number for a flag"),
    pytest.param(lambda d: code(d, "referral.hotline")[13].__setitem__(1, ["(unclosed"]), id="a regex that does not compile"),
    pytest.param(lambda d: code(d, "referral.hotline")[13].__setitem__(0, ["the  hotline"]), id="a phrase not normalised"),
    pytest.param(lambda d: code(d, "referral.hotline")[13][2].__setitem__(0, ["Polaris", 101]), id="a score out of range"),
    pytest.param(lambda d: code(d, "referral.hotline")[13].__setitem__(5, -1), id="a distance out of range"),
    pytest.param(lambda d: d["roles"].append(["prosecutor", "Again", []]), id="a role twice"),
    pytest.param(lambda d: d["roles"][1].__setitem__(2, ["DA"]), id="an alias of another role"),
    pytest.param(lambda d: d.__setitem__("roles", []), id="no roles at all"),
    pytest.param(lambda d: d.__setitem__("extra", 1), id="a key the cache does not write"),
    pytest.param(lambda d: code(d, "referral.police").append("more"), id="a code of another length"),
])
def test_a_crafted_cache_the_loader_could_not_have_written_is_ignored(cached, monkeypatch, change):
    path, cache = cached
    resealed(cache, change)
    same(must_parse(path, cache, monkeypatch), load_codebook(path))


def test_a_crafted_cache_that_is_still_a_valid_codebook_is_read_resealed_only(cached):
    """The seal is not a signature: what a crafted cache can still say is bounded by the checks above."""
    path, cache = cached
    resealed(cache, lambda d: d.__setitem__("title", "Crafted"))
    assert load_codebook_cached(path, cache).title == "Crafted"


# -- in a project ----------------------------------------------------------------------


def test_a_project_keeps_its_cache_private_and_follows_the_yaml(project):
    cache = project.root / STORE_DIR / CODEBOOK_CACHE_NAME
    first = project.codebook
    assert cache.is_file() and cache.stat().st_mode & 0o077 == 0
    text = project.codebook_path.read_text(encoding="utf-8")
    project.codebook_path.write_text(text + "  - id: brand_new\n    name: Brand new\n", encoding="utf-8")
    again = Project(project.root)
    try:
        assert "brand_new" in again.codebook.codes and "brand_new" not in first.codes
        assert again.codebook.hash == text_hash(project.codebook_path.read_text(encoding="utf-8"))
    finally:
        again.close()


def test_a_project_that_cannot_write_its_cache_still_loads(project, monkeypatch):
    (project.root / STORE_DIR / CODEBOOK_CACHE_NAME).unlink()  # init's, of the starter codebook
    monkeypatch.setattr("tempfile.mkstemp", lambda **k: (_ for _ in ()).throw(PermissionError("read-only")))
    same(project.codebook, load_codebook(project.codebook_path))
    assert not (project.root / STORE_DIR / CODEBOOK_CACHE_NAME).exists()


def test_init_caches_the_starter_codebook_and_leaves_a_broken_one_to_be_reported(tmp_path):
    Project.init(tmp_path / "fresh").close()
    assert (tmp_path / "fresh" / STORE_DIR / CODEBOOK_CACHE_NAME).is_file()
    (tmp_path / "kept" / "codebooks").mkdir(parents=True)
    (tmp_path / "kept" / "codebooks" / "codebook.yaml").write_text("codes: [{id: Bad Id, name: X}]\n", encoding="utf-8")
    project = Project.init(tmp_path / "kept")
    try:
        assert not (tmp_path / "kept" / STORE_DIR / CODEBOOK_CACHE_NAME).exists()
        with pytest.raises(ValidationFailed, match="Invalid code id"):
            project.reload_codebook()
    finally:
        project.close()
