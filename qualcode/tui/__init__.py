"""The Textual coding screen (``qualcode code``).

Layout of the package:

- ``state``: the coding logic the widgets call (navigation, sentence selection,
  toggling codes, suggestions, undo/redo, memos) with no Textual import, so it is
  testable without a terminal; ``selecting`` (sentence mode, free word selection),
  ``suggesting`` (the suggesters' proposals, accept, reject), ``finding`` (find in the
  transcript, go to turn N) and ``work`` (finishing, counts, passages, memos, growing
  the codebook) are its mixins, ``outcome`` what its actions return;
- ``queries``, ``selection``, ``codefilter``, ``colors``, ``wrap``, ``header``,
  ``prompt``: small helpers the state and panes use (the store reads of the screen;
  word spans; code search ranked by whole words, prefixes, then fuzzy; code colours;
  word wrapping shared by layout and painting; the header fitted to the width; the
  status-line prompt). Which transcript to open is the core's rule
  (``qualcode.coding.assignments``), and so is whether blind mode applies
  (``qualcode.coding.blind``);
- ``app``: the Textual app, its key bindings and actions, with its mixins ``routing``
  (keys handled in the order they arrive), ``search_actions`` (the keys for finding and
  searching, and what ``F`` needs done between keys: the search index brought up to
  date, the hits screen built ahead) and ``work_actions`` (the keys for finishing,
  memos, the passages and memos views, growing the codebook); ``run`` opens it in the
  terminal or headless (screenshots);
- ``keys``: every key of the screen by where it works, from the bindings of the app
  (handed in), widgets and screens: the help overlay's sections and the keys reference
  in ``docs/coding-screen.md``;
- ``widgets``: the transcript, codebook (with its code tree and detail panel) and
  suggestions panes;
- ``screens``: the help overlay, the memo modal and the pick lists (``pick``: one
  widget drawing the jump list, search hits and the passages and memos views, filtered
  by typing).

Only ``app``, its mixins ``routing``, ``search_actions`` and ``work_actions``, ``run``, ``keys``, ``widgets``
and ``screens`` import Textual, and nothing in this
``__init__`` imports them, so ``import qualcode.tui`` stays cheap.
"""
