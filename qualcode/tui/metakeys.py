"""Esc typed just before a letter arrives as Alt+letter: get the two keys back.

Terminals send Alt+T as ESC followed by ``t``, so Textual's input parser reads an Esc
and a key that come in one read (typed fast, a slow SSH link, tmux ``send-keys Escape
t``) as ``alt+t``: the Esc that should close a list, the filter or a prompt is lost,
and so is the key, which no binding of the coding screen expects with Alt. The app
hands such a key back as what was typed, Esc and then the letter (see
``CodingApp.on_event``), where the screen binds no ``alt+`` key itself.

Only Alt plus one character is split (``alt+t`` -> ``t``, ``alt+shift+t`` -> ``T``):
real Alt+arrow keys come as their own escape sequences. An Esc before ``/``, ``:``,
``b``, ``f`` or a digit cannot be recovered here: the parser drops that Esc and
delivers the key alone, or reads the pair as another key (``ctrl+left`` for Esc ``b``).
"""

from __future__ import annotations

ALT, SHIFT = "alt+", "shift+"


def typed_after_escape(key: str) -> str | None:
    """The key typed after Esc when ``key`` is Alt plus one character (``alt+t`` -> ``t``).

    ``alt+shift+t`` -> ``T`` (Textual names a capital letter by itself). None for any
    other key: plain keys, Alt+arrows, Alt with Ctrl.
    """
    if not key.startswith(ALT):
        return None
    rest = key[len(ALT) :]
    shifted = rest.startswith(SHIFT)
    if shifted:
        rest = rest[len(SHIFT) :]
    if len(rest) != 1 or not rest.isprintable():
        return None
    return rest.upper() if shifted else rest
