"""The constructed seed-study project (tests/tally/seed_study.py) as a fixture."""

from tests.tally.seed_study import seed_project  # noqa: F401
