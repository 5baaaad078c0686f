"""Position models, the normalisation index map, and choosing a model by the evidence."""

from __future__ import annotations

import random
import unicodedata
from itertools import accumulate, pairwise

import pytest

from qualcode.errors import InteropError
from qualcode.interop.offsets import (
    MODELS,
    PositionIndex,
    choose_model,
    model_for_origin,
    name_matches,
    normalise_with_map,
    on_word_edge,
)
from qualcode.transcripts.model import normalise

PIECES = ["a", "é", "e\u0301", "\u0301", "😀", "👩\u200d👧", "\r\n", "\r", "\n", " ", "\t", "\x00", "€",
          "q\u0323\u0307", "\u1100\u1161", "\u0b47\u0b3e", "\u2003", "  \n"]  # fmt: skip


def _reference_units(raw: str, model: str) -> list[int]:
    """Cumulative units before each raw index, computed the slow obvious way."""
    if model == "codepoints":
        widths = [1] * len(raw)
    elif model == "utf16":
        widths = [len(c.encode("utf-16-le")) // 2 for c in raw]
    elif model == "utf8":
        widths = [len(c.encode("utf-8")) for c in raw]
    else:
        widths = [0 if c == "\r" and raw[i + 1 : i + 2] == "\n" else 1 for i, c in enumerate(raw)]
    return list(accumulate(widths, initial=0))


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 25))) for _ in range(count)]


@pytest.mark.parametrize(
    ("origin", "model"),
    [
        ("NVivo for Windows 12.6", "utf16"),
        ("NVivo for Mac 15.0.0", "utf16"),
        ("ATLAS.ti 9.1", "codepoints-lf"),
        ("qualcode 0.1.0", "codepoints"),
        ("qualcode 0.1.0 (positions: utf16)", "utf16"),
        ("qc 1.3.2", "codepoints"),
        ("MAXQDA 24 (Release 24.7.0)", "codepoints"),
        ("", "codepoints"),
        (None, "codepoints"),
    ],
)
def test_model_for_origin(origin, model):
    assert model_for_origin(origin) == model


@pytest.mark.parametrize("model", list(MODELS))
def test_position_index_matches_a_slow_reference(model):
    for raw in _random_texts(300, seed=len(model)):
        index = PositionIndex(raw, model)
        units = _reference_units(raw, model)
        first_index_of = {}
        for i, unit in enumerate(units):
            first_index_of.setdefault(unit, i)
        for position in range(-1, units[-1] + 3):
            assert index.to_raw(position) == first_index_of.get(position), (raw, position)
        assert [index.from_raw(i) for i in range(len(raw) + 1)] == units
        assert index.length == units[-1]


@pytest.mark.parametrize("block", [1, 2, 3, 7])
def test_the_utf8_checkpoints_match_the_reference_across_blocks(monkeypatch, block):
    from qualcode.interop import offsets

    monkeypatch.setattr(offsets, "UTF8_BLOCK", block)  # real blocks are 4096 characters; these texts are short
    for raw in _random_texts(150, seed=block):
        index = PositionIndex(raw, "utf8")
        units = _reference_units(raw, "utf8")
        first_index_of = {}
        for i, unit in enumerate(units):
            first_index_of.setdefault(unit, i)
        assert [index.to_raw(p) for p in range(-1, units[-1] + 3)] == [first_index_of.get(p) for p in range(-1, units[-1] + 3)]
        assert [index.from_raw(i) for i in range(len(raw) + 1)] == units


def test_unknown_model_is_refused():
    with pytest.raises(InteropError, match="Unknown position model 'bytes'; models: codepoints"):
        PositionIndex("x", "bytes")


def test_normalise_with_map_gives_normalise_and_keeps_every_kept_character():
    for raw in _random_texts(2000, seed=7):
        text, index = normalise_with_map(raw)
        assert text == normalise(raw)
        assert len(index) == len(raw) + 1 and index[-1] == len(text)
        assert all(a <= b for a, b in pairwise(index))


