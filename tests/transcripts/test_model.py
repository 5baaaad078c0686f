"""transcripts.model.normalise: the per-line rstrip equals the regex it replaced."""

from __future__ import annotations

import platform
import re
import subprocess
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qualcode.transcripts import memory
from qualcode.transcripts.model import normalise

# The definition normalise() had: trailing whitespace other than LF removed before every
# line end and at the end, then the whole stripped.
TRAILING_BLANKS = re.compile(r"[^\S\n]+(?=\n|\Z)")


def reference(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return TRAILING_BLANKS.sub("", unicodedata.normalize("NFC", text)).strip()


WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2003\u2028\u2029\u202f\u3000\x00"


@given(st.text(alphabet=st.sampled_from(WHITESPACE + "ab\u0301é")))
def test_normalise_equals_the_regex_definition(text):
    assert normalise(text) == reference(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("one line  \t", "one line"),
        ("a \nb\u00a0\n  c  ", "a\nb\n  c"),
        ("a\r\nb \r c\x00", "a\nb\n c"),
        ("  \n  ", ""),
    ],
)
def test_normalise_examples(text, expected):
    assert normalise(text) == expected


def test_an_import_sets_glibcs_threshold_without_running_a_subprocess(monkeypatch):
    """return_large_blocks finds mallopt among the process's own symbols: no ``ldconfig -p``
    (ctypes.util.find_library) in every import; on glibc it takes effect."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args[:1]}")

    monkeypatch.setattr(subprocess, "Popen", refuse)
    memory.return_large_blocks.cache_clear()
    try:
        took = memory.return_large_blocks()
    finally:
        memory.return_large_blocks.cache_clear()
    if platform.libc_ver()[0] == "glibc":
        assert took
