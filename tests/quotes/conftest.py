"""Fixtures for the quote-set tests."""

from __future__ import annotations

import pytest

from tests.quotes.study import build_study


@pytest.fixture
def study(project):
    """The test project with four transcripts coded by ana (and one coding by ben)."""
    return build_study(project)
