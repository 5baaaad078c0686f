"""The pick lists' line fitting (jump list, search hits, views) against rich's own truncation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from qualcode.tui.screens.pick import fit_line

LABELS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["vsp-a-01   t12   …the «hotline» said", "汉字汉字汉字", "tab\there", "line\nbreak", ""])


def rich_fit(label: str, width: int) -> str:
    """What the lists drew before: a no-wrap Text cut with an ellipsis and padded."""
    text = Text("".join(c if c.isprintable() else " " for c in label), no_wrap=True)
    text.truncate(width, overflow="ellipsis", pad=True)
    return text.plain


@given(LABELS, st.integers(1, 60))
def test_a_line_fits_its_width_as_rich_cuts_it(label, width):
    fitted = fit_line(label, width)
    assert fitted == rich_fit(label, width)
    assert cell_len(fitted) == width


@pytest.mark.parametrize(("label", "width", "expected"), [
    ("hotline", 7, "hotline"), ("hotline", 6, "hotli…"), ("hot", 5, "hot  "), ("汉字汉", 4, "汉 …"),
])
def test_examples(label, width, expected):
    assert fit_line(label, width) == expected
