"""Counted nouns in messages: '1 transcript', '2 transcripts' (never '1 transcripts')."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word``, in the plural (``many``, default ``word + 's'``) unless n is 1.

    >>> plural(1, "transcript"), plural(2, "quote"), plural(0, "coding"), plural(1, "memo", "memos")
    ('1 transcript', '2 quotes', '0 codings', '1 memo')
    """
    return f"{n} {word if n == 1 else many or word + 's'}"
