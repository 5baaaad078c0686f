import pytest

from qualcode.tui.wrap import cells, wrap_spans


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("one two three", 7, ["one two", "three"]),
        ("one two three", 13, ["one two three"]),
        ("abcdefghij", 4, ["abcd", "efgh", "ij"]),
        ("a\n\nb", 10, ["a", "", "b"]),
        ("", 5, [""]),
        ("word  spaced   out", 6, ["word", "spaced", "out"]),
    ],
)
def test_wrap_spans(text, width, expected):
    assert [text[s:e] for s, e in wrap_spans(text, width)] == expected


def test_lines_fit_the_width_and_keep_every_word():
    text = "It takes three years to trial, sometimes longer, and survivors lose hope along the way."
    spans = wrap_spans(text, 17)
    assert all(cells(text[s:e]) <= 17 for s, e in spans)
    assert " ".join(text[s:e] for s, e in spans).split() == text.split()


def test_wide_characters_count_two_cells():
    assert cells("日本") == 4
    assert [("日本 日本")[s:e] for s, e in wrap_spans("日本 日本", 5)] == ["日本", "日本"]
