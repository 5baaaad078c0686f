"""Codings, the event log (undo/redo), re-anchoring, autocoding and suggestions."""
