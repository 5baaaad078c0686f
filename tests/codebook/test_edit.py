"""Renaming ids in YAML text keeps everything else byte for byte."""

from __future__ import annotations

import pytest

from qualcode.codebook import parse_codebook
from qualcode.codebook.edit import rename_ids_in_text
from qualcode.errors import CodebookError

TEXT = """\
# top comment
codes:
  - id: referral   # the parent
    name: Referral sources
    examples: ["id: referral is not an id here"]
    children:
      - id: "referral.hotline"
        name: Hotlines
      - {id: 'referral.police', name: Police}
  - id: referral_other
    name: Not a child (no dot)
"""


def test_rename_rewrites_only_id_scalars():
    mapping = {"referral": "source", "referral.hotline": "source.hotline", "referral.police": "source.police"}
    renamed = rename_ids_in_text(TEXT, mapping)
    expected = (
        TEXT.replace("id: referral   #", "id: source   #")
        .replace('"referral.hotline"', '"source.hotline"')
        .replace("'referral.police'", "'source.police'")
    )
    assert renamed == expected
    assert "# the parent" in renamed and "id: referral is not an id here" in renamed
    assert list(parse_codebook(renamed).codes) == [
        "source",
        "source.hotline",
        "source.police",
        "referral_other",
    ]


def test_rename_refuses_invalid_ids():
    with pytest.raises(CodebookError, match="Invalid code id 'Bad Id'"):
        rename_ids_in_text(TEXT, {"referral": "Bad Id"})


def test_unicode_before_the_id_keeps_offsets_right():
    text = "title: Évaluation — ünïcode\ncodes:\n  - id: a\n    name: Ä\n"
    assert rename_ids_in_text(text, {"a": "b"}) == text.replace("id: a", "id: b")
