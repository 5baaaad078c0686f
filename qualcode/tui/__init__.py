"""The Textual coding screen (``qualcode code``).

Layout of the package:

- ``state``: the coding logic the widgets call (navigation, sentence selection,
  toggling codes, suggestions, undo/redo, memos) with no Textual import, so it is
  testable without a terminal;
- ``queries``, ``sentences``, ``codefilter``, ``colors``, ``wrap``: small helpers the
  state and panes use (the store reads of the screen; sentence spans; fuzzy code
  search; code colours; word wrapping shared by layout and painting). Which
  transcript to open is the core's rule (``qualcode.coding.assignments``), and so is
  whether blind mode applies (``qualcode.coding.blind``);
- ``app``: the Textual app, its key bindings and actions;
- ``widgets``: the transcript, codebook (with its code tree and detail panel) and
  suggestions panes;
- ``screens``: the help overlay and the memo and jump modals.

Only ``app``, ``widgets`` and ``screens`` import Textual, and nothing in this
``__init__`` imports them, so ``import qualcode.tui`` stays cheap.
"""