@pytest.mark.parametrize(
    ("raw", "span", "expected"),
    [
        ("one\r\ntwo\r\nthree", (5, 8), "two"),
        ("one\r\ntwo\r\nthree", (0, 10), "one\ntwo\n"),
        ("trailing   \r\nnext", (0, 17), "trailing\nnext"),
        ("  lead in", (2, 6), "lead"),
        ("cafe\u0301 au lait", (0, 5), "café"),
        ("cafe\u0301 au lait", (6, 8), "au"),
        ("q\u0323\u0307 mark", (0, 3), "q\u0323\u0307"),
        ("nul\x00s gone", (0, 5), "nuls"),
    ],
)
def test_normalise_with_map_carries_spans(raw, span, expected):
    text, index = normalise_with_map(raw)
    assert text[index[span[0]] : index[span[1]]] == expected


@pytest.mark.parametrize(
    ("text", "index", "expected"),
    [
        ("two words", 0, True),
        ("two words", 3, True),
        ("two words", 4, True),
        ("two words", 2, False),
        ("two words", 9, True),
        ("a😀b", 1, True),
        ("👍\U0001F3FD", 1, False),  # before a skin-tone modifier
        ("go 👩\u200d👧 now", 4, False),  # inside a ZWJ sequence
        ("cafe\u0301", 4, False),  # before a combining mark
        ("line\nnext", 5, True),
    ],
)
def test_on_word_edge(text, index, expected):
    assert on_word_edge(text, index) is expected


@pytest.mark.parametrize(
    ("raw", "start", "end", "name", "expected"),
    [
        ("zero\none\ntwo", 5, 9, "line:1", True),
        ("zero\none\ntwo", 6, 9, "line:1", False),
        ("zero\none\ntwo", 0, 4, "line:0", True),
        ("the hotline sends tips", 4, 11, "hotline", True),
        ("the hotline sends tips", 4, 22, "hotline sends…", True),
        ("the hotline sends tips", 0, 3, "hotline", False),
        ("the hotline", 4, 11, "", None),
        ("the hotline", 4, 11, "ab", None),
    ],
)
def test_name_matches(raw, start, end, name, expected):
    assert name_matches(raw, start, end, name) is expected


def _nvivo_like_text() -> tuple[str, list[tuple[int, int, str]], list[str]]:
    """Comments with emoji and CRLF; selections given as UTF-16 positions of whole words."""
    lines = [f"Comment {n} 😀👍 about vaccines and trust {'🎉' * (n % 3)} ok" for n in range(40)]
    raw = "\r\n".join(lines)
    spans, words = [], []
    for n in range(0, 40, 3):
        word = "vaccines and trust"
        start = raw.index(word, raw.index(f"Comment {n} "))
        def utf16(i: int) -> int:
            return len(raw[:i].encode("utf-16-le")) // 2

        spans.append((utf16(start), utf16(start + len(word)), ""))
        words.append(word)
    return raw, spans, words


def test_choose_model_confirms_the_origins_model():
    raw, spans, _ = _nvivo_like_text()
    choice = choose_model(raw, spans, "NVivo for Windows 12.6")
    assert choice.model == "utf16" and choice.confirmed
    assert "confirmed" in choice.reason and f"{2 * len(spans)}/{2 * len(spans)} edges" in choice.reason


def test_choose_model_overrides_a_wrong_origin_and_says_so():
    raw, spans, _ = _nvivo_like_text()
    choice = choose_model(raw, spans, "SomeTool claiming code points")
    assert choice.expected == "codepoints"
    assert choice.model == "utf16"
    assert "origin suggests codepoints" in choice.reason and "utf16 fits better" in choice.reason


def test_choose_model_forced_keeps_the_forced_model_but_measures():
    raw, spans, _ = _nvivo_like_text()
    choice = choose_model(raw, spans, "NVivo", forced="codepoints")
    assert choice.model == "codepoints" and not choice.confirmed
    assert "forced" in choice.reason


def test_choose_model_without_selections_trusts_the_origin():
    choice = choose_model("text", [], "ATLAS.ti 22")
    assert (choice.model, choice.confirmed) == ("codepoints-lf", False)
    assert "no selections to check" in choice.reason


def test_composed_output_is_nfc():
    text, _ = normalise_with_map("e\u0301\u0323 x")
    assert unicodedata.is_normalized("NFC", text)
