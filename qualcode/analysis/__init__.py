"""Whose codings an analysis counts: assignments and the analysis set.

Sits above ``coding/`` and ``agreement/`` (it reads samples and reconciliation) and
below ``tally/``, ``quotes/`` and ``report/``, which count the analysis set by default.
"""
